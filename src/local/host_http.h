// Shared pieces of the host agent's routes: the request as kept by async handlers, responses.
#pragma once

#include "local/httpserver.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QPointer>
#include <QString>
#include <QTcpSocket>
#include <QUrlQuery>

#include <memory>
#include <utility>

class QWebSocket;

namespace capsule::local {

struct HostRunner;

// A request copied out of HttpRequest (which dies when the handler returns), with the
// responder kept alive for streamed and asynchronous answers. `body` is empty for the upload
// route, whose body is streamed: responder->streamBody().
struct HostRequest
{
    Responder responder;
    QPointer<QTcpSocket> socket;
    QByteArray method;
    QString path;
    QUrlQuery query;
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; // lower-case names
};

using HeaderPairs = QList<std::pair<QByteArray, QByteArray>>;

// Writes a complete response with Content-Length (connection stays usable for keep-alive).
void sendRaw(const HostRequest &req, int status, const QByteArray &contentType,
             const QByteArray &body, const HeaderPairs &extra = {});
// Go http.Error style: "message\n" as text/plain.
void sendText(const HostRequest &req, int status, const QString &message,
              const HeaderPairs &extra = {});
// Go encoding/json style: compact object + "\n".
void sendJson(const HostRequest &req, int status, const QJsonObject &body,
              const HeaderPairs &extra = {});
// Streamed responses: status line + headers, then body pieces.
void beginStream(const HostRequest &req, int status, const HeaderPairs &headers);
void writeChunk(const HostRequest &req, const QByteArray &data); // chunked transfer coding
void endChunks(const HostRequest &req);

// RFC 3339 with fractional seconds, UTC (Go's RFC3339Nano drops trailing zeros).
QString rfc3339Nano();

// Route handlers. Each returns the object that serves a long-lived request (deleted when the
// request ends or the runner goes away), or nullptr when it answered at once.
QObject *startExec(const HostRequest &req, const HostRunner &runner, QObject *parent);
bool isFileOp(const QString &op);
QObject *handleFileOp(const HostRequest &req, const HostRunner &runner, const QString &op,
                      QObject *parent);
QObject *startPty(QWebSocket *socket, const HostRunner &runner, QObject *parent);
QObject *serveServiceLogs(const HostRequest &req, const HostRunner &runner, QObject *parent);
QObject *startProxy(const HostRequest &req, const HostRunner &runner, const QString &path,
                    QObject *parent);

} // namespace capsule::local
