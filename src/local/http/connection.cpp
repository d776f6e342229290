// One HTTP/1.1 connection: the head is parsed straight from the socket's buffer (peeked, so a
// WebSocket upgrade can be handed over with the head unread), the body is read only once onHead
// has accepted it, and responses are answered in request order.
#include "local/http/connection.h"

#include <QJsonDocument>
#include <QTcpSocket>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace capsule::local {

namespace {

constexpr qint64 kHeadReadBuffer = 128 * 1024; // more than maxHeaderBytes; pipelined input waits
constexpr qint64 kBodyReadBuffer = 1024 * 1024;
// A streamed body: Qt's own buffer stays small, the bulk is read straight into m_buffer.
constexpr qint64 kStreamReadBuffer = 64 * 1024;
constexpr qint64 kPiece = 1024 * 1024; // one read of a body; reused, never allocated per read
constexpr qint64 kMaxChunkLine = 4096;
constexpr qint64 kMaxTrailer = 64 * 1024;
constexpr qint64 kLingerBytes = 4 * 1024 * 1024; // read and dropped after an early answer
constexpr int kLingerMs = 2000;

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isToken(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (char c : s)
        if (!isTokenChar(c))
            return false;
    return true;
}

bool hasControlChars(const QByteArray &s)
{
    for (char c : s) {
        const uchar u = uchar(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return true;
    }
    return false;
}

bool headerHasToken(const HttpRequest &r, const QByteArray &name, const QByteArray &token)
{
    for (const auto &h : r.headers()) {
        if (h.first.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &part : h.second.split(','))
            if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
    }
    return false;
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, HttpServer *server)
    : QObject(server)
    , m_socket(socket)
    , m_server(server)
{
    socket->setParent(this);
    socket->setReadBufferSize(kHeadReadBuffer);
    // Exec NDJSON and followed logs are written in small pieces: without TCP_NODELAY, Nagle's
    // algorithm holds the last piece until the client's delayed ACK (~40 ms a request).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::processInput);
    connect(socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_state == State::Closing && !m_writeShut && m_socket->bytesToWrite() == 0)
            shutdownWrite();
    });
    arm(server->limits().headerTimeoutMs); // a new connection must send a head in time
    if (socket->bytesAvailable())
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    if (m_socket)
        m_socket->disconnect(this);
}

bool HttpConnection::evictable() const
{
    return m_state == State::Idle || m_state == State::Head || m_state == State::Body;
}

void HttpConnection::arm(int ms)
{
    m_timer.start(qMax(1, ms));
}

void HttpConnection::abort()
{
    if (m_state == State::Closed)
        return;
    if (m_socket)
        m_socket->abort();
    onDisconnected();
}

void HttpConnection::onDisconnected()
{
    if (m_state == State::Closed)
        return;
    const bool streaming = m_state == State::Stream;
    m_state = State::Closed;
    m_current = nullptr;
    m_timer.stop();
    if (streaming)
        endStream(QStringLiteral("the client closed the connection"));
    if (m_server)
        m_server->forget(this);
    deleteLater();
}

void HttpConnection::write(HttpResponder *from, const QByteArray &bytes)
{
    if (from != m_current || !m_socket || m_state == State::Closing || m_state == State::Closed)
        return;
    m_socket->write(bytes);
}

void HttpConnection::processInput()
{
    if (!m_socket)
        return;
    switch (m_state) {
    case State::Idle:
    case State::Head:
        parseHead();
        break;
    case State::Body:
    case State::Stream:
        readBody();
        break;
    case State::Closing:
        discardInput();
        break;
    case State::Busy:
    case State::Closed:
        break; // later requests wait in the socket (bounded by its read buffer)
    }
}

void HttpConnection::parseHead()
{
    const HttpLimits &lim = m_server->limits();
    // Empty lines before a request line are ignored (RFC 9112 2.2).
    char c = 0;
    while (m_scanned == 0 && m_socket->peek(&c, 1) == 1 && (c == '\r' || c == '\n'))
        m_socket->skip(1);
    const qint64 available = m_socket->bytesAvailable();
    if (available == 0)
        return;
    if (m_state == State::Idle) {
        m_state = State::Head;
        if (m_keptAlive) // a fresh connection's header timeout already runs since accept
            arm(lim.headerTimeoutMs);
    }
    const QByteArray data = m_socket->peek(qMin<qint64>(available, lim.maxHeaderBytes + 4));
    const qsizetype end = data.indexOf("\r\n\r\n", qMax<qint64>(0, m_scanned - 3));
    if (end < 0) {
        m_scanned = data.size();
        if (data.size() > lim.maxHeaderBytes)
            fail(431, QStringLiteral("request header too large: the limit is %1 bytes")
                          .arg(lim.maxHeaderBytes));
        return;
    }
    m_scanned = 0;
    const qint64 headSize = end + 4;
    auto request = std::make_shared<HttpRequest>();
    QString why;
    if (const int status =
            parseHeadLines(data.left(end + 2), lim.maxHeaderCount, request.get(), &why)) {
        fail(status, why);
        return;
    }
    m_request = request;
    m_closeAfter = request->m_http10 ? !headerHasToken(*request, "connection", "keep-alive")
                                     : headerHasToken(*request, "connection", "close");
    m_expectContinue = !request->m_http10 && request->hasBody() &&
                       request->value("expect").trimmed().toLower() == "100-continue";
    m_bodyDone = !request->hasBody();
    m_bodyLeft = request->m_chunked ? 0 : qMax<qint64>(0, request->m_contentLength);
    m_chunk = Chunk::Size;
    m_trailerBytes = 0;

    Responder responder(new HttpResponder(this, request->m_method == "HEAD", request->m_http10));
    m_current = responder.get();
    m_state = State::Busy;
    m_timer.stop();
    m_inHead = true;
    m_doneInHead = false;
    const BodyPlan plan = m_server->m_onHead(*request, responder);
    m_inHead = false;
    if (m_state == State::Closed || !m_socket)
        return; // the socket was taken (WebSocket) or is gone
    m_socket->skip(headSize);
    if (m_doneInHead) { // answered at once (401, 400...): the body is never read
        finishExchange(m_doneClose);
        return;
    }
    if (plan.kind == BodyPlan::Answered)
        return; // answered later; an unread body closes the connection then
    if (plan.kind == BodyPlan::Stream) {
        m_server->m_onRequest(*request, responder); // pulls the body with streamBody()
        return;
    }
    if (!request->hasBody()) {
        dispatch(responder);
        return;
    }
    if (request->m_contentLength > plan.limit) {
        fail(413, QStringLiteral("request body too large: the limit is %1 bytes").arg(plan.limit));
        return;
    }
    m_bodyLimit = plan.limit;
    if (request->m_contentLength > 0)
        request->m_body.reserve(request->m_contentLength);
    m_pending = responder;
    m_state = State::Body;
    m_socket->setReadBufferSize(kBodyReadBuffer);
    sendContinue();
    arm(lim.bodyTimeoutMs);
    readBody();
}

int HttpConnection::parseHeadLines(const QByteArray &head, int maxCount, HttpRequest *r,
                                   QString *why)
{
    const QList<QByteArray> lines = head.split('\n');
    // split() leaves an empty element after the final "\r\n".
    const qsizetype count = lines.size() - 1;
    for (qsizetype i = 0; i < count; ++i) {
        if (!lines.at(i).endsWith('\r')) {
            *why = QStringLiteral("malformed request: bare LF in the head");
            return 400;
        }
    }
    const QByteArray requestLine = lines.first().chopped(1);
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty() ||
        hasControlChars(parts.at(1))) {
        *why = QStringLiteral("malformed request line");
        return 400;
    }
    const QByteArray version = parts.at(2);
    if (version == "HTTP/1.0") {
        r->m_http10 = true;
    } else if (version != "HTTP/1.1") {
        *why = QStringLiteral("unsupported HTTP version: %1").arg(QString::fromLatin1(version));
        return version.startsWith("HTTP/") ? 505 : 400;
    }
    r->m_method = parts.at(0);
    r->m_target = parts.at(1);
    if (!r->m_target.startsWith('/') && !r->m_target.startsWith("http://") &&
        !r->m_target.startsWith("https://")) {
        *why = QStringLiteral("malformed request target");
        return 400;
    }
    r->m_url = QUrl::fromEncoded(r->m_target);
    if (!r->m_url.isValid()) {
        *why = QStringLiteral("malformed request target");
        return 400;
    }
    for (qsizetype i = 1; i < count; ++i) {
        const QByteArray line = lines.at(i).chopped(1);
        if (line.startsWith(' ') || line.startsWith('\t')) {
            *why = QStringLiteral("malformed header: obsolete line folding");
            return 400;
        }
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = colon > 0 ? line.left(colon) : QByteArray();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (!isToken(name) || hasControlChars(value)) {
            *why = QStringLiteral("malformed header line");
            return 400;
        }
        if (r->m_headers.size() >= maxCount) {
            *why = QStringLiteral("too many header fields: the limit is %1").arg(maxCount);
            return 431;
        }
        r->m_headers.append({name, value});
    }
    // Body framing: one Content-Length (repeats must agree) or chunked, never both.
    for (const auto &h : std::as_const(r->m_headers)) {
        if (h.first.compare("content-length", Qt::CaseInsensitive) == 0) {
            bool ok = !h.second.isEmpty() && h.second.size() <= 18;
            for (char ch : h.second)
                ok = ok && ch >= '0' && ch <= '9';
            const qint64 n = ok ? h.second.toLongLong(&ok) : -1;
            if (!ok || (r->m_contentLength >= 0 && r->m_contentLength != n)) {
                *why = QStringLiteral("invalid Content-Length");
                return 400;
            }
            r->m_contentLength = n;
        } else if (h.first.compare("transfer-encoding", Qt::CaseInsensitive) == 0) {
            if (h.second.toLower() != "chunked" || r->m_chunked) {
                *why = QStringLiteral("unsupported Transfer-Encoding: %1")
                           .arg(QString::fromLatin1(h.second));
                return 501;
            }
            r->m_chunked = true;
        }
    }
    if (r->m_chunked && (r->m_contentLength >= 0 || r->m_http10)) {
        *why = QStringLiteral("Transfer-Encoding chunked with Content-Length or HTTP/1.0");
        return 400;
    }
    return 0;
}

void HttpConnection::sendContinue()
{
    if (!m_expectContinue)
        return;
    m_expectContinue = false;
    m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
}

void HttpConnection::dispatch(const Responder &responder)
{
    m_state = State::Busy;
    m_timer.stop();
    m_socket->setReadBufferSize(kHeadReadBuffer);
    const std::shared_ptr<HttpRequest> request = m_request; // the handler may end the exchange
    m_server->m_onRequest(*request, responder);
}

qint64 HttpConnection::readInto(qint64 max)
{
    if (m_buffer.size() < kPiece)
        m_buffer.resize(kPiece);
    const qint64 buffered = m_socket->bytesAvailable();
    if (buffered > 0)
        return m_socket->read(m_buffer.data(), qMin(qMin(max, kPiece), buffered));
    // Qt's buffer is empty: read the kernel's socket buffer straight into ours. This skips one
    // copy of every body byte (kernel -> QTcpSocket's ring buffer -> ours) and lets one read(2)
    // take a whole piece instead of what one readyRead left. Never more than the body still owes,
    // so a pipelined request behind it stays in the kernel for Qt to read. EOF and EAGAIN give 0:
    // Qt's own notifier then sees the close or the next data.
    // The empty read still matters: it re-enables Qt's read notifier if a full buffer stopped it.
    if (m_socket->read(m_buffer.data(), 1) > 0)
        return 1;
    if (m_state != State::Stream || m_socket->socketDescriptor() < 0)
        return 0;
    for (;;) {
        const ssize_t n =
            ::read(int(m_socket->socketDescriptor()), m_buffer.data(), size_t(qMin(max, kPiece)));
        if (n < 0 && errno == EINTR)
            continue;
        return n > 0 ? qint64(n) : 0;
    }
}

HttpConnection::Step HttpConnection::pumpBody(const std::function<bool(const char *, qint64)> &sink,
                                              QString *error)
{
    const State entry = m_state;
    bool progress = false;
    Step result = Step::More;
    bool waiting = false;
    while (m_state == entry && !waiting && result == Step::More) {
        if (!m_request->m_chunked) {
            if (m_bodyLeft == 0) {
                result = Step::Done;
                break;
            }
            const qint64 n = readInto(m_bodyLeft);
            if (n <= 0)
                break;
            progress = true;
            m_bodyLeft -= n;
            if (!sink(m_buffer.constData(), n))
                result = Step::Stop;
            continue;
        }
        switch (m_chunk) {
        case Chunk::Size: {
            if (!m_socket->canReadLine()) {
                if (m_socket->bytesAvailable() > kMaxChunkLine) {
                    *error = QStringLiteral("malformed chunked body: chunk size line too long");
                    return Step::Bad;
                }
                waiting = true;
                break;
            }
            QByteArray line = m_socket->readLine(kMaxChunkLine + 1);
            progress = true;
            if (!line.endsWith("\r\n")) {
                *error = QStringLiteral("malformed chunked body: bad chunk size line");
                return Step::Bad;
            }
            line.chop(2);
            const qsizetype semi = line.indexOf(';');
            if (semi >= 0)
                line.truncate(semi);
            line = line.trimmed();
            bool ok = !line.isEmpty() && line.size() <= 15;
            for (char ch : std::as_const(line))
                ok = ok && std::isxdigit(uchar(ch));
            const qint64 size = ok ? line.toLongLong(&ok, 16) : -1;
            if (!ok) {
                *error = QStringLiteral("malformed chunked body: bad chunk size");
                return Step::Bad;
            }
            m_chunk = size == 0 ? Chunk::Trailer : Chunk::Data;
            m_bodyLeft = size;
            break;
        }
        case Chunk::Data: {
            const qint64 n = readInto(m_bodyLeft);
            if (n <= 0) {
                waiting = true;
                break;
            }
            progress = true;
            m_bodyLeft -= n;
            if (m_bodyLeft == 0)
                m_chunk = Chunk::DataEnd;
            if (!sink(m_buffer.constData(), n))
                result = Step::Stop;
            break;
        }
        case Chunk::DataEnd: {
            if (m_socket->bytesAvailable() < 2) {
                waiting = true;
                break;
            }
            char crlf[2];
            m_socket->read(crlf, 2);
            if (crlf[0] != '\r' || crlf[1] != '\n') {
                *error = QStringLiteral("malformed chunked body: no CRLF after chunk data");
                return Step::Bad;
            }
            m_chunk = Chunk::Size;
            break;
        }
        case Chunk::Trailer: {
            if (!m_socket->canReadLine()) {
                if (m_socket->bytesAvailable() > kMaxTrailer) {
                    *error = QStringLiteral("malformed chunked body: trailer too large");
                    return Step::Bad;
                }
                waiting = true;
                break;
            }
            const QByteArray line = m_socket->readLine(kMaxTrailer + 1);
            m_trailerBytes += line.size();
            if (m_trailerBytes > kMaxTrailer || !line.endsWith('\n')) {
                *error = QStringLiteral("malformed chunked body: trailer too large");
                return Step::Bad;
            }
            if (line == "\r\n")
                result = Step::Done;
            break;
        }
        }
    }
    if (progress && result == Step::More && m_state == entry)
        arm(m_server->limits().bodyTimeoutMs);
    return result;
}

void HttpConnection::readBody()
{
    QString error;
    if (m_state == State::Body) {
        HttpRequest *request = m_request.get();
        const Step step = pumpBody(
            [this, request](const char *data, qint64 n) {
                if (request->m_body.size() + n > m_bodyLimit)
                    return false;
                request->m_body.append(data, n);
                return true;
            },
            &error);
        if (step == Step::Stop)
            fail(413,
                 QStringLiteral("request body too large: the limit is %1 bytes").arg(m_bodyLimit));
        else if (step == Step::Bad)
            fail(400, error);
        else if (step == Step::Done) {
            m_bodyDone = true;
            dispatch(std::exchange(m_pending, {}));
        }
        return;
    }
    if (m_state != State::Stream)
        return;
    const Step step = pumpBody(
        [this](const char *data, qint64 n) {
            // A copy: the handler may answer from inside, which ends the stream (and m_onData).
            const HttpResponder::DataFn onData = m_onData;
            return !onData || onData(QByteArrayView(data, n));
        },
        &error);
    if (step == Step::Stop && m_state == State::Stream) { // the handler stops reading
        m_onData = nullptr;
        m_onEnd = nullptr;
        m_state = State::Busy;
        m_timer.stop();
    } else if (step == Step::Bad) {
        endStream(error);
    } else if (step == Step::Done) {
        m_bodyDone = true;
        endStream(QString());
    }
}

void HttpConnection::startStream(HttpResponder *responder, HttpResponder::DataFn onData,
                                 HttpResponder::EndFn onEnd)
{
    if (responder != m_current || m_state != State::Busy || !m_request) {
        QMetaObject::invokeMethod(
            this, [onEnd] { onEnd(QStringLiteral("the request is no longer being read")); },
            Qt::QueuedConnection);
        return;
    }
    if (m_bodyDone) { // no body at all
        QMetaObject::invokeMethod(
            this, [onEnd] { onEnd(QString()); }, Qt::QueuedConnection);
        return;
    }
    m_onData = std::move(onData);
    m_onEnd = std::move(onEnd);
    m_state = State::Stream;
    m_socket->setReadBufferSize(kStreamReadBuffer);
    sendContinue();
    arm(m_server->limits().bodyTimeoutMs);
    QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

void HttpConnection::endStream(const QString &error)
{
    HttpResponder::EndFn end = std::move(m_onEnd);
    m_onData = nullptr;
    m_onEnd = nullptr;
    if (m_state == State::Stream) {
        m_state = State::Busy;
        m_timer.stop();
    }
    if (end)
        end(error);
}

void HttpConnection::responseDone(HttpResponder *responder, bool close)
{
    if (responder != m_current)
        return;
    m_current = nullptr;
    if (m_inHead) {
        m_doneInHead = true;
        m_doneClose = close;
        return;
    }
    if (m_state == State::Stream)
        endStream(QStringLiteral("the response was sent before the body was read"));
    finishExchange(close);
}

void HttpConnection::responderGone(HttpResponder *responder)
{
    if (responder != m_current)
        return;
    // Nobody will answer this request any more (a handler dropped it): the client must not wait.
    m_current = nullptr;
    if (m_state == State::Stream)
        endStream(QStringLiteral("the request was dropped"));
    if (m_state == State::Busy || m_state == State::Body)
        closeGracefully();
}

void HttpConnection::finishExchange(bool close)
{
    if (m_state == State::Closing || m_state == State::Closed)
        return;
    if (close || m_closeAfter || !m_bodyDone) {
        closeGracefully();
        return;
    }
    m_request.reset();
    m_state = State::Idle;
    m_keptAlive = true;
    m_socket->setReadBufferSize(kHeadReadBuffer);
    arm(m_server->limits().idleTimeoutMs);
    QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

QTcpSocket *HttpConnection::detachSocket(HttpResponder *responder)
{
    if (responder != m_current || !m_inHead || !m_socket)
        return nullptr;
    m_socket->disconnect(this);
    m_timer.stop();
    QTcpSocket *socket = m_socket;
    socket->setParent(nullptr);
    socket->setReadBufferSize(0);
    m_socket = nullptr;
    m_current = nullptr;
    m_state = State::Closed;
    if (m_server)
        m_server->forget(this);
    deleteLater();
    return socket;
}

void HttpConnection::fail(int status, const QString &message)
{
    if (m_state == State::Closing || m_state == State::Closed)
        return;
    if (m_state == State::Stream)
        endStream(message);
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), message}})
                                .toJson(QJsonDocument::Compact) +
                            '\n';
    m_current = nullptr;
    m_pending.reset();
    m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + httpReason(status) +
                    "\r\nContent-Type: application/json\r\nContent-Length: " +
                    QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    closeGracefully();
}

// Closes after the answer without resetting it away: shut the write side once everything is
// written, then read and drop what the client still sends (bounded) until it closes. Closing
// with unread input would make the kernel send a reset that can destroy the answer in flight.
void HttpConnection::closeGracefully()
{
    if (m_state == State::Closing || m_state == State::Closed)
        return;
    m_state = State::Closing;
    m_current = nullptr;
    m_pending.reset();
    m_timer.stop();
    m_socket->setReadBufferSize(64 * 1024);
    if (m_socket->bytesToWrite() == 0)
        shutdownWrite();
    discardInput();
}

void HttpConnection::shutdownWrite()
{
    m_writeShut = true;
    m_socket->flush();
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    arm(kLingerMs);
}

void HttpConnection::discardInput()
{
    while (m_state == State::Closing && m_socket->bytesAvailable() > 0) {
        m_discarded += m_socket->skip(m_socket->bytesAvailable());
        if (m_discarded > kLingerBytes) {
            abort();
            return;
        }
    }
}

void HttpConnection::onTimeout()
{
    switch (m_state) {
    case State::Body:
        fail(408, QStringLiteral("request body timeout: no data for %1 ms")
                      .arg(m_server->limits().bodyTimeoutMs));
        break;
    case State::Stream:
        endStream(QStringLiteral("request body timeout: no data for %1 ms")
                      .arg(m_server->limits().bodyTimeoutMs));
        abort();
        break;
    case State::Busy:
        break;
    default: // idle, head (header timeout) and the end of a lingering close
        abort();
        break;
    }
}

} // namespace capsule::local
