// SHA-256 of files in the runner, computed there by exec (openssl dgst, else sha256sum).
#pragma once

#include "core/job.h"

#include <QPointer>
#include <QStringList>
#include <optional>

namespace capsule {

class RunnerSession;
struct ExecResult;

struct RemoteHashes
{
    bool available = false; // false: the runner has neither openssl nor sha256sum
    QStringList hashes;     // lower-case hex, one per path, in order
};

// Runs in batches of 1000 paths. `openssl dgst -sha256 -r` uses the CPU's SHA instructions
// (about 4x sha256sum here); sha256sum is the fallback once openssl is missing or fails, and the
// tool for names openssl would print ambiguously (sha256sum escapes newlines and backslashes).
class RemoteHashJob : public ResultJob<RemoteHashes>
{
public:
    RemoteHashJob(RunnerSession *session, QStringList paths, QObject *parent);

    // The hashes of one batch's output, or nullopt when it does not have `count` lines.
    static std::optional<QStringList> parseDigests(const QString &stdoutText, qsizetype count);
    static bool needsSha256sum(const QStringList &paths);

private:
    void runBatch();
    void batchDone(const QStringList &batch, bool openssl, const ExecResult &r);

    QPointer<RunnerSession> m_session;
    QStringList m_paths;
    qsizetype m_next = 0;
    bool m_useOpenssl = true;
    RemoteHashes m_result;
};

} // namespace capsule
