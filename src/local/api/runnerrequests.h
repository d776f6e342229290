// The runner routes' requests as the API layer reads them (contract 2.2): bodies of release,
// pause and connect, the status and quarantine queries. Each returns false + the route's 400 text
// (Go http.Error style); no server is needed to call them (tests/local/tst_api).
#pragma once

#include "local/requests.h"

#include <QByteArray>
#include <QString>
#include <QUrlQuery>

namespace capsule::local::api {

// Runner bodies over this are 400 "invalid request body: body too large".
constexpr qsizetype kRunnerBodyLimit = 1024 * 1024;

// release, pause and connect: {"runner_id": "..."}. As upstream, a runner_id that is not a
// string counts as missing ("runner_id is required").
bool parseRunnerId(const QByteArray &body, QString *runnerId, QString *error);

struct PauseRequest
{
    QString runnerId;
    bool syncFs = false; // body "sync_fs": true, or ?sync=true
};
bool parsePause(const QByteArray &body, const QUrlQuery &query, PauseRequest *out, QString *error);

// GET status?runner_id= ("runner_id is required").
bool parseStatusQuery(const QUrlQuery &query, QString *runnerId, QString *error);

// quarantine/unquarantine ?runner_id=&reason=&pause_vm=&block_egress=&resume_vm=&unblock_egress=
// ("missing runner_id"); the flags default to true, unreadable values too.
bool parseQuarantineQuery(const QUrlQuery &query, bool on, QuarantineRequest *out, QString *error);

} // namespace capsule::local::api
