// Error values of the client library: construction from HTTP replies and the is-a hierarchy.
#include "core/error.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace capsule {

Error::Error(ErrorKind kind, QString message)
    : kind(kind)
    , message(std::move(message))
{}

ErrorKind Error::kindForStatus(int status)
{
    switch (status) {
    case 401:
        return ErrorKind::Auth;
    case 404:
        return ErrorKind::NotFound;
    case 409:
        return ErrorKind::Conflict;
    case 429:
        return ErrorKind::RateLimited;
    case 503:
        return ErrorKind::ServiceUnavailable;
    default:
        return ErrorKind::Http;
    }
}

Error Error::fromHttp(int status, const QByteArray &body, const QString &requestId,
                      const QByteArray &retryAfterHeader)
{
    Error e;
    e.kind = kindForStatus(status);
    e.status = status;
    e.requestId = requestId;
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
    if (perr.error == QJsonParseError::NoError && doc.isObject() &&
        doc.object().contains(QStringLiteral("error"))) {
        e.message = doc.object().value(QStringLiteral("error")).toVariant().toString();
    } else {
        e.message = QString::fromUtf8(body).trimmed();
    }
    if (!retryAfterHeader.isEmpty()) {
        bool ok = false;
        const double seconds = retryAfterHeader.trimmed().toDouble(&ok);
        if (ok)
            e.retryAfter = seconds;
    }
    return e;
}

Error Error::unexpectedReply(const QString &what, const QString &requestId)
{
    Error e(ErrorKind::Protocol, QStringLiteral("unexpected answer from the server: ") + what);
    e.requestId = requestId;
    return e;
}

bool Error::is(ErrorKind ancestor) const
{
    if (ancestor == kind || ancestor == ErrorKind::Generic)
        return true;
    switch (ancestor) {
    case ErrorKind::Http:
        return kind == ErrorKind::Auth || kind == ErrorKind::NotFound ||
               kind == ErrorKind::Conflict || kind == ErrorKind::RateLimited ||
               kind == ErrorKind::ServiceUnavailable;
    case ErrorKind::Timeout:
        return kind == ErrorKind::RequestTimeout || kind == ErrorKind::OperationTimeout ||
               kind == ErrorKind::AllocationTimeout;
    default:
        return false;
    }
}

QString Error::kindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Generic:
        return QStringLiteral("CapsuleError");
    case ErrorKind::Value:
        return QStringLiteral("ValueError");
    case ErrorKind::Http:
        return QStringLiteral("CapsuleHTTPError");
    case ErrorKind::Auth:
        return QStringLiteral("CapsuleAuthError");
    case ErrorKind::NotFound:
        return QStringLiteral("CapsuleNotFound");
    case ErrorKind::Conflict:
        return QStringLiteral("CapsuleConflict");
    case ErrorKind::RateLimited:
        return QStringLiteral("CapsuleRateLimited");
    case ErrorKind::ServiceUnavailable:
        return QStringLiteral("CapsuleServiceUnavailable");
    case ErrorKind::Connection:
        return QStringLiteral("CapsuleConnectionError");
    case ErrorKind::Timeout:
        return QStringLiteral("CapsuleTimeoutError");
    case ErrorKind::RequestTimeout:
        return QStringLiteral("CapsuleRequestTimeoutError");
    case ErrorKind::OperationTimeout:
        return QStringLiteral("CapsuleOperationTimeoutError");
    case ErrorKind::AllocationTimeout:
        return QStringLiteral("CapsuleAllocationTimeoutError");
    case ErrorKind::RunnerUnavailable:
        return QStringLiteral("CapsuleRunnerUnavailableError");
    case ErrorKind::Cancelled:
        return QStringLiteral("Cancelled");
    case ErrorKind::Protocol:
        return QStringLiteral("ProtocolError");
    case ErrorKind::Io:
        return QStringLiteral("IOError");
    }
    return QString();
}

QString Error::toString() const
{
    if (isHttp())
        return QStringLiteral("HTTP %1: %2").arg(status).arg(message);
    return message;
}

} // namespace capsule
