// capsule-local's own HTTP/1.1 server (both listeners: control plane and host agents).
//
// Why not QHttpServer: Qt 6.4 reads and copies whole request bodies before any handler runs and
// has no header-time hook, no limits and no timeouts. Here a request's head is parsed first and
// handed to `onHead`, which authenticates and chooses what happens to the body (refuse it,
// buffer it up to a per-route limit, or stream it to the handler) before a byte of it is read.
// See docs/local.md, "HTTP server".
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QUrl>
#include <functional>
#include <memory>

class QTcpSocket;

namespace capsule::local {

class HttpConnection;
class HttpResponder;

using Responder = std::shared_ptr<HttpResponder>;
using Headers = QList<QPair<QByteArray, QByteArray>>;

// Body limits of buffered routes, checked before the body is read (413 beyond). Handlers keep
// their own, smaller limits and the contract's 400s (runner bodies 1 MiB, config bodies 4 MiB);
// this one bounds what the server buffers at all. Streamed routes (uploads) have none.
constexpr qint64 kJsonBodyLimit = 8 * 1024 * 1024;
constexpr qint64 kProxyBodyLimit = 64 * 1024 * 1024;

// Limits of one listener. Defaults can be changed with environment variables (seconds may be
// fractional), read once per listener: CAPSULE_LOCAL_HTTP_HEADER_TIMEOUT,
// CAPSULE_LOCAL_HTTP_IDLE_TIMEOUT, CAPSULE_LOCAL_HTTP_BODY_TIMEOUT,
// CAPSULE_LOCAL_HTTP_MAX_CONNECTIONS.
struct HttpLimits
{
    int headerTimeoutMs = 10000;    // from the first byte of a request to the end of its head
    int idleTimeoutMs = 120000;     // keep-alive: between two requests
    int bodyTimeoutMs = 60000;      // longest pause while a request body is read
    int maxConnections = 1024;      // per listener; see HttpServer
    int maxHeaderBytes = 64 * 1024; // request line + header fields (431 beyond)
    int maxHeaderCount = 100;       // header fields (431 beyond)
    static HttpLimits fromEnvironment();
};

// One request as parsed from its head; body() is filled for buffered routes only.
class HttpRequest
{
public:
    QByteArray method() const { return m_method; }
    QUrl url() const { return m_url; }
    QByteArray target() const { return m_target; } // as sent (path + query, still encoded)
    QByteArray body() const { return m_body; }
    // The first value of header `name` (case-insensitive), or empty.
    QByteArray value(const QByteArray &name) const;
    int headerCount(const QByteArray &name) const;
    Headers headers() const { return m_headers; }
    bool isHttp10() const { return m_http10; }
    bool isWebSocketUpgrade() const;
    qint64 contentLength() const { return m_contentLength; } // -1 when chunked or absent
    bool hasBody() const { return m_chunked || m_contentLength > 0; }

private:
    friend class HttpConnection;
    QByteArray m_method;
    QByteArray m_target;
    QUrl m_url;
    Headers m_headers;
    QByteArray m_body;
    qint64 m_contentLength = -1;
    bool m_chunked = false;
    bool m_http10 = false;
};

// What happens to a request's body, decided by onHead before any of it is read.
struct BodyPlan
{
    enum Kind {
        Answered, // onHead answered (or took the socket): the body is never read; the
                  // connection closes after the answer when the request had one
        Buffer,   // read it whole (413 beyond `limit`), then onRequest
        Stream,   // onRequest at once; the handler pulls the body with Responder::streamBody
    };
    Kind kind = Buffer;
    qint64 limit = kJsonBodyLimit;
    static BodyPlan answered() { return {Answered, 0}; }
    static BodyPlan buffer(qint64 limit = kJsonBodyLimit) { return {Buffer, limit}; }
    static BodyPlan stream() { return {Stream, -1}; }
};

// The answer to one request. Handlers keep it (shared) as long as they need; writes after the
// connection is gone, or after the response is complete, are ignored. A response is complete
// when its Content-Length bytes are written, at endChunks(), or at once for HEAD/204/304; the
// connection then serves the next (pipelined) request in order.
class HttpResponder
{
public:
    ~HttpResponder(); // an unfinished response closes the connection

    void writeStatusLine(int status);
    void writeHeader(const QByteArray &name, const QByteArray &value);
    // Ends the head on its first call (also with an empty array), then writes body bytes as is.
    void writeBody(const QByteArray &data);
    // With "Transfer-Encoding: chunked" in the head: one chunk / the last chunk. For an HTTP/1.0
    // client the head loses that header and the body is delimited by closing the connection.
    void writeChunk(const QByteArray &data);
    void endChunks();

    QTcpSocket *socket() const;
    bool isFinished() const { return m_finished; }

    // BodyPlan::Stream: reads the request body as it arrives. `onData` gets each piece (return
    // false to stop reading: the connection closes after the response); `onEnd` is called once
    // with an empty error when the whole body has arrived, or with the reason it never will
    // (client gone, malformed chunk, body timeout). Call it at most once, from onRequest or later.
    using DataFn = std::function<bool(QByteArrayView)>;
    using EndFn = std::function<void(const QString &error)>;
    void streamBody(DataFn onData, EndFn onEnd);

    // Protocol switch (WebSocket): detaches the socket from the HTTP server, with the request
    // head still unread in it. Only valid inside onHead. The caller owns the socket.
    QTcpSocket *takeSocket();

private:
    friend class HttpConnection;
    HttpResponder(HttpConnection *connection, bool headRequest, bool http10);
    void endHead();
    void send(const QByteArray &bytes);
    void finish();

    QPointer<HttpConnection> m_connection;
    QByteArray m_head;
    qint64 m_contentLength = -1;
    qint64 m_written = 0;
    int m_status = 0;
    bool m_headRequest = false;
    bool m_http10 = false;
    bool m_headEnded = false;
    bool m_chunked = false;
    bool m_unframed = false; // chunked asked, HTTP/1.0 client: raw body, then close
    bool m_noBody = false;
    bool m_close = false;
    bool m_finished = false;
};

// One listener on 127.0.0.1. At maxConnections, a new connection evicts the oldest one that is
// not being answered (idle, or still sending its head or a buffered body); when every
// connection is busy the new one gets 503 and is closed.
class HttpServer : public QObject
{
    Q_OBJECT
public:
    using HeadHandler = std::function<BodyPlan(const HttpRequest &, const Responder &)>;
    using Handler = std::function<void(const HttpRequest &, const Responder &)>;
    HttpServer(HeadHandler onHead, Handler onRequest, QObject *parent = nullptr);
    ~HttpServer() override;

    // Returns the port, or 0 on failure.
    quint16 listen(const QHostAddress &address, quint16 port);
    const HttpLimits &limits() const { return m_limits; }
    int connectionCount() const;

private:
    friend class HttpConnection;
    void accept(qintptr descriptor);
    void forget(HttpConnection *connection);
    bool evictOne();

    class Listener;
    Listener *m_listener = nullptr;
    HttpLimits m_limits;
    HeadHandler m_onHead;
    Handler m_onRequest;
    QList<QPointer<HttpConnection>> m_connections; // oldest first
};

// The one Authorization check of both listeners: exactly one Authorization header whose value
// is "Bearer " + the token, ASCII whitespace trimmed, compared in constant time.
bool bearerTokenMatches(const HttpRequest &request, const QString &token);
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

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

QString methodName(const HttpRequest &request);

} // namespace capsule::local
