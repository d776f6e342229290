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
#include <memory>
#include <vector>

struct VTerm;
struct VTermState;

namespace capsule::terminal {

struct Cell;
class TerminalScreen;

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

// libvterm's parser and VTermState drive our own screen model (TerminalScreen). Lines are addressed
// in one combined space: 0..scrollbackLines()-1 are the scrollback (oldest first), then rows()
// screen lines. Bytes for the PTY (keys, paste, terminal replies such as DA/DSR) leave through
// writeToPty().
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
    int scrollbackLines() const;
    int lineCount() const { return scrollbackLines() + m_rows; }
    void setScrollbackLimit(int lines);
    int scrollbackLimit() const { return m_scrollbackLimit; }
    void clearScrollback();

    // Text of one screen row / combined line (trailing blanks trimmed).
    QString rowText(int row) const;
    QString lineText(int line) const { return lineText(line, nullptr); }
    // Also fills columns[i] with the screen column of QChar i of the result.
    QString lineText(int line, std::vector<int> *columns) const;
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
    // The 16 ANSI colours (fewer entries leave the rest); applies to text already on screen.
    void setPalette(const QList<QColor> &colors);
    QList<QColor> palette() const;

    // Fast access for painting: the raw cells of a combined line (count may be < cols() for
    // scrollback lines), and a cell colour word resolved to RGB with the current palette.
    const Cell *lineCells(int line, int *count) const;
    QRgb resolveColor(uint32_t word, bool foreground) const
    {
        switch ((word >> 24) & 3) {
        case 1:
            return m_palette[word & 0xff];
        case 2:
            return 0xff000000u | (word & 0xffffff);
        default:
            return foreground ? m_defaultFgRgb : m_defaultBgRgb;
        }
    }
    QString cellText(const Cell &c) const;

    // The ASCII fast path (on by default); tests compare its result with libvterm's own.
    void setFastPathEnabled(bool enabled) { m_fastPathEnabled = enabled; }

    // OSC 8: the link under a combined-coordinate position, empty if none.
    QString hyperlinkAt(int line, int col) const;
    QList<TerminalHyperlink> hyperlinks() const;
    bool hasHyperlinks() const { return m_linkOpen || !m_links.isEmpty(); }
    // Column ranges [first, second) of the links on one combined line, for painting.
    QList<QPair<int, int>> hyperlinkSpans(int line) const;
    // Absolute line number of combined line 0 (scrollback lines dropped over the limit so far).
    qint64 firstAbsoluteLine() const;

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
    // Text between escape sequences: printable ASCII runs are written to the screen directly
    // (fastRun) when libvterm's state allows it, the rest goes to libvterm.
    void feedText(const char *bytes, qsizetype len);
    qsizetype fastRun(const char *bytes, qsizetype pending, qsizetype from, qsizetype to);
    bool fastPathAllowed() const
    {
        return m_fastPathEnabled && !m_insertMode && !m_originMode && !m_lrMargins && !m_inDcs &&
               m_charsetAscii[m_glSet];
    }
    void noteControl(unsigned char c);
    void noteEscape(char intermediate, char final);
    void noteCsi(char final);
    void resetFastPathState();
    void clampCursor();
    void handleOsc(const QByteArray &osc);
    void handleOsc8(const QByteArray &params, const QByteArray &uri);
    void handleOsc52(const QByteArray &payload);
    void flushOutput();
    TerminalCell convertCell(const Cell &c) const;
    void dropExpiredLinks();
    void emitDamage();

    VTerm *m_vt = nullptr;
    VTermState *m_state = nullptr;
    int m_cols;
    int m_rows;
    std::unique_ptr<TerminalScreen> m_screen; // cells, screen rows and scrollback
    int m_scrollbackLimit = DefaultScrollbackLimit;
    QRgb m_palette[256] = {};
    QRgb m_defaultFgRgb = 0xffdcdcdc;
    QRgb m_defaultBgRgb = 0xff1e1e1e;

    // OSC interception: libvterm 0.1.4 loses OSC strings split across writes, so OSC sequences are
    // parsed here and never reach it.
    enum class ParseState { Normal, Escape, EscIntermediate, Csi, Osc, OscEscape };
    ParseState m_parseState = ParseState::Normal;
    char m_escIntermediate = 0;
    QByteArray m_osc;
    QByteArray m_csiParams; // parameter bytes of the CSI sequence being watched
    QByteArray m_utf8Tail;  // an incomplete UTF-8 sequence held back for the next feed()
    bool m_oscOverflow = false;

    // What the ASCII fast path must know of libvterm's state (it has no getters for these); any
    // of them set sends all text through libvterm.
    bool m_fastPathEnabled = true;
    bool m_insertMode = false; // IRM (CSI 4 h)
    bool m_originMode = false; // DECOM (CSI ? 6 h): our cursor moves are absolute
    bool m_lrMargins = false;  // DECLRMM (CSI ? 69 h)
    bool m_inDcs = false;      // inside ESC P ... (libvterm ends it at ESC, BEL, CAN, SUB)
    bool m_charsetAscii[4] = {true, true, true, true}; // G0..G3 designated as US-ASCII
    int m_glSet = 0;                                   // SI/SO/LS2/LS3

    QByteArray m_pendingOutput;
    mutable QByteArray m_probeOutput; // what libvterm wrote while probed (bracketedPaste)

    QPoint m_cursor;
    bool m_cursorVisible = true;
    bool m_cursorBlink = true;
    int m_cursorShape = 1;
    bool m_altScreen = false;
    bool m_reverseVideo = false;
    mutable bool m_probing = false; // swallows output while asking libvterm about a mode
    int m_mouseMode = 0;
    QString m_title;
    QColor m_defaultFg{0xdc, 0xdc, 0xdc};
    QColor m_defaultBg{0x1e, 0x1e, 0x1e};

    QList<TerminalHyperlink> m_links;
    bool m_linkOpen = false;
    TerminalHyperlink m_openLink;
};

} // namespace capsule::terminal
