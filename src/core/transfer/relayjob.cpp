// RelayJob: runner to runner, chunk by chunk.
#include "core/transfer/relayjob.h"

#include "core/runnersession.h"
#include "core/transfer/remotehasher.h"
#include "core/transfer/transferjob.h"

#include <QDir>
#include <QTimer>

namespace capsule {

RelayJob::RelayJob(RunnerSession *from, const QString &source, RunnerSession *to,
                   const QString &destination, const RelayOptions &options, QObject *parent)
    : ResultJob<TransferResult>(parent ? parent : to)
    , m_from(from)
    , m_to(to)
    , m_source(QDir::cleanPath(source))
    , m_destination(QDir::cleanPath(destination))
    , m_options(options)
{
    m_options.chunkSize = qMax<qint64>(64 * 1024, m_options.chunkSize);
    m_options.parallelFiles = qMax(1, m_options.parallelFiles);
    QTimer::singleShot(0, this, &RelayJob::start);
}

void RelayJob::abortWith(const Error &error)
{
    if (isFinished())
        return;
    cancelChildren();
    failWith(error);
}

void RelayJob::start()
{
    if (isStopping())
        return;
    if (!m_from || !m_to) {
        abortWith(Error(ErrorKind::Value, tr("The runner session is gone.")));
        return;
    }
    if (!m_source.startsWith(QLatin1Char('/')) || !m_destination.startsWith(QLatin1Char('/')) ||
        m_destination == QLatin1String("/")) {
        abortWith(
            Error(ErrorKind::Value, tr("Both runner paths must be absolute and name a file or "
                                       "folder: %1, %2")
                                        .arg(m_source, m_destination)));
        return;
    }
    if (m_from == m_to &&
        (m_destination == m_source || m_destination.startsWith(m_source + QLatin1Char('/')))) {
        abortWith(Error(ErrorKind::Value, tr("%1 cannot be copied into itself.").arg(m_source)));
        return;
    }
    m_temp = TransferJob::remotePartPath(m_destination);
    m_clock.start();
    await(
        m_from->stat(m_source), [this](const FileInfo &f) { sourceKnown(f); }, failer());
}

void RelayJob::sourceKnown(const FileInfo &src)
{
    if (!src.exists) {
        abortWith(Error(ErrorKind::NotFound,
                        tr("%1 does not exist on the source runner.").arg(m_source)));
        return;
    }
    m_folder = src.isDir;
    if (m_folder) {
        await(
            m_from->list(m_source, true), [this](const ListResult &l) { sourceListed(l); },
            failer());
        return;
    }
    m_plan = TransferPlan::downloadFile(m_source, m_temp, src.size);
    await(
        m_to->stat(m_destination), [this](const FileInfo &d) { destinationKnown(d); }, failer());
}

void RelayJob::sourceListed(const ListResult &listing)
{
    m_plan = TransferPlan::downloadTree(m_source, m_temp, listing);
    await(
        m_to->stat(m_destination), [this](const FileInfo &d) { destinationKnown(d); }, failer());
}

void RelayJob::destinationKnown(const FileInfo &dest)
{
    m_destExists = dest.exists;
    if (dest.exists && !m_options.overwrite) {
        abortWith(Error(ErrorKind::Conflict,
                        tr("%1 already exists on the destination runner.").arg(m_destination)));
        return;
    }
    if (dest.exists && dest.isDir != m_folder) {
        abortWith(Error(ErrorKind::Conflict, dest.isDir ? tr("%1 is a folder.").arg(m_destination)
                                                        : tr("%1 is a file.").arg(m_destination)));
        return;
    }
    m_progress.bytesTotal = m_plan.totalBytes();
    m_progress.filesTotal = int(m_plan.tasks.size());
    // A fresh staging copy each time (no resume across runners).
    await(
        m_to->remove(m_temp, true), [this](bool) { prepareDestination(); }, failer());
}

void RelayJob::prepareDestination()
{
    QStringList folders{QDir::cleanPath(m_destination + QStringLiteral("/.."))};
    QStringList files;
    if (m_folder)
        folders << m_temp;
    for (const QString &d : std::as_const(m_plan.folders))
        folders << joinRemotePath(m_temp, d);
    for (const TransferTask &t : std::as_const(m_plan.tasks))
        files << t.local;
    // Made by the runner's user so that the copy belongs to it; not fatal when it cannot.
    await(
        m_to->createOwned(folders, files), [this](const Done &) { makeFolders(); },
        [this](const Error &) { makeFolders(); });
}

void RelayJob::makeFolders()
{
    QStringList folders;
    if (m_folder)
        folders << m_temp;
    for (const QString &d : std::as_const(m_plan.folders))
        folders << joinRemotePath(m_temp, d);
    if (folders.isEmpty()) {
        pump();
        return;
    }
    auto pending = std::make_shared<qsizetype>(folders.size());
    for (const QString &f : folders) {
        await(
            m_to->mkdir(f),
            [this, pending](const Done &) {
                if (--*pending == 0)
                    pump();
            },
            failer());
    }
}

void RelayJob::pump()
{
    if (isStopping())
        return;
    m_progress.stage = TransferStage::Transferring;
    while (m_active < m_options.parallelFiles && m_next < m_plan.tasks.size()) {
        ++m_active;
        copyChunk(m_next++);
    }
    if (m_active == 0 && m_next >= m_plan.tasks.size())
        verify();
}

void RelayJob::copyChunk(int index)
{
    const TransferTask &t = m_plan.tasks.at(index);
    if (t.size == 0) {
        await(
            m_to->upload(t.local, QByteArray(), WriteMode::Overwrite),
            [this](const WriteResult &) { taskDone(); }, failer());
        return;
    }
    const qint64 len = qMin(m_options.chunkSize, t.size - t.offset);
    HttpJob *http = m_from->downloadStream(t.remote, t.offset, len);
    auto buffer = std::make_shared<QByteArray>();
    buffer->reserve(len);
    connect(http, &HttpJob::chunk, this,
            [buffer](const QByteArray &data) { buffer->append(data); });
    await(http, [this, index, buffer, len](HttpJob *h) {
        if (h->hasError()) {
            abortWith(h->error());
            return;
        }
        if (buffer->size() != len) {
            abortWith(Error(ErrorKind::Protocol, tr("The source runner sent %1 of %2 bytes of %3.")
                                                     .arg(buffer->size())
                                                     .arg(len)
                                                     .arg(m_plan.tasks.at(index).displayName)));
            return;
        }
        TransferTask &task = m_plan.tasks[index];
        const WriteMode mode = task.offset == 0 ? WriteMode::Overwrite : WriteMode::Append;
        await(
            m_to->upload(task.local, *buffer, mode),
            [this, index, len](const WriteResult &w) {
                TransferTask &done = m_plan.tasks[index];
                if (w.bytesWritten != len) {
                    abortWith(Error(
                        ErrorKind::Protocol,
                        tr("The destination stored %1 of %2 bytes.").arg(w.bytesWritten).arg(len)));
                    return;
                }
                done.offset += len;
                m_bytesDone += len;
                m_progress.bytesDone = m_bytesDone;
                emitProgress();
                if (done.offset >= done.size)
                    taskDone();
                else
                    copyChunk(index);
            },
            failer());
    });
}

void RelayJob::taskDone()
{
    --m_active;
    ++m_done;
    m_progress.filesDone = m_done;
    pump();
}

void RelayJob::verify()
{
    if (isStopping())
        return;
    m_progress.stage = TransferStage::Verifying;
    emitProgress(true);
    if (!m_options.verifyContent || m_plan.tasks.isEmpty()) {
        moveIntoPlace();
        return;
    }
    QStringList sources;
    QStringList copies;
    for (const TransferTask &t : std::as_const(m_plan.tasks)) {
        sources << t.remote;
        copies << t.local;
    }
    m_hashesPending = 2;
    await(
        new RemoteHashJob(m_from, sources, this),
        [this](const RemoteHashes &h) { hashesKnown(h, true); }, failer());
    await(
        new RemoteHashJob(m_to, copies, this),
        [this](const RemoteHashes &h) { hashesKnown(h, false); }, failer());
}

void RelayJob::hashesKnown(const RemoteHashes &hashes, bool source)
{
    m_hashesAvailable = m_hashesAvailable && hashes.available;
    (source ? m_sourceHashes : m_destHashes) = hashes.hashes;
    if (--m_hashesPending > 0)
        return;
    m_progress.stage = TransferStage::Comparing;
    if (m_hashesAvailable) {
        for (qsizetype i = 0; i < m_plan.tasks.size(); ++i) {
            if (m_sourceHashes.value(i) != m_destHashes.value(i)) {
                abortWith(
                    Error(ErrorKind::Protocol,
                          tr("Content check failed for %1: sha256 %2 in the source runner, %3 "
                             "in the destination.")
                              .arg(m_plan.tasks.at(i).displayName, m_sourceHashes.value(i),
                                   m_destHashes.value(i))));
                return;
            }
        }
    }
    moveIntoPlace();
}

void RelayJob::moveIntoPlace()
{
    m_progress.stage = TransferStage::Finishing;
    auto mv = [this] {
        await(
            m_to->execCollect({QStringLiteral("mv"), QStringLiteral("-f"), QStringLiteral("-T"),
                               QStringLiteral("--"), m_temp, m_destination}),
            [this](const ExecResult &r) {
                if (r.code != 0) {
                    abortWith(Error(
                        ErrorKind::Io,
                        tr("Cannot move %1 into place: %2").arg(m_temp, r.stderrText.trimmed())));
                    return;
                }
                finishMove();
            },
            failer());
    };
    if (m_folder && m_destExists)
        await(
            m_to->remove(m_destination, true), [mv](bool) { mv(); }, failer());
    else
        mv();
}

void RelayJob::finishMove()
{
    auto done = [this] {
        TransferResult r;
        r.localPath = m_source; // the source, on the other runner
        r.remotePath = m_destination;
        r.bytes = m_plan.totalBytes();
        r.bytesTransferred = m_bytesDone;
        r.files = int(m_plan.tasks.size());
        r.durationMs = m_clock.elapsed();
        r.contentVerified = m_options.verifyContent && m_hashesAvailable;
        m_progress.stage = TransferStage::Done;
        emitProgress(true);
        succeedWith(r);
    };
    if (!m_options.move) {
        done();
        return;
    }
    await(
        m_from->remove(m_source, true), [done](bool) { done(); }, failer());
}

void RelayJob::emitProgress(bool force)
{
    const qint64 now = m_clock.elapsed();
    if (!force && m_lastEmitMs >= 0 && now - m_lastEmitMs < 100)
        return;
    m_lastEmitMs = now;
    m_progress.elapsedMs = now;
    m_progress.bytesPerSecond = now > 0 ? double(m_progress.bytesDone) * 1000.0 / double(now) : 0;
    emit progressChanged(m_progress);
    emit progress(m_progress.bytesDone, m_progress.bytesTotal);
}

} // namespace capsule
