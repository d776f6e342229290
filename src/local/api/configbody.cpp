#include "local/api/configbody.h"

#include "local/api/json.h"
#include "local/api/jsonfields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QStringList>

#include <algorithm>
#include <limits>

namespace capsule::local::api {

namespace {

const QString kPlatform = QStringLiteral("_platform");
const QStringList kTiers{QStringLiteral("xs"), QStringLiteral("s"), QStringLiteral("m"),
                         QStringLiteral("l"), QStringLiteral("xl")};
constexpr qsizetype kMaxBody = 4 * 1024 * 1024;

// ---- type checks as Go's json decoder does them; null and absent are always fine ----

bool absent(const QJsonValue &v)
{
    return v.isNull() || v.isUndefined();
}
bool isInt(const QJsonValue &v)
{
    if (absent(v))
        return true;
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return d == static_cast<double>(static_cast<qint64>(d));
}
bool allStrings(const QJsonArray &a)
{
    return std::all_of(a.begin(), a.end(), [](const QJsonValue &x) { return x.isString(); });
}

// Collects the first type problem, naming the field by its path.
class Types
{
public:
    QString problem;

    bool str(const QJsonObject &o, const char *key, const QString &path)
    {
        return check(absent(o.value(s(key))) || o.value(s(key)).isString(), o, key, path,
                     "a string");
    }
    bool integer(const QJsonObject &o, const char *key, const QString &path)
    {
        return check(isInt(o.value(s(key))), o, key, path, "an integer");
    }
    bool boolean(const QJsonObject &o, const char *key, const QString &path)
    {
        return check(absent(o.value(s(key))) || o.value(s(key)).isBool(), o, key, path,
                     "a boolean");
    }
    bool object(const QJsonObject &o, const char *key, const QString &path)
    {
        return check(absent(o.value(s(key))) || o.value(s(key)).isObject(), o, key, path,
                     "an object");
    }
    bool array(const QJsonObject &o, const char *key, const QString &path)
    {
        return check(absent(o.value(s(key))) || o.value(s(key)).isArray(), o, key, path,
                     "an array");
    }
    bool stringArray(const QJsonObject &o, const char *key, const QString &path)
    {
        const QJsonValue v = o.value(s(key));
        return check(absent(v) || (v.isArray() && allStrings(v.toArray())), o, key, path,
                     "an array of strings");
    }
    bool stringMap(const QJsonObject &o, const char *key, const QString &path)
    {
        const QJsonValue v = o.value(s(key));
        const QJsonObject m = v.toObject();
        return check(absent(v) || (v.isObject() &&
                                   std::all_of(m.begin(), m.end(),
                                               [](const QJsonValue &x) { return x.isString(); })),
                     o, key, path, "an object of strings");
    }
    // Every element of the array `key` must be an object; `each` checks one.
    template<typename F>
    bool objects(const QJsonObject &o, const char *key, const QString &path, F each)
    {
        if (!array(o, key, path))
            return false;
        const QJsonArray a = o.value(s(key)).toArray();
        for (int i = 0; i < a.size(); ++i) {
            const QString at = QStringLiteral("%1%2[%3]").arg(path, s(key)).arg(i);
            if (!a.at(i).isObject())
                return fail(at, "an object", a.at(i));
            if (!each(a.at(i).toObject(), at + QLatin1Char('.')))
                return false;
        }
        return true;
    }

private:
    bool check(bool ok, const QJsonObject &o, const char *key, const QString &path,
               const char *what)
    {
        return ok || fail(path + s(key), what, o.value(s(key)));
    }
    bool fail(const QString &field, const char *what, const QJsonValue &got)
    {
        if (problem.isEmpty())
            problem = QStringLiteral("%1 must be %2, got %3").arg(field, s(what), describe(got));
        return false;
    }
};

bool commandsOk(Types &t, const QJsonObject &o, const char *key, const QString &path)
{
    return t.objects(o, key, path, [&t](const QJsonObject &c, const QString &at) {
        return t.str(c, "type", at) && t.stringArray(c, "args", at) &&
               t.boolean(c, "run_as_root", at);
    });
}

} // namespace

QString configTypeProblem(const QJsonObject &b)
{
    Types t;
    const QString top;
    const QString cfg = s("config.");
    const QString start = s("start_command.");
    const QJsonObject c = b.value(s("config")).toObject();
    const QJsonObject sc = b.value(s("start_command")).toObject();
    const bool ok =
        t.str(b, "display_name", top) && t.str(b, "base_image", top) &&
        t.objects(
            b, "layers", top,
            [&t](const QJsonObject &l, const QString &at) {
                return t.str(l, "name", at) && commandsOk(t, l, "init_commands", at) &&
                       commandsOk(t, l, "refresh_commands", at) &&
                       t.str(l, "refresh_interval", at) &&
                       t.objects(l, "drives", at, [&t](const QJsonObject &d, const QString &dat) {
                           return t.str(d, "drive_id", dat) && t.str(d, "label", dat) &&
                                  t.integer(d, "size_gb", dat) && t.boolean(d, "read_only", dat) &&
                                  commandsOk(t, d, "commands", dat) && t.str(d, "mount_path", dat);
                       });
            }) &&
        t.object(b, "config", top) && t.boolean(c, "auto_pause", cfg) &&
        t.boolean(c, "auto_rollout", cfg) && t.integer(c, "ttl", cfg) &&
        t.integer(c, "session_max_age_seconds", cfg) && t.integer(c, "rootfs_size_gb", cfg) &&
        t.integer(c, "workspace_size_gb", cfg) && t.str(c, "tier", cfg) &&
        t.str(c, "runner_user", cfg) && t.str(c, "network_policy_preset", cfg) &&
        t.str(c, "tenant_gcp_project", cfg) && t.str(c, "tenant_gcp_zone", cfg) &&
        t.str(c, "tenant_network", cfg) && t.str(c, "tenant_subnet", cfg) &&
        t.str(c, "tenant_service_account", cfg) && t.object(c, "network_policy", cfg) &&
        t.object(c, "auth", cfg) && t.object(b, "start_command", top) &&
        t.stringArray(sc, "command", start) && t.integer(sc, "port", start) &&
        t.str(sc, "health_path", start) && t.stringMap(sc, "env", start) &&
        t.str(sc, "run_as", start);
    return ok ? QString() : t.problem;
}

namespace {

// The numbers and the user name of a create body, read through the shared request helper:
// sizes, TTLs and ages are >= 0, a port is 0-65535, runner_user a POSIX user name (it becomes a
// line of the sandbox's /etc/passwd and a home path).
JsonFields checkConfigFields(const QJsonObject &body)
{
    constexpr qint64 kMaxInt = std::numeric_limits<int>::max();
    constexpr qint64 kMaxSizeGb = 1024 * 1024;
    JsonFields cfg(body.value(s("config")).toObject(), s("config."));
    cfg.integer(s("ttl"), 0, kMaxInt);
    cfg.integer(s("session_max_age_seconds"), 0, std::numeric_limits<qint64>::max());
    cfg.integer(s("rootfs_size_gb"), 0, kMaxSizeGb);
    cfg.integer(s("workspace_size_gb"), 0, kMaxSizeGb);
    cfg.userName(s("runner_user"), s("runner"));
    if (!cfg.ok())
        return cfg;
    JsonFields start(body.value(s("start_command")).toObject(), s("start_command."));
    start.integer(s("port"), 0, 65535);
    if (!start.ok())
        return start;
    const QJsonArray layers = body.value(s("layers")).toArray();
    for (int i = 0; i < layers.size(); ++i) {
        const QJsonArray drives = layers.at(i).toObject().value(s("drives")).toArray();
        for (int j = 0; j < drives.size(); ++j) {
            JsonFields drive(drives.at(j).toObject(),
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
        QStringLiteral("^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|ms|s|m|h))+)\\z"));
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

// The layer rules of 2.1 (names, reserved name, init commands, refresh interval, drive ids).
QString layerRuleProblem(const QJsonObject &body)
{
    QSet<QString> names;
    for (const QJsonValue &v : body.value(s("layers")).toArray()) {
        const QJsonObject l = v.toObject();
        const QString ln = l.value(s("name")).toString();
        if (ln.isEmpty())
            return s("layer name must not be empty");
        if (ln == kPlatform)
            return QStringLiteral("layer name \"%1\" is reserved").arg(kPlatform);
        if (names.contains(ln))
            return QStringLiteral("duplicate layer name \"%1\"").arg(ln);
        names.insert(ln);
        if (l.value(s("init_commands")).toArray().isEmpty())
            return QStringLiteral("layer \"%1\" must have at least one init command").arg(ln);
        const QString interval = l.value(s("refresh_interval")).toString();
        if (!interval.isEmpty() && !isGoDuration(interval))
            return QStringLiteral("layer \"%1\": invalid refresh_interval \"%2\" (must be a "
                                  "duration such as 30m or 6h)")
                .arg(ln, interval);
        QSet<QString> drives;
        for (const QJsonValue &d : l.value(s("drives")).toArray()) {
            const QString did = d.toObject().value(s("drive_id")).toString();
            if (did.isEmpty())
                return QStringLiteral("layer \"%1\": drive_id must not be empty").arg(ln);
            if (drives.contains(did))
                return QStringLiteral("layer \"%1\": duplicate drive_id \"%2\"").arg(ln, did);
            drives.insert(did);
        }
    }
    return {};
}

bool refuse(ApiError *error, const QString &message, const QString &detail = QString())
{
    error->status = 400;
    error->error = message;
    error->detail = detail;
    return false;
}

} // namespace

QJsonObject ApiError::toJson() const
{
    QJsonObject o{{s("error"), error}};
    if (!detail.isEmpty())
        o[s("detail")] = detail;
    return o;
}

bool parseConfigCreate(const QByteArray &raw, ConfigCreate *out, ApiError *error)
{
    // Malformed or mistyped bodies keep the contract's text. A wrong type says in "detail" what
    // and where (as before); malformed JSON gets the bare error object, which strict clients
    // decode as the contract's error type (tests/local/tst_wire_types).
    const QString invalidBody = s("invalid request body");
    if (raw.size() > kMaxBody)
        return refuse(error, invalidBody);
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(raw, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        return refuse(error, invalidBody);
    const QJsonObject body = doc.object();
    const JsonFields fields = checkConfigFields(body);
    if (fields.problem() == JsonFields::Problem::Type)
        return refuse(error, invalidBody, fields.error());
    if (const QString problem = configTypeProblem(body); !problem.isEmpty())
        return refuse(error, invalidBody, problem);
    if (fields.problem() == JsonFields::Problem::Range)
        return refuse(error, QStringLiteral("invalid config: ") + fields.error());
    // Rules first, then tier, then the id (the upstream order).
    if (body.value(s("layers")).toArray().isEmpty() &&
        body.value(s("base_image")).toString().isEmpty())
        return refuse(error,
                      s("invalid config: at least one layer is required unless base_image is set"));
    if (const QString rule = layerRuleProblem(body); !rule.isEmpty())
        return refuse(error, QStringLiteral("invalid config: ") + rule);
    const QJsonObject cfg = body.value(s("config")).toObject();
    const QString tier = cfg.value(s("tier")).toString();
    if (!tier.isEmpty() && !kTiers.contains(tier))
        return refuse(error, QStringLiteral("invalid tier: unknown tier \"%1\"").arg(tier));
    const QString name = body.value(s("display_name")).toString();
    static const QRegularExpression slug(QStringLiteral("^[a-z0-9][a-z0-9-]*[a-z0-9]\\z"));
    if (name.size() < 3 || name.size() > 64 || !slug.match(name).hasMatch())
        return refuse(error,
                      QStringLiteral("invalid config_id: \"%1\" must be 3-64 characters of "
                                     "a-z, 0-9 and '-', starting and ending with a letter or "
                                     "digit")
                          .arg(name));
    const QString tenant = cfg.value(s("tenant_gcp_project")).toString();
    out->body = body;
    out->definition = normalizeBody(body);
    out->displayName = name;
    out->id = tenant.isEmpty() ? name : tenant + s("--") + name;
    out->tier = tier.isEmpty() ? s("m") : tier;
    return true;
}

} // namespace capsule::local::api
