// TransferJob: preparing (stat, partials, plan) and transferring (chunks, parallel files).
#include "core/transfer/transferjob.h"

#include "core/runnersession.h"
#include "core/transfer/fileslice.h"
#include "core/transfer/localhasher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimer>
#include <memory>

namespace capsule {

namespace {

constexpr int kMaxTransientRetries = 3; // per transfer: dropped connections, timeouts, 503
// Downloaded bytes are hashed from the file in ranges of this size, each as soon as it is written.
constexpr qint64 kHashBatchBytes = 4LL * 1024 * 1024;

} // namespace

TransferJob::TransferJob(RunnerSession *session, TransferDirection direction, QString localPath,
                         QString remotePath, TransferOptions options, QObject *parent)
    : ResultJob<TransferResult>(parent ? parent : session)
    , m_session(session)
    , m_direction(direction)
    , m_localPath(std::move(localPath))
    , m_remotePath(std::move(remotePath))
    , m_options(options)
{
    if (m_options.chunkSize <= 0)
        m_options.chunkSize = TransferOptions().chunkSize;
    m_options.parallelFiles = qMax(1, m_options.parallelFiles);
    QTimer::singleShot(0, this, &TransferJob::start);
}

TransferJob::~TransferJob() = default;

TransferJob *TransferJob::upload(RunnerSession *session, const QString &localPath,
                                 const QString &remotePath, const TransferOptions &options,
                                 QObject *parent)
{
    return new TransferJob(session, TransferDirection::Upload, localPath, remotePath, options,
                           parent);
}

TransferJob *TransferJob::download(RunnerSession *session, const QString &remotePath,
                                   const QString &localPath, const TransferOptions &options,
                                   QObject *parent)
{
    return new TransferJob(session, TransferDirection::Download, localPath, remotePath, options,
                           parent);
}

QString TransferJob::remotePartPath(const QString &remotePath)
{
    return QDir::cleanPath(remotePath) + QStringLiteral(".capsule-part");
}

QString TransferJob::localPartPath(const QString &localPath)
{
    return QDir::cleanPath(localPath) + QStringLiteral(".part");
}

// ---- preparing ----

void TransferJob::start()
{
    if (isFinished() || !checkPaths())
        return;
    m_remoteTemp = remotePartPath(m_remotePath);
    m_localTemp = localPartPath(m_localPath);
    m_clock.start();
    if (m_direction == TransferDirection::Upload)
        prepareUpload();
    else
        prepareDownload();
}

bool TransferJob::checkPaths()
{
    auto refuse = [this](const QString &why) {
        failWith(Error(ErrorKind::Value, why));
        return false;
    };
    if (!m_session)
        return refuse(tr("The runner session is gone."));
    if (m_localPath.isEmpty() || m_remotePath.isEmpty())
        return refuse(tr("Both a local and a remote path are needed."));
    if (!m_remotePath.startsWith(QLatin1Char('/')))
        return refuse(tr("The runner path must be absolute: %1").arg(m_remotePath));
    m_localPath = QDir::cleanPath(QFileInfo(m_localPath).absoluteFilePath());
    m_remotePath = QDir::cleanPath(m_remotePath);
    if (m_remotePath == QLatin1String("/"))
        return refuse(tr("The runner path must name a file or folder."));
    return true;
}

void TransferJob::prepareUpload()
{
    const QFileInfo fi(m_localPath);
    if (!fi.exists()) {
        failWith(Error(ErrorKind::Io, tr("Local file or folder not found: %1").arg(m_localPath)));
        return;
    }
    if (!fi.isReadable()) {
        failWith(Error(ErrorKind::Io, tr("Cannot read %1").arg(m_localPath)));
        return;
    }
    m_folder = fi.isDir();
    await(
        m_session->stat(m_remotePath), [this](const FileInfo &d) { uploadDestinationKnown(d); },
        failer());
}

void TransferJob::uploadDestinationKnown(const FileInfo &dest)
{
    m_destExists = dest.exists;
    if (dest.exists && !m_options.overwrite) {
        abortWith(
            Error(ErrorKind::Conflict, tr("%1 already exists on the runner.").arg(m_remotePath)),
            false);
        return;
    }
    if (dest.exists && dest.isDir != m_folder) {
        abortWith(Error(ErrorKind::Conflict,
                        dest.isDir ? tr("%1 is a folder on the runner.").arg(m_remotePath)
                                   : tr("%1 is a file on the runner.").arg(m_remotePath)),
                  false);
        return;
    }
    if (!m_options.resume) {
        await(
            m_session->remove(m_remoteTemp, true),
            [this](bool) {
                planUpload();
                beginTransfer();
            },
            failer());
    } else if (m_folder) {
        await(
            m_session->list(m_remoteTemp, true),
            [this](const ListResult &l) { uploadPartialFolderListed(l); }, failer());
    } else {
        await(
            m_session->stat(m_remoteTemp),
            [this](const FileInfo &part) { uploadPartialFileKnown(part); }, failer());
    }
}

void TransferJob::uploadPartialFolderListed(const ListResult &listing)
{
    // What a previous attempt left: rel path -> size.
    planUpload();
    m_resumed = m_plan.applyPartials(TransferPlan::relativeSizes(listing));
    beginTransfer();
}

void TransferJob::uploadPartialFileKnown(const FileInfo &part)
{
    planUpload();
    if (part.exists && !part.isDir)
        m_resumed = m_plan.applyPartials({{QString(), part.size}});
    beginTransfer();
}

void TransferJob::planUpload()
{
    setPlan(m_folder ? TransferPlan::uploadTree(m_localPath, m_remoteTemp,
                                                TransferPlan::walkLocalTree(m_localPath))
                     : TransferPlan::uploadFile(m_localPath, m_remoteTemp,
                                                QFileInfo(m_localPath).size()));
}

void TransferJob::setPlan(TransferPlan plan)
{
    m_plan = std::move(plan);
    m_running = std::vector<Running>(size_t(m_plan.tasks.size()));
}

void TransferJob::prepareDownload()
{
    const QFileInfo dest(m_localPath);
    if (dest.exists() && !m_options.overwrite) {
        failWith(Error(ErrorKind::Conflict, tr("%1 already exists.").arg(m_localPath)));
        return;
    }
    if (!QFileInfo(dest.absolutePath()).isDir()) {
        failWith(Error(ErrorKind::Io, tr("Local folder not found: %1").arg(dest.absolutePath())));
        return;
    }
    await(
        m_session->stat(m_remotePath), [this](const FileInfo &s) { downloadSourceKnown(s); },
        failer());
}

void TransferJob::downloadSourceKnown(const FileInfo &src)
{
    if (!src.exists) {
        Error e(ErrorKind::NotFound, tr("%1 does not exist on the runner.").arg(m_remotePath));
        e.status = 404;
        abortWith(e, false);
        return;
    }
    m_folder = src.isDir;
    const QFileInfo dest(m_localPath);
    if (dest.exists() && dest.isDir() != m_folder) {
        abortWith(
            Error(ErrorKind::Conflict, tr("%1 exists and is not a %2.")
                                           .arg(m_localPath, m_folder ? tr("folder") : tr("file"))),
            false);
        return;
    }
    if (!m_options.resume) {
        if (QFileInfo(m_localTemp).isDir())
            QDir(m_localTemp).removeRecursively();
        else
            QFile::remove(m_localTemp);
    }
    if (m_folder) {
        await(
            m_session->list(m_remotePath, true),
            [this](const ListResult &l) { downloadTreeListed(l); }, failer());
        return;
    }
    setPlan(TransferPlan::downloadFile(m_remotePath, m_localTemp, src.size));
    const QFileInfo part(m_localTemp);
    if (part.isFile())
        m_resumed = m_plan.applyPartials({{QString(), part.size()}});
    beginTransfer();
}

void TransferJob::downloadTreeListed(const ListResult &listing)
{
    if (listing.entries.isEmpty()) {
        abortWith(
            Error(ErrorKind::NotFound, tr("%1 does not exist on the runner.").arg(m_remotePath)),
            false);
        return;
    }
    setPlan(TransferPlan::downloadTree(m_remotePath, m_localTemp, listing));
    QHash<QString, qint64> partials;
    for (const TransferTask &t : std::as_const(m_plan.tasks)) {
        const QFileInfo part(t.local);
        if (m_options.resume && part.isFile())
            partials.insert(t.rel, part.size());
    }
    m_resumed = m_plan.applyPartials(partials);
    QDir().mkpath(m_localTemp);
    for (const QString &d : std::as_const(m_plan.folders)) {
        const QString path = m_localTemp + QLatin1Char('/') + d;
        if (!QDir().mkpath(path)) {
            abortWith(Error(ErrorKind::Io, tr("Cannot create the folder %1").arg(path)), false);
            return;
        }
    }
    beginTransfer();
}

// ---- transferring ----

void TransferJob::beginTransfer()
{
    if (isStopping())
        return;
    if (m_direction == TransferDirection::Upload && m_options.ownedByRunner &&
        !m_ownershipPrepared) {
        prepareOwnership(); // comes back here once the runner's user made the paths
        return;
    }
    setStage(TransferStage::Transferring);
    m_progress.filesTotal = int(m_plan.tasks.size());
    m_progress.bytesTotal = m_plan.totalBytes();
    if (m_options.verifyContent && !m_plan.tasks.isEmpty()) {
        m_hasher = std::make_unique<LocalHasher>(m_plan.tasks.size());
        // The remote file does not change while we download it: hash it there meanwhile.
        if (m_direction == TransferDirection::Download)
            startRemoteHashing();
    }
    if (m_direction == TransferDirection::Upload)
        createEmptyFolders();
    else
        pump();
}

void TransferJob::prepareOwnership()
{
    m_ownershipPrepared = true;
    setStage(TransferStage::Preparing);
    await(
        m_session->createOwned(m_plan.ownedFolders(m_remotePath, m_remoteTemp, m_folder),
                               m_plan.ownedFiles()),
        [this](const Done &) { beginTransfer(); },
        [this](const Error &e) {
            // Not fatal: the host still writes the files, owned by root.
            m_ownershipProblem = e.message;
            beginTransfer();
        });
}

void TransferJob::createEmptyFolders()
{
    const QStringList empty = m_plan.emptyFolders();
    if (empty.isEmpty()) {
        pump();
        return;
    }
    auto pending = std::make_shared<qsizetype>(empty.size());
    for (const QString &d : empty) {
        await(
            m_session->mkdir(joinRemotePath(m_remoteTemp, d)),
            [this, pending](const Done &) {
                if (--*pending == 0)
                    pump();
            },
            failer());
    }
}

void TransferJob::pump()
{
    if (isStopping())
        return;
    while (m_active < m_options.parallelFiles && m_next < m_plan.tasks.size()) {
        const int index = m_next++;
        const TransferTask &t = m_plan.tasks.at(index);
        if (t.existed && t.offset == t.size) {
            m_running[size_t(index)].done = true; // a previous attempt completed this one
            ++m_done;
            continue;
        }
        ++m_active;
        if (m_direction == TransferDirection::Upload)
            uploadChunk(index);
        else
            downloadChunk(index);
        if (isStopping())
            return;
    }
    updateProgress();
    if (m_active == 0 && m_next >= m_plan.tasks.size())
        verifySizes();
}

void TransferJob::uploadChunk(int index)
{
    const TransferTask &t = m_plan.tasks.at(index);
    const qint64 len = qMin(m_options.chunkSize, t.size - t.offset);
    auto owned = std::make_unique<FileSlice>(t.local, t.offset, len, nullptr);
    if (!owned->openSlice()) {
        abortWith(Error(ErrorKind::Io, tr("Cannot read %1: %2").arg(t.local, owned->fileError())),
                  false);
        return;
    }
    FileSlice *body = owned.release();
    body->setParent(this);
    const WriteMode mode = t.offset == 0 ? WriteMode::Overwrite : WriteMode::Append;
    auto *up = m_session->uploadDevice(t.remote, body, len, mode);
    connect(up, &Job::finished, body, &QObject::deleteLater);
    connect(up, &Job::progress, this, [this, index](qint64 sent, qint64) {
        m_running[size_t(index)].inflight = sent;
        updateProgress();
    });
    QPointer<FileSlice> slice(body);
    await(
        up,
        [this, index, len](const WriteResult &w) { uploadChunkDone(index, len, w.bytesWritten); },
        [this, index, slice](const Error &e) {
            uploadChunkFailed(index, e, slice && slice->truncated());
        });
}

void TransferJob::uploadChunkDone(int index, qint64 length, qint64 written)
{
    TransferTask &t = m_plan.tasks[index];
    m_running[size_t(index)].inflight = 0;
    if (written != length) {
        abortWith(Error(ErrorKind::Protocol, tr("The runner stored %1 of %2 bytes of %3.")
                                                 .arg(written)
                                                 .arg(length)
                                                 .arg(t.displayName)),
                  false);
        return;
    }
    t.offset += length;
    m_bytesTransferred += length;
    // Hashed from the local file (page cache) on the pool while the next chunk goes out.
    if (m_hasher)
        m_hasher->hashRange(index, t.local, m_hasher->hashed(index), t.offset);
    if (t.offset >= t.size)
        taskDone(index);
    else
        uploadChunk(index);
}

void TransferJob::uploadChunkFailed(int index, const Error &error, bool truncated)
{
    if (truncated) {
        abortWith(
            Error(ErrorKind::Io,
                  tr("%1 changed while it was being uploaded.").arg(m_plan.tasks.at(index).local)),
            false);
        return;
    }
    if (!mayRetry(error)) {
        abortWith(error, false);
        return;
    }
    // The chunk may or may not have been appended before the connection went: ask the runner
    // how much it has (a host read: re-resolves the host) and go on from there.
    await(
        m_session->stat(m_plan.tasks.at(index).remote),
        [this, index](const FileInfo &part) {
            TransferTask &t = m_plan.tasks[index];
            m_running[size_t(index)].inflight = 0;
            t.offset = part.exists && !part.isDir && part.size <= t.size ? part.size : 0;
            uploadChunk(index);
        },
        [this, error](const Error &) { abortWith(error, false); });
}

bool TransferJob::openDownloadFile(int index)
{
    const TransferTask &t = m_plan.tasks.at(index);
    Running &run = m_running[size_t(index)];
    if (run.file)
        return true;
    QDir().mkpath(QFileInfo(t.local).absolutePath());
    run.file = std::make_unique<QFile>(t.local);
    const QIODevice::OpenMode mode = t.offset > 0 ? QIODevice::WriteOnly | QIODevice::Append
                                                  : QIODevice::WriteOnly | QIODevice::Truncate;
    if (run.file->open(mode))
        return true;
    abortWith(Error(ErrorKind::Io, tr("Cannot write %1: %2").arg(t.local, run.file->errorString())),
              false);
    return false;
}

void TransferJob::downloadChunk(int index)
{
    if (!openDownloadFile(index))
        return;
    const TransferTask &t = m_plan.tasks.at(index);
    if (t.size == 0) {
        taskDone(index);
        return;
    }
    const qint64 len = qMin(m_options.chunkSize, t.size - t.offset);
    HttpJob *http = m_session->downloadStream(t.remote, t.offset, len);
    const qint64 offset = t.offset;
    connect(http, &HttpJob::headersReceived, this, [this, index, offset, http](int status) {
        if (status != 206 && offset > 0) {
            abortWith(
                Error(ErrorKind::Protocol, tr("The runner ignored the byte range for %1 (HTTP %2).")
                                               .arg(m_plan.tasks.at(index).displayName)
                                               .arg(status)),
                false);
        }
    });
    connect(http, &HttpJob::chunk, this, [this, index](const QByteArray &data) {
        const TransferTask &t = m_plan.tasks.at(index);
        Running &run = m_running[size_t(index)];
        if (!run.file || run.file->write(data) != data.size()) {
            abortWith(Error(ErrorKind::Io, tr("Cannot write %1").arg(t.local)), false);
            return;
        }
        run.inflight += data.size();
        if (m_hasher && t.offset + run.inflight - m_hasher->hashed(index) >= kHashBatchBytes)
            hashWritten(index);
        updateProgress();
    });
    await(http, [this, index](HttpJob *h) { downloadChunkDone(index, h); });
}

void TransferJob::downloadChunkDone(int index, HttpJob *http)
{
    // What arrived is in the file (also before a drop): hand it to the hash chain.
    hashWritten(index);
    TransferTask &t = m_plan.tasks[index];
    Running &run = m_running[size_t(index)];
    if (http->hasError() && !mayRetry(http->error())) {
        abortWith(http->error(), false);
        return;
    }
    const qint64 got = std::exchange(run.inflight, 0);
    t.offset += got;
    m_bytesTransferred += got;
    if (http->hasError()) {
        // What arrived before the drop is on disk and valid: continue after it.
        QTimer::singleShot(100, this, [this, index] {
            if (!isStopping())
                downloadChunk(index);
        });
        return;
    }
    if (got == 0 && t.offset < t.size) {
        abortWith(
            Error(ErrorKind::Protocol, tr("The runner sent no data for %1.").arg(t.displayName)),
            false);
        return;
    }
    if (t.offset >= t.size)
        taskDone(index);
    else
        downloadChunk(index);
}

bool TransferJob::mayRetry(const Error &error)
{
    const bool transient = error.kind == ErrorKind::Connection ||
                           error.kind == ErrorKind::RequestTimeout ||
                           error.kind == ErrorKind::ServiceUnavailable;
    if (!transient || m_transientRetries >= kMaxTransientRetries || isStopping())
        return false;
    ++m_transientRetries;
    return true;
}

void TransferJob::taskDone(int index)
{
    Running &run = m_running[size_t(index)];
    run.done = true;
    if (run.file) {
        run.file->close();
        run.file.reset();
    }
    --m_active;
    ++m_done;
    pump();
}

} // namespace capsule
