// One HTTP/1.1 connection of HttpServer: incremental parser, body reading, timeouts, keep-alive.
#pragma once

#include "local/httpserver.h"

#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace capsule::local {

QByteArray httpReason(int status); // "OK", "Not Found"...

class HttpConnection : public QObject
{
public:
    HttpConnection(QTcpSocket *socket, HttpServer *server);
    ~HttpConnection() override;

    // Idle, or a request whose head or buffered body is still arriving: nothing would be lost
    // by closing it.
    bool evictable() const;
    void abort(); // closes at once, without an answer

    // Used by HttpResponder.
    QTcpSocket *socket() const { return m_socket; }
    void write(HttpResponder *from, const QByteArray &bytes);
    void responseDone(HttpResponder *responder, bool close);
    void responderGone(HttpResponder *responder);
    void startStream(HttpResponder *responder, HttpResponder::DataFn onData,
                     HttpResponder::EndFn onEnd);
    QTcpSocket *detachSocket(HttpResponder *responder);
    bool mustClose() const { return m_closeAfter; }

    // Parses a request head (request line + header lines, each ending in "\r\n", without the
    // empty line) into *request. 0, or the status to answer with and *why. Pure (fuzzed).
    static int parseHeadLines(const QByteArray &head, int maxHeaderCount, HttpRequest *request,
                              QString *why);

private:
    enum class State {
        Idle,    // waiting for the first byte of a request
        Head,    // a head is arriving
        Body,    // a buffered body is arriving
        Busy,    // the handler answers; later input waits in the socket
        Stream,  // the handler answers and pulls the body
        Closing, // answered, write side shut; discarding input until the client closes
        Closed,
    };
    enum class Step { More, Done, Stop, Bad };

    void processInput();
    void parseHead();
    void readBody();
    qint64 readInto(qint64 max);
    Step pumpBody(const std::function<bool(const char *, qint64)> &sink, QString *error);
    void dispatch(const Responder &responder);
    void endStream(const QString &error);
    void finishExchange(bool close);
    void fail(int status, const QString &message);
    void closeGracefully();
    void shutdownWrite();
    void discardInput();
    void onDisconnected();
    void onTimeout();
    void arm(int ms);
    void sendContinue();

    QTcpSocket *m_socket;
    QPointer<HttpServer> m_server;
    QTimer m_timer;
    State m_state = State::Idle;
    qint64 m_scanned = 0; // bytes of the pending head already searched for its end
    std::shared_ptr<HttpRequest> m_request;
    Responder m_pending;                // held until the handler gets it
    HttpResponder *m_current = nullptr; // the responder of the request being answered
    bool m_closeAfter = false;          // the client asked for it (or HTTP/1.0)
    bool m_bodyDone = true;             // the current request's body has been read whole
    bool m_expectContinue = false;
    bool m_keptAlive = false;  // at least one exchange done: the idle timeout runs between requests
    bool m_inHead = false;     // onHead is running
    bool m_doneInHead = false; // ... and answered
    bool m_doneClose = false;
    bool m_writeShut = false;
    // Body decoding.
    enum class Chunk { Size, Data, DataEnd, Trailer };
    qint64 m_bodyLimit = 0;
    qint64 m_bodyLeft = 0; // Content-Length left, or bytes left of the current chunk
    qint64 m_bodyRead = 0;
    qint64 m_trailerBytes = 0;
    Chunk m_chunk = Chunk::Size;
    QByteArray m_buffer; // scratch for reads
    HttpResponder::DataFn m_onData;
    HttpResponder::EndFn m_onEnd;
    qint64 m_discarded = 0;
};

} // namespace capsule::local
