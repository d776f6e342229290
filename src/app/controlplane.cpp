// The app's view of one Capsule server: JSON calls over the core library's Http layer.
#include "app/controlplane.h"

#include "core/client.h"
#include "core/runnersession.h"

#include <QJsonDocument>

namespace capsule::app {

ControlPlane::ControlPlane(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_client(new Client(settings, this))
    , m_http(m_client->http())
{}

ControlPlane::~ControlPlane() = default;

RunnerSession *ControlPlane::session(const QString &runnerId, const QString &sessionId,
                                     const QString &hostAddress)
{
    QPointer<RunnerSession> &session = m_sessions[runnerId];
    if (!session) {
        session =
            new RunnerSession(m_client->hostResolver(), runnerId, sessionId, {}, hostAddress, this);
    } else if (!hostAddress.isEmpty()) {
        m_client->hostResolver()->cacheHost(runnerId, hostAddress);
    }
    return session;
}

const Settings &ControlPlane::settings() const
{
    return m_http->settings();
}

JsonJob *ControlPlane::wrap(HttpJob *httpJob)
{
    auto *job = new JsonJob(this);
    connect(httpJob, &Job::finished, job, [job, httpJob] {
        if (!job->isFinished()) {
            if (httpJob->hasError())
                job->failWith(httpJob->error());
            else
                job->succeedWith(httpJob->response().json());
        }
        httpJob->deleteLater();
    });
    // A cancelled wrapper aborts the request underneath (e.g. a stale refresh).
    connect(job, &Job::finished, httpJob, [job, httpJob] {
        if (job->hasError() && job->error().kind == ErrorKind::Cancelled && !httpJob->isFinished())
            httpJob->cancel();
    });
    return job;
}

JsonJob *ControlPlane::get(const QString &path, const QUrlQuery &query)
{
    HttpRequest request;
    request.method = "GET";
    request.url = m_http->controlPlaneUrl(path, query);
    request.retry = RetryPolicy::ControlPlaneGet;
    return wrap(m_http->send(request));
}

JsonJob *ControlPlane::post(const QString &path, const QJsonObject &body, bool withBody,
                            const QUrlQuery &query)
{
    HttpRequest request;
    request.method = "POST";
    request.url = m_http->controlPlaneUrl(path, query);
    if (withBody) {
        request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        request.contentType = "application/json";
    }
    return wrap(m_http->send(request));
}

JsonJob *ControlPlane::remove(const QString &path)
{
    HttpRequest request;
    request.method = "DELETE";
    request.url = m_http->controlPlaneUrl(path);
    return wrap(m_http->send(request));
}

JsonJob *ControlPlane::configDetail(const QString &configId)
{
    return get(QStringLiteral("/api/v1/layered-configs/%1")
                   .arg(QString::fromUtf8(QUrl::toPercentEncoding(configId))));
}

} // namespace capsule::app
