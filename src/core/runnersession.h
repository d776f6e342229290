// A session on one runner (contract 4.3): exec, files, PTY, pause and release through its host.
#pragma once

#include "core/exec.h"
#include "core/files.h"
#include "core/hostresolver.h"
#include "core/http.h"
#include "core/job.h"
#include "core/ptychannel.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <optional>

class QIODevice;

namespace capsule {

struct PauseResult
{
    bool success = false;
    QString sessionId;
    qint64 snapshotSizeBytes = 0;
    std::optional<qint64> layer; // the session's snapshot layer number
    QString requestId;
};

// Runner id, session id, request id and the host address (kept in the resolver's cache, which
// a session with an address seeds). Host calls use a fresh request id each and the operation
// timeout; reads are retried once on ConnectionError/RequestTimeout/503 and exec once on a 503,
// both after re-resolving the host; writes are never retried (contract 1.6). Every job finishes
// asynchronously, also when it fails validation, so then() can always be attached.
class RunnerSession : public QObject
{
    Q_OBJECT
public:
    RunnerSession(HostResolver *resolver, QString runnerId, QString sessionId = {},
                  QString requestId = {}, QString hostAddress = {}, QObject *parent = nullptr);

    QString runnerId() const { return m_runnerId; }
    QString sessionId() const { return m_sessionId; }
    QString requestId() const { return m_requestId; }
    QString hostAddress() const; // the cached address, empty when not known
    HostResolver *resolver() const { return m_resolver; }
    Http *http() const;
    bool isReleased() const { return m_released; }

    // Exec (3.2). The job streams event()s and finishes with the exit code (-1 without one).
    ExecJob *exec(const ExecRequest &request);
    ExecJob *exec(const QStringList &argv, const QMap<QString, QString> &env = {},
                  const QString &workingDir = {}, int timeoutSeconds = 0);
    ExecCollectJob *execCollect(const ExecRequest &request);
    ExecCollectJob *execCollect(const QStringList &argv, const QMap<QString, QString> &env = {},
                                const QString &workingDir = {}, int timeoutSeconds = 0);

    // Files (3.3).
    ResultJob<ReadResult> *read(const QString &path, qint64 offset = 0,
                                std::optional<qint64> limit = {}, bool base64 = false);
    ResultJob<QString> *readText(const QString &path, qint64 offset = 0,
                                 std::optional<qint64> limit = {});
    ResultJob<QByteArray> *readBytes(const QString &path, qint64 offset = 0,
                                     std::optional<qint64> limit = {});
    ResultJob<WriteResult> *writeText(const QString &path, const QString &text,
                                      WriteMode mode = WriteMode::Overwrite);
    ResultJob<WriteResult> *writeBytes(const QString &path, const QByteArray &data,
                                       WriteMode mode = WriteMode::Overwrite);
    ResultJob<ListResult> *list(const QString &path, bool recursive = false);
    ResultJob<FileInfo> *stat(const QString &path);
    VoidJob *mkdir(const QString &path);
    ResultJob<bool> *remove(const QString &path, bool recursive = false); // `removed`
    // Makes `folders` (mkdir -p) and then `files` (empty, unless they exist) in one exec, i.e.
    // as the runner's user (3.2), so that they belong to it: the host writes as root (3.3), and
    // its later writes into an existing file keep that file's owner. Large lists take a few
    // execs. Succeeds at once when nothing is asked or the runner user is known to be root.
    VoidJob *createOwned(const QStringList &folders, const QStringList &files = {});
    // The runner's user (config.runner_user) when known; "root" skips createOwned().
    void setRunnerUser(const QString &user) { m_runnerUser = user; }
    QString runnerUser() const { return m_runnerUser; }
    ResultJob<WriteResult> *upload(const QString &path, const QByteArray &data,
                                   WriteMode mode = WriteMode::Overwrite,
                                   std::optional<int> perm = {});
    ResultJob<WriteResult> *uploadText(const QString &path, const QString &text,
                                       WriteMode mode = WriteMode::Overwrite,
                                       std::optional<int> perm = {})
    {
        return upload(path, text.toUtf8(), mode, perm);
    }
    // Streams `size` bytes of `device` (not owned; must outlive the job) as the request body,
    // over a socket of its own (StreamUploadJob, core/http/streamupload.h), not through QNAM.
    ResultJob<WriteResult> *uploadDevice(const QString &path, QIODevice *device, qint64 size,
                                         WriteMode mode = WriteMode::Overwrite,
                                         std::optional<int> perm = {});
    ResultJob<QByteArray> *download(const QString &path);
    // A streaming download: body bytes through HttpJob::chunk, never buffered. `offset` > 0 or
    // `length` >= 0 send `Range: bytes=offset-[offset+length-1]`.
    HttpJob *downloadStream(const QString &path, qint64 offset = 0, qint64 length = -1);

    // Control-plane calls of the session.
    ResultJob<PauseResult> *pause(bool syncFs = false); // adopts the returned session id
    // Releases the runner and evicts its host; after one success further calls succeed without a
    // request.
    ResultJob<bool> *release();

    // A PTY channel (not yet open: call open()). Parented to `parent` (default: this session).
    PtyChannel *shell(const PtyOptions &options = {}, QObject *parent = nullptr);
    PtyChannel::HostProvider hostProvider() const;

    QString runnerPath(const QString &op) const; // /api/v1/runners/<id>/<op>

signals:
    void sessionIdChanged(const QString &sessionId);
    void released();

private:
    HttpJob *sendJson(const QString &op, const QJsonObject &body, RetryPolicy retry);
    HttpRequest uploadRequest(const QString &path, WriteMode mode, std::optional<int> perm) const;
    // The upload's result from an HttpJob or a StreamUploadJob (progress forwarded).
    template<class J>
    ResultJob<WriteResult> *uploadJob(J *http);
    template<class T, class Parse>
    ResultJob<T> *jsonCall(const QString &op, const QJsonObject &body, RetryPolicy retry,
                           Parse parse);
    template<class T>
    ResultJob<T> *failed(Error error);

    QPointer<HostResolver> m_resolver;
    QString m_runnerId;
    QString m_sessionId;
    QString m_requestId;
    bool m_released = false;
    QString m_runnerUser;
    QPointer<ResultJob<bool>> m_releasing;
};

} // namespace capsule
