// A session on one runner: host calls with the contract's retry rules, pause and release.
#include "core/runnersession.h"

#include "core/hostresolver.h"
#include "core/http/streamupload.h"
#include "core/models.h"

#include <QIODevice>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <memory>

namespace capsule {

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

RunnerSession::RunnerSession(HostResolver *resolver, QString runnerId, QString sessionId,
                             QString requestId, QString hostAddress, QObject *parent)
    : QObject(parent)
    , m_resolver(resolver)
    , m_runnerId(std::move(runnerId))
    , m_sessionId(std::move(sessionId))
    , m_requestId(std::move(requestId))
{
    if (m_resolver && !hostAddress.isEmpty())
        m_resolver->cacheHost(m_runnerId, hostAddress);
}

QString RunnerSession::hostAddress() const
{
    return m_resolver ? m_resolver->cachedHost(m_runnerId) : QString();
}

Http *RunnerSession::http() const
{
    return m_resolver ? m_resolver->http() : nullptr;
}

QString RunnerSession::runnerPath(const QString &op) const
{
    return QStringLiteral("/api/v1/runners/%1/%2").arg(m_runnerId, op);
}

template<class T>
ResultJob<T> *RunnerSession::failed(Error error)
{
    auto *job = new ResultJob<T>(this);
    // Deferred so that the caller can attach then() first.
    QTimer::singleShot(0, job, [job, error] { job->failWith(error); });
    return job;
}

HttpJob *RunnerSession::sendJson(const QString &op, const QJsonObject &body, RetryPolicy retry)
{
    HttpRequest req = m_resolver->hostRequest(m_runnerId, runnerPath(op));
    req.method = "POST";
    req.contentType = "application/json";
    req.body = compact(body);
    req.retry = retry;
    return m_resolver->http()->send(req);
}

template<class T, class Parse>
ResultJob<T> *RunnerSession::jsonCall(const QString &op, const QJsonObject &body, RetryPolicy retry,
                                      Parse parse)
{
    if (!m_resolver || !m_resolver->http())
        return failed<T>(Error(ErrorKind::Value, tr("The session has no connection.")));
    if (m_runnerId.isEmpty())
        return failed<T>(Error(ErrorKind::Value, tr("runner_id must not be empty")));
    auto *job = new ResultJob<T>(this);
    HttpJob *http = sendJson(op, body, retry);
    job->adopt(http);
    connect(http, &Job::finished, job, [job, http, parse] {
        http->deleteLater();
        if (http->hasError())
            job->failWith(http->error());
        else
            job->succeedWith(parse(http->response().json()));
    });
    return job;
}

// ---- exec ----

ExecJob *RunnerSession::exec(const QStringList &argv, const QMap<QString, QString> &env,
                             const QString &workingDir, int timeoutSeconds)
{
    return exec(ExecRequest{argv, env, workingDir, timeoutSeconds});
}

ExecJob *RunnerSession::exec(const ExecRequest &request)
{
    auto *job = new ExecJob(this);
    auto failLater = [job](Error e) {
        QTimer::singleShot(0, job, [job, e] { job->failWith(e); });
        return job;
    };
    if (!m_resolver || !m_resolver->http())
        return failLater(Error(ErrorKind::Value, tr("The session has no connection.")));
    if (request.argv.isEmpty() || request.argv.first().isEmpty())
        return failLater(Error(ErrorKind::Value, tr("The command to run must not be empty.")));
    HttpRequest req = m_resolver->hostRequest(m_runnerId, runnerPath(QStringLiteral("exec")));
    req.method = "POST";
    req.contentType = "application/json";
    req.accept = "application/x-ndjson";
    req.body = compact(request.toJson());
    req.retry = RetryPolicy::Exec;
    req.stream = true;
    req.timeoutOperation = QStringLiteral("stream");
    HttpJob *http = m_resolver->http()->send(req);
    QPointer<HttpJob> guard(http);
    job->m_abort = [guard] {
        if (guard)
            guard->cancel();
    };
    connect(http, &HttpJob::chunk, job, [job](const QByteArray &data) { job->feed(data); });
    connect(http, &Job::finished, job, [job, http] {
        http->deleteLater();
        if (job->isFinished())
            return;
        if (http->hasError()) {
            // A stream cut after its exit line still told us everything.
            if (job->m_exitCode) {
                job->complete();
                return;
            }
            job->failWith(http->error());
            return;
        }
        job->endOfStream();
    });
    return job;
}

ExecCollectJob *RunnerSession::execCollect(const ExecRequest &request)
{
    auto *collect = new ExecCollectJob(this);
    collect->attach(exec(request));
    return collect;
}

ExecCollectJob *RunnerSession::execCollect(const QStringList &argv,
                                           const QMap<QString, QString> &env,
                                           const QString &workingDir, int timeoutSeconds)
{
    return execCollect(ExecRequest{argv, env, workingDir, timeoutSeconds});
}

// ---- files ----

ResultJob<ReadResult> *RunnerSession::read(const QString &path, qint64 offset,
                                           std::optional<qint64> limit, bool base64)
{
    return jsonCall<ReadResult>(QStringLiteral("files/read"),
                                files::readBody(path, offset, limit, base64), RetryPolicy::HostRead,
                                &ReadResult::fromJson);
}

ResultJob<QString> *RunnerSession::readText(const QString &path, qint64 offset,
                                            std::optional<qint64> limit)
{
    return jsonCall<QString>(
        QStringLiteral("files/read"), files::readBody(path, offset, limit), RetryPolicy::HostRead,
        [](const QJsonObject &o) { return o.value(QStringLiteral("content")).toString(); });
}

ResultJob<QByteArray> *RunnerSession::readBytes(const QString &path, qint64 offset,
                                                std::optional<qint64> limit)
{
    return jsonCall<QByteArray>(
        QStringLiteral("files/read"), files::readBody(path, offset, limit, true),
        RetryPolicy::HostRead,
        [](const QJsonObject &o) { return ReadResult::fromJson(o).content; });
}

ResultJob<WriteResult> *RunnerSession::writeText(const QString &path, const QString &text,
                                                 WriteMode mode)
{
    return jsonCall<WriteResult>(QStringLiteral("files/write"),
                                 files::writeBody(path, text.toUtf8(), mode), RetryPolicy::None,
                                 &WriteResult::fromJson);
}

ResultJob<WriteResult> *RunnerSession::writeBytes(const QString &path, const QByteArray &data,
                                                  WriteMode mode)
{
    return jsonCall<WriteResult>(QStringLiteral("files/write"),
                                 files::writeBody(path, data, mode, true), RetryPolicy::None,
                                 &WriteResult::fromJson);
}

ResultJob<ListResult> *RunnerSession::list(const QString &path, bool recursive)
{
    return jsonCall<ListResult>(QStringLiteral("files/list"), files::listBody(path, recursive),
                                RetryPolicy::HostRead, [](const QJsonObject &o) {
                                    // A recursive list of a missing root is a bare `[]`.
                                    return ListResult::fromJson(o);
                                });
}

ResultJob<FileInfo> *RunnerSession::stat(const QString &path)
{
    return jsonCall<FileInfo>(QStringLiteral("files/stat"), files::statBody(path),
                              RetryPolicy::HostRead, &FileInfo::fromJson);
}

VoidJob *RunnerSession::mkdir(const QString &path)
{
    return jsonCall<Done>(QStringLiteral("files/mkdir"), files::mkdirBody(path), RetryPolicy::None,
                          [](const QJsonObject &) { return Done{}; });
}

ResultJob<bool> *RunnerSession::remove(const QString &path, bool recursive)
{
    return jsonCall<bool>(
        QStringLiteral("files/remove"), files::removeBody(path, recursive), RetryPolicy::None,
        [](const QJsonObject &o) { return o.value(QStringLiteral("removed")).toBool(); });
}

VoidJob *RunnerSession::createOwned(const QStringList &folders, const QStringList &files)
{
    auto *job = new ResultJob<Done>(this);
    if ((folders.isEmpty() && files.isEmpty()) || m_runnerUser == QLatin1String("root")) {
        QTimer::singleShot(0, job, [job] { job->succeedWith(Done{}); });
        return job;
    }
    // argv: the folder count, the folders, then the files. Kept well under ARG_MAX per exec.
    static const QString script = QStringLiteral(
        "umask 022; n=$1; shift; "
        "while [ \"$n\" -gt 0 ]; do mkdir -p -- \"$1\" || exit 1; shift; n=$((n-1)); done; "
        "for f; do [ -e \"$f\" ] || : > \"$f\" || exit 1; done");
    constexpr qsizetype kMaxArgBytes = 512 * 1024;
    QStringList takeFolders, takeFiles;
    qsizetype bytes = 0;
    int at = 0;
    for (; at < folders.size() && bytes < kMaxArgBytes; ++at) {
        takeFolders << folders.at(at);
        bytes += folders.at(at).size() + 1;
    }
    int fileAt = 0;
    if (at == folders.size()) {
        for (; fileAt < files.size() && bytes < kMaxArgBytes; ++fileAt) {
            takeFiles << files.at(fileAt);
            bytes += files.at(fileAt).size() + 1;
        }
    }
    const QStringList restFolders = folders.mid(at);
    const QStringList restFiles = files.mid(fileAt);
    QStringList argv{QStringLiteral("sh"), QStringLiteral("-c"), script, QStringLiteral("sh"),
                     QString::number(takeFolders.size())};
    argv += takeFolders;
    argv += takeFiles;
    QPointer<RunnerSession> self(this);
    job->await(
        execCollect(argv),
        [job, self, restFolders, restFiles](const ExecResult &r) {
            if (r.code != 0) {
                job->failWith(
                    Error(ErrorKind::Io,
                          tr("The runner's user cannot create these paths: %1")
                              .arg(r.stderrText.trimmed().isEmpty() ? tr("exit code %1").arg(r.code)
                                                                    : r.stderrText.trimmed())));
                return;
            }
            if ((restFolders.isEmpty() && restFiles.isEmpty()) || !self) {
                job->succeedWith(Done{});
                return;
            }
            job->finishWith(self->createOwned(restFolders, restFiles));
        },
        [job](const Error &e) { job->failWith(e); });
    return job;
}

ResultJob<WriteResult> *RunnerSession::upload(const QString &path, const QByteArray &data,
                                              WriteMode mode, std::optional<int> perm)
{
    if (!m_resolver || !m_resolver->http())
        return failed<WriteResult>(Error(ErrorKind::Value, tr("The session has no connection.")));
    HttpRequest req = uploadRequest(path, mode, perm);
    req.body = data;
    return uploadJob(m_resolver->http()->send(req));
}

ResultJob<WriteResult> *RunnerSession::uploadDevice(const QString &path, QIODevice *device,
                                                    qint64 size, WriteMode mode,
                                                    std::optional<int> perm)
{
    if (!m_resolver || !m_resolver->http())
        return failed<WriteResult>(Error(ErrorKind::Value, tr("The session has no connection.")));
    HttpRequest req = uploadRequest(path, mode, perm);
    req.bodyDevice = device;
    req.bodySize = size;
    // Our own socket: QNAM forwards a device body to its thread 32 KiB at a time, which capped
    // uploads at a sixth of what the host takes (docs/transfers.md).
    return uploadJob(StreamUploadJob::send(m_resolver->http(), req));
}

HttpRequest RunnerSession::uploadRequest(const QString &path, WriteMode mode,
                                         std::optional<int> perm) const
{
    HttpRequest req =
        m_resolver->hostRequest(m_runnerId, runnerPath(QStringLiteral("files/upload")),
                                QUrlQuery(files::uploadQuery(path, mode, perm)));
    req.method = "POST";
    req.contentType = "application/octet-stream";
    req.timeoutOperation = QStringLiteral("upload");
    return req;
}

template<class J>
ResultJob<WriteResult> *RunnerSession::uploadJob(J *http)
{
    auto *job = new ResultJob<WriteResult>(this);
    job->adopt(http);
    connect(http, &J::uploadProgress, job, &Job::progress);
    connect(http, &Job::finished, job, [job, http] {
        http->deleteLater();
        if (http->hasError())
            job->failWith(http->error());
        else
            job->succeedWith(WriteResult::fromJson(http->response().json()));
    });
    return job;
}

ResultJob<QByteArray> *RunnerSession::download(const QString &path)
{
    if (!m_resolver || !m_resolver->http())
        return failed<QByteArray>(Error(ErrorKind::Value, tr("The session has no connection.")));
    HttpRequest req =
        m_resolver->hostRequest(m_runnerId, runnerPath(QStringLiteral("files/download")),
                                QUrlQuery(files::downloadQuery(path)));
    req.retry = RetryPolicy::HostRead;
    req.timeoutOperation = QStringLiteral("download");
    req.maxBufferedBytes = -1; // the caller asked for the whole file in memory (SDK download)
    auto *job = new ResultJob<QByteArray>(this);
    HttpJob *http = m_resolver->http()->send(req);
    job->adopt(http);
    connect(http, &Job::finished, job, [job, http] {
        http->deleteLater();
        if (http->hasError())
            job->failWith(http->error());
        else
            job->succeedWith(http->response().body);
    });
    return job;
}

HttpJob *RunnerSession::downloadStream(const QString &path, qint64 offset, qint64 length)
{
    HttpRequest req =
        m_resolver->hostRequest(m_runnerId, runnerPath(QStringLiteral("files/download")),
                                QUrlQuery(files::downloadQuery(path)));
    req.retry = RetryPolicy::HostRead;
    req.timeoutOperation = QStringLiteral("download");
    req.stream = true;
    req.accept = "*/*";
    if (offset > 0 || length >= 0) {
        QByteArray range = "bytes=" + QByteArray::number(offset) + '-';
        if (length >= 0)
            range += QByteArray::number(offset + length - 1);
        req.headers.append({"Range", range});
    }
    return m_resolver->http()->send(req);
}

// ---- control plane ----

ResultJob<PauseResult> *RunnerSession::pause(bool syncFs)
{
    if (!m_resolver || !m_resolver->http())
        return failed<PauseResult>(Error(ErrorKind::Value, tr("The session has no connection.")));
    Http *h = m_resolver->http();
    QJsonObject body{{QStringLiteral("runner_id"), m_runnerId}};
    if (syncFs)
        body.insert(QStringLiteral("sync_fs"), true);
    HttpRequest req;
    req.method = "POST";
    req.url = h->controlPlaneUrl(QStringLiteral("/api/v1/runners/pause"));
    req.contentType = "application/json";
    req.body = compact(body);
    req.timeout = TimeoutClass::Operation; // the sync SDK gives pause the operation timeout
    auto *job = new ResultJob<PauseResult>(this);
    HttpJob *http = h->send(req);
    job->adopt(http);
    connect(http, &Job::finished, job, [this, job, http] {
        http->deleteLater();
        if (http->hasError()) {
            job->failWith(http->error());
            return;
        }
        const QJsonObject o = http->response().json();
        PauseResult r;
        r.success = o.value(QStringLiteral("success")).toBool();
        r.sessionId = o.value(QStringLiteral("session_id")).toString();
        r.snapshotSizeBytes = o.value(QStringLiteral("snapshot_size_bytes")).toInteger();
        r.layer = pauseLayer(o.value(QStringLiteral("layer")));
        r.requestId = o.value(QStringLiteral("request_id")).toString();
        if (!r.sessionId.isEmpty() && r.sessionId != m_sessionId) {
            m_sessionId = r.sessionId;
            emit sessionIdChanged(m_sessionId);
        }
        job->succeedWith(r);
    });
    return job;
}

ResultJob<bool> *RunnerSession::release()
{
    if (m_released) {
        auto *job = new ResultJob<bool>(this);
        QTimer::singleShot(0, job, [job] { job->succeedWith(true); });
        return job;
    }
    if (!m_resolver || !m_resolver->http())
        return failed<bool>(Error(ErrorKind::Value, tr("The session has no connection.")));
    Http *h = m_resolver->http();
    m_resolver->evictHost(m_runnerId); // always, like the SDK, even if the call fails
    auto *job = new ResultJob<bool>(this);
    if (m_releasing) {
        // A release is already under way: share its outcome instead of a second request.
        ResultJob<bool> *first = m_releasing;
        connect(first, &Job::finished, job, [job, first] {
            if (first->hasError())
                job->failWith(first->error());
            else
                job->succeedWith(first->result());
        });
        return job;
    }
    HttpRequest req;
    req.method = "POST";
    req.url = h->controlPlaneUrl(QStringLiteral("/api/v1/runners/release"));
    req.contentType = "application/json";
    req.body = compact(QJsonObject{{QStringLiteral("runner_id"), m_runnerId}});
    HttpJob *http = h->send(req);
    job->adopt(http);
    m_releasing = job;
    connect(http, &Job::finished, job, [this, job, http] {
        http->deleteLater();
        if (http->hasError()) {
            job->failWith(http->error());
            return;
        }
        const bool ok = http->response().json().value(QStringLiteral("success")).toBool();
        if (ok) {
            m_released = true;
            emit released();
        }
        job->succeedWith(ok);
    });
    return job;
}

// ---- PTY ----

PtyChannel::HostProvider RunnerSession::hostProvider() const
{
    QPointer<HostResolver> resolver = m_resolver;
    const QString id = m_runnerId;
    return [resolver, id](bool fresh) -> ResultJob<QString> * {
        if (!resolver) {
            auto *job = new ResultJob<QString>();
            QTimer::singleShot(0, job, [job] {
                job->failWith(Error(ErrorKind::Value, QStringLiteral("The session is gone.")));
            });
            return job;
        }
        return fresh ? resolver->resolveHost(id) : resolver->hostFor(id);
    };
}

PtyChannel *RunnerSession::shell(const PtyOptions &options, QObject *parent)
{
    const Settings settings = http() ? http()->settings() : Settings();
    return new PtyChannel(settings, m_runnerId, hostProvider(), options, parent ? parent : this);
}

} // namespace capsule
