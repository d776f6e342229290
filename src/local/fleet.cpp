// Fleet routes of capsule-local (contract 2.4). On one machine "desired" is the latest active
// build of a workload's leaf layer and "current" what a host agent serves: the build its oldest
// live runner of that workload stacks on, or the desired one when no older runner is left.
#include "local/fleet.h"
#include "local/api/json.h"

#include "local/configs.h"
#include "local/metrics.h"
#include "local/runners.h"

namespace capsule::local {

namespace {

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

Result<FleetVersions> FleetService::fleetVersions(const QString &key) const
{
    const ConfigRecord *config = m_configs->configForKey(key);
    if (!config)
        return ServiceError::notFound(QStringLiteral("workload_key %1 not found").arg(key));
    const QString desired = desiredVersion(*config);
    FleetVersions out{key, {}};
    for (const HostSlot &h : m_runners->hostSlots()) {
        const QString current = currentVersion(h.id, key, desired);
        out.hosts.append(HostVersion{h.id, QStringLiteral("capsule-") + h.id, desired, current,
                                     !desired.isEmpty() && current == desired});
    }
    return out;
}

// Every host of this machine can serve every workload, so each wants every built one.
QMap<QString, QString> FleetService::builtVersions() const
{
    QMap<QString, QString> versions;
    for (const ConfigRecord &c : m_configs->configRecords()) {
        const QString v = desiredVersion(c);
        if (!v.isEmpty())
            versions[c.leafKey] = v;
    }
    return versions;
}

Result<DesiredVersions> FleetService::desiredVersions(const QString &name) const
{
    const HostSlot *host = hostByInstance(m_runners, name);
    if (!host)
        return ServiceError::notFound(QStringLiteral("host not found: %1").arg(name));
    return DesiredVersions{name, host->id, builtVersions()};
}

void FleetService::recordCanary(CanaryReport report)
{
    report.receivedAt = nowRfc3339();
    m_canaryCounts[report.status]++;
    m_reports.append(std::move(report));
    while (m_reports.size() > kKeptReports)
        m_reports.removeFirst();
}

Result<DesiredVersions> FleetService::heartbeat(const QString &name)
{
    const HostSlot *host = hostByInstance(m_runners, name);
    if (!host)
        return ServiceError::notFound(QStringLiteral("host not found: %1").arg(name));
    m_lastHeartbeat.insert(host->id, nowRfc3339());
    ++m_heartbeats;
    return DesiredVersions{name, host->id, builtVersions()};
}

} // namespace capsule::local
