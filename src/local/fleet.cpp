// Fleet routes of capsule-local (contract 2.4). On one machine "desired" is the latest active
// build of a workload's leaf layer and "current" what a host agent serves: the build its oldest
// live runner of that workload stacks on, or the desired one when no older runner is left.
#include "local/fleet.h"
#include "local/api/json.h"

#include "local/configs.h"
#include "local/metrics.h"
#include "local/runners.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace capsule::local {

namespace {

// RFC 3339 as Go's time.Time decodes it (a date, 'T', a time, optional fraction, Z or offset).
bool isRfc3339(const QString &text)
{
    static const QRegularExpression re(
        s("^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$"));
    if (!re.match(text).hasMatch())
        return false;
    // Drop the fraction: Qt parses at most milliseconds, Go up to nanoseconds.
    QString t = text;
    t.remove(QRegularExpression(s("\\.\\d+")));
    return QDateTime::fromString(t.toUpper(), Qt::ISODate).isValid();
}

// Parses the request body as a JSON object; otherwise answers 400 and returns false.
bool readObjectBody(const FleetService::Request &request, const Responder &r, QJsonObject *out)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &err);
    if (err.error == QJsonParseError::NoError && doc.isObject()) {
        *out = doc.object();
        return true;
    }
    replyText(r, 400,
              QStringLiteral("invalid request body: %1")
                  .arg(err.error != QJsonParseError::NoError ? err.errorString()
                                                             : s("expected a JSON object")));
    return false;
}

const HostSlot *hostByInstance(const RunnerRegistry *runners, const QString &instanceName)
{
    for (const HostSlot &h : runners->hostSlots())
        if (QStringLiteral("capsule-") + h.id == instanceName)
            return &h;
    return nullptr;
}

} // namespace

FleetService::FleetService(const ConfigService *configs, const RunnerRegistry *runners,
                           const ServerOptions &options, QObject *parent)
    : QObject(parent)
    , m_configs(configs)
    , m_runners(runners)
    , m_options(options)
{}

QString FleetService::desiredVersion(const ConfigRecord &config) const
{
    if (config.layerHashes.isEmpty())
        return {};
    const auto it = m_configs->layerRecords().constFind(config.layerHashes.last());
    if (it == m_configs->layerRecords().cend() || it->status != LayerStatus::Active)
        return {};
    return it->currentVersion;
}

QString FleetService::runnerVersion(const Runner &run) const
{
    // Layer results live in <data-dir>/builds/<version>/...; the leaf is the last one.
    if (run.lowerLayers.isEmpty())
        return {};
    const QString prefix = m_options.dataDir + s("/builds/");
    const QString leaf = run.lowerLayers.last();
    if (!leaf.startsWith(prefix))
        return {};
    return leaf.mid(prefix.size()).section(QLatin1Char('/'), 0, 0);
}

QString FleetService::currentVersion(const QString &hostId, const QString &workloadKey,
                                     const QString &desired) const
{
    const Runner *oldest = nullptr;
    for (const Runner *run : m_runners->runnerRecords()) {
        if (run->hostId != hostId || run->workloadKey != workloadKey || !isLive(run->state))
            continue;
        if (!oldest || run->createdAt < oldest->createdAt)
            oldest = run;
    }
    return oldest ? runnerVersion(*oldest) : desired;
}

void FleetService::fleetVersions(const Request &request, const Responder &r) const
{
    if (request.method != QLatin1String("GET"))
        return replyText(r, 405, s("method not allowed"));
    const QString key = request.query.queryItemValue(s("workload_key"), QUrl::FullyDecoded);
    if (key.isEmpty())
        return replyText(r, 400, s("workload_key is required"));
    const ConfigRecord *config = m_configs->configForKey(key);
    if (!config)
        return replyError(r, 404, QStringLiteral("workload_key %1 not found").arg(key));
    const QString desired = desiredVersion(*config);
    QJsonArray hosts;
    for (const HostSlot &h : m_runners->hostSlots()) {
        const QString current = currentVersion(h.id, key, desired);
        hosts.append(QJsonObject{{s("host_id"), h.id},
                                 {s("instance_name"), QStringLiteral("capsule-") + h.id},
                                 {s("desired_version"), desired},
                                 {s("current_version"), current},
                                 {s("converged"), !desired.isEmpty() && current == desired}});
    }
    replyJson(r, 200, {{s("workload_key"), key}, {s("hosts"), hosts}, {s("count"), hosts.size()}});
}

void FleetService::desiredVersions(const Request &request, const Responder &r) const
{
    if (request.method != QLatin1String("GET"))
        return replyText(r, 405, s("method not allowed"));
    const QString name = request.query.queryItemValue(s("instance_name"), QUrl::FullyDecoded);
    if (name.isEmpty())
        return replyText(r, 400, s("instance_name is required"));
    const HostSlot *host = hostByInstance(m_runners, name);
    if (!host)
        return replyError(r, 404, QStringLiteral("host not found: %1").arg(name));
    // Every host of this machine can serve every workload, so each wants every built one.
    QJsonObject versions;
    for (const ConfigRecord &c : m_configs->configRecords()) {
        const QString v = desiredVersion(c);
        if (!v.isEmpty())
            versions[c.leafKey] = v;
    }
    replyJson(r, 200,
              {{s("instance_name"), name},
               {s("host_id"), host->id},
               {s("desired_versions"), versions},
               {s("count"), versions.size()}});
}

void FleetService::canaryReport(const Request &request, const Responder &r)
{
    if (request.method != QLatin1String("POST"))
        return replyText(r, 405, s("method not allowed"));
    QJsonObject body;
    if (!readObjectBody(request, r, &body))
        return;
    for (const char *k : {"status", "runner", "timestamp"}) {
        const QJsonValue v = body.value(s(k));
        if (!v.isUndefined() && !v.isNull() && !v.isString())
            return replyText(r, 400,
                             QStringLiteral("invalid request body: %1 must be a string").arg(s(k)));
    }
    CanaryReport report;
    report.status = body.value(s("status")).toString();
    report.runner = body.value(s("runner")).toString();
    report.timestamp = body.value(s("timestamp")).toString();
    if (report.status.isEmpty())
        return replyText(r, 400, s("status is required"));
    if (report.status != QLatin1String("success") && report.status != QLatin1String("failure"))
        return replyText(r, 400,
                         QStringLiteral("invalid status \"%1\": expected success or failure")
                             .arg(report.status));
    if (report.runner.isEmpty())
        return replyText(r, 400, s("runner is required"));
    if (!report.timestamp.isEmpty() && !isRfc3339(report.timestamp))
        return replyText(
            r, 400,
            QStringLiteral("invalid timestamp \"%1\": expected RFC 3339").arg(report.timestamp));
    report.receivedAt = nowRfc3339();
    m_reports.append(report);
    while (m_reports.size() > kKeptReports)
        m_reports.removeFirst();
    m_canaryCounts[report.status]++;
    replyJson(r, 200, {{s("status"), s("ok")}});
}

void FleetService::canaryReports(const Request &request, const Responder &r) const
{
    if (request.method != QLatin1String("GET"))
        return replyText(r, 405, s("method not allowed"));
    QJsonArray out;
    for (const CanaryReport &c : m_reports)
        out.append(QJsonObject{{s("status"), c.status},
                               {s("runner"), c.runner},
                               {s("timestamp"), c.timestamp},
                               {s("received_at"), c.receivedAt}});
    replyJson(r, 200,
              {{s("reports"), out},
               {s("count"), out.size()},
               {s("successes"), canaryCount(s("success"))},
               {s("failures"), canaryCount(s("failure"))}});
}

void FleetService::heartbeat(const Request &request, const Responder &r)
{
    // The host bootstrap token, not the API token (1.4), with the same header rules.
    if (!request.hostTokenOk)
        return replyError(r, 401, s("unauthorized"));
    if (request.method != QLatin1String("POST"))
        return replyText(r, 405, s("method not allowed"));
    QJsonObject body;
    if (!readObjectBody(request, r, &body))
        return;
    const QJsonValue name = body.value(s("instance_name"));
    if (!name.isUndefined() && !name.isNull() && !name.isString())
        return replyText(r, 400, s("invalid request body: instance_name must be a string"));
    if (name.toString().isEmpty())
        return replyText(r, 400, s("instance_name is required"));
    const HostSlot *host = hostByInstance(m_runners, name.toString());
    if (!host)
        return replyError(r, 404, QStringLiteral("host not found: %1").arg(name.toString()));
    m_lastHeartbeat.insert(host->id, nowRfc3339());
    ++m_heartbeats;
    QJsonObject versions;
    for (const ConfigRecord &c : m_configs->configRecords()) {
        const QString v = desiredVersion(c);
        if (!v.isEmpty())
            versions[c.leafKey] = v;
    }
    replyJson(
        r, 200,
        {{s("status"), s("ok")}, {s("host_id"), host->id}, {s("desired_versions"), versions}});
}

} // namespace capsule::local
