// Error values of the client library: the SDK's exception hierarchy (contract 1.5) as one value
// type.
#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace capsule {

// The SDK hierarchy, flattened. Error::is() answers "is-a" questions along it:
//   Error > Http > {Auth, NotFound, Conflict, RateLimited, ServiceUnavailable}
//   Error > Timeout > {RequestTimeout, OperationTimeout, AllocationTimeout}
//   Error > {Value, Connection, RunnerUnavailable, Cancelled, Protocol, Io}
enum class ErrorKind {
    Generic,
    Value,              // client-side validation (SDK ValueError)
    Http,               // any status >= 400 not listed below (CapsuleHTTPError)
    Auth,               // 401
    NotFound,           // 404
    Conflict,           // 409
    RateLimited,        // 429, carries retryAfter
    ServiceUnavailable, // 503, carries retryAfter
    Connection,         // every transport failure (connect, reset, DNS, TLS, read error)
    Timeout,            // abstract parent of the three below
    RequestTimeout,     // operation: request|download|upload|host_request|stream
    OperationTimeout,   // wait_ready ran out
    AllocationTimeout,  // allocate + wait ran out, carries workloadKey
    RunnerUnavailable,  // runner ended up terminated/suspended/..., carries runnerId + runnerStatus
    Cancelled,          // the caller cancelled the job
    Protocol,           // the server answered something we cannot parse (see unexpectedReply)
    Io,                 // a local file could not be read or written
};

class Error
{
public:
    Error() = default;
    Error(ErrorKind kind, QString message);

    // Maps an HTTP error reply as the SDK does: message = body["error"] when the body is a JSON
    // object holding it, else the raw text (trimmed); Retry-After read as seconds only.
    static Error fromHttp(int status, const QByteArray &body, const QString &requestId,
                          const QByteArray &retryAfterHeader = {});
    static ErrorKind kindForStatus(int status);
    // A reply we cannot use (not JSON, a list where an object belongs, a reply too large, a
    // broken exec stream): Protocol, "unexpected answer from the server: <what>".
    static Error unexpectedReply(const QString &what, const QString &requestId = {});

    bool is(ErrorKind ancestor) const;
    bool isHttp() const { return is(ErrorKind::Http); }
    bool isTimeout() const { return is(ErrorKind::Timeout); }

    // "HTTP 404: layered config not found: x" for HTTP errors, else the message.
    QString toString() const;
    static QString kindName(ErrorKind kind);

    ErrorKind kind = ErrorKind::Generic;
    int status = 0;
    QString message;
    QString requestId;
    std::optional<double> retryAfter;
    QString operation;    // RequestTimeout: request|download|upload|host_request|stream
    QString runnerId;     // RunnerUnavailable
    QString runnerStatus; // RunnerUnavailable
    QString workloadKey;  // AllocationTimeout
};

} // namespace capsule
