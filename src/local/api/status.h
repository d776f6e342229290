// Where a domain service's error (local/service.h) becomes HTTP: the status code of each error
// kind, the headers it brings, and the two reply shapes of capsule-local's routes. The only place
// that maps ServiceError kinds to status codes.
#pragma once

#include "local/httpserver.h"
#include "local/service.h"

namespace capsule::local::api {

// Invalid 400, NotFound 404, Conflict 409, Failed 500, Unavailable 503, NoCapacity 429.
int httpStatus(ServiceError::Kind kind);
// Headers of an error reply: Retry-After: 2 for NoCapacity (contract 2.2), none otherwise.
Headers errorHeaders(ServiceError::Kind kind);

// {"error": message} with the status and headers of its kind.
void replyServiceError(const Responder &r, const ServiceError &error);
// Go http.Error text (message + "\n") with the status of its kind, for routes whose errors are
// text.
void replyServiceErrorText(const Responder &r, const ServiceError &error);

} // namespace capsule::local::api
