// Fault-injecting TCP proxy: forwards bytes both ways and misbehaves on the way back.
#include "support/faultproxy.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

namespace capsule::test {

struct FaultProxy::Link
{
    QTcpSocket *client = nullptr;
    QTcpSocket *upstream = nullptr;
    Fault fault;
    qint64 down = 0;      // server->client bytes forwarded
    bool faulted = false; // the fault has started
    bool stalled = false;
    bool upstreamDone = false;
    qint64 headEnd = -1;   // afterHead: where the first reply's head ends in the stream
    QByteArray headBuffer; // afterHead: the stream until then
    QByteArray trickleBuffer;
    QTimer *timer = nullptr;
};

QString FaultProxy::kindName(Fault::Kind kind)
{
    switch (kind) {
    case Fault::Kind::Pass:
        return QStringLiteral("pass");
    case Fault::Kind::Reset:
        return QStringLiteral("reset");
    case Fault::Kind::Stall:
        return QStringLiteral("stall");
    case Fault::Kind::Truncate:
        return QStringLiteral("truncate");
    case Fault::Kind::Trickle:
        return QStringLiteral("trickle");
    }
    return {};
}

FaultProxy::FaultProxy(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &FaultProxy::onNewConnection);
}

FaultProxy::~FaultProxy()
{
    closeAll();
}

bool FaultProxy::listen(const QString &target)
{
    const int colon = int(target.lastIndexOf(QLatin1Char(':')));
    QString host = target.left(colon);
    if (host.startsWith(QLatin1String("http://")))
        host = host.mid(7);
    m_host = host;
    m_port = quint16(target.mid(colon + 1).toUInt());
    return m_port != 0 && m_server->listen(QHostAddress::LocalHost, 0);
}

QString FaultProxy::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_server->serverPort());
}

QString FaultProxy::url() const
{
    return QStringLiteral("http://") + address();
}

void FaultProxy::closeAll()
{
    const auto links = m_links.keys();
    for (Link *link : links)
        finish(link, false);
}

void FaultProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server->nextPendingConnection()) {
        auto *link = new Link;
        link->client = client;
        link->fault = m_fault;
        link->upstream = new QTcpSocket(this);
        m_links.insert(link, link);
        ++m_seen;
        connect(client, &QTcpSocket::readyRead, this, [link] {
            // Client -> server is never faulted; QTcpSocket buffers while still connecting.
            link->upstream->write(link->client->readAll());
        });
        connect(client, &QTcpSocket::disconnected, this, [this, link] { finish(link, false); });
        connect(link->upstream, &QTcpSocket::readyRead, this, [this, link] { pumpDown(link); });
        connect(link->upstream, &QTcpSocket::disconnected, this, [this, link] {
            link->upstreamDone = true;
            if (!m_links.contains(link) || link->stalled)
                return; // a stalled client keeps waiting for bytes that never come
            if (link->fault.kind == Fault::Kind::Trickle && !link->trickleBuffer.isEmpty())
                return; // closed by trickle() when the buffer is drained
            link->client->disconnectFromHost();
        });
        connect(link->upstream, &QTcpSocket::errorOccurred, this, [this, link] {
            if (m_links.contains(link) && link->upstream->state() != QTcpSocket::ConnectedState &&
                !link->upstreamDone)
                finish(link, false);
        });
        link->upstream->connectToHost(m_host, m_port);
        if (client->bytesAvailable() > 0)
            link->upstream->write(client->readAll());
    }
}

void FaultProxy::pumpDown(Link *link)
{
    if (!m_links.contains(link))
        return;
    QByteArray data = link->upstream->readAll();
    if (link->stalled || data.isEmpty())
        return; // dropped: a stalled connection sends nothing more
    const Fault &f = link->fault;
    if (f.kind == Fault::Kind::Pass) {
        link->client->write(data);
        link->down += data.size();
        return;
    }
    if (!link->faulted) {
        qint64 limit = f.afterBytes;
        if (f.afterHead) {
            if (link->headEnd < 0) {
                link->headBuffer += data; // everything so far: nothing was faulted yet
                const qint64 at = link->headBuffer.indexOf("\r\n\r\n");
                if (at < 0) {
                    link->client->write(data);
                    link->down += data.size();
                    return;
                }
                link->headEnd = at + 4;
                link->headBuffer.clear();
            }
            limit = link->headEnd + f.afterBytes;
        }
        const qint64 room = limit - link->down;
        if (room > 0) {
            const QByteArray head = data.left(room);
            link->client->write(head);
            link->down += head.size();
            data.remove(0, head.size());
        }
        if (data.isEmpty() && link->down < limit)
            return;
        link->faulted = true;
        ++m_applied;
        switch (f.kind) {
        case Fault::Kind::Reset:
            return finish(link, true);
        case Fault::Kind::Truncate:
            return finish(link, false);
        case Fault::Kind::Stall:
            link->stalled = true;
            return;
        case Fault::Kind::Trickle:
        case Fault::Kind::Pass:
            break;
        }
    }
    // Trickle
    link->trickleBuffer += data;
    if (!link->timer) {
        link->timer = new QTimer(this);
        link->timer->setInterval(std::max(1, f.trickleMs));
        connect(link->timer, &QTimer::timeout, this, [this, link] { trickle(link); });
        link->timer->start();
    }
}

void FaultProxy::trickle(Link *link)
{
    if (!m_links.contains(link))
        return;
    const QByteArray piece = link->trickleBuffer.left(std::max(1, link->fault.trickleBytes));
    link->trickleBuffer.remove(0, piece.size());
    link->client->write(piece);
    link->down += piece.size();
    if (link->trickleBuffer.isEmpty() && link->upstreamDone)
        link->client->disconnectFromHost();
}

void FaultProxy::finish(Link *link, bool reset)
{
    if (!m_links.remove(link))
        return;
    if (link->timer)
        link->timer->deleteLater();
    link->client->disconnect(this);
    link->upstream->disconnect(this);
    if (reset) {
        const linger lg{1, 0}; // close() then sends RST instead of FIN
        ::setsockopt(int(link->client->socketDescriptor()), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        link->client->abort();
    } else {
        link->client->disconnectFromHost();
    }
    link->upstream->abort();
    link->client->deleteLater();
    link->upstream->deleteLater();
    delete link;
}

} // namespace capsule::test
