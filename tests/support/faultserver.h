// A small scripted HTTP server for client tests: canned replies, 429/503, drops, hangs, delays.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QUrlQuery>
#include <functional>

class QTcpServer;
class QTcpSocket;

namespace capsule::test {

// Speaks just enough HTTP/1.1 for QNetworkAccessManager: Content-Length bodies, one request per
// connection (it always answers "Connection: close", so Qt never reuses a socket and every attempt
// of the client is one recorded request). Every request is recorded for assertions.
class FaultServer : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QByteArray method;
        QString path; // without the query
        QUrlQuery query;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;

        QByteArray header(const QByteArray &name) const; // case-insensitive, empty if absent
        bool hasHeader(const QByteArray &name) const;
        QJsonObject json() const;
    };

    struct Reply
    {
        enum class Action {
            Respond,     // send the reply (after delayMs)
            Drop,        // close the connection without a byte (Qt itself may resend once or twice)
            DropMidBody, // send headers announcing more body than is sent, then close
            Hang,        // never answer (until the client gives up)
            Trickle,     // send the body in `trickleChunks` pieces, `trickleMs` apart
            Generate,    // `body` then `generatedBytes` of `pattern` repeated, written as the
                         // client reads (never held in memory); Content-Length only with
                         // `announceLength`, else the body ends when the connection closes
        };
        Action action = Action::Respond;
        int status = 200;
        QByteArray body;
        QByteArray contentType = "application/json";
        QList<QPair<QByteArray, QByteArray>> headers;
        int delayMs = 0;
        int trickleChunks = 5;
        int trickleMs = 100;
        qint64 generatedBytes = 0;
        QByteArray pattern = "{\"config_id\":\"x\"},";
        bool announceLength = true;
    };

    static Reply json(int status, const QJsonObject &body,
                      const QList<QPair<QByteArray, QByteArray>> &headers = {});
    static Reply text(int status, const QByteArray &body);
    static Reply action(Reply::Action action);

    explicit FaultServer(QObject *parent = nullptr);
    ~FaultServer() override;

    bool listen(); // on 127.0.0.1, a free port
    quint16 port() const;
    QString baseUrl() const;     // http://127.0.0.1:<port>
    QString hostAddress() const; // 127.0.0.1:<port>

    // Replies for "METHOD path" are taken from its queue in order; once the queue is empty the
    // route's default applies; unknown routes answer 404 text "404 page not found".
    void enqueue(const QByteArray &method, const QString &path, const Reply &reply);
    void setDefault(const QByteArray &method, const QString &path, const Reply &reply);
    // Consulted first for every request; return nullopt-like (status 0) to fall through.
    void setHandler(std::function<Reply(const Request &)> handler)
    {
        m_handler = std::move(handler);
    }

    const QList<Request> &requests() const { return m_requests; }
    QList<Request> requestsTo(const QByteArray &method, const QString &path) const;
    int count(const QByteArray &method, const QString &path) const;
    void clearRequests() { m_requests.clear(); }

signals:
    void requestReceived(int index);

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const Reply &reply);
    void generate(QTcpSocket *socket, const Reply &reply);

    QTcpServer *m_server;
    QHash<QString, QList<Reply>> m_queues;
    QHash<QString, Reply> m_defaults;
    std::function<Reply(const Request &)> m_handler;
    QList<Request> m_requests;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace capsule::test
