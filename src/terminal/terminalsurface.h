// Terminal emulation without painting: libvterm screen + scrollback + OSC handling, testable
// headless.
#pragma once

#include <QByteArray>
#include <QColor>
#include <QList>
#include <QObject>
#include <QPoint>
#include <QRect>
#include <QSize>
#include <QString>
#include <deque>
#include <memory>
#include <vector>

struct VTerm;
struct VTermScreen;
struct VTermState;

namespace capsule::terminal {

// One character cell as the view paints it. Colours are resolved to RGB; the index fields keep the
// palette index (or -1) so a theme can tell "red" from a truecolor that happens to look red.
struct TerminalCell
{
    QString text;  // the grapheme (base + combining marks); empty for a blank cell
    int width = 1; // 2 for the left half of a wide character, 0 for its right half
    QColor fg;
    QColor bg;
    int fgIndex = -1; // palette index 0..255, or -1 for truecolor/default
    int bgIndex = -1;
    bool fgDefault = true;
    bool bgDefault = true;
    bool bold = false;
    bool italic = false;
    int underline = 0; // 0 off, 1 single, 2 double, 3 curly
    bool reverse = false;
    bool strike = false;
    bool blink = false;
};

// An OSC 8 hyperlink over a flow-ordered range of absolute lines (see TerminalSurface::lineCount).
struct TerminalHyperlink
{
    QString url;
    QString id;
    qint64 startLine = 0; // absolute line numbers: they stay valid while text scrolls
    int startCol = 0;
    qint64 endLine = 0;
    int endCol = 0; // exclusive
};

// Wraps VTerm + VTermScreen. Lines are addressed in one combined space: 0..scrollbackLines()-1 are
// the scrollback (oldest first), then rows() screen lines. Bytes for the PTY (keys, paste, terminal
// replies such as DA/DSR) leave through writeToPty().
class TerminalSurface : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultScrollbackLimit = 10000;

    explicit TerminalSurface(int cols = 80, int rows = 24, QObject *parent = nullptr);
    ~TerminalSurface() override;

    // PTY output, in any fragmentation (split UTF-8 and split escape sequences are fine).
    void feed(const QByteArray &chunk);

    void resize(int cols, int rows);
    int cols() const { return m_cols; }
    int rows() const { return m_rows; }

    // Keyboard: Qt key + modifiers + the event's text. Returns false if nothing was sent.
    bool sendKey(int key, Qt::KeyboardModifiers modifiers, const QString &text = {});
    void sendText(const QString &text);
    // Pastes text, wrapped in ESC[200~ .. ESC[201~ when the program enabled bracketed paste.
    void paste(const QString &text);
    bool bracketedPaste() const;

    // Mouse reporting for programs that asked for it (mouseMode() != 0). Screen coordinates.
    int mouseMode() const { return m_mouseMode; }
    void mouseMove(int row, int col, Qt::KeyboardModifiers modifiers);
    void mouseButton(int button, bool pressed, Qt::KeyboardModifiers modifiers);

    void focusChanged(bool focused);

    // Cells: screen coordinates, or combined line coordinates including scrollback.
    TerminalCell cell(int row, int col) const;
    TerminalCell lineCell(int line, int col) const;
    int scrollbackLines() const { return int(m_scrollback.size()); }
    int lineCount() const { return scrollbackLines() + m_rows; }
    void setScrollbackLimit(int lines);
    int scrollbackLimit() const { return m_scrollbackLimit; }
    void clearScrollback();

    // Text of one screen row / combined line (trailing blanks trimmed).
    QString rowText(int row) const;
    QString lineText(int line) const;
    QString screenText() const; // all rows joined by '\n', trailing blank rows dropped
    // Text from `from` to `to` (QPoint(col, line), combined coordinates, flow order, `to`
    // exclusive).
    QString text(QPoint from, QPoint to) const;
    // The word (non-blank run) around a position, as a [start, end) column range on that line.
    QPair<int, int> wordAt(int line, int col) const;

    QPoint cursor() const { return m_cursor; } // (col, row) on the screen
    bool cursorVisible() const { return m_cursorVisible; }
    bool cursorBlink() const { return m_cursorBlink; }
    int cursorShape() const { return m_cursorShape; } // VTERM_PROP_CURSORSHAPE_* (1 block)
    bool altScreen() const { return m_altScreen; }
    bool reverseVideo() const { return m_reverseVideo; }
    QString title() const { return m_title; }

    QColor defaultForeground() const { return m_defaultFg; }
    QColor defaultBackground() const { return m_defaultBg; }
    void setDefaultColors(const QColor &fg, const QColor &bg);

    // OSC 8: the link under a combined-coordinate position, empty if none.
    QString hyperlinkAt(int line, int col) const;
    QList<TerminalHyperlink> hyperlinks() const;
    // Column ranges [first, second) of the links on one combined line, for painting.
    QList<QPair<int, int>> hyperlinkSpans(int line) const;
    // Absolute line number of combined line 0 (scrollback lines dropped over the limit so far).
    qint64 firstAbsoluteLine() const { return m_absoluteTop - scrollbackLines(); }

signals:
    void writeToPty(const QByteArray &data);
    void invalidated(const QRect &cells); // screen coordinates: x = col, y = row
    void cursorChanged(const QPoint &oldPos, const QPoint &newPos);
    void titleChanged(const QString &title);
    void altScreenChanged(bool altScreen);
    void bell();
    void clipboardRequested(const QString &text);
    void hyperlinkAdded(const TerminalHyperlink &link);
    void scrollbackChanged(int lines, int pushed); // pushed < 0 when lines came back (resize)
    void mouseModeChanged(int mode);

private:
    // libvterm calls these through static trampolines (terminalsurface.cpp).
    friend struct SurfaceCallbacks;

    void feedToVterm(const char *bytes, qsizetype len);
    void clampCursor();
    void handleOsc(const QByteArray &osc);
    void handleOsc8(const QByteArray &params, const QByteArray &uri);
    void handleOsc52(const QByteArray &payload);
    void flushOutput();
    TerminalCell convertCell(const void *vtermCell, bool continuation) const;
    void dropExpiredLinks();

    VTerm *m_vt = nullptr;
    VTermScreen *m_screen = nullptr;
    VTermState *m_state = nullptr;
    int m_cols;
    int m_rows;

    // Scrollback lines are stored as raw VTermScreenCell bytes so cells round-trip exactly through
    // sb_pushline / sb_popline (a resize that adds rows pulls them back).
    std::deque<std::vector<unsigned char>> m_scrollback;
    int m_scrollbackLimit = DefaultScrollbackLimit;
    qint64 m_absoluteTop = 0; // absolute line number of screen row 0

    // OSC interception: libvterm 0.1.4 loses OSC strings split across writes, so OSC sequences are
    // parsed here and never reach it.
    enum class ParseState { Normal, Escape, Csi, Osc, OscEscape };
    ParseState m_parseState = ParseState::Normal;
    QByteArray m_osc;
    QByteArray m_csiParams; // parameter bytes of the CSI sequence being watched
    QByteArray m_utf8Tail;  // an incomplete UTF-8 sequence held back for the next feed()
    bool m_oscOverflow = false;

    QByteArray m_pendingOutput;
    QByteArray m_probeOutput;
    int m_pendingPushed = 0; // scrollback lines pushed (popped: negative) since the last signal

    QPoint m_cursor;
    bool m_cursorVisible = true;
    bool m_cursorBlink = true;
    int m_cursorShape = 1;
    bool m_altScreen = false;
    bool m_reverseVideo = false;
    bool m_probing = false; // swallows output while asking libvterm about a mode
    int m_mouseMode = 0;
    QString m_title;
    QColor m_defaultFg{0xdc, 0xdc, 0xdc};
    QColor m_defaultBg{0x1e, 0x1e, 0x1e};

    QList<TerminalHyperlink> m_links;
    bool m_linkOpen = false;
    TerminalHyperlink m_openLink;
};

} // namespace capsule::terminal
