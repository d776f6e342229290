// The fleet routes of the control plane (contract 2.4): queries and bodies (canary reports, host
// heartbeats with the host token), the calls into FleetService and the replies. FleetService
// itself knows nothing of HTTP.
#pragma once

#include "local/api/router.h"
#include "local/fleet.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace capsule::local::api {

class FleetApi
{
public:
    // `hostToken`: the host bootstrap token ("" = no heartbeat route).
    FleetApi(FleetService *fleet, const QString &hostToken);

    // /versions/fleet, /versions/desired, /canary/report, /canary/reports.
    void addRoutes(Router &router);
    // POST /api/v1/hosts/heartbeat: routed by ControlPlane (outside the API token) only when a
    // host token is set; this checks it with the API token's header rules.
    void heartbeat(const HttpRequest &request, const Responder &r);

private:
    void fleetVersions(const HttpRequest &request, const Responder &r);
    void desiredVersions(const HttpRequest &request, const Responder &r);
    void canaryReport(const HttpRequest &request, const Responder &r);
    void canaryReports(const Responder &r);

    FleetService *m_fleet;
    QString m_hostToken;
};

// POST /canary/report {status, runner, timestamp?}: false + the 400 text ("invalid request body:
// runner must be a string", "status is required", "invalid status \"x\": expected success or
// failure", "runner is required", "invalid timestamp \"x\": expected RFC 3339").
bool parseCanaryReport(const QByteArray &body, CanaryReport *out, QString *error);
// POST /hosts/heartbeat {instance_name}: false + the 400 text.
bool parseHeartbeat(const QByteArray &body, QString *instanceName, QString *error);
// RFC 3339 as Go's time.Time decodes it (a date, 'T', a time, optional fraction, Z or offset).
bool isRfc3339(const QString &text);

QJsonObject desiredVersionsJson(const DesiredVersions &desired);

} // namespace capsule::local::api
