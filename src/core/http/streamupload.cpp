// StreamUploadJob: an upload body streamed from a device over our own socket, reply parsed here.
#include "core/http/streamupload.h"

#include "core/logging.h"

#include <QTcpSocket>
#include <QTimer>
#include <QUuid>
#if QT_CONFIG(ssl)
#include <QSslConfiguration>
#include <QSslSocket>
#endif

namespace capsule {

namespace {

// "host[:port]" for the Host header: IPv6 literals in brackets, the default port left out.
QByteArray hostHeader(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    if (url.port() != -1 && url.port() != defaultPort)
        host += ':' + QByteArray::number(url.port());
    return host;
}

} // namespace

StreamUploadJob *StreamUploadJob::send(Http *http, HttpRequest request)
{
    if (request.requestId.isEmpty())
        request.requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto *job = new StreamUploadJob(http, std::move(request));
    QTimer::singleShot(0, job, &StreamUploadJob::start);
    return job;
}

StreamUploadJob::StreamUploadJob(Http *http, HttpRequest request)
    : Job(http)
    , m_http(http)
    , m_request(std::move(request))
    , m_device(m_request.bodyDevice)
    , m_body(m_request.bodyDevice, m_request.bodySize, kBlockSize)
    , m_parser(m_request.maxBufferedBytes)
{
    m_response.requestId = m_request.requestId;
}

StreamUploadJob::~StreamUploadJob()
{
    dropSocket();
}

qint64 StreamUploadJob::bodyBytesSent() const
{
    if (!m_socket || m_headSize == 0)
        return m_reported;
    // What we handed over minus what still waits in Qt's buffer went to the kernel.
    const qint64 taken = m_headSize + m_queued - m_socket->bytesToWrite();
    return qBound<qint64>(0, taken - m_headSize, m_body.size());
}

void StreamUploadJob::start()
{
    if (isFinished())
        return;
    if (!m_http) {
        fail(Error(ErrorKind::Connection, HttpJob::tr("The HTTP layer is gone.")));
        return;
    }
    if (m_request.bodySize < 0) { // Content-Length is required: no chunked request bodies
        fail(Error(ErrorKind::Value, tr("The size of the upload body must be known.")));
        return;
    }
    if (!m_request.resolveHost) {
        connectTo(m_request.url);
        return;
    }
    ResultJob<QString> *resolve = m_request.resolveHost(false); // one attempt: no re-resolution
    if (!resolve) {
        fail(Error(ErrorKind::ServiceUnavailable, HttpJob::tr("No host address available.")));
        return;
    }
    await(
        resolve,
        [this](const QString &host) {
            connectTo(Http::hostUrl(host, m_request.hostPath, m_request.hostQuery));
        },
        [this](const Error &e) { fail(e); });
}

void StreamUploadJob::connectTo(const QUrl &url)
{
    if (const std::optional<Error> invalid = Http::invalidUrl(url, m_request.requestId)) {
        fail(*invalid);
        return;
    }
    if (!m_body.rewind()) {
        fail(Error(ErrorKind::Io, tr("Cannot read the upload body: %1").arg(m_body.error())));
        return;
    }
    m_url = url;
    const bool tls = url.scheme() == QLatin1String("https");
    QString error;
    m_socket = makeSocket(tls, &error);
    if (!m_socket) {
        failWith(transportError(QAbstractSocket::UnsupportedSocketOperationError, error));
        return;
    }
    if (m_device && m_device->isSequential())
        connect(m_device, &QIODevice::readyRead, this, &StreamUploadJob::pumpBody);
    m_clock.start();
    qCDebug(lcUpload).noquote() << "upload" << m_request.requestId << "to" << url.toDisplayString()
                                << m_body.size() << "bytes";
    resetIdleTimer();
    const quint16 port = quint16(url.port(tls ? 443 : 80));
#if QT_CONFIG(ssl)
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket)) {
        ssl->connectToHostEncrypted(url.host(), port);
        return;
    }
#endif
    m_socket->connectToHost(url.host(), port);
}

QAbstractSocket *StreamUploadJob::makeSocket(bool tls, QString *error)
{
    QAbstractSocket *socket = nullptr;
    if (tls) {
#if QT_CONFIG(ssl)
        if (!QSslSocket::supportsSsl()) {
            *error = tr("TLS is not available (no TLS backend could be loaded)");
            return nullptr;
        }
        auto *ssl = new QSslSocket(this);
        QSslConfiguration config = ssl->sslConfiguration();
        config.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
        ssl->setSslConfiguration(config);
        connect(ssl, &QSslSocket::encrypted, this, &StreamUploadJob::onConnected);
        socket = ssl;
#else
        *error = tr("TLS is not available in this build");
        return nullptr;
#endif
    } else {
        socket = new QTcpSocket(this);
        connect(socket, &QAbstractSocket::connected, this, &StreamUploadJob::onConnected);
    }
    connect(socket, &QIODevice::bytesWritten, this, &StreamUploadJob::onBytesWritten);
    connect(socket, &QIODevice::readyRead, this, &StreamUploadJob::onReadyRead);
    connect(socket, &QAbstractSocket::disconnected, this, &StreamUploadJob::onSocketEnded);
    connect(socket, &QAbstractSocket::errorOccurred, this, &StreamUploadJob::onSocketEnded);
    return socket;
}

void StreamUploadJob::onConnected()
{
    if (!m_socket)
        return;
    // The head and a body's last segment must not wait for an ACK (Nagle + delayed ACK).
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const QByteArray head = requestHead();
    m_headSize = head.size();
    m_socket->write(head);
    resetIdleTimer();
    pumpBody();
}

QByteArray StreamUploadJob::requestHead() const
{
    // The request target as QNAM writes it: path and query, fully encoded.
    QByteArray target = m_url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority |
                                        QUrl::RemoveFragment | QUrl::FullyEncoded);
    if (!target.startsWith('/'))
        target.prepend('/');
    QByteArray head =
        m_request.method + ' ' + target + " HTTP/1.1\r\nHost: " + hostHeader(m_url) + "\r\n";
    for (const auto &h : m_http->headersFor(m_request))
        head += h.first + ": " + h.second + "\r\n";
    head += "Content-Length: " + QByteArray::number(m_body.size()) + "\r\n";
    head += "Connection: close\r\n\r\n";
    return head;
}

void StreamUploadJob::pumpBody()
{
    while (m_socket && m_headSize > 0 && m_body.remaining() > 0 &&
           m_socket->bytesToWrite() < kBacklog) {
        const QByteArray block = m_body.next();
        if (m_body.hasError()) {
            failWith(
                Error(ErrorKind::Io, tr("Cannot read the upload body: %1").arg(m_body.error())));
            return;
        }
        if (block.isEmpty())
            return;             // a sequential device: its readyRead calls us again
        m_socket->write(block); // shares the block with the socket's buffer: no copy
        m_queued += block.size();
    }
}

void StreamUploadJob::onBytesWritten()
{
    if (!m_socket)
        return;
    resetIdleTimer();
    const qint64 sent = bodyBytesSent();
    if (sent > m_reported) {
        m_reported = sent;
        emit uploadProgress(sent, m_body.size());
    }
    pumpBody();
}

void StreamUploadJob::onReadyRead()
{
    if (!m_socket)
        return;
    resetIdleTimer();
    if (!m_parser.feed(m_socket->readAll())) {
        failWith(badReply());
        return;
    }
    if (m_parser.isComplete())
        finishWithReply(); // also before the whole body was sent: an early error reply
}

void StreamUploadJob::onSocketEnded()
{
    if (!m_socket)
        return;
    // What the socket still holds is part of the reply.
    if (m_socket->bytesAvailable() > 0 && !m_parser.feed(m_socket->readAll())) {
        failWith(badReply());
        return;
    }
    if (m_parser.isComplete() || (m_parser.headReceived() && m_parser.finishAtEof())) {
        finishWithReply();
        return;
    }
    failWith(transportError(m_socket->error(), m_socket->errorString()));
}

void StreamUploadJob::finishWithReply()
{
    const qint64 sent = bodyBytesSent();
    m_reported = sent;
    m_response.status = m_parser.status();
    m_response.headers = m_parser.headers();
    m_response.body = m_parser.body();
    dropSocket();
    const int status = m_response.status;
    const QString &id = m_request.requestId;
    qCDebug(lcUpload).noquote() << "upload" << id << "HTTP" << status << "after" << sent << "of"
                                << m_body.size() << "bytes," << m_clock.elapsed() << "ms";
    if (status >= 400) {
        fail(Error::fromHttp(status, m_response.body, id, m_response.header("Retry-After")));
    } else if (status >= 300) {
        fail(Http::redirectError(status, m_url, id)); // never followed
    } else if (sent < m_body.size()) {
        fail(Error::unexpectedReply(tr("HTTP %1 before the whole body was sent (%2 of %3 bytes)")
                                        .arg(status)
                                        .arg(sent)
                                        .arg(m_body.size()),
                                    id));
    } else {
        succeed();
    }
}

Error StreamUploadJob::badReply() const
{
    if (!m_parser.bodyTooLarge())
        return Error::unexpectedReply(m_parser.errorString(), m_request.requestId);
    return Error::unexpectedReply(HttpJob::tr("the reply is too large (%1; the client reads at "
                                              "most %2 MiB of a reply that is not streamed)")
                                      .arg(m_parser.errorString())
                                      .arg(m_request.maxBufferedBytes / (1024 * 1024)),
                                  m_request.requestId);
}

Error StreamUploadJob::transportError(QAbstractSocket::SocketError code, const QString &text) const
{
    const qint64 sent = bodyBytesSent();
    const qint64 size = m_body.size();
    QString what;
    if (m_parser.state() == HttpResponseParser::State::Failed) {
        what = m_parser.errorString(); // the reply began, then the connection ended
    } else if (m_headSize > 0 && (code == QAbstractSocket::RemoteHostClosedError ||
                                  code == QAbstractSocket::UnknownSocketError)) {
        what = sent < size ? tr("the server closed the connection after %1 of %2 bytes of the "
                                "upload body, without a reply")
                                 .arg(sent)
                                 .arg(size)
                           : tr("the server closed the connection without a reply (the whole "
                                "body of %1 bytes was sent)")
                                 .arg(size);
    } else if (m_headSize > 0) {
        what = tr("%1 (after %2 of %3 bytes of the upload body)").arg(text).arg(sent).arg(size);
    } else {
        what = text;
    }
    Error e(ErrorKind::Connection, HttpJob::tr("Connection failed: %1").arg(what));
    e.requestId = m_request.requestId;
    return e;
}

void StreamUploadJob::failWith(const Error &error)
{
    qCDebug(lcUpload).noquote() << "upload" << m_request.requestId << "failed:" << error.toString();
    dropSocket();
    fail(error);
}

void StreamUploadJob::resetIdleTimer()
{
    const int ms = m_http ? m_http->idleTimeoutMs(m_request.timeout) : 0;
    if (!m_socket || ms <= 0)
        return;
    if (!m_idleTimer) {
        m_idleTimer = new QTimer(this);
        m_idleTimer->setSingleShot(true);
        connect(m_idleTimer, &QTimer::timeout, this, [this] {
            if (m_socket && m_http)
                failWith(m_http->idleTimeoutError(m_request));
        });
    }
    m_idleTimer->start(ms);
}

void StreamUploadJob::dropSocket()
{
    if (m_idleTimer)
        m_idleTimer->stop();
    if (m_device)
        m_device->disconnect(this);
    if (!m_socket)
        return;
    QAbstractSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

void StreamUploadJob::onCancel()
{
    qCDebug(lcUpload).noquote() << "upload" << m_request.requestId << "cancelled after"
                                << bodyBytesSent() << "bytes";
    dropSocket();
}

} // namespace capsule
