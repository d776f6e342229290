// The fleet of contract 2.4 on one machine: version convergence per host, canary reports and
// host heartbeats. A domain service (typed results, local/service.h); the HTTP routes that call
// it are api/fleetapi.*.
#pragma once

#include "local/common.h"
#include "local/service.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>

namespace capsule::local {

class ConfigService;
class RunnerRegistry;
struct ConfigRecord;
struct Runner;

struct CanaryReport
{
    QString status; // "success" | "failure"
    QString runner;
    QString timestamp; // as sent (RFC 3339)
    QString receivedAt;
};

// One host's view of a workload (GET /versions/fleet).
struct HostVersion
{
    QString hostId;
    QString instanceName;
    QString desiredVersion;
    QString currentVersion;
    bool converged = false;
};

struct FleetVersions
{
    QString workloadKey;
    QList<HostVersion> hosts;
};

// What a host should run: workload key -> desired version (built workloads only).
struct DesiredVersions
{
    QString instanceName;
    QString hostId;
    QMap<QString, QString> versions;
};

class FleetService : public QObject
{
    Q_OBJECT
public:
    FleetService(const ConfigService *configs, const RunnerRegistry *runners,
                 const ServerOptions &options, QObject *parent = nullptr);

    // Errors: NotFound "workload_key K not found" (same lookup as allocate).
    Result<FleetVersions> fleetVersions(const QString &workloadKey) const;
    // Errors: NotFound "host not found: N" (instance names are capsule-<host id>).
    Result<DesiredVersions> desiredVersions(const QString &instanceName) const;
    // Keeps a validated report (the last kKeptReports) and counts it; sets its receivedAt.
    void recordCanary(CanaryReport report);
    const QList<CanaryReport> &canaryReports() const { return m_reports; }
    // A host's heartbeat: noted and counted; answers its desired versions. Errors: NotFound.
    Result<DesiredVersions> heartbeat(const QString &instanceName);

    // The version a config's runners should run: the latest active build of its leaf layer.
    QString desiredVersion(const ConfigRecord &config) const;
    // The leaf build a runner's root stacks on ("" when it has none).
    QString runnerVersion(const Runner &run) const;
    // What a host serves for a workload: the version of its oldest live runner of that key, else
    // (nothing old left running) the desired version, which any new runner gets.
    QString currentVersion(const QString &hostId, const QString &workloadKey,
                           const QString &desired) const;

    qint64 canaryCount(const QString &status) const { return m_canaryCounts.value(status); }
    qint64 heartbeatCount() const { return m_heartbeats; }

    static constexpr int kKeptReports = 100;

private:
    QMap<QString, QString> builtVersions() const;

    const ConfigService *m_configs;
    const RunnerRegistry *m_runners;
    ServerOptions m_options;
    QList<CanaryReport> m_reports; // newest last, at most kKeptReports
    QHash<QString, qint64> m_canaryCounts;
    QHash<QString, QString> m_lastHeartbeat; // host id -> RFC 3339
    qint64 m_heartbeats = 0;
};

} // namespace capsule::local
