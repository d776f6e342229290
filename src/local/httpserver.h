// Minimal HTTP server for capsule-local: every request goes to one handler (we do our own routing).
#pragma once

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <functional>
#include <memory>

namespace capsule::local {

using Responder = std::shared_ptr<QHttpServerResponder>;
using Headers = QList<QPair<QByteArray, QByteArray>>;

// QHttpServer 6.4 routes only by its own rules and has no "before routing" hook, but auth must
// run before routing (unknown paths give 401 before 404), so we route ourselves.
class HttpServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    using Handler = std::function<void(const QHttpServerRequest &, Responder)>;
    explicit HttpServer(Handler handler, QObject *parent = nullptr);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    Handler m_handler;
};

// Go encoding/json style reply: compact object plus a trailing newline.
void replyJson(const Responder &r, int status, const QJsonObject &body, const Headers &extra = {});
// {"error": message}
void replyError(const Responder &r, int status, const QString &message, const Headers &extra = {});
// Go http.Error style: text/plain, message + "\n".
void replyText(const Responder &r, int status, const QString &message);
void replyEmpty(const Responder &r, int status);

// Writes a raw head (status line + headers) so the body can follow in chunks.
void writeChunkedHead(const Responder &r, int status, const QByteArray &contentType);
void writeChunk(const Responder &r, const QByteArray &data);
void finishChunks(const Responder &r);

QString methodName(const QHttpServerRequest &request);

} // namespace capsule::local
