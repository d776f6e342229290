// The host agent's upload request (contract 3.3, "upload POST raw") streamed over a socket of
// our own instead of QNetworkAccessManager.
#pragma once

#include "core/http.h"
#include "core/http/bodysource.h"
#include "core/http/responseparser.h"

#include <QAbstractSocket>
#include <QElapsedTimer>
#include <QPointer>

class QTimer;

namespace capsule {

// Why: QNetworkAccessManager hands a device body to its HTTP thread 32 KiB at a time, one
// cross-thread round trip each, which capped uploads at ~194 MiB/s where curl reaches ~1200
// (docs/transfers.md). This job runs in the caller's thread, signal-driven (never blocks, no
// nested event loop): it connects a QTcpSocket (QSslSocket for https://), writes the request
// head, then reads the device in 256 KiB blocks and writes them while the socket's write buffer
// holds less than 1 MiB, refilling on bytesWritten; it parses the reply itself
// (HttpResponseParser), also one that arrives before the body was sent (an early error).
//
// It behaves as HttpJob does for the same HttpRequest: the headers of Http::headersFor (token
// included), host resolution through request.resolveHost, the idle timeout of request.timeout
// (restarted by every write and read; RequestTimeout naming request.timeoutOperation), errors
// through Error::fromHttp (the server's message, the request id, Retry-After), every transport
// failure a Connection error, a 3xx an "Unexpected redirect" error, a reply over
// request.maxBufferedBytes an unexpectedReply, cancel() aborts the socket. It sends once: host
// writes are never retried (contract 1.6). The socket uses the application's proxy settings, as
// QNAM does (Http sets none of its own). One connection per request ("Connection: close").
class StreamUploadJob : public Job
{
    Q_OBJECT
public:
    // Sends `request` (bodyDevice and bodySize set; the device is not owned and must outlive the
    // job). The job is parented to `http` and starts from the event loop, so signals can be
    // connected first.
    static StreamUploadJob *send(Http *http, HttpRequest request);
    ~StreamUploadJob() override;

    const HttpResponse &response() const { return m_response; }
    // Body bytes the kernel has taken so far.
    qint64 bodyBytesSent() const;

    // Read from the device at once, and the most left waiting in the socket's buffer before
    // bytesWritten refills it (the kernel's socket buffer holds more). Small enough that a block
    // is still in the CPU cache when the kernel copies it: measured on the 2-core VM (1 GiB,
    // client CPU per GiB), 256 KiB/1 MiB took 0.25-0.37 s, 1 MiB/2 MiB 0.42-0.55 s and
    // 1 MiB/4 MiB 0.57-0.75 s, with no gain in throughput for the larger ones.
    static constexpr qint64 kBlockSize = 256LL * 1024;
    static constexpr qint64 kBacklog = 1LL << 20;

signals:
    void uploadProgress(qint64 sent, qint64 total);

protected:
    void onCancel() override;

private:
    StreamUploadJob(Http *http, HttpRequest request);
    void start();
    void connectTo(const QUrl &url);
    QAbstractSocket *makeSocket(bool tls, QString *error);
    void onConnected();
    QByteArray requestHead() const;
    void pumpBody();
    void onBytesWritten();
    void onReadyRead();
    void onSocketEnded();
    void finishWithReply();
    Error badReply() const;
    Error transportError(QAbstractSocket::SocketError code, const QString &text) const;
    void failWith(const Error &error);
    void resetIdleTimer();
    void dropSocket();

    QPointer<Http> m_http;
    HttpRequest m_request;
    QPointer<QIODevice> m_device;
    QUrl m_url;
    QAbstractSocket *m_socket = nullptr;
    QTimer *m_idleTimer = nullptr;
    BodySource m_body;
    HttpResponseParser m_parser;
    HttpResponse m_response;
    qint64 m_headSize = 0; // 0 until connected
    qint64 m_queued = 0;   // body bytes handed to the socket
    qint64 m_reported = 0; // last uploadProgress
    QElapsedTimer m_clock;
};

} // namespace capsule
