// RemoteHashJob: digests computed in the runner, batch after batch.
#include "core/transfer/remotehasher.h"

#include "core/runnersession.h"

#include <QTimer>
#include <algorithm>

namespace capsule {

namespace {
constexpr qsizetype kHashBatch = 1000; // paths per exec
}

RemoteHashJob::RemoteHashJob(RunnerSession *session, QStringList paths, QObject *parent)
    : ResultJob<RemoteHashes>(parent)
    , m_session(session)
    , m_paths(std::move(paths))
{
    QTimer::singleShot(0, this, &RemoteHashJob::runBatch);
}

std::optional<QStringList> RemoteHashJob::parseDigests(const QString &stdoutText, qsizetype count)
{
    const QStringList lines = stdoutText.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.size() != count)
        return std::nullopt;
    QStringList out;
    for (QString line : lines) {
        if (line.startsWith(QLatin1Char('\\')))
            line.remove(0, 1); // sha256sum marks an escaped file name
        out << line.left(64).toLower();
    }
    return out;
}

bool RemoteHashJob::needsSha256sum(const QStringList &paths)
{
    return std::any_of(paths.begin(), paths.end(), [](const QString &p) {
        return p.contains(QLatin1Char('\n')) || p.contains(QLatin1Char('\\'));
    });
}

void RemoteHashJob::runBatch()
{
    if (isStopping())
        return;
    if (!m_session) {
        failWith(Error(ErrorKind::Value, tr("The runner session is gone.")));
        return;
    }
    if (m_next >= m_paths.size()) {
        m_result.available = true;
        succeedWith(m_result);
        return;
    }
    const QStringList batch = m_paths.mid(m_next, kHashBatch);
    const bool openssl = m_useOpenssl && !needsSha256sum(batch);
    QStringList argv =
        openssl ? QStringList{QStringLiteral("openssl"), QStringLiteral("dgst"),
                              QStringLiteral("-sha256"), QStringLiteral("-r"), QStringLiteral("--")}
                : QStringList{QStringLiteral("sha256sum"), QStringLiteral("--")};
    argv += batch;
    await(
        m_session->execCollect(argv),
        [this, batch, openssl](const ExecResult &r) { batchDone(batch, openssl, r); },
        [this](const Error &e) { failWith(e); });
}

void RemoteHashJob::batchDone(const QStringList &batch, bool openssl, const ExecResult &r)
{
    const std::optional<QStringList> digests = parseDigests(r.stdoutText, batch.size());
    if (openssl && (r.code != 0 || !digests)) {
        m_useOpenssl = false; // missing or unhappy: sha256sum decides
        runBatch();
        return;
    }
    if (r.code == -1 && r.stdoutText.isEmpty()) {
        // No sha256sum in this runner: sizes were checked, content cannot be.
        succeedWith(RemoteHashes{});
        return;
    }
    if (r.code != 0) {
        failWith(Error(ErrorKind::Protocol,
                       tr("sha256sum failed in the runner: %1").arg(r.stderrText.trimmed())));
        return;
    }
    if (!digests) {
        const qsizetype lines = r.stdoutText.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size();
        failWith(
            Error(ErrorKind::Protocol,
                  tr("sha256sum printed %1 lines for %2 files.").arg(lines).arg(batch.size())));
        return;
    }
    m_result.hashes += *digests;
    m_next += batch.size();
    runBatch();
}

} // namespace capsule
