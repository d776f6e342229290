// Response helpers of the host agent (plain, JSON, streamed and chunked bodies).
#include "local/host_http.h"

#include <QDateTime>
#include <QJsonDocument>

namespace capsule::local {

namespace {

bool usable(const HostRequest &req)
{
    return req.responder && req.socket && req.socket->state() == QAbstractSocket::ConnectedState;
}

} // namespace

void beginStream(const HostRequest &req, int status, const HeaderPairs &headers)
{
    if (!usable(req))
        return;
    req.responder->writeStatusLine(status);
    for (const auto &h : headers)
        req.responder->writeHeader(h.first, h.second);
}

void sendRaw(const HostRequest &req, int status, const QByteArray &contentType,
             const QByteArray &body, const HeaderPairs &extra)
{
    if (!usable(req))
        return;
    HeaderPairs headers{{"Content-Type", contentType},
                        {"Content-Length", QByteArray::number(body.size())}};
    headers += extra;
    beginStream(req, status, headers);
    req.responder->writeBody(body);
}

void sendText(const HostRequest &req, int status, const QString &message, const HeaderPairs &extra)
{
    HeaderPairs headers{{"X-Content-Type-Options", "nosniff"}};
    headers += extra;
    sendRaw(req, status, "text/plain; charset=utf-8", message.toUtf8() + '\n', headers);
}

void sendJson(const HostRequest &req, int status, const QJsonObject &body, const HeaderPairs &extra)
{
    sendRaw(req, status, "application/json",
            QJsonDocument(body).toJson(QJsonDocument::Compact) + '\n', extra);
}

void writeChunk(const HostRequest &req, const QByteArray &data)
{
    if (!usable(req) || data.isEmpty())
        return;
    req.responder->writeChunk(data);
}

void endChunks(const HostRequest &req)
{
    if (!usable(req))
        return;
    req.responder->endChunks();
}

QString rfc3339Nano()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString frac = QString::number(now.time().msec()).rightJustified(3, QLatin1Char('0'));
    while (frac.endsWith(QLatin1Char('0')))
        frac.chop(1);
    return now.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) +
           (frac.isEmpty() ? QString() : QLatin1Char('.') + frac) + QLatin1Char('Z');
}

} // namespace capsule::local
