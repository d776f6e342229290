// Incremental HTTP/1.1 response parsing: head, then a Content-Length, chunked or until-close body.
#include "core/http/responseparser.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace capsule {

namespace {

constexpr qsizetype kMaxHead = 64 * 1024;     // status line + headers
constexpr qsizetype kMaxChunkLine = 4 * 1024; // chunk size line or one trailer line

// A short, printable excerpt of what the server sent, for error messages.
QString excerpt(QByteArrayView data)
{
    QByteArray out;
    for (char c : data.first(qMin<qsizetype>(data.size(), 60)))
        out += (c >= 0x20 && c < 0x7f) ? QByteArray(1, c) : QByteArray("?");
    return QString::fromLatin1(out);
}

QByteArrayView withoutCr(QByteArrayView line)
{
    return line.endsWith('\r') ? line.chopped(1) : line;
}

} // namespace

HttpResponseParser::HttpResponseParser(qint64 maxBody)
    : m_maxBody(maxBody)
{}

QByteArray HttpResponseParser::header(const QByteArray &name) const
{
    for (const auto &h : m_headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

bool HttpResponseParser::failWith(const QString &error)
{
    m_state = State::Failed;
    m_error = error;
    m_pending.clear();
    return false;
}

qsizetype HttpResponseParser::lineEnd() const
{
    return m_pending.indexOf('\n');
}

bool HttpResponseParser::feed(QByteArrayView data)
{
    if (m_state == State::Done || m_state == State::Failed)
        return m_state == State::Done;
    m_pending.append(data);
    while (true) {
        const State before = m_state;
        const qsizetype pendingBefore = m_pending.size();
        if (m_state == State::Head && !parseHead())
            return false;
        if (m_state == State::Body && !feedBody())
            return false;
        if (m_state == State::Done) {
            m_pending.clear(); // whatever follows the reply is not ours
            return true;
        }
        if (m_state == before && m_pending.size() == pendingBefore)
            return true; // needs more input
    }
}

bool HttpResponseParser::parseHead()
{
    // Something else than HTTP (a TLS alert, another protocol) fails at once, not at the cap.
    const qsizetype known = qMin<qsizetype>(m_pending.size(), 7);
    if (!QByteArrayView("HTTP/1.").startsWith(QByteArrayView(m_pending).first(known))) {
        const qsizetype eol = m_pending.indexOf('\n');
        return failWith(QStringLiteral("not an HTTP/1.x reply: \"%1\"")
                            .arg(excerpt(withoutCr(QByteArrayView(m_pending).first(
                                eol < 0 ? m_pending.size() : eol)))));
    }
    qsizetype end = m_pending.indexOf("\r\n\r\n");
    qsizetype skip = 4;
    const qsizetype bare = m_pending.indexOf("\n\n");
    if (bare >= 0 && (end < 0 || bare < end)) {
        end = bare;
        skip = 2;
    }
    if (end < 0) {
        if (m_pending.size() > kMaxHead)
            return failWith(QStringLiteral("the reply head is longer than %1 bytes").arg(kMaxHead));
        return true;
    }
    const QList<QByteArray> lines = m_pending.left(end).split('\n');
    m_pending.remove(0, end + skip);
    m_headers.clear();
    if (!parseStatusLine(withoutCr(lines.first())) || !parseHeaderLines(lines))
        return false;
    if (m_status >= 100 && m_status < 200 && m_status != 101)
        return true; // interim reply (100 Continue): the real one follows
    return chooseFraming();
}

bool HttpResponseParser::parseStatusLine(QByteArrayView line)
{
    // "HTTP/1.1 200 OK": version, three digits, an optional reason.
    const bool shaped = line.size() >= 12 && line.startsWith("HTTP/1.") && line.at(8) == ' ' &&
                        (line.size() == 12 || line.at(12) == ' ');
    bool ok = false;
    const int status = shaped ? line.sliced(9, 3).toInt(&ok) : 0;
    if (!ok || status < 100 || status > 599)
        return failWith(QStringLiteral("not an HTTP/1.x reply: \"%1\"").arg(excerpt(line)));
    m_status = status;
    return true;
}

bool HttpResponseParser::parseHeaderLines(const QList<QByteArray> &lines)
{
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = withoutCr(lines.at(i));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || line.front() == ' ' || line.front() == '\t')
            return failWith(QStringLiteral("malformed header line \"%1\"").arg(excerpt(line)));
        m_headers.append({line.first(colon).trimmed().toByteArray(),
                          line.sliced(colon + 1).trimmed().toByteArray()});
    }
    return true;
}

bool HttpResponseParser::chooseFraming()
{
    if (m_status == 101)
        return failWith(QStringLiteral("unexpected HTTP 101 (Switching Protocols)"));
    m_state = State::Body;
    if (m_status == 204 || m_status == 304) {
        m_framing = Framing::None;
        return true;
    }
    const QByteArray coding = header("Transfer-Encoding").trimmed().toLower();
    if (!coding.isEmpty()) {
        // A final coding other than chunked ends with the connection (RFC 9112 6.3).
        m_framing = coding.endsWith("chunked") ? Framing::Chunked : Framing::UntilClose;
        return true;
    }
    const QByteArray length = header("Content-Length").trimmed();
    if (length.isEmpty()) {
        m_framing = Framing::UntilClose;
        return true;
    }
    bool ok = false;
    m_length = length.toLongLong(&ok);
    if (!ok || m_length < 0 || !std::all_of(length.begin(), length.end(), ::isdigit))
        return failWith(QStringLiteral("invalid Content-Length \"%1\"").arg(excerpt(length)));
    if (m_maxBody >= 0 && m_length > m_maxBody) {
        m_tooLarge = true;
        return failWith(QStringLiteral("%1 bytes announced").arg(m_length));
    }
    m_framing = Framing::Length;
    return true;
}

bool HttpResponseParser::appendBody(QByteArrayView data)
{
    if (m_maxBody >= 0 && m_body.size() + data.size() > m_maxBody) {
        m_tooLarge = true;
        return failWith(QStringLiteral("more than %1 bytes").arg(m_maxBody));
    }
    m_body.append(data);
    return true;
}

bool HttpResponseParser::feedBody()
{
    switch (m_framing) {
    case Framing::None:
        m_state = State::Done;
        return true;
    case Framing::Length: {
        const qsizetype take = qsizetype(qMin<qint64>(m_length - m_body.size(), m_pending.size()));
        if (!appendBody(QByteArrayView(m_pending).first(take)))
            return false;
        m_pending.remove(0, take);
        if (m_body.size() == m_length)
            m_state = State::Done;
        return true;
    }
    case Framing::UntilClose: {
        const QByteArray data = std::exchange(m_pending, {});
        return appendBody(data);
    }
    case Framing::Chunked:
        return feedChunked();
    }
    return true;
}

bool HttpResponseParser::feedChunked()
{
    while (m_state == State::Body) {
        if (m_chunkStep == ChunkStep::Data) {
            const qsizetype take = qsizetype(qMin<qint64>(m_chunkLeft, m_pending.size()));
            if (!appendBody(QByteArrayView(m_pending).first(take)))
                return false;
            m_pending.remove(0, take);
            m_chunkLeft -= take;
            if (m_chunkLeft > 0)
                return true;
            m_chunkStep = ChunkStep::DataEnd;
            continue;
        }
        const qsizetype end = lineEnd();
        if (end < 0) {
            if (m_pending.size() > kMaxChunkLine)
                return failWith(
                    QStringLiteral("a chunk line is longer than %1 bytes").arg(kMaxChunkLine));
            return true;
        }
        const QByteArray line = withoutCr(QByteArrayView(m_pending).first(end)).toByteArray();
        m_pending.remove(0, end + 1);
        if (m_chunkStep == ChunkStep::Size) {
            if (!chunkSizeLine(line))
                return false;
        } else if (m_chunkStep == ChunkStep::DataEnd) {
            if (!line.isEmpty())
                return failWith(QStringLiteral("a chunk is longer than its size says"));
            m_chunkStep = ChunkStep::Size;
        } else if (line.isEmpty()) { // Trailer: an empty line ends the reply
            m_state = State::Done;
        }
    }
    return true;
}

bool HttpResponseParser::chunkSizeLine(QByteArrayView line)
{
    const qsizetype semicolon = line.indexOf(';'); // chunk extensions are ignored
    const QByteArrayView digits = (semicolon < 0 ? line : line.first(semicolon)).trimmed();
    bool ok = !digits.isEmpty() && digits.size() <= 15;
    const qint64 size = ok ? digits.toLongLong(&ok, 16) : 0;
    if (!ok || size < 0)
        return failWith(QStringLiteral("invalid chunk size \"%1\"").arg(excerpt(line)));
    m_chunkLeft = size;
    m_chunkStep = size == 0 ? ChunkStep::Trailer : ChunkStep::Data;
    return true;
}

bool HttpResponseParser::finishAtEof()
{
    if (m_state == State::Done || m_state == State::Failed)
        return m_state == State::Done;
    if (m_state == State::Body && m_framing == Framing::UntilClose) {
        m_state = State::Done;
        return true;
    }
    if (m_state == State::Head)
        return failWith(m_pending.isEmpty()
                            ? QStringLiteral("the connection closed before any reply")
                            : QStringLiteral("the connection closed in the middle of the reply "
                                             "head"));
    if (m_framing == Framing::Length)
        return failWith(QStringLiteral("the connection closed after %1 of %2 bytes of the reply "
                                       "body")
                            .arg(m_body.size())
                            .arg(m_length));
    return failWith(QStringLiteral("the connection closed in the middle of a chunked reply body"));
}

} // namespace capsule
