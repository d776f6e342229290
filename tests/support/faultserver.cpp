// Scripted HTTP server implementation: parse requests, record them, answer or misbehave on cue.
#include "support/faultserver.h"

#include <QJsonDocument>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace capsule::test {

namespace {

QString routeKey(const QByteArray &method, const QString &path)
{
    return QString::fromLatin1(method.toUpper()) + QLatin1Char(' ') + path;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

} // namespace

QByteArray FaultServer::Request::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

bool FaultServer::Request::hasHeader(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QJsonObject FaultServer::Request::json() const
{
    return QJsonDocument::fromJson(body).object();
}

FaultServer::Reply FaultServer::json(int status, const QJsonObject &body,
                                     const QList<QPair<QByteArray, QByteArray>> &headers)
{
    Reply r;
    r.status = status;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact) + '\n';
    r.headers = headers;
    return r;
}

FaultServer::Reply FaultServer::text(int status, const QByteArray &body)
{
    Reply r;
    r.status = status;
    r.body = body;
    r.contentType = "text/plain; charset=utf-8";
    return r;
}

FaultServer::Reply FaultServer::action(Reply::Action action)
{
    Reply r;
    r.action = action;
    return r;
}

FaultServer::FaultServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &FaultServer::onNewConnection);
}

FaultServer::~FaultServer() = default;

bool FaultServer::listen()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

quint16 FaultServer::port() const
{
    return m_server->serverPort();
}

QString FaultServer::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

QString FaultServer::hostAddress() const
{
    return QStringLiteral("127.0.0.1:%1").arg(port());
}

void FaultServer::enqueue(const QByteArray &method, const QString &path, const Reply &reply)
{
    m_queues[routeKey(method, path)].append(reply);
}

void FaultServer::setDefault(const QByteArray &method, const QString &path, const Reply &reply)
{
    m_defaults.insert(routeKey(method, path), reply);
}

QList<FaultServer::Request> FaultServer::requestsTo(const QByteArray &method,
                                                    const QString &path) const
{
    QList<Request> out;
    for (const Request &r : m_requests) {
        if (r.method == method.toUpper() && r.path == path)
            out.append(r);
    }
    return out;
}

int FaultServer::count(const QByteArray &method, const QString &path) const
{
    return int(requestsTo(method, path).size());
}

void FaultServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void FaultServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buf = m_buffers[socket];
    buf += socket->readAll();
    const int headerEnd = buf.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;
    const QList<QByteArray> lines = buf.left(headerEnd).split('\n');
    Request req;
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    req.method = requestLine.value(0);
    const QByteArray target = requestLine.value(1);
    const int q = target.indexOf('?');
    req.path = QString::fromUtf8(q < 0 ? target : target.left(q));
    if (q >= 0)
        req.query = QUrlQuery(QString::fromUtf8(target.mid(q + 1)));
    qint64 contentLength = 0;
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const int colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed();
        const QByteArray value = line.mid(colon + 1).trimmed();
        req.headers.append({name, value});
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
            contentLength = value.toLongLong();
    }
    if (buf.size() < headerEnd + 4 + contentLength)
        return; // wait for the rest of the body
    req.body = buf.mid(headerEnd + 4, contentLength);
    buf.clear();
    socket->disconnect(this, nullptr); // one request per connection
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        m_buffers.remove(socket);
        socket->deleteLater();
    });

    m_requests.append(req);
    emit requestReceived(int(m_requests.size()) - 1);

    Reply reply;
    bool chosen = false;
    if (m_handler) {
        reply = m_handler(req);
        chosen = reply.status != 0;
    }
    const QString key = routeKey(req.method, req.path);
    if (!chosen) {
        QList<Reply> &queue = m_queues[key];
        if (!queue.isEmpty()) {
            reply = queue.takeFirst();
        } else if (m_defaults.contains(key)) {
            reply = m_defaults.value(key);
        } else {
            reply = text(404, "404 page not found\n");
        }
    }
    if (reply.delayMs > 0) {
        QPointer<QTcpSocket> guard(socket);
        QTimer::singleShot(reply.delayMs, this, [this, guard, reply] {
            if (guard)
                respond(guard, reply);
        });
    } else {
        respond(socket, reply);
    }
}

void FaultServer::respond(QTcpSocket *socket, const Reply &reply)
{
    using A = Reply::Action;
    if (reply.action == A::Hang)
        return;
    if (reply.action == A::Drop) {
        socket->abort();
        return;
    }
    QByteArray out =
        "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) + "\r\n";
    if (!reply.contentType.isEmpty() && reply.status != 204)
        out += "Content-Type: " + reply.contentType + "\r\n";
    for (const auto &h : reply.headers)
        out += h.first + ": " + h.second + "\r\n";
    out += "Connection: close\r\n";
    if (reply.action == A::DropMidBody) {
        out += "Content-Length: " + QByteArray::number(reply.body.size() + 1000) + "\r\n\r\n";
        out += reply.body;
        socket->write(out);
        // A graceful close after the partial body: Qt is reading by then, so it reports the
        // truncation instead of silently resending the request.
        socket->disconnectFromHost();
        return;
    }
    if (reply.action == A::Trickle) {
        out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n";
        socket->write(out);
        const int n = std::max(1, reply.trickleChunks);
        const qsizetype piece = (reply.body.size() + n - 1) / n;
        QPointer<QTcpSocket> guard(socket);
        for (int i = 0; i < n; ++i) {
            QTimer::singleShot(reply.trickleMs * (i + 1), this, [guard, reply, piece, i, n] {
                if (!guard)
                    return;
                guard->write(reply.body.mid(i * piece, piece));
                if (i == n - 1)
                    guard->disconnectFromHost();
            });
        }
        return;
    }
    if (reply.action == A::Generate) {
        if (reply.announceLength)
            out +=
                "Content-Length: " + QByteArray::number(reply.body.size() + reply.generatedBytes) +
                "\r\n";
        socket->write(out + "\r\n" + reply.body);
        generate(socket, reply);
        return;
    }
    if (reply.status != 204)
        out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
    out += "\r\n";
    if (reply.status != 204)
        out += reply.body;
    socket->write(out);
    socket->disconnectFromHost();
}

void FaultServer::generate(QTcpSocket *socket, const Reply &reply)
{
    // Refilled from bytesWritten so at most a few MiB wait in the socket: the server side of a
    // huge reply costs no memory, whatever the client does with it.
    constexpr qint64 kWindow = 2 * 1024 * 1024;
    QByteArray block;
    while (block.size() < 256 * 1024)
        block += reply.pattern.isEmpty() ? QByteArray(" ") : reply.pattern;
    auto left = std::make_shared<qint64>(reply.generatedBytes);
    QPointer<QTcpSocket> guard(socket);
    auto pump = [guard, left, block] {
        if (!guard)
            return;
        while (*left > 0 && guard->bytesToWrite() < kWindow) {
            const qint64 n = std::min<qint64>(*left, block.size());
            guard->write(block.constData(), n);
            *left -= n;
        }
        if (*left == 0 && guard->bytesToWrite() == 0)
            guard->disconnectFromHost();
    };
    connect(socket, &QTcpSocket::bytesWritten, socket, pump);
    pump();
}

} // namespace capsule::test
