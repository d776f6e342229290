#include "local/api/status.h"

namespace capsule::local::api {

int httpStatus(ServiceError::Kind kind)
{
    switch (kind) {
    case ServiceError::Kind::Invalid:
        return 400;
    case ServiceError::Kind::NotFound:
        return 404;
    case ServiceError::Kind::Conflict:
        return 409;
    case ServiceError::Kind::Failed:
        return 500;
    case ServiceError::Kind::Unavailable:
        return 503;
    case ServiceError::Kind::NoCapacity:
        return 429;
    }
    return 500;
}

Headers errorHeaders(ServiceError::Kind kind)
{
    if (kind == ServiceError::Kind::NoCapacity)
        return {{"Retry-After", "2"}};
    return {};
}

void replyServiceError(const Responder &r, const ServiceError &error)
{
    replyError(r, httpStatus(error.kind), error.message, errorHeaders(error.kind));
}

void replyServiceErrorText(const Responder &r, const ServiceError &error)
{
    replyText(r, httpStatus(error.kind), error.message);
}

} // namespace capsule::local::api
