// An incremental HTTP/1.1 response parser for the requests the client sends over its own socket
// (the streaming upload): status line, headers, then a body framed by Content-Length, chunked
// transfer coding or the end of the connection.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

namespace capsule {

class HttpResponseParser
{
public:
    enum class State { Head, Body, Done, Failed };

    // `maxBody` caps the body kept in memory (-1 = no cap); a larger body fails the parse with
    // bodyTooLarge() set. Interim 1xx replies (100 Continue) are skipped.
    explicit HttpResponseParser(qint64 maxBody = -1);

    // Consumes `data`. False once the reply is malformed or too large (see errorString()).
    // Bytes after the end of the reply are ignored.
    bool feed(QByteArrayView data);
    // The connection ended: a body framed by the end of the connection is complete now; any
    // other unfinished reply fails (errorString() says what was missing).
    bool finishAtEof();

    State state() const { return m_state; }
    bool isComplete() const { return m_state == State::Done; }
    bool headReceived() const { return m_state == State::Body || m_state == State::Done; }
    bool bodyTooLarge() const { return m_tooLarge; }
    QString errorString() const { return m_error; }

    int status() const { return m_status; }
    const QList<QPair<QByteArray, QByteArray>> &headers() const { return m_headers; }
    QByteArray header(const QByteArray &name) const; // case-insensitive, empty if absent
    const QByteArray &body() const { return m_body; }
    // The Content-Length of the reply, -1 when the body is chunked or ends with the connection.
    qint64 contentLength() const { return m_framing == Framing::Length ? m_length : -1; }

private:
    enum class Framing { None, Length, Chunked, UntilClose };
    enum class ChunkStep { Size, Data, DataEnd, Trailer };

    bool parseHead();
    bool parseStatusLine(QByteArrayView line);
    bool parseHeaderLines(const QList<QByteArray> &lines);
    bool chooseFraming();
    bool feedBody();
    bool feedChunked();
    bool chunkSizeLine(QByteArrayView line);
    bool appendBody(QByteArrayView data);
    bool failWith(const QString &error);
    qsizetype lineEnd() const; // index of the next "\n" in m_pending, -1 if none yet

    State m_state = State::Head;
    Framing m_framing = Framing::None;
    ChunkStep m_chunkStep = ChunkStep::Size;
    qint64 m_maxBody;
    qint64 m_length = 0;    // Content-Length
    qint64 m_chunkLeft = 0; // bytes left in the current chunk
    int m_status = 0;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_pending; // unparsed input (head, chunk framing lines)
    QByteArray m_body;
    QString m_error;
    bool m_tooLarge = false;
};

} // namespace capsule
