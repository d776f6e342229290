// Parsing of the control plane's replies into the typed models.
#include "core/models.h"

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

namespace {

QString str(const QJsonObject &o, const char *key)
{
    return jsonString(o.value(QLatin1String(key)));
}

QString requestIdOf(const QJsonObject &o)
{
    return str(o, "request_id");
}

// First present key of several spellings (Go field names vs snake_case).
QJsonValue either(const QJsonObject &o, const char *a, const char *b)
{
    const QJsonValue v = o.value(QLatin1String(a));
    return v.isUndefined() || v.isNull() ? o.value(QLatin1String(b)) : v;
}

} // namespace

CreatedLayer CreatedLayer::fromJson(const QJsonObject &o)
{
    CreatedLayer l;
    l.name = str(o, "name");
    l.hash = str(o, "hash");
    l.depth = int(jsonInt(o.value(QLatin1String("depth"))));
    l.status = str(o, "status");
    l.currentVersion = str(o, "current_version");
    return l;
}

CreateConfigReply CreateConfigReply::fromJson(const QJsonObject &o)
{
    CreateConfigReply r;
    r.configId = str(o, "config_id");
    r.leafWorkloadKey = str(o, "leaf_workload_key");
    for (const QJsonValue &v : o.value(QLatin1String("layers")).toArray())
        r.layers.append(CreatedLayer::fromJson(v.toObject()));
    r.requestId = requestIdOf(o);
    return r;
}

StoredConfig StoredConfig::fromJson(const QJsonObject &o)
{
    StoredConfig c;
    c.configId = str(o, "config_id");
    c.displayName = str(o, "display_name");
    c.leafLayerHash = str(o, "leaf_layer_hash");
    c.leafWorkloadKey = str(o, "leaf_workload_key");
    c.tier = str(o, "tier");
    c.startCommand = o.value(QLatin1String("start_command")).toObject();
    c.runnerTtlSeconds = jsonInt(o.value(QLatin1String("runner_ttl_seconds")));
    c.sessionMaxAgeSeconds = jsonInt(o.value(QLatin1String("session_max_age_seconds")));
    c.autoPause = jsonBool(o.value(QLatin1String("auto_pause")));
    c.autoRollout = jsonBool(o.value(QLatin1String("auto_rollout")));
    c.maxConcurrentRunners = jsonInt(o.value(QLatin1String("max_concurrent_runners")));
    c.buildSchedule = str(o, "build_schedule");
    c.networkPolicyPreset = str(o, "network_policy_preset");
    c.networkPolicy = o.value(QLatin1String("network_policy"));
    c.createdAt = jsonTime(o.value(QLatin1String("created_at")));
    c.updatedAt = jsonTime(o.value(QLatin1String("updated_at")));
    c.raw = o;
    return c;
}

LayerStatus LayerStatus::fromJson(const QJsonObject &o)
{
    LayerStatus l;
    l.name = str(o, "name");
    l.layerHash = str(o, "layer_hash");
    l.status = str(o, "status");
    l.currentVersion = str(o, "current_version");
    l.depth = int(jsonInt(o.value(QLatin1String("depth"))));
    l.buildStatus = str(o, "build_status");
    l.buildVersion = str(o, "build_version");
    l.buildInstanceName = str(o, "build_instance_name");
    return l;
}

bool ConfigDetail::buildFinished() const
{
    return !layers.isEmpty() && layers.last().status == QLatin1String("active") &&
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

ConfigDetail ConfigDetail::fromJson(const QJsonObject &o)
{
    ConfigDetail d;
    d.config = StoredConfig::fromJson(o.value(QLatin1String("config")).toObject());
    for (const QJsonValue &v : o.value(QLatin1String("layers")).toArray())
        d.layers.append(LayerStatus::fromJson(v.toObject()));
    d.definition = o.value(QLatin1String("definition")).toObject();
    d.requestId = requestIdOf(o);
    return d;
}

ConfigList ConfigList::fromJson(const QJsonObject &o)
{
    ConfigList l;
    // "configs": null is accepted like an empty list.
    for (const QJsonValue &v : o.value(QLatin1String("configs")).toArray())
        l.configs.append(StoredConfig::fromJson(v.toObject()));
    l.count = int(jsonInt(o.value(QLatin1String("count")), l.configs.size()));
    l.requestId = requestIdOf(o);
    return l;
}

BuildReply BuildReply::fromJson(const QJsonObject &o)
{
    BuildReply r;
    r.configId = str(o, "config_id");
    r.status = str(o, "status");
    r.enqueued = int(jsonInt(o.value(QLatin1String("enqueued"))));
    r.force = jsonBool(o.value(QLatin1String("force")));
    r.clean = jsonBool(o.value(QLatin1String("clean")));
    r.requestId = requestIdOf(o);
    return r;
}

RefreshReply RefreshReply::fromJson(const QJsonObject &o)
{
    RefreshReply r;
    r.configId = str(o, "config_id");
    r.layerName = str(o, "layer_name");
    r.status = str(o, "status");
    r.enqueued = int(jsonInt(o.value(QLatin1String("enqueued"))));
    r.requestId = requestIdOf(o);
    return r;
}

BuildInfo BuildInfo::fromJson(const QJsonObject &o)
{
    BuildInfo b;
    b.layerName = str(o, "layer_name");
    b.version = str(o, "version");
    b.status = str(o, "status");
    b.startedAt = jsonTime(o.value(QLatin1String("started_at")));
    b.finishedAt = jsonTime(o.value(QLatin1String("finished_at")));
    const QJsonValue code = o.value(QLatin1String("exit_code"));
    if (code.isDouble() || code.isString())
        b.exitCode = int(jsonInt(code));
    return b;
}

AllocateReply AllocateReply::fromJson(const QJsonObject &o)
{
    AllocateReply r;
    r.runnerId = str(o, "runner_id");
    r.hostId = str(o, "host_id");
    r.hostAddress = str(o, "host_address");
    r.internalIp = str(o, "internal_ip");
    r.sessionId = str(o, "session_id");
    r.resumed = jsonBool(o.value(QLatin1String("resumed")));
    r.requestId = requestIdOf(o);
    return r;
}

RunnerStatus RunnerStatus::fromJson(const QJsonObject &o)
{
    RunnerStatus s;
    s.runnerId = str(o, "runner_id");
    s.status = str(o, "status");
    s.hostAddress = str(o, "host_address");
    s.error = str(o, "error");
    s.requestId = requestIdOf(o);
    return s;
}

RunnerInfo RunnerInfo::fromJson(const QJsonObject &o)
{
    RunnerInfo r;
    r.runnerId = str(o, "runner_id");
    r.hostId = str(o, "host_id");
    r.hostName = str(o, "host_name");
    r.hostAddress = str(o, "host_address");
    r.workloadKey = str(o, "workload_key");
    r.status = str(o, "status");
    r.internalIp = str(o, "internal_ip");
    r.sessionId = str(o, "session_id");
    r.resumed = jsonBool(o.value(QLatin1String("resumed")));
    r.proxyAddr = str(o, "proxy_addr");
    r.caCertPort = int(jsonInt(o.value(QLatin1String("ca_cert_port"))));
    r.tenantId = str(o, "tenant_id");
    r.raw = o;
    return r;
}

ReleaseReply ReleaseReply::fromJson(const QJsonObject &o)
{
    ReleaseReply r;
    r.success = jsonBool(o.value(QLatin1String("success")));
    r.requestId = requestIdOf(o);
    return r;
}

PauseReply PauseReply::fromJson(const QJsonObject &o)
{
    PauseReply r;
    r.success = jsonBool(o.value(QLatin1String("success")));
    r.sessionId = str(o, "session_id");
    r.snapshotSizeBytes = jsonInt(o.value(QLatin1String("snapshot_size_bytes")));
    r.layer = str(o, "layer");
    r.requestId = requestIdOf(o);
    return r;
}

QuarantineReply QuarantineReply::fromJson(const QJsonObject &o)
{
    QuarantineReply r;
    r.success = jsonBool(o.value(QLatin1String("success")));
    r.runnerId = str(o, "runner_id");
    r.quarantineDir = str(o, "quarantine_dir");
    r.error = str(o, "error");
    r.raw = o;
    return r;
}

Snapshot Snapshot::fromJson(const QJsonObject &o)
{
    Snapshot s;
    s.version = jsonString(either(o, "Version", "version"));
    s.status = jsonString(either(o, "Status", "status"));
    s.gcsPath = jsonString(either(o, "GCSPath", "gcs_path"));
    s.repoCommit = jsonString(either(o, "RepoCommit", "repo_commit"));
    s.sizeBytes = jsonInt(either(o, "SizeBytes", "size_bytes"));
    s.createdAt = jsonTime(either(o, "CreatedAt", "created_at"));
    const QJsonObject m = either(o, "Metrics", "metrics").toObject();
    s.metrics.avgAnalysisTimeMs = jsonDouble(m.value(QLatin1String("avg_analysis_time_ms")));
    s.metrics.cacheHitRatio = jsonDouble(m.value(QLatin1String("cache_hit_ratio")));
    s.metrics.sampleCount = jsonInt(m.value(QLatin1String("sample_count")));
    return s;
}

SnapshotList SnapshotList::fromJson(const QJsonObject &o)
{
    SnapshotList l;
    for (const QJsonValue &v : o.value(QLatin1String("snapshots")).toArray())
        l.snapshots.append(Snapshot::fromJson(v.toObject()));
    l.count = int(jsonInt(o.value(QLatin1String("count")), l.snapshots.size()));
    l.currentVersion = str(o, "current_version");
    l.requestId = requestIdOf(o);
    return l;
}

Host Host::fromJson(const QJsonObject &o)
{
    Host h;
    h.id = str(o, "id");
    h.instanceName = str(o, "instance_name");
    h.zone = str(o, "zone");
    h.status = str(o, "status");
    h.idleRunners = int(jsonInt(o.value(QLatin1String("idle_runners"))));
    h.busyRunners = int(jsonInt(o.value(QLatin1String("busy_runners"))));
    h.snapshotVersion = str(o, "snapshot_version");
    h.lastHeartbeat = jsonTime(o.value(QLatin1String("last_heartbeat")));
    h.grpcAddress = str(o, "grpc_address");
    h.totalCpuMillicores = jsonInt(o.value(QLatin1String("total_cpu_millicores")));
    h.usedCpuMillicores = jsonInt(o.value(QLatin1String("used_cpu_millicores")));
    h.totalMemoryMb = jsonInt(o.value(QLatin1String("total_memory_mb")));
    h.usedMemoryMb = jsonInt(o.value(QLatin1String("used_memory_mb")));
    return h;
}

} // namespace capsule
