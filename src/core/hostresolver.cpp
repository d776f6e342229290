// Host cache and re-resolution: connect first, status as the fallback (contract 1.7 and 10).
#include "core/hostresolver.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace capsule {

namespace {

Error noHost(const QString &runnerId, const QString &requestId)
{
    Error e(ErrorKind::ServiceUnavailable,
            QStringLiteral("No host address available for runner %1").arg(runnerId));
    e.status = 503;
    e.requestId = requestId;
    return e;
}

// A 404/405 that is about the route, not about the runner: 405, or a 404 whose body is not a
// JSON error object (Go's "404 page not found").
bool routeMissing(const HttpJob *job)
{
    const Error &e = job->error();
    if (e.status == 405)
        return true;
    if (e.status != 404)
        return false;
    const QJsonDocument doc = QJsonDocument::fromJson(job->response().body);
    return !doc.isObject() || !doc.object().contains(QStringLiteral("error"));
}

} // namespace

HostResolver::HostResolver(Http *http, QObject *parent)
    : QObject(parent)
    , m_http(http)
{}

void HostResolver::cacheHost(const QString &runnerId, const QString &hostAddress)
{
    if (runnerId.isEmpty() || hostAddress.isEmpty())
        return;
    const bool changed = m_hosts.value(runnerId) != hostAddress;
    m_hosts.insert(runnerId, hostAddress);
    if (changed)
        emit hostChanged(runnerId, hostAddress);
}

void HostResolver::evictHost(const QString &runnerId)
{
    m_hosts.remove(runnerId);
}

ResultJob<QString> *HostResolver::hostFor(const QString &runnerId)
{
    const QString cached = cachedHost(runnerId);
    if (cached.isEmpty())
        return resolveHost(runnerId);
    auto *job = new ResultJob<QString>(this);
    job->succeedWith(cached);
    return job;
}

ResultJob<QString> *HostResolver::resolveHost(const QString &runnerId)
{
    auto *job = new ResultJob<QString>(this);
    evictHost(runnerId);
    if (runnerId.isEmpty()) {
        job->failWith(Error(ErrorKind::Value, tr("runner_id must not be empty")));
        return job;
    }
    if (m_connectUnsupported) {
        resolveByStatus(runnerId, job);
        return job;
    }
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/runners/connect"));
    req.contentType = "application/json";
    req.body = QJsonDocument(QJsonObject{{QStringLiteral("runner_id"), runnerId}})
                   .toJson(QJsonDocument::Compact);
    HttpJob *http = m_http->send(req);
    connect(http, &Job::finished, job, [this, http, job, runnerId] {
        http->deleteLater();
        if (job->isFinished())
            return;
        if (http->hasError()) {
            if (routeMissing(http)) {
                m_connectUnsupported = true;
                resolveByStatus(runnerId, job);
            } else {
                job->failWith(http->error());
            }
            return;
        }
        const QJsonObject reply = http->response().json();
        const QString address = reply.value(QStringLiteral("host_address")).toString();
        if (address.isEmpty()) {
            job->failWith(noHost(runnerId, http->response().requestId));
            return;
        }
        cacheHost(runnerId, address);
        job->succeedWith(address);
    });
    return job;
}

void HostResolver::resolveByStatus(const QString &runnerId, ResultJob<QString> *job)
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("runner_id"), runnerId);
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/runners/status"), q);
    req.retry = RetryPolicy::ControlPlaneGet;
    HttpJob *http = m_http->send(req);
    connect(http, &Job::finished, job, [this, http, job, runnerId] {
        http->deleteLater();
        if (job->isFinished())
            return;
        if (http->hasError()) {
            job->failWith(http->error());
            return;
        }
        const QJsonObject reply = http->response().json();
        const QString address = reply.value(QStringLiteral("host_address")).toString();
        if (address.isEmpty()) {
            job->failWith(noHost(runnerId, http->response().requestId));
            return;
        }
        cacheHost(runnerId, address);
        job->succeedWith(address);
    });
}

HttpRequest HostResolver::hostRequest(const QString &runnerId, const QString &path,
                                      const QUrlQuery &query)
{
    HttpRequest req;
    req.hostPath = path;
    req.hostQuery = query;
    req.timeout = TimeoutClass::Operation;
    req.timeoutOperation = QStringLiteral("host_request");
    QPointer<HostResolver> self(this);
    req.resolveHost = [self, runnerId](bool fresh) -> ResultJob<QString> * {
        if (!self)
            return nullptr;
        return fresh ? self->resolveHost(runnerId) : self->hostFor(runnerId);
    };
    // A readable URL for messages until the first attempt resolves the real one.
    const QString cached = cachedHost(runnerId);
    if (!cached.isEmpty())
        req.url = Http::hostUrl(cached, path, query);
    return req;
}

} // namespace capsule
