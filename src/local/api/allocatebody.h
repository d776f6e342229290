// The allocate request (contract 2.2 + section 10) as the API layer reads it: field types (each
// message names the field) and the required workload key, before the runner registry sees it.
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>

namespace capsule::local::api {

struct AllocateRequest
{
    QString workloadKey;
    QString requestId; // "" when not sent (the registry falls back to X-Request-Id, then a new id)
    QString sessionId;
    QString networkPolicyPreset;
    QString networkPolicyJson;
    QString proxyAddr;
    QString tenantId;
    QMap<QString, QString> labels;
    int caCertPort = 0; // 0: not given
};

// False + the 400 message ("invalid request body: labels must be an object...",
// "workload_key is required") on the first problem.
bool parseAllocate(const QJsonObject &body, AllocateRequest *out, QString *error);

} // namespace capsule::local::api
