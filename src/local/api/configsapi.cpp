#include "local/api/configsapi.h"

#include "local/api/configbody.h"
#include "local/api/json.h"
#include "local/api/status.h"

#include <QPointer>
#include <QTcpSocket>

namespace capsule::local::api {

// ---------------------------------------------------------------- replies

QJsonObject createdConfigJson(const CreatedConfig &created)
{
    QJsonArray layers;
    for (const CreatedLayer &l : created.layers) {
        QJsonObject o{{s("name"), l.name},
                      {s("hash"), l.hash},
                      {s("depth"), l.depth},
                      {s("status"), toWire(l.status)}};
        if (!l.currentVersion.isEmpty())
            o[s("current_version")] = l.currentVersion;
        layers.append(o);
    }
    return {{s("config_id"), created.configId},
            {s("leaf_workload_key"), created.leafWorkloadKey},
            {s("layers"), layers}};
}

QJsonObject storedConfigJson(const ConfigRecord &c, bool forList)
{
    const QJsonObject cfg = c.config();
    QJsonObject o{
        {s("config_id"), c.id},
        {s("display_name"), c.displayName},
        {s("leaf_layer_hash"), c.layerHashes.isEmpty() ? QString() : c.layerHashes.last()},
        {s("leaf_workload_key"), c.leafKey},
        {s("tier"), c.tier},
        {s("runner_ttl_seconds"), cfg.value(s("ttl")).toInteger()},
        {s("session_max_age_seconds"), cfg.value(s("session_max_age_seconds")).toInteger()},
        {s("auto_pause"), cfg.value(s("auto_pause")).toBool()},
        {s("auto_rollout"), cfg.value(s("auto_rollout")).toBool()},
        {s("max_concurrent_runners"), 0},
        {s("build_schedule"), QString()},
        {s("created_at"), c.createdAt},
        {s("updated_at"), c.updatedAt}};
    if (c.definition.value(s("start_command")).isObject())
        o[s("start_command")] = c.definition.value(s("start_command"));
    if (!forList) {
        if (!cfg.value(s("network_policy_preset")).toString().isEmpty())
            o[s("network_policy_preset")] = cfg.value(s("network_policy_preset"));
        if (cfg.value(s("network_policy")).isObject())
            o[s("network_policy")] = cfg.value(s("network_policy"));
    }
    if (!cfg.value(s("tenant_gcp_project")).toString().isEmpty())
        o[s("tenant_gcp_project")] = cfg.value(s("tenant_gcp_project"));
    return o;
}

QJsonArray layersJson(const QList<LayerView> &layers)
{
    QJsonArray out;
    for (const LayerView &l : layers) {
        QJsonObject o{{s("name"), l.name},
                      {s("layer_hash"), l.hash},
                      {s("status"), l.status ? toWire(*l.status) : s("unknown")},
                      {s("depth"), l.depth}};
        if (!l.currentVersion.isEmpty())
            o[s("current_version")] = l.currentVersion;
        if (l.build) {
            o[s("build_status")] = toWire(l.build->status);
            o[s("build_version")] = l.build->version;
            o[s("build_instance_name")] = QStringLiteral("capsule-local-build-") + l.build->version;
        }
        out.append(o);
    }
    return out;
}

QJsonArray buildsJson(const QList<BuildView> &builds)
{
    QJsonArray out;
    for (const BuildView &v : builds) {
        const BuildRecord *b = v.build;
        out.append(QJsonObject{
            {s("layer_name"), v.layerName},
            {s("version"), b->version},
            {s("status"), toWire(b->status)},
            {s("started_at"), b->startedAt.isEmpty() ? QJsonValue() : QJsonValue(b->startedAt)},
            {s("finished_at"), b->finishedAt.isEmpty() ? QJsonValue() : QJsonValue(b->finishedAt)},
            {s("exit_code"), b->hasExitCode ? QJsonValue(b->exitCode) : QJsonValue()}});
    }
    return out;
}

// ---------------------------------------------------------------- routes

ConfigsApi::ConfigsApi(ConfigService *configs)
    : m_configs(configs)
{}

void ConfigsApi::addRoutes(Router &router)
{
    using P = const QStringList &;
    using R = const Responder &;
    using Q = const HttpRequest &;
    const ErrorStyle json = ErrorStyle::Json;
    const QString root = s("layered-configs");
    router.add(
        s("POST"), root, [this](Q q, P, R r) { create(q, r); }, json);
    router.add(
        s("GET"), root, [this](Q, P, R r) { list(r); }, json);
    router.add(
        s("GET"), root + s("/{}"), [this](Q, P p, R r) { get(p.at(0), r); }, json);
    router.add(
        s("DELETE"), root + s("/{}"), [this](Q, P p, R r) { remove(p.at(0), r); }, json);
    router.add(
        s("POST"), root + s("/{}/build"), [this](Q q, P p, R r) { build(p.at(0), q, r); }, json);
    router.add(
        s("POST"), root + s("/{}/layers/{}/refresh"),
        [this](Q, P p, R r) { refresh(p.at(0), p.at(1), r); }, json);
    router.add(
        s("GET"), root + s("/{}/builds"), [this](Q, P p, R r) { listBuilds(p.at(0), r); }, json);
    router.add(
        s("GET"), root + s("/{}/builds/{}/log"),
        [this](Q q, P p, R r) { buildLog(p.at(0), p.at(1), q, r); }, json);
    // Every other path under the collection, whatever the method.
    router.add(s("*"), root + s("/{}/**"),
               [](Q, P, R r) { replyError(r, 405, s("method not allowed")); });
}

void ConfigsApi::create(const HttpRequest &request, const Responder &r)
{
    ConfigCreate req;
    ApiError error;
    if (!parseConfigCreate(request.body(), &req, &error))
        return replyJson(r, error.status, error.toJson());
    const Result<CreatedConfig> result = m_configs->create(req);
    if (!result.ok())
        return replyServiceError(r, result.error());
    replyJson(r, 201, createdConfigJson(result.value()));
}

void ConfigsApi::list(const Responder &r)
{
    QJsonArray configs;
    for (const ConfigRecord *c : m_configs->configs())
        configs.append(storedConfigJson(*c, true));
    replyJson(r, 200, {{s("configs"), configs}, {s("count"), configs.size()}});
}

void ConfigsApi::get(const QString &id, const Responder &r)
{
    const Result<const ConfigRecord *> result = m_configs->get(id);
    if (!result.ok())
        return replyServiceError(r, result.error());
    const ConfigRecord &c = *result.value();
    replyJson(r, 200,
              {{s("config"), storedConfigJson(c, false)},
               {s("layers"), layersJson(m_configs->layers(c))},
               {s("definition"), c.definition}});
}

void ConfigsApi::remove(const QString &id, const Responder &r)
{
    const Result<void> result = m_configs->remove(id);
    if (!result.ok())
        return replyServiceError(r, result.error());
    replyEmpty(r, 204);
}

void ConfigsApi::build(const QString &id, const HttpRequest &request, const Responder &r)
{
    const QUrlQuery q = formQuery(request.url());
    const bool clean = queryBool(q.queryItemValue(s("clean")), false);
    const bool force = clean || queryBool(q.queryItemValue(s("force")), false);
    const Result<int> result = m_configs->build(id, force);
    if (!result.ok())
        return replyServiceError(r, result.error());
    const int n = result.value();
    replyJson(r, n == 0 ? 200 : 202,
              {{s("config_id"), id},
               {s("status"), n == 0 ? s("no_build_needed") : s("build_enqueued")},
               {s("enqueued"), n},
               {s("force"), force},
               {s("clean"), clean}});
}

void ConfigsApi::refresh(const QString &id, const QString &layer, const Responder &r)
{
    const Result<int> result = m_configs->refresh(id, layer);
    if (!result.ok())
        return replyServiceError(r, result.error());
    const int n = result.value();
    replyJson(r, n == 0 ? 200 : 202,
              {{s("config_id"), id},
               {s("layer_name"), layer},
               {s("status"), n == 0 ? s("no_refresh_needed") : s("refresh_enqueued")},
               {s("enqueued"), n}});
}

void ConfigsApi::listBuilds(const QString &id, const Responder &r)
{
    const Result<QList<BuildView>> result = m_configs->builds(id);
    if (!result.ok())
        return replyServiceError(r, result.error());
    const QJsonArray out = buildsJson(result.value());
    replyJson(r, 200, {{s("builds"), out}, {s("count"), out.size()}});
}

// The log as text; with ?follow=true and a build in flight, a chunked stream of what is logged
// until the build ends. A follower whose client went away is dropped at its next piece.
void ConfigsApi::buildLog(const QString &id, const QString &version, const HttpRequest &request,
                          const Responder &r)
{
    const bool follow = queryBool(formQuery(request.url()).queryItemValue(s("follow")), false);
    const Result<BuildLog> result = m_configs->buildLog(id, version);
    if (!result.ok())
        return replyServiceError(r, result.error());
    const BuildLog &log = result.value();
    if (!follow || !log.inFlight) {
        // Written directly, as it always was: this reply is not counted in the request metrics.
        r->writeStatusLine(200);
        r->writeHeader("Content-Type", "text/plain; charset=utf-8");
        r->writeHeader("Content-Length", QByteArray::number(log.text.size()));
        r->writeBody(log.text);
        return;
    }
    writeChunkedHead(r, 200, "text/plain; charset=utf-8");
    writeChunk(r, log.text);
    const QPointer<QTcpSocket> socket(r->socket());
    auto connected = [socket] {
        return socket && socket->state() == QAbstractSocket::ConnectedState;
    };
    m_configs->followBuildLog(version, BuildLogFollower{[r, connected](const QByteArray &text) {
                                                            if (!connected())
                                                                return false;
                                                            writeChunk(r, text);
                                                            return true;
                                                        },
                                                        [r, connected] {
                                                            if (connected())
                                                                finishChunks(r);
                                                        }});
}

} // namespace capsule::local::api
