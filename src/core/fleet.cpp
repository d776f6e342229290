// Fleet version convergence: GET /api/v1/versions/fleet and /versions/desired.
#include "core/fleet.h"

namespace capsule {

FleetHost FleetHost::fromJson(const QJsonObject &o)
{
    FleetHost h;
    h.hostId = jsonString(o.value(QStringLiteral("host_id")));
    h.instanceName = jsonString(o.value(QStringLiteral("instance_name")));
    h.desiredVersion = jsonString(o.value(QStringLiteral("desired_version")));
    h.currentVersion = jsonString(o.value(QStringLiteral("current_version")));
    h.converged = jsonBool(o.value(QStringLiteral("converged")));
    return h;
}

FleetVersions FleetVersions::fromJson(const QJsonObject &o)
{
    FleetVersions f;
    f.workloadKey = jsonString(o.value(QStringLiteral("workload_key")));
    for (const QJsonValue &v : o.value(QStringLiteral("hosts")).toArray())
        f.hosts.append(FleetHost::fromJson(v.toObject()));
    f.count = int(jsonInt(o.value(QStringLiteral("count")), f.hosts.size()));
    return f;
}

Fleet::Fleet(Http *http, QObject *parent)
    : QObject(parent)
    , m_http(http)
{}

ApiJob<FleetVersions> *Fleet::versions(const QString &workloadKey)
{
    if (workloadKey.isEmpty()) {
        auto *job = new ApiJob<FleetVersions>(this);
        job->failLater(Error(ErrorKind::Value, QStringLiteral("workload_key must not be empty")));
        return job;
    }
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/versions/fleet"),
                                      QUrlQuery{{QStringLiteral("workload_key"), workloadKey}});
    req.retry = RetryPolicy::ControlPlaneGet;
    return httpCall<FleetVersions>(m_http, req, this, [](const HttpResponse &r) {
        FleetVersions f = FleetVersions::fromJson(r.json());
        f.requestId = r.requestId;
        return f;
    });
}

ApiJob<DesiredVersions> *Fleet::desired(const QString &instanceName)
{
    if (instanceName.isEmpty()) {
        auto *job = new ApiJob<DesiredVersions>(this);
        job->failLater(Error(ErrorKind::Value, QStringLiteral("instance_name must not be empty")));
        return job;
    }
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/versions/desired"),
                                      QUrlQuery{{QStringLiteral("instance_name"), instanceName}});
    req.retry = RetryPolicy::ControlPlaneGet;
    return httpCall<DesiredVersions>(m_http, req, this, [instanceName](const HttpResponse &r) {
        DesiredVersions d;
        d.instanceName = instanceName;
        const QJsonObject v = r.json().value(QStringLiteral("desired_versions")).toObject();
        for (auto it = v.begin(); it != v.end(); ++it)
            d.versions.insert(it.key(), jsonString(it.value()));
        d.requestId = r.requestId;
        return d;
    });
}

} // namespace capsule
