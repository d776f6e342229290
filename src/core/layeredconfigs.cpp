// Layered configs: CRUD, build, refresh and the optional build list/log.
#include "core/layeredconfigs.h"

#include "core/runnerconfig.h"

#include <QJsonDocument>

namespace capsule {

LayeredConfigs::LayeredConfigs(Http *http, QObject *parent)
    : QObject(parent)
    , m_http(http)
{}

QString LayeredConfigs::configPath(const QString &configId)
{
    return QStringLiteral("/api/v1/layered-configs/") + pathSegment(configId);
}

namespace {

std::optional<Error> checkId(const QString &id)
{
    QString why;
    if (RunnerConfig::isValidConfigId(id, &why))
        return std::nullopt;
    return Error(ErrorKind::Value,
                 why.isEmpty() ? QStringLiteral("invalid config_id \"%1\"").arg(id) : why);
}

std::optional<Error> checkNonEmpty(const QString &value, const char *name)
{
    if (!value.trimmed().isEmpty())
        return std::nullopt;
    return Error(ErrorKind::Value, QStringLiteral("%1 must not be empty").arg(QLatin1String(name)));
}

} // namespace

ApiJob<CreateConfigReply> *LayeredConfigs::create(const QJsonObject &body)
{
    if (auto e = checkId(body.value(QStringLiteral("display_name")).toString())) {
        auto *job = new ApiJob<CreateConfigReply>(this);
        job->failLater(*e);
        return job;
    }
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/layered-configs"));
    req.contentType = "application/json";
    req.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return httpCall<CreateConfigReply>(
        m_http, req, this, [](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
            return CreateConfigReply::fromJson(o, c);
        });
}

ApiJob<CreateConfigReply> *LayeredConfigs::create(const RunnerConfig &config)
{
    Error error;
    const QJsonObject body = config.toBody(&error);
    if (body.isEmpty()) {
        auto *job = new ApiJob<CreateConfigReply>(this);
        if (error.message.isEmpty())
            error = Error(ErrorKind::Value, QStringLiteral("invalid runner config"));
        job->failLater(error);
        return job;
    }
    return create(body);
}

ApiJob<ConfigList> *LayeredConfigs::list()
{
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/layered-configs"));
    req.retry = RetryPolicy::ControlPlaneGet;
    return httpCall<ConfigList>(m_http, req, this,
                                [](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
                                    return ConfigList::fromJson(o, c);
                                });
}

ApiJob<ConfigDetail> *LayeredConfigs::get(const QString &configId)
{
    if (auto e = checkNonEmpty(configId, "config_id")) {
        auto *job = new ApiJob<ConfigDetail>(this);
        job->failLater(*e);
        return job;
    }
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(configPath(configId));
    req.retry = RetryPolicy::ControlPlaneGet;
    return httpCall<ConfigDetail>(m_http, req, this,
                                  [](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
                                      return ConfigDetail::fromJson(o, c);
                                  });
}

ApiJob<QJsonObject> *LayeredConfigs::remove(const QString &configId)
{
    if (auto e = checkNonEmpty(configId, "config_id")) {
        auto *job = new ApiJob<QJsonObject>(this);
        job->failLater(*e);
        return job;
    }
    HttpRequest req;
    req.method = "DELETE";
    req.url = m_http->controlPlaneUrl(configPath(configId));
    return httpCall<QJsonObject>(m_http, req, this, [](const HttpResponse &r) { return r.json(); });
}

ApiJob<BuildReply> *LayeredConfigs::build(const QString &configId, bool force, bool clean)
{
    if (auto e = checkNonEmpty(configId, "config_id")) {
        auto *job = new ApiJob<BuildReply>(this);
        job->failLater(*e);
        return job;
    }
    QUrlQuery q;
    if (force)
        q.addQueryItem(QStringLiteral("force"), QStringLiteral("true"));
    if (clean)
        q.addQueryItem(QStringLiteral("clean"), QStringLiteral("true"));
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(configPath(configId) + QStringLiteral("/build"), q);
    return httpCall<BuildReply>(m_http, req, this,
                                [](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
                                    return BuildReply::fromJson(o, c);
                                });
}

ApiJob<RefreshReply> *LayeredConfigs::refreshLayer(const QString &configId,
                                                   const QString &layerName)
{
    std::optional<Error> e = checkNonEmpty(configId, "config_id");
    if (!e)
        e = checkNonEmpty(layerName, "layer name");
    if (e) {
        auto *job = new ApiJob<RefreshReply>(this);
        job->failLater(*e);
        return job;
    }
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(configPath(configId) + QStringLiteral("/layers/") +
                                      pathSegment(layerName) + QStringLiteral("/refresh"));
    return httpCall<RefreshReply>(m_http, req, this,
                                  [](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
                                      return RefreshReply::fromJson(o, c);
                                  });
}

ApiJob<BuildList> *LayeredConfigs::builds(const QString &configId)
{
    auto *job = new ApiJob<BuildList>(this);
    if (auto e = checkNonEmpty(configId, "config_id")) {
        job->failLater(*e);
        return job;
    }
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(configPath(configId) + QStringLiteral("/builds"));
    req.retry = RetryPolicy::ControlPlaneGet;
    runStep(job, m_http->send(req), [job](HttpJob *h) {
        BuildList list;
        if (h->hasError()) {
            if (h->error().kind != ErrorKind::NotFound) {
                job->failWith(h->error());
                return;
            }
            // Also a config that does not exist: the caller's layer poll then reports it.
            list.offered = false;
            job->succeedWith(list);
            return;
        }
        Error error;
        const std::optional<BuildList> decoded = decodeReply<BuildList>(h->response(), &error);
        if (!decoded)
            job->failWith(error);
        else
            job->succeedWith(*decoded);
    });
    return job;
}

ApiJob<BuildLog> *LayeredConfigs::buildLog(const QString &configId, const QString &version)
{
    auto *job = new ApiJob<BuildLog>(this);
    std::optional<Error> e = checkNonEmpty(configId, "config_id");
    if (!e)
        e = checkNonEmpty(version, "version");
    if (e) {
        job->failLater(*e);
        return job;
    }
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(configPath(configId) + QStringLiteral("/builds/") +
                                      pathSegment(version) + QStringLiteral("/log"));
    req.retry = RetryPolicy::ControlPlaneGet;
    req.accept = "text/plain, application/json";
    runStep(job, m_http->send(req), [job](HttpJob *h) {
        BuildLog log;
        if (h->hasError()) {
            if (h->error().kind != ErrorKind::NotFound) {
                job->failWith(h->error());
                return;
            }
            log.offered = false;
            job->succeedWith(log);
            return;
        }
        log.text = h->response().body;
        job->succeedWith(log);
    });
    return job;
}

HttpJob *LayeredConfigs::followBuildLog(const QString &configId, const QString &version)
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("follow"), QStringLiteral("true"));
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(configPath(configId) + QStringLiteral("/builds/") +
                                          pathSegment(version) + QStringLiteral("/log"),
                                      q);
    req.accept = "text/plain, application/json";
    req.stream = true;
    req.timeout = TimeoutClass::None;
    return m_http->send(req);
}

} // namespace capsule
