// capsule-local's HTTP server: the listener (connection cap, eviction), requests, the shared
// bearer check and the Go-shaped reply helpers. Parsing and timeouts: http/connection.cpp.
#include "local/httpserver.h"

#include "local/http/connection.h"
#include "local/metrics.h"

#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <memory>

#include <sys/resource.h>
#include <unistd.h>

namespace capsule::local {

QByteArray httpReason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 413:
        return "Request Entity Too Large";
    case 416:
        return "Requested Range Not Satisfiable";
    case 422:
        return "Unprocessable Entity";
    case 423:
        return "Locked";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

namespace {

int envMs(const char *name, int fallback)
{
    bool ok = false;
    const double seconds = qEnvironmentVariable(name).toDouble(&ok);
    return ok && seconds > 0 ? int(qMin(seconds * 1000.0, 86400000.0)) : fallback;
}

// Each connection is a descriptor: use the hard limit, not the (often 1024) soft one.
void raiseFileLimit()
{
    static bool done = false;
    if (done)
        return;
    done = true;
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

} // namespace

HttpLimits HttpLimits::fromEnvironment()
{
    HttpLimits l;
    l.headerTimeoutMs = envMs("CAPSULE_LOCAL_HTTP_HEADER_TIMEOUT", l.headerTimeoutMs);
    l.idleTimeoutMs = envMs("CAPSULE_LOCAL_HTTP_IDLE_TIMEOUT", l.idleTimeoutMs);
    l.bodyTimeoutMs = envMs("CAPSULE_LOCAL_HTTP_BODY_TIMEOUT", l.bodyTimeoutMs);
    bool ok = false;
    const int max = qEnvironmentVariableIntValue("CAPSULE_LOCAL_HTTP_MAX_CONNECTIONS", &ok);
    if (ok && max > 0)
        l.maxConnections = max;
    return l;
}

// ---- HttpRequest ----

QByteArray HttpRequest::value(const QByteArray &name) const
{
    for (const auto &h : m_headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

int HttpRequest::headerCount(const QByteArray &name) const
{
    int n = 0;
    for (const auto &h : m_headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            ++n;
    return n;
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return m_method == "GET" && value("upgrade").trimmed().toLower() == "websocket";
}

// ---- HttpServer ----

class HttpServer::Listener : public QTcpServer
{
public:
    explicit Listener(HttpServer *server)
        : QTcpServer(server)
        , m_server(server)
    {}

protected:
    void incomingConnection(qintptr descriptor) override { m_server->accept(descriptor); }

private:
    HttpServer *m_server;
};

HttpServer::HttpServer(HeadHandler onHead, Handler onRequest, QObject *parent)
    : QObject(parent)
    , m_listener(new Listener(this))
    , m_limits(HttpLimits::fromEnvironment())
    , m_onHead(std::move(onHead))
    , m_onRequest(std::move(onRequest))
{
    raiseFileLimit();
    // Out of descriptors (EMFILE): QTcpServer stops accepting for good. Free one and go on.
    connect(m_listener, &QTcpServer::acceptError, this, [this] {
        evictOne();
        QTimer::singleShot(100, m_listener, [l = m_listener] { l->resumeAccepting(); });
    });
}

HttpServer::~HttpServer()
{
    for (const QPointer<HttpConnection> &c : std::as_const(m_connections))
        delete c.data();
}

quint16 HttpServer::listen(const QHostAddress &address, quint16 port)
{
    // Qt's default backlog (50) drops connections in bursts before we can evict anything.
    m_listener->setListenBacklogSize(1024);
    if (!m_listener->listen(address, port))
        return 0;
    return m_listener->serverPort();
}

int HttpServer::connectionCount() const
{
    return int(m_connections.size());
}

void HttpServer::accept(qintptr descriptor)
{
    auto owned = std::make_unique<QTcpSocket>();
    if (!owned->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        return;
    }
    QTcpSocket *socket = owned.release();
    socket->setParent(this);
    m_connections.removeAll(nullptr);
    if (m_connections.size() >= m_limits.maxConnections && !evictOne()) {
        // Every connection is being answered: refuse this one rather than grow without bound.
        const QByteArray body = "{\"error\":\"too many connections: the limit is " +
                                QByteArray::number(m_limits.maxConnections) + "\"}\n";
        socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                      "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
                      QByteArray::number(body.size()) + "\r\n\r\n" + body);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(2000, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        socket->disconnectFromHost();
        return;
    }
    m_connections.append(new HttpConnection(socket, this));
}

void HttpServer::forget(HttpConnection *connection)
{
    m_connections.removeAll(connection);
}

bool HttpServer::evictOne()
{
    for (const QPointer<HttpConnection> &c : std::as_const(m_connections)) {
        if (c && c->evictable()) {
            QPointer<HttpConnection> victim = c;
            victim->abort(); // removes it from m_connections
            return true;
        }
    }
    return false;
}

// ---- auth ----

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    // No early exit, so the time taken does not reveal how much of the token matched.
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    const qsizetype n = std::max(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? uchar(a.at(i)) : 0;
        const unsigned char y = i < b.size() ? uchar(b.at(i)) : 0;
        diff |= x ^ y;
    }
    return diff == 0;
}

bool bearerTokenMatches(const HttpRequest &request, const QString &token)
{
    if (request.headerCount("Authorization") != 1)
        return false;
    const QByteArray header = request.value("Authorization");
    if (!header.startsWith("Bearer "))
        return false;
    // QByteArray::trimmed() strips ASCII whitespace only: "token\u00a0" stays wrong.
    return constantTimeEquals(header.mid(7).trimmed(), token.toUtf8());
}

// ---- reply helpers ----

static void writeWithHeaders(const Responder &r, int status, const QByteArray &body,
                             const QByteArray &contentType, const Headers &extra)
{
    noteReplyStatus(r.get(), status);
    r->writeStatusLine(status);
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
    r->writeStatusLine(status);
    if (status != 204)
        r->writeHeader("Content-Length", "0");
    r->writeBody(QByteArray());
}

void writeChunkedHead(const Responder &r, int status, const QByteArray &contentType)
{
    noteReplyStatus(r.get(), status);
    r->writeStatusLine(status);
    r->writeHeader("Content-Type", contentType);
    r->writeHeader("Transfer-Encoding", "chunked");
    r->writeHeader("X-Content-Type-Options", "nosniff");
    r->writeBody(QByteArray()); // ends the head
}

void writeChunk(const Responder &r, const QByteArray &data)
{
    r->writeChunk(data);
}

void finishChunks(const Responder &r)
{
    r->endChunks();
}

QString methodName(const HttpRequest &request)
{
    return QString::fromLatin1(request.method());
}

} // namespace capsule::local
