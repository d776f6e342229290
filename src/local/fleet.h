// The fleet routes of contract 2.4 on one machine: version convergence per host, canary reports
// and host heartbeats.
#pragma once

#include "local/common.h"
#include "local/httpserver.h"

#include <QDateTime>
#include <QHash>
#include <QList>
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

class FleetService : public QObject
{
    Q_OBJECT
public:
    FleetService(const ConfigService *configs, const RunnerRegistry *runners,
                 const ServerOptions &options, QObject *parent = nullptr);

    // The request parts these routes read; the HTTP request type stays out of this file.
    struct Request
    {
        QString method;
        QUrlQuery query;
        QByteArray body;
        bool hostTokenOk =
            false; // bearerTokenMatches(request, host token): same header rules as the API token
    };

    // GET /api/v1/versions/fleet?workload_key=, GET /api/v1/versions/desired?instance_name=
    void fleetVersions(const Request &request, const Responder &r) const;
    void desiredVersions(const Request &request, const Responder &r) const;
    // POST /api/v1/canary/report {status, runner, timestamp}
    void canaryReport(const Request &request, const Responder &r);
    // GET /api/v1/canary/reports (local): the last reports and the counts
    void canaryReports(const Request &request, const Responder &r) const;
    // POST /api/v1/hosts/heartbeat with the host token (only routed when one is configured)
    void heartbeat(const Request &request, const Responder &r);

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
    const ConfigService *m_configs;
    const RunnerRegistry *m_runners;
    ServerOptions m_options;
    QList<CanaryReport> m_reports; // newest last, at most kKeptReports
    QHash<QString, qint64> m_canaryCounts;
    QHash<QString, QString> m_lastHeartbeat; // host id -> RFC 3339
    qint64 m_heartbeats = 0;
};

} // namespace capsule::local
