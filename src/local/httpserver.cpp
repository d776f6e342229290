// Minimal HTTP server for capsule-local: request dispatch and Go-shaped reply helpers.
#include "local/httpserver.h"

#include "local/metrics.h"

#include <QJsonDocument>
#include <QTcpSocket>

namespace capsule::local {

HttpServer::HttpServer(Handler handler, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_handler(std::move(handler))
{}

bool HttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Followed build logs are written in small pieces; see HostAgent for why Nagle must go.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_handler(request, std::make_shared<QHttpServerResponder>(makeResponder(request, socket)));
    return true;
}

void HttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    makeResponder(request, socket)
        .write(QByteArray("404 page not found\n"), "text/plain; charset=utf-8",
               QHttpServerResponder::StatusCode::NotFound);
}

static QHttpServerResponder::StatusCode code(int status)
{
    return static_cast<QHttpServerResponder::StatusCode>(status);
}

static void writeWithHeaders(const Responder &r, int status, const QByteArray &body,
                             const QByteArray &contentType, const Headers &extra)
{
    noteReplyStatus(r.get(), status);
    r->writeStatusLine(code(status));
    r->writeHeader("Content-Type", contentType);
    r->writeHeader("Content-Length", QByteArray::number(body.size()));
    for (const auto &h : extra)
        r->writeHeader(h.first, h.second);
    r->writeBody(body);
}

void replyJson(const Responder &r, int status, const QJsonObject &body, const Headers &extra)
{
    writeWithHeaders(r, status, QJsonDocument(body).toJson(QJsonDocument::Compact) + '\n',
                     "application/json", extra);
}

void replyError(const Responder &r, int status, const QString &message, const Headers &extra)
{
    replyJson(r, status, QJsonObject{{QStringLiteral("error"), message}}, extra);
}

void replyText(const Responder &r, int status, const QString &message)
{
    writeWithHeaders(r, status, message.toUtf8() + '\n', "text/plain; charset=utf-8", {});
}

void replyEmpty(const Responder &r, int status)
{
    noteReplyStatus(r.get(), status);
    r->writeStatusLine(code(status));
    if (status != 204)
        r->writeHeader("Content-Length", "0");
    r->writeBody(QByteArray());
}

void writeChunkedHead(const Responder &r, int status, const QByteArray &contentType)
{
    noteReplyStatus(r.get(), status);
    r->writeStatusLine(code(status));
    r->writeHeader("Content-Type", contentType);
    r->writeHeader("Transfer-Encoding", "chunked");
    r->writeHeader("X-Content-Type-Options", "nosniff");
    // writeBody of an empty array ends the header block without a Content-Length.
    r->writeBody(QByteArray());
}

void writeChunk(const Responder &r, const QByteArray &data)
{
    if (data.isEmpty())
        return;
    r->writeBody(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void finishChunks(const Responder &r)
{
    r->writeBody(QByteArray("0\r\n\r\n"));
    if (QTcpSocket *s = r->socket())
        s->flush();
}

QString methodName(const QHttpServerRequest &request)
{
    switch (request.method()) {
    case QHttpServerRequest::Method::Get:
        return QStringLiteral("GET");
    case QHttpServerRequest::Method::Post:
        return QStringLiteral("POST");
    case QHttpServerRequest::Method::Put:
        return QStringLiteral("PUT");
    case QHttpServerRequest::Method::Delete:
        return QStringLiteral("DELETE");
    case QHttpServerRequest::Method::Head:
        return QStringLiteral("HEAD");
    case QHttpServerRequest::Method::Patch:
        return QStringLiteral("PATCH");
    case QHttpServerRequest::Method::Options:
        return QStringLiteral("OPTIONS");
    default:
        return QStringLiteral("OTHER");
    }
}

} // namespace capsule::local
