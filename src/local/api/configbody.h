// The config create request (contract 2.1) as the API layer reads it: JSON, field types (each
// message names the field), limits, layer rules, tier and id - before the domain service
// (ConfigService) sees it. Knows nothing of HTTP beyond the status and error it proposes.
#pragma once

#include "local/requests.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace capsule::local::api {

// Why a request was refused: the HTTP status and the {"error", "detail"?} reply.
struct ApiError
{
    int status = 400;
    QString error;
    QString detail; // the field-level reason when `error` is the contract's fixed text
    QJsonObject toJson() const;
};

using local::ConfigCreate; // the domain's typed request (local/requests.h)

// Parses and validates a create body; false + `error` on the first problem, in the upstream order
// (JSON, types, limits, rules, tier, id).
bool parseConfigCreate(const QByteArray &raw, ConfigCreate *out, ApiError *error);

// The first field of a create body whose JSON type Go's decoder would refuse, as
// "layers[0].name must be a string, got 5", or empty.
QString configTypeProblem(const QJsonObject &body);

} // namespace capsule::local::api
