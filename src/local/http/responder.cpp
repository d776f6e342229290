// HttpResponder: the answer to one request, written straight to its connection. Tracks the
// framing it announced (Content-Length, chunked, none) to know when the response is complete.
#include "local/http/connection.h"

#include "core/version.h"

namespace capsule::local {

HttpResponder::HttpResponder(HttpConnection *connection, bool headRequest, bool http10)
    : m_connection(connection)
    , m_headRequest(headRequest)
    , m_http10(http10)
{}

HttpResponder::~HttpResponder()
{
    if (!m_finished && m_connection)
        m_connection->responderGone(this);
}

void HttpResponder::writeStatusLine(int status)
{
    if (m_status || m_finished)
        return;
    m_status = status;
    m_head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + httpReason(status) + "\r\n";
    // Names the software, so clients (capsule version, the app's About and connection check) can
    // tell a capsule-local from an upstream server, which sends no Server header.
    static const QByteArray server = "Server: capsule-local/" + appVersion().toLatin1() + "\r\n";
    m_head += server;
}

void HttpResponder::writeHeader(const QByteArray &name, const QByteArray &value)
{
    if (!m_status || m_headEnded)
        return;
    const QByteArray lower = name.toLower();
    if (lower == "content-length") {
        bool ok = false;
        const qint64 n = value.trimmed().toLongLong(&ok);
        m_contentLength = ok && n >= 0 ? n : -1;
    } else if (lower == "transfer-encoding") {
        m_chunked = value.trimmed().toLower() == "chunked";
        if (m_http10) // HTTP/1.0 has no chunked coding: the body ends when the connection does
            return;
    } else if (lower == "connection") {
        m_close = m_close || value.toLower().contains("close");
        return; // endHead writes the one Connection header
    }
    m_head += name + ": " + value + "\r\n";
}

void HttpResponder::endHead()
{
    if (m_headEnded || !m_status)
        return;
    m_headEnded = true;
    m_noBody = m_headRequest || m_status < 200 || m_status == 204 || m_status == 304;
    if (m_http10 && m_chunked)
        m_unframed = true;
    if (!m_noBody && m_contentLength < 0 && (!m_chunked || m_unframed))
        m_close = true; // the body is delimited by the end of the connection
    if (m_connection && m_connection->mustClose())
        m_close = true;
    if (m_close)
        m_head += "Connection: close\r\n";
    else if (m_http10)
        m_head += "Connection: keep-alive\r\n";
    m_head += "\r\n";
    send(std::exchange(m_head, {}));
    if (m_noBody || m_contentLength == 0)
        finish();
}

void HttpResponder::writeBody(const QByteArray &data)
{
    if (!m_status || m_finished)
        return;
    endHead();
    if (m_finished || m_noBody || data.isEmpty())
        return;
    if (m_contentLength < 0) {
        send(data);
        return;
    }
    const qint64 n = qMin<qint64>(data.size(), m_contentLength - m_written);
    send(n == data.size() ? data : data.left(n));
    m_written += n;
    if (m_written >= m_contentLength)
        finish();
}

void HttpResponder::writeChunk(const QByteArray &data)
{
    if (!m_chunked || m_unframed) {
        writeBody(data);
        return;
    }
    if (!m_status || m_finished)
        return;
    endHead();
    if (m_finished || m_noBody || data.isEmpty())
        return;
    send(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void HttpResponder::endChunks()
{
    if (!m_status || m_finished)
        return;
    endHead();
    if (m_finished)
        return;
    if (m_chunked && !m_unframed && !m_noBody)
        send("0\r\n\r\n");
    finish();
}

void HttpResponder::send(const QByteArray &bytes)
{
    if (m_connection)
        m_connection->write(this, bytes);
}

void HttpResponder::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_connection)
        m_connection->responseDone(this, m_close);
}

QTcpSocket *HttpResponder::socket() const
{
    return m_connection ? m_connection->socket() : nullptr;
}

void HttpResponder::streamBody(DataFn onData, EndFn onEnd)
{
    if (!m_connection) {
        onEnd(QStringLiteral("the client closed the connection"));
        return;
    }
    m_connection->startStream(this, std::move(onData), std::move(onEnd));
}

QTcpSocket *HttpResponder::takeSocket()
{
    QTcpSocket *socket = m_connection ? m_connection->detachSocket(this) : nullptr;
    if (socket)
        m_finished = true;
    return socket;
}

} // namespace capsule::local
