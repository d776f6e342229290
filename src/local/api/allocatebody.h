// The allocate request (contract 2.2 + section 10) as the API layer reads it: field types (each
// message names the field) and the required workload key, before the runner registry sees it.
#pragma once

#include "local/requests.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace capsule::local::api {

using local::AllocateRequest; // the domain's typed request (local/requests.h)

// False + the 400 message ("invalid request body: labels must be an object...",
// "workload_key is required") on the first problem.
bool parseAllocate(const QJsonObject &body, AllocateRequest *out, QString *error);

// The whole request: the body (a JSON object of at most 1 MiB, then parseAllocate) and, when the
// body has no request_id, the X-Request-Id header's. False + the 400 text.
bool parseAllocateRequest(const QByteArray &body, const QByteArray &requestIdHeader,
                          AllocateRequest *out, QString *error);

} // namespace capsule::local::api
