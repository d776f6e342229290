// TransferJob: verifying (sizes, then sha256 here and in the runner), finishing (moving the
// partial into place), failing, and progress.
#include "core/logging.h"
#include "core/runnersession.h"
#include "core/transfer/localhasher.h"
#include "core/transfer/remotehasher.h"
#include "core/transfer/transferjob.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cstdio>

namespace capsule {

namespace {
constexpr qint64 kProgressIntervalMs = 100;
}

// ---- verifying ----

void TransferJob::verifySizes()
{
    // pump() may get here twice when a task completes synchronously (an empty download).
    if (isStopping() || m_verifying)
        return;
    m_verifying = true;
    setStage(TransferStage::Verifying);
    updateProgress(true);
    if (m_direction == TransferDirection::Download) {
        QHash<QString, qint64> sizes;
        for (const TransferTask &t : std::as_const(m_plan.tasks))
            sizes.insert(t.rel, QFileInfo(t.local).size());
        remoteSizesKnown(sizes);
    } else if (!m_folder) {
        await(
            m_session->stat(m_remoteTemp),
            [this](const FileInfo &f) {
                remoteSizesKnown(f.exists && !f.isDir ? QHash<QString, qint64>{{QString(), f.size}}
                                                      : QHash<QString, qint64>{});
            },
            failer());
    } else {
        await(
            m_session->list(m_remoteTemp, true),
            [this](const ListResult &l) { remoteSizesKnown(TransferPlan::relativeSizes(l)); },
            failer());
    }
}

// `sizes`: rel -> size of what arrived at the destination (missing: not there).
void TransferJob::remoteSizesKnown(const QHash<QString, qint64> &sizes)
{
    for (const TransferTask &t : std::as_const(m_plan.tasks)) {
        const qint64 got = sizes.value(t.rel, -1);
        if (got != t.size) {
            sizeMismatch(t, got);
            return;
        }
    }
    verifyContent();
}

void TransferJob::sizeMismatch(const TransferTask &task, qint64 found)
{
    abortWith(
        Error(ErrorKind::Protocol, tr("Size check failed for %1: expected %2 bytes, found %3.")
                                       .arg(task.displayName)
                                       .arg(task.size)
                                       .arg(found)),
        true);
}

void TransferJob::verifyContent()
{
    if (!m_options.verifyContent || m_plan.tasks.isEmpty()) {
        finish();
        return;
    }
    m_sizesVerified = true;
    // Files skipped as complete (resume) or partly hashed are read to their end here.
    for (qsizetype i = 0; i < m_plan.tasks.size(); ++i) {
        const TransferTask &t = m_plan.tasks.at(i);
        m_hasher->hashRange(i, t.local, m_hasher->hashed(i), t.size);
    }
    m_hasher->finish(this, [this](const QStringList &hashes) {
        if (isStopping())
            return;
        m_localHashes = hashes;
        m_localHashesDone = true;
        maybeCompare();
    });
    if (m_direction == TransferDirection::Upload)
        startRemoteHashing();
    else
        maybeCompare(); // the runner may have answered already
}

void TransferJob::startRemoteHashing()
{
    m_remoteHashesKnown = false;
    await(
        new RemoteHashJob(m_session, m_plan.remotePaths(), this),
        [this](const RemoteHashes &h) { remoteHashesKnown(h); }, failer());
}

void TransferJob::remoteHashesKnown(const RemoteHashes &hashes)
{
    m_remoteHashesKnown = true;
    m_contentVerified = hashes.available;
    m_remoteHashes = hashes.hashes;
    maybeCompare();
}

void TransferJob::maybeCompare()
{
    if (isStopping() || !m_sizesVerified || !m_remoteHashesKnown)
        return;
    if (!m_contentVerified) {
        finish(); // no sha256sum in the runner: sizes only
        return;
    }
    setStage(TransferStage::Comparing);
    if (m_localHashesDone)
        compareHashes();
}

void TransferJob::compareHashes()
{
    const qsizetype n = m_plan.tasks.size();
    if (m_localHashes.size() != n || m_remoteHashes.size() != n) {
        abortWith(Error(ErrorKind::Io, tr("Could not hash every local file.")), false);
        return;
    }
    for (qsizetype i = 0; i < n; ++i) {
        const TransferTask &t = m_plan.tasks.at(i);
        if (m_localHashes.at(i).isEmpty()) {
            abortWith(Error(ErrorKind::Io, tr("Cannot read %1").arg(t.local)), false);
            return;
        }
        if (m_localHashes.at(i) != m_remoteHashes.at(i)) {
            abortWith(Error(ErrorKind::Protocol,
                            tr("Content check failed for %1: sha256 %2 here, %3 in the runner.")
                                .arg(t.displayName, m_localHashes.at(i), m_remoteHashes.at(i))),
                      true);
            return;
        }
    }
    finish();
}

void TransferJob::hashWritten(int index)
{
    Running &run = m_running[size_t(index)];
    if (!m_hasher || !run.file)
        return;
    run.file->flush(); // the chain reads the file: nothing may wait in QFile's buffer
    const TransferTask &t = m_plan.tasks.at(index);
    m_hasher->hashRange(index, t.local, m_hasher->hashed(index), t.offset + run.inflight);
}

// ---- finishing ----

void TransferJob::finish()
{
    if (isStopping())
        return;
    setStage(TransferStage::Finishing);
    if (m_direction == TransferDirection::Download) {
        finishDownload();
        return;
    }
    if (m_folder && m_destExists) {
        await(
            m_session->remove(m_remotePath, true), [this](bool) { moveIntoPlace(); }, failer());
        return;
    }
    moveIntoPlace();
}

void TransferJob::finishDownload()
{
    if (m_folder && QFileInfo(m_localPath).isDir() && !QDir(m_localPath).removeRecursively()) {
        abortWith(Error(ErrorKind::Io, tr("Cannot replace %1").arg(m_localPath)), false);
        return;
    }
    // rename(2) replaces an existing file atomically.
    if (std::rename(QFile::encodeName(m_localTemp).constData(),
                    QFile::encodeName(m_localPath).constData()) != 0) {
        abortWith(Error(ErrorKind::Io, tr("Cannot rename %1 to %2").arg(m_localTemp, m_localPath)),
                  false);
        return;
    }
    succeedNow();
}

void TransferJob::moveIntoPlace()
{
    await(
        m_session->execCollect({QStringLiteral("mv"), QStringLiteral("-f"), QStringLiteral("-T"),
                                QStringLiteral("--"), m_remoteTemp, m_remotePath}),
        [this](const ExecResult &r) {
            if (r.code == 0)
                succeedNow();
            else
                copyIntoPlace(r.stderrText.trimmed().isEmpty()
                                  ? QStringLiteral("mv exit code %1").arg(r.code)
                                  : r.stderrText.trimmed());
        },
        failer());
}

// `mv` runs as the runner user; in a sticky folder (/tmp) it may not rename the root-owned
// partial, so copy it into place instead and remove the partial as root.
void TransferJob::copyIntoPlace(const QString &mvError)
{
    await(
        m_session->execCollect({QStringLiteral("cp"), QStringLiteral("-R"), QStringLiteral("-f"),
                                QStringLiteral("-T"), QStringLiteral("--"), m_remoteTemp,
                                m_remotePath}),
        [this, mvError](const ExecResult &r) {
            if (r.code != 0) {
                abortWith(Error(ErrorKind::Io, tr("Cannot move %1 into place in the runner: %2")
                                                   .arg(m_remoteTemp, mvError)),
                          false);
                return;
            }
            await(
                m_session->remove(m_remoteTemp, true), [this](bool) { succeedNow(); }, failer());
        },
        failer());
}

void TransferJob::succeedNow()
{
    TransferResult r;
    r.localPath = m_localPath;
    r.remotePath = m_remotePath;
    r.bytes = qMax<qint64>(0, m_progress.bytesTotal);
    r.bytesTransferred = m_bytesTransferred;
    r.files = int(m_plan.tasks.size());
    r.durationMs = m_clock.elapsed();
    r.contentVerified = m_contentVerified;
    r.resumed = m_resumed;
    r.ownershipProblem = m_ownershipProblem;
    setStage(TransferStage::Done);
    updateProgress(true);
    succeedWith(r);
}

// ---- failing ----

void TransferJob::abortWith(const Error &error, bool removePartial)
{
    if (isFinished())
        return;
    qCInfo(lcTransfer).noquote() << "transfer" << m_localPath << "failed:" << error.toString();
    cancelChildren();
    stopLocalWork();
    if (removePartial)
        removePartials();
    failWith(error);
}

void TransferJob::onCancel()
{
    stopLocalWork();
    removePartials();
}

void TransferJob::stopLocalWork()
{
    for (Running &run : m_running) {
        if (run.file)
            run.file->close();
        run.file.reset();
    }
    if (m_hasher)
        m_hasher->cancel();
}

void TransferJob::removePartials()
{
    if (m_direction == TransferDirection::Download) {
        if (m_localTemp.isEmpty())
            return;
        if (QFileInfo(m_localTemp).isDir())
            QDir(m_localTemp).removeRecursively();
        else
            QFile::remove(m_localTemp);
        return;
    }
    if (!m_session || m_remoteTemp.isEmpty())
        return;
    // Fire and forget: the job is parented to the session and deletes itself.
    m_session->remove(m_remoteTemp, true)
        ->then(
            m_session, [](bool) {}, [](const Error &) {});
}

// ---- progress ----

void TransferJob::updateProgress(bool force)
{
    const qint64 now = m_clock.isValid() ? m_clock.elapsed() : 0;
    if (!force && m_lastEmitMs >= 0 && now - m_lastEmitMs < kProgressIntervalMs)
        return;
    qint64 done = 0;
    for (qsizetype i = 0; i < m_plan.tasks.size(); ++i) {
        const TransferTask &t = m_plan.tasks.at(i);
        done += qMin(t.size, t.offset + m_running[size_t(i)].inflight);
    }
    const qint64 dtMs = m_lastEmitMs < 0 ? now : now - m_lastEmitMs;
    const qint64 dBytes = done - m_progress.bytesDone;
    if (dtMs > 0 && m_lastEmitMs >= 0 && dBytes >= 0) {
        const double instant = double(dBytes) * 1000.0 / double(dtMs);
        // Smoothed so that the ETA does not jump with every chunk boundary.
        m_progress.bytesPerSecond = m_progress.bytesPerSecond <= 0
                                        ? instant
                                        : 0.7 * m_progress.bytesPerSecond + 0.3 * instant;
    }
    m_lastEmitMs = now;
    m_progress.bytesDone = done;
    m_progress.filesDone = m_done;
    m_progress.elapsedMs = now;
    m_progress.filesPerSecond = now > 0 ? m_done * 1000.0 / double(now) : 0;
    if (m_progress.bytesTotal >= 0 && m_progress.bytesPerSecond > 0)
        m_progress.etaSeconds = double(m_progress.bytesTotal - done) / m_progress.bytesPerSecond;
    else
        m_progress.etaSeconds = -1;
    emit progressChanged(m_progress);
    emit progress(done, m_progress.bytesTotal);
}

} // namespace capsule
