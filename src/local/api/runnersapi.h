// The runner routes of the control plane (contract 2.2 + section 10 + local extensions): request
// parsing (runnerrequests.h, allocatebody.h), the calls into RunnerRegistry, and the replies:
// status codes, JSON bodies, error shapes. RunnerRegistry itself knows nothing of HTTP.
#pragma once

#include "local/api/router.h"
#include "local/runners.h"

#include <QJsonObject>

namespace capsule::local::api {

class RunnersApi
{
public:
    explicit RunnersApi(RunnerRegistry *runners);

    // /runners, /runners/{status,allocate,release,pause,connect,quarantine,unquarantine},
    // /hosts, /hosts/{id}/{drain,undrain}, /snapshots.
    void addRoutes(Router &router);

private:
    void allocate(const HttpRequest &request, const Responder &r);
    void status(const HttpRequest &request, const Responder &r);
    void list(const Responder &r);
    void release(const HttpRequest &request, const Responder &r);
    void pause(const HttpRequest &request, const Responder &r);
    void connectRunner(const HttpRequest &request, const Responder &r);
    void quarantine(const HttpRequest &request, const Responder &r, bool on);
    void hosts(const Responder &r);
    void drain(const QString &hostId, bool on, const Responder &r);
    void snapshots(const Responder &r);

    RunnerRegistry *m_runners;
};

// The JSON of the replies (also used by tests/local/tst_api).
QJsonObject allocateReplyJson(const AllocateReply &reply);
QJsonObject runnerStatusJson(const RunnerStatus &status);
QJsonObject runnerListItemJson(const Runner &run, const QString &hostAddress);
QJsonObject pauseReplyJson(const PauseReply &reply);
QJsonObject quarantineReplyJson(const QString &runnerId, const QuarantineReply &reply);
QJsonObject hostsJson(const HostsReport &report);
QJsonObject snapshotJson(const Runner &run);

} // namespace capsule::local::api
