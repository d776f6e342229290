// A fault-injecting TCP proxy for client tests: sits between a client and a real server on
// loopback and drops, stalls, truncates or trickles what the server sends back.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

class QTcpServer;
class QTcpSocket;

namespace capsule::test {

// Listens on 127.0.0.1 (a free port) and forwards every connection to `target` (host:port). Each
// new connection gets the current Fault; the client->server direction is always forwarded
// unchanged, the fault acts on the server->client direction after `afterBytes` bytes of it:
//   Pass     forward everything
//   Reset    close the client connection with a TCP RST (SO_LINGER 0)
//   Stall    forward nothing more and keep both connections open (until the client gives up)
//   Truncate close the client connection gracefully (FIN)
//   Trickle  forward the rest `trickleBytes` at a time, `trickleMs` apart
// The proxy is single-threaded (runs in the thread that created it), like the clients under test.
class FaultProxy : public QObject
{
    Q_OBJECT
public:
    struct Fault
    {
        enum class Kind { Pass, Reset, Stall, Truncate, Trickle };
        Kind kind = Kind::Pass;
        qint64 afterBytes = 0;  // server->client bytes forwarded before the fault starts
        bool afterHead = false; // count afterBytes from the end of the first reply's head
        int trickleBytes = 64;
        int trickleMs = 20;
    };
    static QString kindName(Fault::Kind kind);

    explicit FaultProxy(QObject *parent = nullptr);
    ~FaultProxy() override;

    // Starts listening; `target` is "host:port" (loopback only). False when it cannot listen.
    bool listen(const QString &target);
    QString address() const; // 127.0.0.1:<port>
    QString url() const;     // http://127.0.0.1:<port>

    // The fault for connections accepted from now on (running ones keep theirs).
    void setFault(const Fault &fault) { m_fault = fault; }
    // Drops every open connection (both sides); new ones keep being accepted.
    void closeAll();
    int connectionsSeen() const { return m_seen; }
    int faultsApplied() const { return m_applied; }

private:
    struct Link;
    void onNewConnection();
    void pumpDown(Link *link);
    void trickle(Link *link);
    void finish(Link *link, bool reset);

    QTcpServer *m_server;
    QString m_host;
    quint16 m_port = 0;
    Fault m_fault;
    QHash<Link *, Link *> m_links; // owned
    int m_seen = 0;
    int m_applied = 0;
};

} // namespace capsule::test
