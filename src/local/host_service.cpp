// Service logs and reverse proxy to the runner's start command (contract 3.5).
#include "local/host_http.h"
#include "local/runneraccess.h"
#include "local/sandbox.h"

#include <QFile>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace capsule::local {

namespace {

// ?follow=true: streams the log as it grows (chunked) until the client leaves or the runner goes.
class LogFollower : public QObject
{
public:
    LogFollower(const HostRequest &req, const QString &path, QObject *parent)
        : QObject(parent)
        , m_req(req)
        , m_file(path)
    {
        m_file.open(QIODevice::ReadOnly);
        beginStream(
            req, 200,
            {{"Content-Type", "text/plain; charset=utf-8"}, {"Transfer-Encoding", "chunked"}});
        connect(&m_timer, &QTimer::timeout, this, &LogFollower::poll);
        connect(req.socket, &QAbstractSocket::disconnected, this, [this] { deleteLater(); });
        m_timer.start(200);
        poll();
    }
    ~LogFollower() override { endChunks(m_req); }

private:
    void poll()
    {
        if (!m_req.socket) {
            deleteLater();
            return;
        }
        const QByteArray data = m_file.read(1024 * 1024);
        writeChunk(m_req, data);
    }

    HostRequest m_req;
    QFile m_file;
    QTimer m_timer;
};

} // namespace

QObject *serveServiceLogs(const HostRequest &req, const HostRunner &runner, QObject *parent)
{
    if (!runner.startCommand.isEmpty())
        runner.sandbox->startService(runner.startCommand, runner.env, nullptr);
    const QString path = runner.sandbox->serviceLogPath();
    if (path.isEmpty() || !QFile::exists(path)) {
        sendText(req, 404, QStringLiteral("no service logs for runner %1").arg(runner.id));
        return nullptr;
    }
    if (req.query.queryItemValue(QStringLiteral("follow")) == QLatin1String("true"))
        return new LogFollower(req, path, parent);
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    sendRaw(req, 200, "text/plain; charset=utf-8", f.readAll());
    return nullptr;
}

namespace {

// Relays one request to the start command's port inside the sandbox and the raw response back
// (close-delimited: the upstream is asked for "Connection: close", the client socket is closed
// after the response). Streams both ways, nothing is buffered beyond the socket buffers.
class ProxyStream : public QObject
{
public:
    ProxyStream(const HostRequest &req, QTcpSocket *upstream, QObject *parent)
        : QObject(parent)
        , m_req(req)
        , m_upstream(upstream)
    {
        upstream->setParent(this);
        connect(upstream, &QTcpSocket::readyRead, this, [this] {
            if (m_req.socket)
                m_req.socket->write(m_upstream->readAll());
        });
        connect(upstream, &QTcpSocket::disconnected, this, [this] {
            if (m_req.socket) {
                m_req.socket->write(m_upstream->readAll());
                m_req.socket->disconnectFromHost();
            }
            deleteLater();
        });
        connect(req.socket, &QAbstractSocket::disconnected, this, [this] { deleteLater(); });
    }

private:
    HostRequest m_req;
    QTcpSocket *m_upstream;
};

} // namespace

QObject *startProxy(const HostRequest &req, const HostRunner &runner, const QString &path,
                    QObject *parent)
{
    if (!runner.startCommand.isEmpty())
        runner.sandbox->startService(runner.startCommand, runner.env, nullptr);
    int port = runner.startCommand.value(QStringLiteral("port")).toInt();
    if (port <= 0 || port > 65535)
        port = 10500;
    QString error;
    const int fd = runner.sandbox->openTcpSocket(&error);
    struct sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(quint16(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool connected = false;
    if (fd >= 0) {
        // Loopback connects complete (or are refused) at once; wait briefly for the answer.
        if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
            connected = true;
        } else if (errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            int soErr = 0;
            socklen_t len = sizeof soErr;
            if (::poll(&p, 1, 2000) == 1 &&
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &len) == 0 && soErr == 0)
                connected = true;
            else
                errno = soErr ? soErr : ETIMEDOUT;
        }
        if (!connected)
            error = QString::fromLocal8Bit(std::strerror(errno)).toLower();
    }
    if (!connected) {
        if (fd >= 0)
            ::close(fd);
        sendText(
            req, 502,
            QStringLiteral("bad gateway: dial tcp 127.0.0.1:%1: connect: %2").arg(port).arg(error));
        return nullptr;
    }
    auto *upstream = new QTcpSocket;
    upstream->setSocketDescriptor(fd, QAbstractSocket::ConnectedState);
    QByteArray head = req.method + ' ' + QUrl::toPercentEncoding(QLatin1Char('/') + path, "/");
    const QString query = req.query.toString(QUrl::FullyEncoded);
    if (!query.isEmpty())
        head += '?' + query.toUtf8();
    head +=
        " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\nConnection: close\r\n";
    static const QSet<QByteArray> hopByHop{
        "host",       "connection", "content-length",   "transfer-encoding",
        "keep-alive", "upgrade",    "proxy-connection", "authorization"};
    for (auto it = req.headers.cbegin(); it != req.headers.cend(); ++it)
        if (!hopByHop.contains(it.key()))
            head += it.key() + ": " + it.value() + "\r\n";
    head += "Content-Length: " + QByteArray::number(req.body.size()) + "\r\n\r\n";
    upstream->write(head);
    upstream->write(req.body);
    return new ProxyStream(req, upstream, parent);
}

} // namespace capsule::local
