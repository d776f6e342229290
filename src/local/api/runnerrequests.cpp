#include "local/api/runnerrequests.h"

#include "local/api/json.h"
#include "local/api/jsonfields.h"
#include "local/common.h"

namespace capsule::local::api {

namespace {

bool readRunnerId(const QByteArray &body, QString *runnerId, QJsonObject *object, QString *error)
{
    if (!readJsonObject(body, kRunnerBodyLimit, object, error))
        return false;
    *runnerId = object->value(s("runner_id")).toString();
    if (runnerId->isEmpty()) {
        *error = s("runner_id is required");
        return false;
    }
    return true;
}

} // namespace

bool parseRunnerId(const QByteArray &body, QString *runnerId, QString *error)
{
    QJsonObject object;
    return readRunnerId(body, runnerId, &object, error);
}

bool parsePause(const QByteArray &body, const QUrlQuery &query, PauseRequest *out, QString *error)
{
    QJsonObject object;
    if (!readRunnerId(body, &out->runnerId, &object, error))
        return false;
    out->syncFs =
        object.value(s("sync_fs")).toBool() || queryBool(query.queryItemValue(s("sync")), false);
    return true;
}

bool parseStatusQuery(const QUrlQuery &query, QString *runnerId, QString *error)
{
    *runnerId = query.queryItemValue(s("runner_id"));
    if (runnerId->isEmpty()) {
        *error = s("runner_id is required");
        return false;
    }
    return true;
}

bool parseQuarantineQuery(const QUrlQuery &query, bool on, QuarantineRequest *out, QString *error)
{
    out->runnerId = query.queryItemValue(s("runner_id"));
    if (out->runnerId.isEmpty()) {
        *error = s("missing runner_id");
        return false;
    }
    out->on = on;
    out->reason = query.queryItemValue(s("reason"), QUrl::FullyDecoded);
    if (out->reason.isNull())
        out->reason = s("");
    out->pauseVm = queryBool(query.queryItemValue(s("pause_vm")), true);
    out->blockEgress = queryBool(query.queryItemValue(s("block_egress")), true);
    out->resumeVm = queryBool(query.queryItemValue(s("resume_vm")), true);
    out->unblockEgress = queryBool(query.queryItemValue(s("unblock_egress")), true);
    return true;
}

} // namespace capsule::local::api
