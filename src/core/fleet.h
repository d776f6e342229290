// Fleet version convergence (contract 2.4 `versions/fleet` and `versions/desired`; not called by
// the SDK, used by the app's Hosts view).
#pragma once

#include "core/apicall.h"
#include "core/models.h"

#include <QMap>
#include <QObject>

namespace capsule {

// One host of GET /api/v1/versions/fleet.
struct FleetHost
{
    QString hostId;
    QString instanceName;
    QString desiredVersion;
    QString currentVersion;
    bool converged = false;
    static FleetHost fromJson(const QJsonObject &o);
};

struct FleetVersions
{
    QString workloadKey;
    QList<FleetHost> hosts;
    int count = 0;
    QString requestId;
    static FleetVersions fromJson(const QJsonObject &o);
};

// GET /api/v1/versions/desired: the host's desired version per workload key.
struct DesiredVersions
{
    QString instanceName;
    QMap<QString, QString> versions; // workload key -> version
    QString requestId;
};

class Fleet : public QObject
{
    Q_OBJECT
public:
    explicit Fleet(Http *http, QObject *parent = nullptr);
    // GET /api/v1/versions/fleet?workload_key= (a ValueError-style failure for an empty key).
    ApiJob<FleetVersions> *versions(const QString &workloadKey);
    // GET /api/v1/versions/desired?instance_name=
    ApiJob<DesiredVersions> *desired(const QString &instanceName);

private:
    Http *m_http;
};

} // namespace capsule
