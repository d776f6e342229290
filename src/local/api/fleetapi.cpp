#include "local/api/fleetapi.h"

#include "local/api/json.h"
#include "local/api/jsonfields.h"
#include "local/api/status.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>

namespace capsule::local::api {

namespace {

QJsonObject versionsJson(const QMap<QString, QString> &versions)
{
    QJsonObject o;
    for (auto it = versions.begin(); it != versions.end(); ++it)
        o[it.key()] = it.value();
    return o;
}

} // namespace

// ---------------------------------------------------------------- parsing

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

bool parseCanaryReport(const QByteArray &body, CanaryReport *out, QString *error)
{
    QJsonObject object;
    if (!readJsonObject(body, -1, &object, error))
        return false;
    for (const char *k : {"status", "runner", "timestamp"}) {
        const QJsonValue v = object.value(s(k));
        if (!v.isUndefined() && !v.isNull() && !v.isString()) {
            *error = QStringLiteral("invalid request body: %1 must be a string").arg(s(k));
            return false;
        }
    }
    CanaryReport report;
    report.status = object.value(s("status")).toString();
    report.runner = object.value(s("runner")).toString();
    report.timestamp = object.value(s("timestamp")).toString();
    if (report.status.isEmpty())
        *error = s("status is required");
    else if (report.status != QLatin1String("success") && report.status != QLatin1String("failure"))
        *error =
            QStringLiteral("invalid status \"%1\": expected success or failure").arg(report.status);
    else if (report.runner.isEmpty())
        *error = s("runner is required");
    else if (!report.timestamp.isEmpty() && !isRfc3339(report.timestamp))
        *error =
            QStringLiteral("invalid timestamp \"%1\": expected RFC 3339").arg(report.timestamp);
    else
        *out = report;
    return error->isEmpty();
}

bool parseHeartbeat(const QByteArray &body, QString *instanceName, QString *error)
{
    QJsonObject object;
    if (!readJsonObject(body, -1, &object, error))
        return false;
    const QJsonValue name = object.value(s("instance_name"));
    if (!name.isUndefined() && !name.isNull() && !name.isString()) {
        *error = s("invalid request body: instance_name must be a string");
        return false;
    }
    *instanceName = name.toString();
    if (instanceName->isEmpty()) {
        *error = s("instance_name is required");
        return false;
    }
    return true;
}

QJsonObject desiredVersionsJson(const DesiredVersions &desired)
{
    return {{s("instance_name"), desired.instanceName},
            {s("host_id"), desired.hostId},
            {s("desired_versions"), versionsJson(desired.versions)},
            {s("count"), desired.versions.size()}};
}

// ---------------------------------------------------------------- routes

FleetApi::FleetApi(FleetService *fleet, const QString &hostToken)
    : m_fleet(fleet)
    , m_hostToken(hostToken)
{}

void FleetApi::addRoutes(Router &router)
{
    using P = const QStringList &;
    using R = const Responder &;
    using Q = const HttpRequest &;
    router.add(s("GET"), s("versions/fleet"), [this](Q q, P, R r) { fleetVersions(q, r); });
    router.add(s("GET"), s("versions/desired"), [this](Q q, P, R r) { desiredVersions(q, r); });
    router.add(s("POST"), s("canary/report"), [this](Q q, P, R r) { canaryReport(q, r); });
    router.add(s("GET"), s("canary/reports"), [this](Q, P, R r) { canaryReports(r); });
}

void FleetApi::fleetVersions(const HttpRequest &request, const Responder &r)
{
    const QString key =
        formQuery(request.url()).queryItemValue(s("workload_key"), QUrl::FullyDecoded);
    if (key.isEmpty())
        return replyText(r, 400, s("workload_key is required"));
    const Result<FleetVersions> result = m_fleet->fleetVersions(key);
    if (!result.ok())
        return replyServiceError(r, result.error());
    QJsonArray hosts;
    for (const HostVersion &h : result.value().hosts)
        hosts.append(QJsonObject{{s("host_id"), h.hostId},
                                 {s("instance_name"), h.instanceName},
                                 {s("desired_version"), h.desiredVersion},
                                 {s("current_version"), h.currentVersion},
                                 {s("converged"), h.converged}});
    replyJson(r, 200, {{s("workload_key"), key}, {s("hosts"), hosts}, {s("count"), hosts.size()}});
}

void FleetApi::desiredVersions(const HttpRequest &request, const Responder &r)
{
    const QString name =
        formQuery(request.url()).queryItemValue(s("instance_name"), QUrl::FullyDecoded);
    if (name.isEmpty())
        return replyText(r, 400, s("instance_name is required"));
    const Result<DesiredVersions> result = m_fleet->desiredVersions(name);
    if (!result.ok())
        return replyServiceError(r, result.error());
    replyJson(r, 200, desiredVersionsJson(result.value()));
}

void FleetApi::canaryReport(const HttpRequest &request, const Responder &r)
{
    CanaryReport report;
    QString error;
    if (!parseCanaryReport(request.body(), &report, &error))
        return replyText(r, 400, error);
    m_fleet->recordCanary(report);
    replyJson(r, 200, {{s("status"), s("ok")}});
}

void FleetApi::canaryReports(const Responder &r)
{
    QJsonArray out;
    for (const CanaryReport &c : m_fleet->canaryReports())
        out.append(QJsonObject{{s("status"), c.status},
                               {s("runner"), c.runner},
                               {s("timestamp"), c.timestamp},
                               {s("received_at"), c.receivedAt}});
    replyJson(r, 200,
              {{s("reports"), out},
               {s("count"), out.size()},
               {s("successes"), m_fleet->canaryCount(s("success"))},
               {s("failures"), m_fleet->canaryCount(s("failure"))}});
}

void FleetApi::heartbeat(const HttpRequest &request, const Responder &r)
{
    // The host bootstrap token, not the API token (1.4), with the same header rules.
    if (m_hostToken.isEmpty() || !bearerTokenMatches(request, m_hostToken))
        return replyError(r, 401, s("unauthorized"));
    if (request.method() != "POST")
        return replyText(r, 405, s("method not allowed"));
    QString name, error;
    if (!parseHeartbeat(request.body(), &name, &error))
        return replyText(r, 400, error);
    const Result<DesiredVersions> result = m_fleet->heartbeat(name);
    if (!result.ok())
        return replyServiceError(r, result.error());
    replyJson(r, 200,
              {{s("status"), s("ok")},
               {s("host_id"), result.value().hostId},
               {s("desired_versions"), versionsJson(result.value().versions)}});
}

} // namespace capsule::local::api
