// OSC 8 hyperlinks of the terminal surface: kept in absolute lines so they stay on their text.
#include "terminal/terminalsurface.h"

#include "terminal/terminalscreen.h"

#include <vterm.h>

namespace capsule::terminal {

namespace {
// Hyperlinks are bookkeeping only; a flood of them must not grow without bound.
constexpr int MaxHyperlinks = 4096;
} // namespace

void TerminalSurface::handleOsc8(const QByteArray &params, const QByteArray &uri)
{
    VTermPos pos;
    vterm_state_get_cursorpos(m_state, &pos);
    if (m_linkOpen) {
        m_openLink.endLine = m_screen->absoluteTop() + pos.row;
        m_openLink.endCol = pos.col;
        m_linkOpen = false;
        const bool empty =
            m_openLink.endLine == m_openLink.startLine && m_openLink.endCol <= m_openLink.startCol;
        if (!empty) {
            m_links.append(m_openLink);
            if (m_links.size() > MaxHyperlinks)
                m_links.removeFirst();
            emit hyperlinkAdded(m_openLink);
        }
    }
    if (uri.isEmpty())
        return;
    m_openLink = TerminalHyperlink();
    m_openLink.url = QString::fromUtf8(uri);
    for (const QByteArray &param : params.split(':')) {
        if (param.startsWith("id="))
            m_openLink.id = QString::fromUtf8(param.mid(3));
    }
    m_openLink.startLine = m_screen->absoluteTop() + pos.row;
    m_openLink.startCol = pos.col;
    m_linkOpen = true;
}

QString TerminalSurface::hyperlinkAt(int line, int col) const
{
    const qint64 absolute = firstAbsoluteLine() + line;
    auto contains = [absolute, col](const TerminalHyperlink &l) {
        const bool afterStart =
            absolute > l.startLine || (absolute == l.startLine && col >= l.startCol);
        const bool beforeEnd = absolute < l.endLine || (absolute == l.endLine && col < l.endCol);
        return afterStart && beforeEnd;
    };
    if (m_linkOpen) {
        TerminalHyperlink open = m_openLink;
        VTermPos pos;
        vterm_state_get_cursorpos(m_state, &pos);
        open.endLine = m_screen->absoluteTop() + pos.row;
        open.endCol = pos.col;
        if (contains(open))
            return open.url;
    }
    for (auto it = m_links.crbegin(); it != m_links.crend(); ++it) {
        if (contains(*it))
            return it->url;
    }
    return {};
}

QList<QPair<int, int>> TerminalSurface::hyperlinkSpans(int line) const
{
    const qint64 absolute = firstAbsoluteLine() + line;
    QList<QPair<int, int>> spans;
    auto add = [&](const TerminalHyperlink &l) {
        if (absolute < l.startLine || absolute > l.endLine)
            return;
        const int from = absolute == l.startLine ? l.startCol : 0;
        const int to = absolute == l.endLine ? l.endCol : m_cols;
        if (to > from)
            spans.append({from, to});
    };
    for (const TerminalHyperlink &l : m_links)
        add(l);
    if (m_linkOpen) {
        TerminalHyperlink open = m_openLink;
        VTermPos pos;
        vterm_state_get_cursorpos(m_state, &pos);
        open.endLine = m_screen->absoluteTop() + pos.row;
        open.endCol = pos.col;
        add(open);
    }
    return spans;
}

QList<TerminalHyperlink> TerminalSurface::hyperlinks() const
{
    return m_links;
}

} // namespace capsule::terminal
