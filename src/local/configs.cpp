// Layered configs (contract 2.1): validation, upsert, listing, deletion, and layer builds run in
// sandboxes stacked on their parents' results (section 10 build list and log).
#include "local/configs.h"

#include "core/workloadkey.h"
#include "local/api/jsonfields.h"
#include "local/sandbox.h"
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

const QString kPlatform = QStringLiteral("_platform");
const QStringList kTiers{QStringLiteral("xs"), QStringLiteral("s"), QStringLiteral("m"),
                         QStringLiteral("l"), QStringLiteral("xl")};
constexpr qsizetype kMaxBody = 4 * 1024 * 1024;

QString s(const char *t)
{
    return QString::fromLatin1(t);
}

// ---- type checks: Go's json decoder rejects wrong types with "invalid request body" ----

bool isInt(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return true;
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return d == static_cast<double>(static_cast<qint64>(d));
}
bool isStr(const QJsonValue &v)
{
    return v.isNull() || v.isUndefined() || v.isString();
}
bool isBool(const QJsonValue &v)
{
    return v.isNull() || v.isUndefined() || v.isBool();
}
bool isObj(const QJsonValue &v)
{
    return v.isNull() || v.isUndefined() || v.isObject();
}
bool isStrArray(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return true;
    if (!v.isArray())
        return false;
    const QJsonArray a = v.toArray();
    return std::all_of(a.begin(), a.end(), [](const QJsonValue &x) { return x.isString(); });
}
bool isStrMap(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return true;
    if (!v.isObject())
        return false;
    const QJsonObject o = v.toObject();
    return std::all_of(o.begin(), o.end(), [](const QJsonValue &x) { return x.isString(); });
}
bool commandsOk(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return true;
    if (!v.isArray())
        return false;
    for (const QJsonValue &c : v.toArray()) {
        if (!c.isObject())
            return false;
        const QJsonObject o = c.toObject();
        if (!isStr(o.value(s("type"))) || !isStrArray(o.value(s("args"))) ||
            !isBool(o.value(s("run_as_root"))))
            return false;
    }
    return true;
}
bool drivesOk(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return true;
    if (!v.isArray())
        return false;
    for (const QJsonValue &d : v.toArray()) {
        if (!d.isObject())
            return false;
        const QJsonObject o = d.toObject();
        if (!isStr(o.value(s("drive_id"))) || !isStr(o.value(s("label"))) ||
            !isInt(o.value(s("size_gb"))) || !isBool(o.value(s("read_only"))) ||
            !commandsOk(o.value(s("commands"))) || !isStr(o.value(s("mount_path"))))
            return false;
    }
    return true;
}
bool bodyTypesOk(const QJsonObject &b)
{
    if (!isStr(b.value(s("display_name"))) || !isStr(b.value(s("base_image"))))
        return false;
    const QJsonValue layers = b.value(s("layers"));
    if (!layers.isNull() && !layers.isUndefined()) {
        if (!layers.isArray())
            return false;
        for (const QJsonValue &l : layers.toArray()) {
            if (!l.isObject())
                return false;
            const QJsonObject o = l.toObject();
            if (!isStr(o.value(s("name"))) || !commandsOk(o.value(s("init_commands"))) ||
                !commandsOk(o.value(s("refresh_commands"))) ||
                !isStr(o.value(s("refresh_interval"))) || !drivesOk(o.value(s("drives"))))
                return false;
        }
    }
    if (!isObj(b.value(s("config"))))
        return false;
    const QJsonObject c = b.value(s("config")).toObject();
    for (const char *k : {"auto_pause", "auto_rollout"})
        if (!isBool(c.value(s(k))))
            return false;
    for (const char *k : {"ttl", "session_max_age_seconds", "rootfs_size_gb", "workspace_size_gb"})
        if (!isInt(c.value(s(k))))
            return false;
    for (const char *k :
         {"tier", "runner_user", "network_policy_preset", "tenant_gcp_project", "tenant_gcp_zone",
          "tenant_network", "tenant_subnet", "tenant_service_account"})
        if (!isStr(c.value(s(k))))
            return false;
    for (const char *k : {"network_policy", "auth"})
        if (!isObj(c.value(s(k))))
            return false;
    if (!isObj(b.value(s("start_command"))))
        return false;
    const QJsonObject sc = b.value(s("start_command")).toObject();
    if (!isStrArray(sc.value(s("command"))) || !isInt(sc.value(s("port"))) ||
        !isStr(sc.value(s("health_path"))) || !isStrMap(sc.value(s("env"))) ||
        !isStr(sc.value(s("run_as"))))
        return false;
    return true;
}

// The numbers and the user name of a create body, read through the shared request helper:
// sizes, TTLs and ages are >= 0, a port is 0-65535, runner_user a POSIX user name (it becomes a
// line of the sandbox's /etc/passwd and a home path).
api::JsonFields checkConfigFields(const QJsonObject &body)
{
    constexpr qint64 kMaxInt = std::numeric_limits<int>::max();
    constexpr qint64 kMaxSizeGb = 1024 * 1024;
    api::JsonFields cfg(body.value(s("config")).toObject(), s("config."));
    cfg.integer(s("ttl"), 0, kMaxInt);
    cfg.integer(s("session_max_age_seconds"), 0, std::numeric_limits<qint64>::max());
    cfg.integer(s("rootfs_size_gb"), 0, kMaxSizeGb);
    cfg.integer(s("workspace_size_gb"), 0, kMaxSizeGb);
    cfg.userName(s("runner_user"), s("runner"));
    if (!cfg.ok())
        return cfg;
    api::JsonFields start(body.value(s("start_command")).toObject(), s("start_command."));
    start.integer(s("port"), 0, 65535);
    if (!start.ok())
        return start;
    const QJsonArray layers = body.value(s("layers")).toArray();
    for (int i = 0; i < layers.size(); ++i) {
        const QJsonArray drives = layers.at(i).toObject().value(s("drives")).toArray();
        for (int j = 0; j < drives.size(); ++j) {
            api::JsonFields drive(drives.at(j).toObject(),
                                  QStringLiteral("layers[%1].drives[%2].").arg(i).arg(j));
            drive.integer(s("size_gb"), 0, kMaxSizeGb);
            if (!drive.ok())
                return drive;
        }
    }
    return start;
}

bool isGoDuration(const QString &d)
{
    static const QRegularExpression re(
        QStringLiteral("^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|ms|s|m|h))+)$"));
    return re.match(d).hasMatch();
}

QJsonArray normalizeCommands(const QJsonArray &in)
{
    QJsonArray out;
    for (const QJsonValue &v : in) {
        const QJsonObject c = v.toObject();
        QJsonObject n;
        n[s("type")] = c.value(s("type")).toString();
        n[s("args")] = c.value(s("args")).isArray() ? c.value(s("args")) : QJsonValue();
        n[s("run_as_root")] = c.value(s("run_as_root")).toBool();
        out.append(n);
    }
    return out;
}

QJsonArray normalizeDrives(const QJsonArray &in)
{
    QJsonArray out;
    for (const QJsonValue &v : in) {
        const QJsonObject d = v.toObject();
        QJsonObject n{{s("drive_id"), d.value(s("drive_id")).toString()},
                      {s("label"), d.value(s("label")).toString()},
                      {s("size_gb"), d.value(s("size_gb")).toInteger()},
                      {s("read_only"), d.value(s("read_only")).toBool()}};
        if (!d.value(s("commands")).toArray().isEmpty())
            n[s("commands")] = normalizeCommands(d.value(s("commands")).toArray());
        if (!d.value(s("mount_path")).toString().isEmpty())
            n[s("mount_path")] = d.value(s("mount_path")).toString();
        out.append(n);
    }
    return out;
}

// The body as the server re-encodes it: all fields, explicit run_as_root, config always present.
QJsonObject normalizeBody(const QJsonObject &b)
{
    QJsonObject out;
    out[s("display_name")] = b.value(s("display_name")).toString();
    out[s("base_image")] = b.value(s("base_image")).toString();
    QJsonArray layers;
    for (const QJsonValue &v : b.value(s("layers")).toArray()) {
        const QJsonObject l = v.toObject();
        QJsonObject n;
        n[s("name")] = l.value(s("name")).toString();
        n[s("init_commands")] = normalizeCommands(l.value(s("init_commands")).toArray());
        n[s("refresh_commands")] = normalizeCommands(l.value(s("refresh_commands")).toArray());
        n[s("refresh_interval")] = l.value(s("refresh_interval")).toString();
        n[s("drives")] = normalizeDrives(l.value(s("drives")).toArray());
        layers.append(n);
    }
    out[s("layers")] = layers;
    const QJsonObject c = b.value(s("config")).toObject();
    QJsonObject nc;
    nc[s("auto_pause")] = c.value(s("auto_pause")).toBool();
    nc[s("ttl")] = c.value(s("ttl")).toInteger();
    nc[s("tier")] = c.value(s("tier")).toString();
    nc[s("auto_rollout")] = c.value(s("auto_rollout")).toBool();
    nc[s("session_max_age_seconds")] = c.value(s("session_max_age_seconds")).toInteger();
    nc[s("rootfs_size_gb")] = c.value(s("rootfs_size_gb")).toInteger();
    nc[s("runner_user")] = c.value(s("runner_user")).toString();
    nc[s("workspace_size_gb")] = c.value(s("workspace_size_gb")).toInteger();
    nc[s("network_policy_preset")] = c.value(s("network_policy_preset")).toString();
    nc[s("network_policy")] =
        c.value(s("network_policy")).isObject() ? c.value(s("network_policy")) : QJsonValue();
    nc[s("auth")] = c.value(s("auth")).isObject() ? c.value(s("auth")) : QJsonValue();
    for (const char *k : {"tenant_gcp_project", "tenant_gcp_zone", "tenant_network",
                          "tenant_subnet", "tenant_service_account"})
        if (!c.value(s(k)).toString().isEmpty())
            nc[s(k)] = c.value(s(k)).toString();
    out[s("config")] = nc;
    if (b.value(s("start_command")).isObject())
        out[s("start_command")] = b.value(s("start_command"));
    return out;
}

QString newVersion(const QString &hash)
{
    return QStringLiteral("v%1-%2-%3")
        .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")),
             hash.left(8))
        .arg(QRandomGenerator::global()->bounded(10000), 4, 10, QLatin1Char('0'));
}

bool isPlatformMarker(const QString &type)
{
    return type == QLatin1String("base-image") || type == QLatin1String("platform-setup") ||
           type == QLatin1String("platform-user");
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
            {s("status"), status},
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
    l.status = o.value(s("status")).toString();
    l.currentVersion = o.value(s("current_version")).toString();
    l.resultDir = o.value(s("result_dir")).toString();
    l.activeBuild = o.value(s("active_build")).toString();
    return l;
}

bool BuildRecord::inFlight() const
{
    return status == QLatin1String("queued") || status == QLatin1String("waiting_parent") ||
           status == QLatin1String("running");
}

QJsonObject BuildRecord::toJson() const
{
    return {{s("version"), version},
            {s("config_id"), configId},
            {s("layer_name"), layerName},
            {s("layer_hash"), layerHash},
            {s("status"), status},
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
    b.status = o.value(s("status")).toString();
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
        b.status = s("failed");
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
    if (leaf.status == QLatin1String("active") && !leaf.currentVersion.isEmpty())
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
    const QByteArray raw = request.body();
    if (raw.size() > kMaxBody)
        return replyError(r, 400, s("invalid request body"));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(raw, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        return replyError(r, 400, s("invalid request body"));
    // Typed fields with limits (api/jsonfields.h): a wrong type keeps the contract's error text
    // and names the field in "detail"; a value out of range is a rule ("invalid config: ...").
    const api::JsonFields fields = checkConfigFields(doc.object());
    if (fields.problem() == api::JsonFields::Problem::Type)
        return replyJson(r, 400,
                         {{s("error"), s("invalid request body")}, {s("detail"), fields.error()}});
    if (!bodyTypesOk(doc.object()))
        return replyError(r, 400, s("invalid request body"));
    if (fields.problem() == api::JsonFields::Problem::Range)
        return replyError(r, 400, QStringLiteral("invalid config: ") + fields.error());
    const QJsonObject body = doc.object();
    const QString name = body.value(s("display_name")).toString();
    const QString baseImage = body.value(s("base_image")).toString();
    const QJsonArray layers = body.value(s("layers")).toArray();
    const QJsonObject cfg = body.value(s("config")).toObject();

    // Rules first, then tier, then the id (the upstream order).
    auto invalid = [&](const QString &rule) {
        replyError(r, 400, QStringLiteral("invalid config: ") + rule);
    };
    if (layers.isEmpty() && baseImage.isEmpty())
        return invalid(s("at least one layer is required unless base_image is set"));
    QSet<QString> names;
    for (const QJsonValue &v : layers) {
        const QJsonObject l = v.toObject();
        const QString ln = l.value(s("name")).toString();
        if (ln.isEmpty())
            return invalid(s("layer name must not be empty"));
        if (ln == kPlatform)
            return invalid(QStringLiteral("layer name \"%1\" is reserved").arg(kPlatform));
        if (names.contains(ln))
            return invalid(QStringLiteral("duplicate layer name \"%1\"").arg(ln));
        names.insert(ln);
        if (l.value(s("init_commands")).toArray().isEmpty())
            return invalid(
                QStringLiteral("layer \"%1\" must have at least one init command").arg(ln));
        const QString interval = l.value(s("refresh_interval")).toString();
        if (!interval.isEmpty() && !isGoDuration(interval))
            return invalid(
                QStringLiteral("layer \"%1\": invalid refresh_interval \"%2\" (must be a "
                               "duration such as 30m or 6h)")
                    .arg(ln, interval));
        QSet<QString> drives;
        for (const QJsonValue &d : l.value(s("drives")).toArray()) {
            const QString did = d.toObject().value(s("drive_id")).toString();
            if (did.isEmpty())
                return invalid(QStringLiteral("layer \"%1\": drive_id must not be empty").arg(ln));
            if (drives.contains(did))
                return invalid(
                    QStringLiteral("layer \"%1\": duplicate drive_id \"%2\"").arg(ln, did));
            drives.insert(did);
        }
    }
    const QString tier = cfg.value(s("tier")).toString();
    if (!tier.isEmpty() && !kTiers.contains(tier))
        return replyError(r, 400, QStringLiteral("invalid tier: unknown tier \"%1\"").arg(tier));
    static const QRegularExpression slug(QStringLiteral("^[a-z0-9][a-z0-9-]*[a-z0-9]$"));
    if (name.size() < 3 || name.size() > 64 || !slug.match(name).hasMatch())
        return replyError(r, 400,
                          QStringLiteral("invalid config_id: \"%1\" must be 3-64 characters of "
                                         "a-z, 0-9 and '-', starting and ending with a letter or "
                                         "digit")
                              .arg(name));

    const QString tenant = cfg.value(s("tenant_gcp_project")).toString();
    const QString id = tenant.isEmpty() ? name : tenant + s("--") + name;
    const QJsonObject def = normalizeBody(body);
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
    rec.tier = tier.isEmpty() ? s("m") : tier;
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
        } else if (it->status == QLatin1String("inactive")) {
            it->status = it->currentVersion.isEmpty() ? s("pending") : s("active");
            saveLayer(*it);
        }
        QJsonObject lo{{s("name"), m.name},
                       {s("hash"), m.hash},
                       {s("depth"), m.depth},
                       {s("status"), it->status}};
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
        QJsonObject o{{s("name"), c.layerNames.value(i)},
                      {s("layer_hash"), c.layerHashes.at(i)},
                      {s("status"), l.status.isEmpty() ? s("unknown") : l.status},
                      {s("depth"), i}};
        if (!l.currentVersion.isEmpty())
            o[s("current_version")] = l.currentVersion;
        if (!l.activeBuild.isEmpty() && m_builds.contains(l.activeBuild)) {
            const BuildRecord &b = m_builds[l.activeBuild];
            if (b.inFlight()) {
                o[s("build_status")] = b.status;
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
        l.status = s("inactive");
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
                   l.status == QLatin1String("active")) {
            continue;
        }
        BuildRecord b;
        b.version = newVersion(l.hash);
        while (m_builds.contains(b.version))
            b.version = newVersion(l.hash);
        b.configId = c.id;
        b.layerName = c.layerNames.value(i);
        b.layerHash = l.hash;
        b.status = s("queued");
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
    it->status = s("cancelled");
    saveBuild(*it);
}

// ---------------------------------------------------------------- build execution

void ConfigService::pump()
{
    QList<BuildRecord *> waiting;
    for (BuildRecord &b : m_builds)
        if (b.status == QLatin1String("queued") || b.status == QLatin1String("waiting_parent"))
            waiting << &b;
    std::sort(waiting.begin(), waiting.end(),
              [](const BuildRecord *a, const BuildRecord *b) { return a->seq < b->seq; });
    QStringList toStart, toFail;
    for (BuildRecord *b : waiting) {
        const LayerRecord &l = m_layers[b->layerHash];
        if (l.parentHash.isEmpty()) {
            toStart << b->version;
            continue;
        }
        const LayerRecord &p = m_layers[l.parentHash];
        if (!p.activeBuild.isEmpty()) {
            if (b->status != QLatin1String("waiting_parent")) {
                b->status = s("waiting_parent");
                saveBuild(*b);
            }
        } else if (p.status == QLatin1String("active") && !p.currentVersion.isEmpty()) {
            toStart << b->version;
        } else {
            toFail << b->version;
        }
    }
    for (const QString &v : toFail) {
        const BuildRecord &b = m_builds[v];
        finishBuild(v, false, -1,
                    QStringLiteral("parent layer of %1 is not built").arg(b.layerName));
    }
    for (const QString &v : toStart)
        startBuild(m_builds[v]);
}

void ConfigService::startBuild(BuildRecord &b)
{
    b.status = s("running");
    b.startedAt = nowRfc3339();
    saveBuild(b);
    const LayerRecord &layer = m_layers[b.layerHash];
    appendLog(b.version, QStringLiteral("started at %1\n").arg(b.startedAt).toUtf8());
    appendLog(b.version, baseImageNote(b.baseImage).toUtf8());

    bool needsSandbox = false;
    for (const QJsonValue &v : layer.commands)
        if (!isPlatformMarker(v.toObject().value(s("type")).toString()))
            needsSandbox = true;
    m_running[b.version]; // may already hold log followers
    if (!needsSandbox) {
        runNextCommand(b.version);
        return;
    }
    if (!Sandbox::bubblewrapAvailable() && !m_options.unsafeNoSandbox) {
        finishBuild(b.version, false, -1,
                    s("bubblewrap (bwrap) is not installed: builds need it (install bubblewrap or "
                      "start capsule-local with --unsafe-no-sandbox)"));
        return;
    }
    SandboxSpec spec;
    spec.id = QStringLiteral("build-") + b.version.right(4) + b.layerHash.left(8);
    spec.stateDir = m_options.dataDir + s("/builds/") + b.version;
    QStringList lowers;
    QString h = layer.parentHash;
    while (!h.isEmpty()) {
        const LayerRecord &p = m_layers[h];
        if (!p.resultDir.isEmpty())
            lowers.prepend(p.resultDir);
        h = p.parentHash;
    }
    spec.lowerLayers = lowers;
    spec.baseRoot = m_options.images.value(b.baseImage, s("/"));
    spec.runnerUser = b.runnerUser;
    spec.unsafeNoSandbox = m_options.unsafeNoSandbox;
    appendLog(b.version,
              QStringLiteral("stacked on %1 parent layer result(s)\n").arg(lowers.size()).toUtf8());
    auto *sandbox = new Sandbox(spec, this);
    QString error;
    if (!sandbox->start(&error)) {
        delete sandbox;
        finishBuild(b.version, false, -1, QStringLiteral("sandbox start failed: %1").arg(error));
        return;
    }
    m_running[b.version].sandbox = sandbox;
    runNextCommand(b.version);
}

void ConfigService::runNextCommand(const QString &version)
{
    auto rit = m_running.find(version);
    if (rit == m_running.end())
        return;
    const BuildRecord &b = m_builds[version];
    const LayerRecord &layer = m_layers[b.layerHash];
    while (rit->nextCommand < layer.commands.size()) {
        const QJsonObject cmd = layer.commands.at(rit->nextCommand++).toObject();
        const QString type = cmd.value(s("type")).toString();
        QStringList argv;
        for (const QJsonValue &a : cmd.value(s("args")).toArray())
            argv << a.toString();
        if (isPlatformMarker(type)) {
            appendLog(version, QStringLiteral("# %1 %2 (platform marker, nothing to run)\n")
                                   .arg(type, argv.join(QLatin1Char(' ')))
                                   .toUtf8());
            continue;
        }
        if (type != QLatin1String("shell"))
            return finishBuild(version, false, -1,
                               QStringLiteral("unknown command type \"%1\"").arg(type));
        if (argv.isEmpty())
            return finishBuild(version, false, -1, s("shell command has no args"));
        const bool asRoot = cmd.value(s("run_as_root")).toBool();
        appendLog(version, QStringLiteral("$ %1%2\n")
                               .arg(asRoot ? s("(root) ") : QString(), argv.join(QLatin1Char(' ')))
                               .toUtf8());
        QProcess *p = rit->sandbox->startProcess(argv, {}, QString(), asRoot, this);
        rit->process = p;
        connect(p, &QProcess::readyReadStandardOutput, this,
                [this, version, p] { appendLog(version, p->readAllStandardOutput()); });
        connect(p, &QProcess::readyReadStandardError, this,
                [this, version, p] { appendLog(version, p->readAllStandardError()); });
        connect(p, &QProcess::finished, this,
                [this, version, p](int code, QProcess::ExitStatus status) {
                    appendLog(version, p->readAllStandardOutput());
                    appendLog(version, p->readAllStandardError());
                    auto it = m_running.find(version);
                    if (it == m_running.end() || it->process != p)
                        return;
                    it->process = nullptr;
                    p->deleteLater();
                    if (status != QProcess::NormalExit)
                        return finishBuild(version, false, -1, s("command killed by a signal"));
                    if (code != 0)
                        return finishBuild(version, false, code,
                                           QStringLiteral("command exited with code %1").arg(code));
                    runNextCommand(version);
                });
        connect(p, &QProcess::errorOccurred, this, [this, version, p](QProcess::ProcessError e) {
            if (e != QProcess::FailedToStart)
                return;
            auto it = m_running.find(version);
            if (it == m_running.end() || it->process != p)
                return;
            it->process = nullptr;
            p->deleteLater();
            finishBuild(version, false, -1,
                        QStringLiteral("start failed: %1").arg(p->errorString()));
        });
        if (p->state() == QProcess::NotRunning && p->error() == QProcess::FailedToStart) {
            rit->process = nullptr;
            p->deleteLater();
            return finishBuild(version, false, -1,
                               QStringLiteral("start failed: %1").arg(p->errorString()));
        }
        return;
    }
    finishBuild(version, true, 0, QString());
}

void ConfigService::finishBuild(const QString &version, bool ok, int exitCode,
                                const QString &message)
{
    auto bit = m_builds.find(version);
    if (bit == m_builds.end())
        return;
    BuildRecord &b = *bit;
    // Followers see the last line before their stream ends.
    appendLog(version, ok ? QStringLiteral("build succeeded: layer %1 is active at %2\n")
                                .arg(b.layerName, version)
                                .toUtf8()
                          : QStringLiteral("build failed: %1\n").arg(message).toUtf8());
    Running run = m_running.take(version);
    if (run.process) {
        run.process->disconnect(this);
        run.process->kill();
        run.process->waitForFinished(2000);
        run.process->deleteLater();
    }
    QString resultDir;
    if (run.sandbox) {
        run.sandbox->stop();
        resultDir = run.sandbox->changesDir();
        delete run.sandbox;
    }
    LayerRecord &l = m_layers[b.layerHash];
    b.finishedAt = nowRfc3339();
    b.hasExitCode = true;
    b.exitCode = exitCode;
    if (ok) {
        if (resultDir.isEmpty()) {
            // Nothing ran (platform markers only): an empty result keeps the stacking uniform.
            resultDir = m_options.dataDir + s("/builds/") + version + s("/empty");
            QDir().mkpath(resultDir);
        }
        b.status = s("succeeded");
        l.status = s("active");
        l.currentVersion = version;
        l.resultDir = resultDir;
    } else {
        b.status = s("failed");
    }
    if (l.activeBuild == version)
        l.activeBuild.clear();
    saveLayer(l);
    saveBuild(b);
    for (const Follower &f : run.followers) {
        if (f.socket && f.socket->state() == QAbstractSocket::ConnectedState)
            finishChunks(f.responder);
    }
    if (!m_pumpQueued) {
        m_pumpQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_pumpQueued = false;
            pump();
        });
    }
}

void ConfigService::appendLog(const QString &version, const QByteArray &text)
{
    if (text.isEmpty())
        return;
    const BuildRecord &b = m_builds[version];
    QFile log(b.logPath);
    if (log.open(QIODevice::Append))
        log.write(text);
    auto it = m_running.find(version);
    if (it == m_running.end())
        return;
    for (const Follower &f : it->followers)
        if (f.socket && f.socket->state() == QAbstractSocket::ConnectedState)
            writeChunk(f.responder, text);
}

// ---------------------------------------------------------------- build list/log

void ConfigService::listBuilds(const QString &id, const Responder &r)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return replyError(r, 404, s("config not found"));
    QList<const BuildRecord *> bs;
    for (const BuildRecord &b : m_builds)
        if (c->layerHashes.contains(b.layerHash))
            bs << &b;
    std::sort(bs.begin(), bs.end(),
              [](const BuildRecord *a, const BuildRecord *b) { return a->seq < b->seq; });
    QJsonArray out;
    for (const BuildRecord *b : bs) {
        const int idx = c->layerHashes.indexOf(b->layerHash);
        out.append(QJsonObject{
            {s("layer_name"), c->layerNames.value(idx, b->layerName)},
            {s("version"), b->version},
            {s("status"), b->status},
            {s("started_at"), b->startedAt.isEmpty() ? QJsonValue() : QJsonValue(b->startedAt)},
            {s("finished_at"), b->finishedAt.isEmpty() ? QJsonValue() : QJsonValue(b->finishedAt)},
            {s("exit_code"), b->hasExitCode ? QJsonValue(b->exitCode) : QJsonValue()}});
    }
    replyJson(r, 200, {{s("builds"), out}, {s("count"), out.size()}});
}

void ConfigService::buildLog(const QString &id, const QString &version, bool follow,
                             const Responder &r)
{
    const ConfigRecord *c = config(id);
    if (!c)
        return replyError(r, 404, s("config not found"));
    auto it = m_builds.constFind(version);
    if (it == m_builds.constEnd() || !c->layerHashes.contains(it->layerHash))
        return replyError(r, 404, QStringLiteral("build not found: %1").arg(version));
    QFile log(it->logPath);
    QByteArray text;
    if (log.open(QIODevice::ReadOnly))
        text = log.readAll();
    if (!follow || !it->inFlight()) {
        r->writeStatusLine(200);
        r->writeHeader("Content-Type", "text/plain; charset=utf-8");
        r->writeHeader("Content-Length", QByteArray::number(text.size()));
        r->writeBody(text);
        return;
    }
    writeChunkedHead(r, 200, "text/plain; charset=utf-8");
    writeChunk(r, text);
    if (!m_running.contains(version)) {
        // Queued or waiting: make a slot so appendLog/finishBuild find the follower.
        m_running.insert(version, Running{});
    }
    m_running[version].followers.append(Follower{r, QPointer<QTcpSocket>(r->socket())});
}

} // namespace capsule::local
