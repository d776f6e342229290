// Layered configs (contract 2.1): validation, upsert, listing, deletion, and layer builds run in
// sandboxes stacked on their parents' results (section 10 build list and log).
#include "local/configs.h"
#include "local/api/json.h"

#include "core/workloadkey.h"
#include "local/api/configbody.h"
#include "local/api/jsonfields.h"
#include "local/sandbox.h"
#include "local/sandbox_util.h"
#include "local/store.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QtDebug>
#include <algorithm>
#include <limits>

namespace capsule::local {

namespace {

QString newVersion(const QString &hash)
{
    return QStringLiteral("v%1-%2-%3")
        .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")),
             hash.left(8))
        .arg(QRandomGenerator::global()->bounded(10000), 4, 10, QLatin1Char('0'));
}

} // namespace

// ---------------------------------------------------------------- records

QJsonObject ConfigRecord::toJson() const
{
    return {{s("id"), id},
            {s("display_name"), displayName},
            {s("definition"), definition},
            {s("leaf_key"), leafKey},
            {s("previous_keys"), QJsonArray::fromStringList(previousKeys)},
            {s("layer_hashes"), QJsonArray::fromStringList(layerHashes)},
            {s("layer_names"), QJsonArray::fromStringList(layerNames)},
            {s("tier"), tier},
            {s("created_at"), createdAt},
            {s("updated_at"), updatedAt}};
}

static QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out << x.toString();
    return out;
}

ConfigRecord ConfigRecord::fromJson(const QJsonObject &o)
{
    ConfigRecord c;
    c.id = o.value(s("id")).toString();
    c.displayName = o.value(s("display_name")).toString();
    c.definition = o.value(s("definition")).toObject();
    c.leafKey = o.value(s("leaf_key")).toString();
    c.previousKeys = strings(o.value(s("previous_keys")));
    c.layerHashes = strings(o.value(s("layer_hashes")));
    c.layerNames = strings(o.value(s("layer_names")));
    c.tier = o.value(s("tier")).toString();
    c.createdAt = o.value(s("created_at")).toString();
    c.updatedAt = o.value(s("updated_at")).toString();
    return c;
}

QJsonObject LayerRecord::toJson() const
{
    return {{s("hash"), hash},
            {s("name"), name},
            {s("depth"), depth},
            {s("parent"), parentHash},
            {s("commands"), commands},
            {s("status"), toWire(status)},
            {s("current_version"), currentVersion},
            {s("result_dir"), resultDir},
            {s("active_build"), activeBuild}};
}

LayerRecord LayerRecord::fromJson(const QJsonObject &o)
{
    LayerRecord l;
    l.hash = o.value(s("hash")).toString();
    l.name = o.value(s("name")).toString();
    l.depth = o.value(s("depth")).toInt();
    l.parentHash = o.value(s("parent")).toString();
    l.commands = o.value(s("commands")).toArray();
    l.status = layerStatusFromWire(o.value(s("status")).toString()).value_or(LayerStatus::Pending);
    l.currentVersion = o.value(s("current_version")).toString();
    l.resultDir = o.value(s("result_dir")).toString();
    l.activeBuild = o.value(s("active_build")).toString();
    return l;
}

bool BuildRecord::inFlight() const
{
    return isInFlight(status);
}

QJsonObject BuildRecord::toJson() const
{
    return {{s("version"), version},
            {s("config_id"), configId},
            {s("layer_name"), layerName},
            {s("layer_hash"), layerHash},
            {s("status"), toWire(status)},
            {s("queued_at"), queuedAt},
            {s("started_at"), startedAt},
            {s("finished_at"), finishedAt},
            {s("exit_code"), hasExitCode ? QJsonValue(exitCode) : QJsonValue()},
            {s("log_path"), logPath},
            {s("runner_user"), runnerUser},
            {s("base_image"), baseImage},
            {s("seq"), seq}};
}

BuildRecord BuildRecord::fromJson(const QJsonObject &o)
{
    BuildRecord b;
    b.version = o.value(s("version")).toString();
    b.configId = o.value(s("config_id")).toString();
    b.layerName = o.value(s("layer_name")).toString();
    b.layerHash = o.value(s("layer_hash")).toString();
    b.status = buildStatusFromWire(o.value(s("status")).toString()).value_or(BuildStatus::Failed);
    b.queuedAt = o.value(s("queued_at")).toString();
    b.startedAt = o.value(s("started_at")).toString();
    b.finishedAt = o.value(s("finished_at")).toString();
    b.hasExitCode = o.value(s("exit_code")).isDouble();
    b.exitCode = o.value(s("exit_code")).toInt(-1);
    b.logPath = o.value(s("log_path")).toString();
    b.runnerUser = o.value(s("runner_user")).toString();
    b.baseImage = o.value(s("base_image")).toString();
    b.seq = o.value(s("seq")).toInteger();
    return b;
}

// ---------------------------------------------------------------- service

ConfigService::ConfigService(Store *store, const ServerOptions &options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_options(options)
{}

ConfigService::~ConfigService()
{
    stopAll();
}

void ConfigService::load()
{
    for (const QJsonObject &o : m_store->all(s("configs"))) {
        ConfigRecord c = ConfigRecord::fromJson(o);
        m_configs.insert(c.id, c);
    }
    for (const QJsonObject &o : m_store->all(s("layers"))) {
        LayerRecord l = LayerRecord::fromJson(o);
        m_layers.insert(l.hash, l);
    }
    for (const QJsonObject &o : m_store->all(s("builds"))) {
        BuildRecord b = BuildRecord::fromJson(o);
        m_seq = std::max(m_seq, b.seq);
        m_builds.insert(b.version, b);
    }
    // Builds that were in flight when the previous process died cannot be continued: their
    // sandboxes died with it. Mark them failed so a new build can be requested.
    for (BuildRecord &b : m_builds) {
        if (!b.inFlight())
            continue;
        b.status = BuildStatus::Failed;
        b.finishedAt = nowRfc3339();
        QFile log(b.logPath);
        if (log.open(QIODevice::Append))
            log.write("\nbuild interrupted: capsule-local restarted\n");
        saveBuild(b);
    }
    for (LayerRecord &l : m_layers) {
        if (!l.activeBuild.isEmpty()) {
            l.activeBuild.clear();
            saveLayer(l);
        }
    }
}

void ConfigService::stopAll()
{
    const QStringList running = m_running.keys();
    for (const QString &v : running)
        cancelBuild(v, s("capsule-local is shutting down"));
}

void ConfigService::saveBuild(const BuildRecord &b)
{
    m_store->put(s("builds"), b.version, b.toJson());
}
void ConfigService::saveLayer(const LayerRecord &l)
{
    m_store->put(s("layers"), l.hash, l.toJson());
}
void ConfigService::saveConfig(const ConfigRecord &c)
{
    m_store->put(s("configs"), c.id, c.toJson());
}

const ConfigRecord *ConfigService::configForKey(const QString &key) const
{
    // Identical layers give identical keys across configs; the most recently written config's
    // runtime settings (ttl, policy, ...) win, as upstream keeps one registration per key.
    const ConfigRecord *best = nullptr;
    for (const ConfigRecord &c : m_configs)
        if (c.leafKey == key && (!best || c.updatedAt > best->updatedAt))
            best = &c;
    if (best)
        return best;
    for (const ConfigRecord &c : m_configs)
        if (c.previousKeys.contains(key) && (!best || c.updatedAt > best->updatedAt))
            best = &c;
    return best;
}

const ConfigRecord *ConfigService::config(const QString &id) const
{
    auto it = m_configs.constFind(id);
    return it == m_configs.constEnd() ? nullptr : &*it;
}

ConfigService::Readiness ConfigService::readiness(const ConfigRecord &c) const
{
    if (c.layerHashes.isEmpty())
        return Readiness::Ready;
    const LayerRecord leaf = m_layers.value(c.layerHashes.last());
    if (leaf.status == LayerStatus::Active && !leaf.currentVersion.isEmpty())
        return Readiness::Ready;
    for (const QString &h : c.layerHashes)
        if (!m_layers.value(h).activeBuild.isEmpty())
            return Readiness::Building;
    return Readiness::NotBuilt;
}

QStringList ConfigService::lowerLayers(const ConfigRecord &c) const
{
    QStringList out;
    for (const QString &h : c.layerHashes) {
        const LayerRecord l = m_layers.value(h);
        if (!l.resultDir.isEmpty() && QDir(l.resultDir).exists())
            out << l.resultDir;
    }
    return out;
}

QString ConfigService::baseRoot(const ConfigRecord &c) const
{
    const QString image = c.definition.value(s("base_image")).toString();
    return m_options.images.value(image, s("/"));
}

QString ConfigService::baseImageNote(const QString &baseImage) const
{
    QString note =
        QStringLiteral("filesystem mode: %1\n").arg(Sandbox::fsModeName(Sandbox::fsMode()));
    if (baseImage.isEmpty())
        note += s("base image: none; the host root (/) is the base of the sandbox filesystem\n");
    else if (m_options.images.contains(baseImage))
        note += QStringLiteral("base image: %1 -> %2 (--image)\n")
                    .arg(baseImage, m_options.images.value(baseImage));
    else
        note += QStringLiteral("base image: %1 maps to the host root (/) because no --image %1=DIR "
                               "was given\n")
                    .arg(baseImage);
    return note;
}

// ---------------------------------------------------------------- routing

void ConfigService::handle(const HttpRequest &request, const QStringList &rest, const Responder &r)
{
    const QString method = methodName(request);
    if (rest.isEmpty()) {
        if (method == QLatin1String("POST"))
            return create(request, r);
        if (method == QLatin1String("GET"))
            return list(r);
        return replyError(r, 405, s("method not allowed"));
    }
    const QString id = rest.at(0);
    if (rest.size() == 1) {
        if (method == QLatin1String("GET"))
            return get(id, r);
        if (method == QLatin1String("DELETE"))
            return remove(id, r);
        return replyError(r, 405, s("method not allowed"));
    }
    if (rest.size() == 2 && rest.at(1) == QLatin1String("build")) {
        if (method != QLatin1String("POST"))
            return replyError(r, 405, s("method not allowed"));
        return build(id, request, r);
    }
    if (rest.size() == 4 && rest.at(1) == QLatin1String("layers") &&
        rest.at(3) == QLatin1String("refresh")) {
        if (method != QLatin1String("POST"))
            return replyError(r, 405, s("method not allowed"));
        return refresh(id, rest.at(2), r);
    }
    if (rest.size() == 2 && rest.at(1) == QLatin1String("builds")) {
        if (method != QLatin1String("GET"))
            return replyError(r, 405, s("method not allowed"));
        return listBuilds(id, r);
    }
    if (rest.size() == 4 && rest.at(1) == QLatin1String("builds") &&
        rest.at(3) == QLatin1String("log")) {
        if (method != QLatin1String("GET"))
            return replyError(r, 405, s("method not allowed"));
        const bool follow = queryBool(formQuery(request.url()).queryItemValue(s("follow")), false);
        return buildLog(id, rest.at(2), follow, r);
    }
    replyError(r, 405, s("method not allowed"));
}

// ---------------------------------------------------------------- create

void ConfigService::create(const HttpRequest &request, const Responder &r)
{
    api::ConfigCreate req;
    api::ApiError error;
    if (!api::parseConfigCreate(request.body(), &req, &error))
        return replyJson(r, error.status, error.toJson());
    const QString id = req.id;
    const QString name = req.displayName;
    const QJsonObject body = req.body;
    const QJsonObject def = req.definition;
    const QString tier = req.tier;
    const QList<capsule::MaterializedLayer> mats = capsule::materializeLayers(body);
    const QString key = capsule::leafWorkloadKey(body);
    if (mats.isEmpty() || key.isEmpty())
        return replyError(r, 500, s("cannot compute the workload key of this config"));

    const QString now = nowRfc3339();
    ConfigRecord rec;
    auto existing = m_configs.find(id);
    if (existing != m_configs.end()) {
        // Structure = layer count, names, init_commands, drives (order-sensitive) and tier.
        const QJsonObject oldDef = existing->definition;
        const QJsonArray oldLayers = oldDef.value(s("layers")).toArray();
        const QJsonArray newLayers = def.value(s("layers")).toArray();
        bool same = oldLayers.size() == newLayers.size() &&
                    oldDef.value(s("config")).toObject().value(s("tier")) ==
                        def.value(s("config")).toObject().value(s("tier"));
        for (int i = 0; same && i < oldLayers.size(); ++i) {
            const QJsonObject a = oldLayers.at(i).toObject();
            const QJsonObject b = newLayers.at(i).toObject();
            for (const char *k : {"name", "init_commands", "drives"})
                same = same && a.value(s(k)) == b.value(s(k));
        }
        if (!same)
            return replyError(r, 500,
                              QStringLiteral("config_id \"%1\" already registered; only base_image "
                                             "and runtime settings can change (layer count, names, "
                                             "init_commands, drives and tier are fixed)")
                                  .arg(id));
        rec = *existing;
        if (rec.leafKey != key && !rec.previousKeys.contains(rec.leafKey))
            rec.previousKeys << rec.leafKey;
        rec.previousKeys.removeAll(key);
    } else {
        rec.id = id;
        rec.createdAt = now;
    }
    rec.displayName = name;
    rec.definition = def;
    rec.leafKey = key;
    rec.tier = tier;
    rec.updatedAt = now;
    rec.layerHashes.clear();
    rec.layerNames.clear();
    QJsonArray replyLayers;
    QString parent;
    for (const capsule::MaterializedLayer &m : mats) {
        rec.layerHashes << m.hash;
        rec.layerNames << m.name;
        auto it = m_layers.find(m.hash);
        if (it == m_layers.end()) {
            LayerRecord l;
            l.hash = m.hash;
            l.name = m.name;
            l.depth = m.depth;
            l.parentHash = parent;
            l.commands = m.commands;
            it = m_layers.insert(m.hash, l);
            saveLayer(*it);
        } else if (it->status == LayerStatus::Inactive) {
            it->status = it->currentVersion.isEmpty() ? LayerStatus::Pending : LayerStatus::Active;
            saveLayer(*it);
        }
        QJsonObject lo{{s("name"), m.name},
                       {s("hash"), m.hash},
                       {s("depth"), m.depth},
                       {s("status"), toWire(it->status)}};
        if (!it->currentVersion.isEmpty())
            lo[s("current_version")] = it->currentVersion;
        replyLayers.append(lo);
        parent = m.hash;
    }
    m_configs.insert(id, rec);
    saveConfig(rec);
    replyJson(r, 201,
              {{s("config_id"), id}, {s("leaf_workload_key"), key}, {s("layers"), replyLayers}});
}

// ---------------------------------------------------------------- read/delete

QJsonObject ConfigService::storedJson(const ConfigRecord &c, bool forList) const
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

QJsonArray ConfigService::layerStatus(const ConfigRecord &c) const
{
    QJsonArray out;
    for (int i = 0; i < c.layerHashes.size(); ++i) {
        const LayerRecord l = m_layers.value(c.layerHashes.at(i));
        QJsonObject o{
            {s("name"), c.layerNames.value(i)},
            {s("layer_hash"), c.layerHashes.at(i)},
            {s("status"), m_layers.contains(c.layerHashes.at(i)) ? toWire(l.status) : s("unknown")},
            {s("depth"), i}};
        if (!l.currentVersion.isEmpty())
            o[s("current_version")] = l.currentVersion;
        if (!l.activeBuild.isEmpty() && m_builds.contains(l.activeBuild)) {
            const BuildRecord &b = m_builds[l.activeBuild];
            if (b.inFlight()) {
                o[s("build_status")] = toWire(b.status);
                o[s("build_version")] = b.version;
                o[s("build_instance_name")] = QStringLiteral("capsule-local-build-") + b.version;
            }
        }
        out.append(o);
    }
    return out;
}

void ConfigService::list(const Responder &r)
{
    QStringList ids = m_configs.keys();
    std::sort(ids.begin(), ids.end(), [this](const QString &a, const QString &b) {
        const QString da = m_configs[a].displayName, db = m_configs[b].displayName;
        return da == db ? a < b : da < db;
    });
    QJsonArray configs;
    for (const QString &id : ids)
        configs.append(storedJson(m_configs[id], true));
    replyJson(r, 200, {{s("configs"), configs}, {s("count"), configs.size()}});
}

void ConfigService::get(const QString &id, const Responder &r)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return replyError(r, 404, QStringLiteral("layered config not found: %1").arg(id));
    replyJson(r, 200,
              {{s("config"), storedJson(*c, false)},
               {s("layers"), layerStatus(*c)},
               {s("definition"), c->definition}});
}

bool ConfigService::layerReferenced(const QString &hash, const QString &exceptConfig) const
{
    for (const ConfigRecord &c : m_configs)
        if (c.id != exceptConfig && c.layerHashes.contains(hash))
            return true;
    return false;
}

void ConfigService::remove(const QString &id, const Responder &r)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return replyError(r, 404, QStringLiteral("layered config not found: %1").arg(id));
    const QStringList hashes = c->layerHashes;
    for (const QString &h : hashes) {
        if (layerReferenced(h, id))
            continue;
        LayerRecord &l = m_layers[h];
        if (!l.activeBuild.isEmpty())
            cancelBuild(l.activeBuild, QStringLiteral("config %1 was deleted").arg(id));
        l.status = LayerStatus::Inactive;
        saveLayer(l);
    }
    m_configs.remove(id);
    m_store->remove(s("configs"), id);
    replyEmpty(r, 204);
}

// ---------------------------------------------------------------- build requests

void ConfigService::build(const QString &id, const HttpRequest &request, const Responder &r)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return replyError(r, 404, s("config not found"));
    const QUrlQuery q = formQuery(request.url());
    const bool clean = queryBool(q.queryItemValue(s("clean")), false);
    const bool force = clean || queryBool(q.queryItemValue(s("force")), false);
    const int n = enqueue(*c, 0, force, false);
    if (n == 0)
        return replyJson(r, 200,
                         {{s("config_id"), id},
                          {s("status"), s("no_build_needed")},
                          {s("enqueued"), 0},
                          {s("force"), force},
                          {s("clean"), clean}});
    replyJson(r, 202,
              {{s("config_id"), id},
               {s("status"), s("build_enqueued")},
               {s("enqueued"), n},
               {s("force"), force},
               {s("clean"), clean}});
}

void ConfigService::refresh(const QString &id, const QString &layer, const Responder &r)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return replyError(r, 404, s("config not found"));
    const int idx = c->layerNames.indexOf(layer);
    if (idx < 0)
        return replyError(r, 404, QStringLiteral("layer not found: %1").arg(layer));
    const int n = enqueue(*c, idx, true, true);
    if (n == 0)
        return replyJson(r, 200,
                         {{s("config_id"), id},
                          {s("layer_name"), layer},
                          {s("status"), s("no_refresh_needed")},
                          {s("enqueued"), 0}});
    replyJson(r, 202,
              {{s("config_id"), id},
               {s("layer_name"), layer},
               {s("status"), s("refresh_enqueued")},
               {s("enqueued"), n}});
}

int ConfigService::enqueue(const ConfigRecord &c, int fromLayer, bool force, bool onlyFrom)
{
    int n = 0;
    bool parentEnqueued = false;
    for (int i = onlyFrom ? fromLayer : 0; i < c.layerHashes.size(); ++i) {
        LayerRecord &l = m_layers[c.layerHashes.at(i)];
        // Force (and a refresh) rebuilds; otherwise a layer with a version or a build in flight
        // is left alone, unless its parent is being rebuilt (its result depends on the parent).
        if (!l.activeBuild.isEmpty()) {
            if (!force && !parentEnqueued)
                continue;
            cancelBuild(l.activeBuild, s("superseded by a forced build"));
        } else if (!force && !parentEnqueued && !l.currentVersion.isEmpty() &&
                   l.status == LayerStatus::Active) {
            continue;
        }
        BuildRecord b;
        b.version = newVersion(l.hash);
        while (m_builds.contains(b.version))
            b.version = newVersion(l.hash);
        b.configId = c.id;
        b.layerName = c.layerNames.value(i);
        b.layerHash = l.hash;
        b.status = BuildStatus::Queued;
        b.queuedAt = nowRfc3339();
        b.seq = ++m_seq;
        b.runnerUser = c.config().value(s("runner_user")).toString();
        if (b.runnerUser.isEmpty())
            b.runnerUser = s("runner");
        b.baseImage = c.definition.value(s("base_image")).toString();
        QDir().mkpath(m_options.dataDir + s("/builds"));
        b.logPath = m_options.dataDir + s("/builds/") + b.version + s(".log");
        QFile log(b.logPath);
        if (log.open(QIODevice::WriteOnly | QIODevice::Truncate))
            log.write(QStringLiteral("build %1 of layer %2 (%3) for config %4: queued at %5\n")
                          .arg(b.version, b.layerName, l.hash.left(12), c.id, b.queuedAt)
                          .toUtf8());
        l.activeBuild = b.version;
        saveLayer(l);
        m_builds.insert(b.version, b);
        saveBuild(b);
        parentEnqueued = true;
        ++n;
    }
    if (n > 0 && !m_pumpQueued) {
        m_pumpQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_pumpQueued = false;
            pump();
        });
    }
    return n;
}

void ConfigService::cancelBuild(QString version, const QString &why)
{
    auto it = m_builds.find(version);
    if (it == m_builds.end() || !it->inFlight())
        return;
    finishBuild(version, false, -1, QStringLiteral("build cancelled: %1").arg(why));
    it = m_builds.find(version);
    if (it == m_builds.end())
        return;
    it->status = BuildStatus::Cancelled;
    saveBuild(*it);
}

} // namespace capsule::local
