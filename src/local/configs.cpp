// Layered configs (contract 2.1): validation, upsert, listing, deletion, and layer builds run in
// sandboxes stacked on their parents' results (section 10 build list and log).
#include "local/configs.h"
#include "local/api/json.h"

#include "core/workloadkey.h"
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

// ---------------------------------------------------------------- create

// Structure = layer count, names, init_commands, drives (order-sensitive) and tier.
bool ConfigService::sameStructure(const QJsonObject &oldDef, const QJsonObject &newDef) const
{
    const QJsonArray oldLayers = oldDef.value(s("layers")).toArray();
    const QJsonArray newLayers = newDef.value(s("layers")).toArray();
    bool same = oldLayers.size() == newLayers.size() &&
                oldDef.value(s("config")).toObject().value(s("tier")) ==
                    newDef.value(s("config")).toObject().value(s("tier"));
    for (int i = 0; same && i < oldLayers.size(); ++i) {
        const QJsonObject a = oldLayers.at(i).toObject();
        const QJsonObject b = newLayers.at(i).toObject();
        for (const char *k : {"name", "init_commands", "drives"})
            same = same && a.value(s(k)) == b.value(s(k));
    }
    return same;
}

Result<CreatedConfig> ConfigService::create(const ConfigCreate &req)
{
    const QString id = req.id;
    const QList<capsule::MaterializedLayer> mats = capsule::materializeLayers(req.body);
    const QString key = capsule::leafWorkloadKey(req.body);
    if (mats.isEmpty() || key.isEmpty())
        return ServiceError::failed(s("cannot compute the workload key of this config"));

    const QString now = nowRfc3339();
    ConfigRecord rec;
    auto existing = m_configs.find(id);
    if (existing != m_configs.end()) {
        if (!sameStructure(existing->definition, req.definition))
            return ServiceError::failed(
                QStringLiteral("config_id \"%1\" already registered; only base_image and runtime "
                               "settings can change (layer count, names, init_commands, drives "
                               "and tier are fixed)")
                    .arg(id));
        rec = *existing;
        if (rec.leafKey != key && !rec.previousKeys.contains(rec.leafKey))
            rec.previousKeys << rec.leafKey;
        rec.previousKeys.removeAll(key);
    } else {
        rec.id = id;
        rec.createdAt = now;
    }
    rec.displayName = req.displayName;
    rec.definition = req.definition;
    rec.leafKey = key;
    rec.tier = req.tier;
    rec.updatedAt = now;
    CreatedConfig created{id, key, registerLayers(&rec, mats)};
    m_configs.insert(id, rec);
    saveConfig(rec);
    return created;
}

// Records the config's layers (new ones pending, inactive ones revived) in `rec`, root first.
QList<CreatedLayer> ConfigService::registerLayers(ConfigRecord *rec,
                                                  const QList<capsule::MaterializedLayer> &mats)
{
    rec->layerHashes.clear();
    rec->layerNames.clear();
    QList<CreatedLayer> created;
    QString parent;
    for (const capsule::MaterializedLayer &m : mats) {
        rec->layerHashes << m.hash;
        rec->layerNames << m.name;
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
        created.append(CreatedLayer{m.name, m.hash, m.depth, it->status, it->currentVersion});
        parent = m.hash;
    }
    return created;
}

// ---------------------------------------------------------------- read/delete

QList<const ConfigRecord *> ConfigService::configs() const
{
    QList<const ConfigRecord *> out;
    for (const ConfigRecord &c : m_configs)
        out << &c;
    std::sort(out.begin(), out.end(), [](const ConfigRecord *a, const ConfigRecord *b) {
        return a->displayName == b->displayName ? a->id < b->id : a->displayName < b->displayName;
    });
    return out;
}

Result<const ConfigRecord *> ConfigService::get(const QString &id) const
{
    if (const ConfigRecord *c = config(id))
        return c;
    return ServiceError::notFound(QStringLiteral("layered config not found: %1").arg(id));
}

QList<LayerView> ConfigService::layers(const ConfigRecord &c) const
{
    QList<LayerView> out;
    for (int i = 0; i < c.layerHashes.size(); ++i) {
        LayerView view;
        view.name = c.layerNames.value(i);
        view.hash = c.layerHashes.at(i);
        view.depth = i;
        const auto it = m_layers.constFind(view.hash);
        if (it == m_layers.cend()) {
            out.append(view);
            continue;
        }
        view.status = it->status;
        view.currentVersion = it->currentVersion;
        const auto b =
            it->activeBuild.isEmpty() ? m_builds.cend() : m_builds.constFind(it->activeBuild);
        if (b != m_builds.cend() && b->inFlight())
            view.build = &*b;
        out.append(view);
    }
    return out;
}

bool ConfigService::layerReferenced(const QString &hash, const QString &exceptConfig) const
{
    for (const ConfigRecord &c : m_configs)
        if (c.id != exceptConfig && c.layerHashes.contains(hash))
            return true;
    return false;
}

Result<void> ConfigService::remove(const QString &id)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return ServiceError::notFound(QStringLiteral("layered config not found: %1").arg(id));
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
    return {};
}

// ---------------------------------------------------------------- build requests

Result<int> ConfigService::build(const QString &id, bool force)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return ServiceError::notFound(s("config not found"));
    return enqueue(*c, 0, force, false);
}

Result<int> ConfigService::refresh(const QString &id, const QString &layer)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return ServiceError::notFound(s("config not found"));
    const int idx = c->layerNames.indexOf(layer);
    if (idx < 0)
        return ServiceError::notFound(QStringLiteral("layer not found: %1").arg(layer));
    return enqueue(*c, idx, true, true);
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
