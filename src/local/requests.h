// The typed requests capsule-local's domain services take: plain data, already parsed and
// validated by the API layer (src/local/api/), with no trace of HTTP.
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>

namespace capsule::local {

// Allocate (contract 2.2 + section 10), as api/allocatebody.h reads it.
struct AllocateRequest
{
    QString workloadKey;
    QString requestId; // "" when not sent: the API layer puts X-Request-Id, the registry a new id
    QString sessionId;
    QString networkPolicyPreset;
    QString networkPolicyJson;
    QString proxyAddr;
    QString tenantId;
    QMap<QString, QString> labels;
    int caCertPort = 0; // 0: not given
};

// Quarantine / unquarantine (contract 2.2 query parameters).
struct QuarantineRequest
{
    QString runnerId;
    bool on = true; // quarantine (true) or unquarantine
    QString reason; // quarantine only; "" when not given
    bool pauseVm = true;
    bool blockEgress = true;
    bool resumeVm = true;      // unquarantine only
    bool unblockEgress = true; // unquarantine only
};

// Config create (contract 2.1), as api/configbody.h reads and validates it.
struct ConfigCreate
{
    QJsonObject body;       // as sent (validated)
    QJsonObject definition; // normalized: every field present, explicit run_as_root
    QString id;             // <tenant_gcp_project>--<display_name> or the display name
    QString displayName;
    QString tier; // "m" when not given
};

} // namespace capsule::local
