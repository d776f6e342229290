// Parsing of the control plane's replies into the typed models.
#include "core/models.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace capsule {

bool jsonBool(const QJsonValue &v, bool fallback)
{
    if (v.isBool())
        return v.toBool();
    if (v.isString()) {
        const QString s = v.toString().trimmed().toLower();
        if (s == QLatin1String("true") || s == QLatin1String("1"))
            return true;
        if (s == QLatin1String("false") || s == QLatin1String("0") || s.isEmpty())
            return false;
    }
    if (v.isDouble())
        return v.toDouble() != 0;
    return fallback;
}

qint64 jsonInt(const QJsonValue &v, qint64 fallback)
{
    if (v.isDouble())
        return qint64(v.toDouble());
    if (v.isString()) {
        bool ok = false;
        const qint64 n = v.toString().trimmed().toLongLong(&ok);
        if (ok)
            return n;
    }
    return fallback;
}

double jsonDouble(const QJsonValue &v, double fallback)
{
    if (v.isDouble())
        return v.toDouble();
    if (v.isString()) {
        bool ok = false;
        const double n = v.toString().trimmed().toDouble(&ok);
        if (ok)
            return n;
    }
    return fallback;
}

QString jsonString(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QString();
}

QDateTime jsonTime(const QJsonValue &v)
{
    QString s = v.toString();
    if (s.isEmpty())
        return {};
    // Qt parses milliseconds at most: cut Go's nanoseconds down to three digits.
    const int dot = s.indexOf(QLatin1Char('.'));
    if (dot > 0) {
        int end = dot + 1;
        while (end < s.size() && s.at(end).isDigit())
            ++end;
        const QString frac = s.mid(dot + 1, end - dot - 1).left(3);
        s = s.left(dot) + (frac.isEmpty() ? QString() : QLatin1Char('.') + frac) + s.mid(end);
    }
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(s, Qt::ISODate);
    return t.toUTC();
}

void ReplyCheck::fail(const QString &what)
{
    if (m_problem.isEmpty())
        m_problem = what;
}

QString ReplyCheck::describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Undefined:
        return QStringLiteral("missing");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("a list");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    }
    return QString();
}

QJsonObject ReplyCheck::object(const QByteArray &body, const QString &requestId)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
    if (perr.error != QJsonParseError::NoError) {
        QString start = QString::fromUtf8(body.left(40)).simplified();
        for (QChar &c : start) {
            if (!c.isPrint())
                c = QLatin1Char('?');
        }
        fail(body.trimmed().isEmpty()
                 ? QStringLiteral("the body is empty, not a JSON object")
                 : QStringLiteral("the body is not JSON (%1 at offset %2; it starts with \"%3\")")
                       .arg(perr.errorString())
                       .arg(perr.offset)
                       .arg(start));
        return {};
    }
    if (!doc.isObject()) {
        fail(QStringLiteral("the body is %1, not a JSON object")
                 .arg(doc.isArray() ? QStringLiteral("a list") : QStringLiteral("a scalar")));
        return {};
    }
    QJsonObject o = doc.object();
    if (!o.contains(QStringLiteral("request_id")))
        o.insert(QStringLiteral("request_id"), requestId);
    return o;
}

namespace {

// Reads the fields of one reply object, recording shape problems in a ReplyCheck. `path` names
// the object in messages ("configs[2]"; empty for the body itself).
class Reader
{
public:
    Reader(QJsonObject o, ReplyCheck *check, const QString &path)
        : m_o(std::move(o))
        , m_check(check ? check : &m_own)
        , m_path(path)
    {}

    ReplyCheck *check() const { return m_check; }
    QString at(const char *key) const
    {
        return m_path.isEmpty() ? QLatin1String(key)
                                : m_path + QLatin1Char('.') + QLatin1String(key);
    }
    QJsonValue value(const char *key) const { return m_o.value(QLatin1String(key)); }

    // A scalar: a list or an object here is a problem; `required` also rejects absent/null/"".
    QJsonValue scalar(const char *key, bool required = false)
    {
        const QJsonValue v = value(key);
        if (v.isArray() || v.isObject()) {
            wrong(key, v, "a scalar");
            return QJsonValue();
        }
        if (required && jsonString(v).isEmpty())
            m_check->fail(v.isUndefined() ? QStringLiteral("%1 is missing").arg(at(key))
                                          : QStringLiteral("%1 is empty").arg(at(key)));
        return v;
    }
    QString str(const char *key, bool required = false)
    {
        return jsonString(scalar(key, required));
    }
    qint64 integer(const char *key, qint64 fallback = 0) { return jsonInt(scalar(key), fallback); }
    bool boolean(const char *key) { return jsonBool(scalar(key)); }
    double number(const char *key) { return jsonDouble(scalar(key)); }
    QDateTime time(const char *key) { return jsonTime(scalar(key)); }

    // A list (null/absent = empty) whose entries are objects, each parsed by `parse`.
    template<class T, class Parse>
    QList<T> list(const char *key, Parse parse, bool required = false)
    {
        QList<T> out;
        const QJsonValue v = value(key);
        if (v.isNull() || v.isUndefined()) {
            if (required)
                m_check->fail(
                    QStringLiteral("%1 is %2, not a list").arg(at(key), ReplyCheck::describe(v)));
            return out;
        }
        if (!v.isArray()) {
            wrong(key, v, "a list");
            return out;
        }
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QString entry = QStringLiteral("%1[%2]").arg(at(key)).arg(i);
            if (!a.at(i).isObject()) {
                m_check->fail(QStringLiteral("%1 is %2, not an object")
                                  .arg(entry, ReplyCheck::describe(a.at(i))));
                return out;
            }
            out.append(parse(a.at(i).toObject(), m_check, entry));
        }
        return out;
    }
    // An object (null/absent = empty unless `required`).
    QJsonObject object(const char *key, bool required = false)
    {
        const QJsonValue v = value(key);
        if (v.isObject())
            return v.toObject();
        if (!v.isNull() && !v.isUndefined())
            wrong(key, v, "an object");
        else if (required)
            m_check->fail(
                QStringLiteral("%1 is %2, not an object").arg(at(key), ReplyCheck::describe(v)));
        return {};
    }

private:
    void wrong(const char *key, const QJsonValue &v, const char *expected)
    {
        m_check->fail(QStringLiteral("%1 is %2, not %3")
                          .arg(at(key), ReplyCheck::describe(v), QLatin1String(expected)));
    }

    QJsonObject m_o;
    ReplyCheck m_own;
    ReplyCheck *m_check;
    QString m_path;
};

// First present key of several spellings (Go field names vs snake_case).
const char *either(const QJsonObject &o, const char *a, const char *b)
{
    const QJsonValue v = o.value(QLatin1String(a));
    return v.isUndefined() || v.isNull() ? b : a;
}

} // namespace

CreatedLayer CreatedLayer::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    CreatedLayer l;
    l.name = r.str("name");
    l.hash = r.str("hash");
    l.depth = int(r.integer("depth"));
    l.status = r.str("status");
    l.currentVersion = r.str("current_version");
    return l;
}

CreateConfigReply CreateConfigReply::fromJson(const QJsonObject &o, ReplyCheck *check,
                                              const QString &path)
{
    Reader r(o, check, path);
    CreateConfigReply c;
    c.configId = r.str("config_id", true);
    c.leafWorkloadKey = r.str("leaf_workload_key");
    c.layers = r.list<CreatedLayer>("layers", &CreatedLayer::fromJson);
    c.requestId = r.str("request_id");
    return c;
}

StoredConfig StoredConfig::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    StoredConfig c;
    c.configId = r.str("config_id", true);
    c.displayName = r.str("display_name");
    c.leafLayerHash = r.str("leaf_layer_hash");
    c.leafWorkloadKey = r.str("leaf_workload_key");
    c.tier = r.str("tier");
    c.startCommand = r.object("start_command");
    c.runnerTtlSeconds = r.integer("runner_ttl_seconds");
    c.sessionMaxAgeSeconds = r.integer("session_max_age_seconds");
    c.autoPause = r.boolean("auto_pause");
    c.autoRollout = r.boolean("auto_rollout");
    c.maxConcurrentRunners = r.integer("max_concurrent_runners");
    c.buildSchedule = r.str("build_schedule");
    c.networkPolicyPreset = r.str("network_policy_preset");
    c.networkPolicy = r.value("network_policy");
    c.createdAt = r.time("created_at");
    c.updatedAt = r.time("updated_at");
    c.raw = o;
    return c;
}

LayerStatus LayerStatus::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    LayerStatus l;
    l.name = r.str("name");
    l.layerHash = r.str("layer_hash");
    l.status = r.str("status");
    l.currentVersion = r.str("current_version");
    l.depth = int(r.integer("depth"));
    l.buildStatus = r.str("build_status");
    l.buildVersion = r.str("build_version");
    l.buildInstanceName = r.str("build_instance_name");
    return l;
}

bool ConfigDetail::buildFinished() const
{
    return !layers.isEmpty() && layers.last().state() == LayerState::Active &&
           !layers.last().currentVersion.isEmpty();
}

bool ConfigDetail::buildInFlight() const
{
    for (const LayerStatus &l : layers) {
        if (!l.buildStatus.isEmpty())
            return true;
    }
    return false;
}

ConfigDetail ConfigDetail::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    ConfigDetail d;
    d.config = StoredConfig::fromJson(r.object("config", true), r.check(), r.at("config"));
    d.layers = r.list<LayerStatus>("layers", &LayerStatus::fromJson); // "layers": null is empty
    d.definition = r.object("definition");
    d.requestId = r.str("request_id");
    return d;
}

ConfigList ConfigList::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    ConfigList l;
    // "configs": null is accepted like an empty list (9.26); absent is not.
    if (o.contains(QStringLiteral("configs")) || !check)
        l.configs = r.list<StoredConfig>("configs", &StoredConfig::fromJson);
    else
        r.check()->fail(QStringLiteral("configs is missing"));
    l.count = int(r.integer("count", l.configs.size()));
    l.requestId = r.str("request_id");
    return l;
}

BuildReply BuildReply::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    BuildReply b;
    b.configId = r.str("config_id");
    b.status = r.str("status", true);
    b.enqueued = int(r.integer("enqueued"));
    b.force = r.boolean("force");
    b.clean = r.boolean("clean");
    b.requestId = r.str("request_id");
    return b;
}

RefreshReply RefreshReply::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    RefreshReply f;
    f.configId = r.str("config_id");
    f.layerName = r.str("layer_name");
    f.status = r.str("status", true);
    f.enqueued = int(r.integer("enqueued"));
    f.requestId = r.str("request_id");
    return f;
}

BuildInfo BuildInfo::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    BuildInfo b;
    b.layerName = r.str("layer_name");
    b.version = r.str("version");
    b.status = r.str("status");
    b.startedAt = r.time("started_at");
    b.finishedAt = r.time("finished_at");
    const QJsonValue code = r.scalar("exit_code");
    if (code.isDouble() || code.isString())
        b.exitCode = int(jsonInt(code));
    return b;
}

BuildList BuildList::fromJson(const QJsonObject &o, ReplyCheck *check)
{
    Reader r(o, check, {});
    BuildList l;
    l.builds = r.list<BuildInfo>("builds", &BuildInfo::fromJson);
    return l;
}

AllocateReply AllocateReply::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    AllocateReply a;
    a.runnerId = r.str("runner_id", true);
    a.hostId = r.str("host_id");
    a.hostAddress = r.str("host_address");
    a.internalIp = r.str("internal_ip");
    a.sessionId = r.str("session_id");
    a.resumed = r.boolean("resumed");
    a.requestId = r.str("request_id");
    return a;
}

RunnerStatus RunnerStatus::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    RunnerStatus s;
    s.runnerId = r.str("runner_id");
    s.status = r.str("status", true);
    s.hostAddress = r.str("host_address");
    s.error = r.str("error");
    s.requestId = r.str("request_id");
    return s;
}

RunnerInfo RunnerInfo::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    RunnerInfo i;
    i.runnerId = r.str("runner_id", true);
    i.hostId = r.str("host_id");
    i.hostName = r.str("host_name");
    i.hostAddress = r.str("host_address");
    i.workloadKey = r.str("workload_key");
    i.status = r.str("status");
    i.internalIp = r.str("internal_ip");
    i.sessionId = r.str("session_id");
    i.resumed = r.boolean("resumed");
    i.proxyAddr = r.str("proxy_addr");
    i.caCertPort = int(r.integer("ca_cert_port"));
    i.tenantId = r.str("tenant_id");
    i.raw = o;
    return i;
}

RunnerList RunnerList::fromJson(const QJsonObject &o, ReplyCheck *check)
{
    Reader r(o, check, {});
    RunnerList l;
    l.runners = r.list<RunnerInfo>("runners", &RunnerInfo::fromJson);
    l.count = int(r.integer("count", l.runners.size()));
    l.requestId = r.str("request_id");
    return l;
}

ReleaseReply ReleaseReply::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    ReleaseReply rr;
    rr.success = r.boolean("success");
    rr.requestId = r.str("request_id");
    return rr;
}

std::optional<qint64> pauseLayer(const QJsonValue &v)
{
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    return jsonInt(v, 0); // lenient: a numeric string reads too (contract 7)
}

PauseReply PauseReply::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    PauseReply p;
    p.success = r.boolean("success");
    p.sessionId = r.str("session_id");
    p.snapshotSizeBytes = r.integer("snapshot_size_bytes");
    p.layer = pauseLayer(o.value(QStringLiteral("layer")));
    p.requestId = r.str("request_id");
    return p;
}

QuarantineReply QuarantineReply::fromJson(const QJsonObject &o, ReplyCheck *check,
                                          const QString &path)
{
    Reader r(o, check, path);
    QuarantineReply q;
    q.success = r.boolean("success");
    q.runnerId = r.str("runner_id");
    q.quarantineDir = r.str("quarantine_dir");
    q.error = r.str("error");
    q.raw = o;
    return q;
}

Snapshot Snapshot::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    Snapshot s;
    s.version = r.str(either(o, "Version", "version"));
    s.status = r.str(either(o, "Status", "status"));
    s.gcsPath = r.str(either(o, "GCSPath", "gcs_path"));
    s.repoCommit = r.str(either(o, "RepoCommit", "repo_commit"));
    s.sizeBytes = r.integer(either(o, "SizeBytes", "size_bytes"));
    s.createdAt = r.time(either(o, "CreatedAt", "created_at"));
    const char *metricsKey = either(o, "Metrics", "metrics");
    Reader m(r.object(metricsKey), r.check(), r.at(metricsKey));
    s.metrics.avgAnalysisTimeMs = m.number("avg_analysis_time_ms");
    s.metrics.cacheHitRatio = m.number("cache_hit_ratio");
    s.metrics.sampleCount = m.integer("sample_count");
    s.workloadKey = o.value(QLatin1String(either(o, "WorkloadKey", "workload_key"))).toString();
    return s;
}

SnapshotList SnapshotList::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    SnapshotList l;
    l.snapshots = r.list<Snapshot>("snapshots", &Snapshot::fromJson);
    l.count = int(r.integer("count", l.snapshots.size()));
    l.currentVersion = r.str("current_version");
    l.requestId = r.str("request_id");
    return l;
}

Host Host::fromJson(const QJsonObject &o, ReplyCheck *check, const QString &path)
{
    Reader r(o, check, path);
    Host h;
    h.id = r.str("id");
    h.instanceName = r.str("instance_name");
    h.zone = r.str("zone");
    h.status = r.str("status");
    h.idleRunners = int(r.integer("idle_runners"));
    h.busyRunners = int(r.integer("busy_runners"));
    h.snapshotVersion = r.str("snapshot_version");
    h.lastHeartbeat = r.time("last_heartbeat");
    h.grpcAddress = r.str("grpc_address");
    h.totalCpuMillicores = r.integer("total_cpu_millicores");
    h.usedCpuMillicores = r.integer("used_cpu_millicores");
    h.totalMemoryMb = r.integer("total_memory_mb");
    h.usedMemoryMb = r.integer("used_memory_mb");
    return h;
}

HostList HostList::fromJson(const QJsonObject &o, ReplyCheck *check)
{
    Reader r(o, check, {});
    HostList l;
    l.hosts = r.list<Host>("hosts", &Host::fromJson);
    l.count = int(r.integer("count", l.hosts.size()));
    l.requestId = r.str("request_id");
    return l;
}

} // namespace capsule
