#include "local/api/allocatebody.h"

#include "local/api/json.h"
#include "local/api/jsonfields.h"
#include "local/api/runnerrequests.h"

namespace capsule::local::api {

bool parseAllocate(const QJsonObject &body, AllocateRequest *out, QString *error)
{
    // Field types of 2.2 + section 10 (labels string->string, ca_cert_port a port number).
    JsonFields fields(body);
    AllocateRequest req;
    req.workloadKey = fields.string(s("workload_key"));
    req.requestId = fields.string(s("request_id"));
    req.sessionId = fields.string(s("session_id"));
    req.networkPolicyPreset = fields.string(s("network_policy_preset"));
    req.networkPolicyJson = fields.string(s("network_policy_json"));
    req.proxyAddr = fields.string(s("proxy_addr"));
    req.tenantId = fields.string(s("tenant_id"));
    req.labels = fields.stringMap(s("labels"));
    req.caCertPort = int(fields.integer(s("ca_cert_port"), 0, 65535));
    if (!fields.ok()) {
        *error = s("invalid request body: ") + fields.error();
        return false;
    }
    if (req.workloadKey.isEmpty()) {
        *error = s("workload_key is required");
        return false;
    }
    *out = std::move(req);
    return true;
}

bool parseAllocateRequest(const QByteArray &body, const QByteArray &requestIdHeader,
                          AllocateRequest *out, QString *error)
{
    QJsonObject object;
    if (!readJsonObject(body, kRunnerBodyLimit, &object, error) ||
        !parseAllocate(object, out, error))
        return false;
    if (out->requestId.isEmpty())
        out->requestId = QString::fromUtf8(requestIdHeader);
    return true;
}

} // namespace capsule::local::api
