// Terminal emulation without painting: libvterm's parser and state layer driving our own screen
// model (TerminalScreen), scrollback, OSC handling; testable headless.
#include "terminal/terminalsurface.h"

#include "terminal/terminalscreen.h"

#include <vterm.h>

#include <algorithm>
#include <cstring>
#include <iterator>

namespace capsule::terminal {

namespace {

// An OSC 52 payload of a few MiB is already absurd; beyond this the sequence is dropped.
constexpr qsizetype MaxOscLength = 4 * 1024 * 1024;
constexpr int MaxCols = 2000;
// libvterm 0.1.4 writes out of bounds when a wide character meets a one-column screen.
constexpr int MinCols = 2;
constexpr int MaxRows = 1000;
// Shorter printable runs are not worth the cursor move that follows a fast-path write.
constexpr qsizetype FastRunMin = 8;

VTermColor toVtermColor(const QColor &color)
{
    VTermColor c;
    vterm_color_rgb(&c, uint8_t(color.red()), uint8_t(color.green()), uint8_t(color.blue()));
    return c;
}

uint32_t encodeColor(const VTermColor &c, bool foreground)
{
    if (foreground ? VTERM_COLOR_IS_DEFAULT_FG(&c) : VTERM_COLOR_IS_DEFAULT_BG(&c))
        return 0;
    if (VTERM_COLOR_IS_INDEXED(&c))
        return (Cell::KindIndexed << Cell::KindShift) | c.indexed.idx;
    return (Cell::KindRgb << Cell::KindShift) |
           (uint32_t(c.rgb.red) << 16 | uint32_t(c.rgb.green) << 8 | c.rgb.blue);
}

// Length of an incomplete UTF-8 sequence at the end of bytes (0 if the data ends complete).
qsizetype incompleteUtf8Tail(const char *bytes, qsizetype len)
{
    for (qsizetype back = 1; back <= 4 && back <= len; ++back) {
        const auto b = static_cast<unsigned char>(bytes[len - back]);
        if ((b & 0xc0) == 0x80)
            continue; // continuation byte: keep looking for the lead byte
        int needed = 1;
        if ((b & 0xe0) == 0xc0)
            needed = 2;
        else if ((b & 0xf0) == 0xe0)
            needed = 3;
        else if ((b & 0xf8) == 0xf0)
            needed = 4;
        return back < needed ? back : 0;
    }
    return 0;
}

bool isPrintableAscii(char c)
{
    return static_cast<unsigned char>(c - 0x20) < 0x5f;
}

// Writes a positive number below 10000, returns the end.
char *appendDecimal(char *out, int value)
{
    char digits[4];
    int n = 0;
    do {
        digits[n++] = char('0' + value % 10);
        value /= 10;
    } while (value > 0 && n < 4);
    while (n > 0)
        *out++ = digits[--n];
    return out;
}

bool isWordDelimiter(const QString &text)
{
    static const QString delimiters = QStringLiteral(" \t\"'`()[]{}<>|;,");
    return text.isEmpty() || (text.size() == 1 && delimiters.contains(text.at(0)));
}

} // namespace

// libvterm keeps a pointer to this table for the VTerm's lifetime, hence static storage. These are
// VTermState callbacks: libvterm parses and keeps the terminal state, we keep the cells.
struct SurfaceCallbacks
{
    static TerminalSurface *self(void *user) { return static_cast<TerminalSurface *>(user); }
    static TerminalScreen &screen(void *user) { return *self(user)->m_screen; }

    static int putGlyph(VTermGlyphInfo *info, VTermPos pos, void *user)
    {
        screen(user).putGlyph(info->chars, info->width, pos.row, pos.col);
        return 1;
    }

    static int scrollRect(VTermRect r, int downward, int rightward, void *user)
    {
        screen(user).scrollRect(r.start_row, r.end_row, r.start_col, r.end_col, downward,
                                rightward);
        return 1;
    }

    static int moveRect(VTermRect dest, VTermRect src, void *user)
    {
        screen(user).moveRect(dest.start_row, dest.start_col, src.start_row, src.end_row,
                              src.start_col, src.end_col);
        return 1;
    }

    static int erase(VTermRect r, int, void *user)
    {
        screen(user).erase(r.start_row, r.end_row, r.start_col, r.end_col);
        return 1;
    }

    static int initPen(void *user)
    {
        screen(user).resetPen();
        return 1;
    }

    static int setPenAttr(VTermAttr attr, VTermValue *val, void *user)
    {
        TerminalScreen &s = screen(user);
        switch (attr) {
        case VTERM_ATTR_BOLD:
            s.setPenFlag(Cell::Bold, val->boolean);
            break;
        case VTERM_ATTR_UNDERLINE:
            s.setPenUnderline(val->number);
            break;
        case VTERM_ATTR_ITALIC:
            s.setPenFlag(Cell::Italic, val->boolean);
            break;
        case VTERM_ATTR_BLINK:
            s.setPenFlag(Cell::Blink, val->boolean, true);
            break;
        case VTERM_ATTR_REVERSE:
            s.setPenFlag(Cell::Reverse, val->boolean);
            break;
        case VTERM_ATTR_STRIKE:
            s.setPenFlag(Cell::Strike, val->boolean);
            break;
        case VTERM_ATTR_FOREGROUND:
            s.setPenFg(encodeColor(val->color, true));
            break;
        case VTERM_ATTR_BACKGROUND:
            s.setPenBg(encodeColor(val->color, false));
            break;
        default: // conceal, font: not drawn
            break;
        }
        return 1;
    }

    static int setTermProp(VTermProp prop, VTermValue *value, void *user)
    {
        TerminalSurface *s = self(user);
        switch (prop) {
        case VTERM_PROP_CURSORVISIBLE:
            s->m_cursorVisible = value->boolean;
            emit s->cursorChanged(s->m_cursor, s->m_cursor);
            break;
        case VTERM_PROP_CURSORBLINK:
            s->m_cursorBlink = value->boolean;
            break;
        case VTERM_PROP_CURSORSHAPE:
            s->m_cursorShape = value->number;
            emit s->cursorChanged(s->m_cursor, s->m_cursor);
            break;
        case VTERM_PROP_ALTSCREEN:
            // libvterm erases the alternate screen itself right after this callback.
            s->m_screen->setAltScreen(value->boolean);
            if (s->m_altScreen != bool(value->boolean)) {
                s->m_altScreen = value->boolean;
                emit s->altScreenChanged(s->m_altScreen);
            }
            break;
        case VTERM_PROP_REVERSE:
            s->m_reverseVideo = value->boolean;
            s->m_screen->damageAll();
            break;
        case VTERM_PROP_MOUSE:
            if (s->m_mouseMode != value->number) {
                s->m_mouseMode = value->number;
                emit s->mouseModeChanged(s->m_mouseMode);
            }
            break;
        default:
            // Titles arrive through our own OSC parser (TerminalSurface::handleOsc).
            break;
        }
        return 1;
    }

    static int bell(void *user)
    {
        emit self(user)->bell();
        return 1;
    }

    static int resize(int rows, int cols, VTermPos *delta, void *user)
    {
        TerminalSurface *s = self(user);
        VTermPos pos;
        vterm_state_get_cursorpos(s->m_state, &pos);
        delta->row += s->m_screen->resize(cols, rows, pos.row);
        s->m_rows = rows;
        s->m_cols = cols;
        return 1;
    }

    static int setLineInfo(int, const VTermLineInfo *, const VTermLineInfo *, void *)
    {
        return 1; // double-width/height lines are drawn single
    }

    static void output(const char *bytes, size_t len, void *user)
    {
        TerminalSurface *s = self(user);
        if (s->m_probing)
            s->m_probeOutput.append(bytes, qsizetype(len));
        else
            s->m_pendingOutput.append(bytes, qsizetype(len));
    }

    static const VTermStateCallbacks stateCallbacks;
};

const VTermStateCallbacks SurfaceCallbacks::stateCallbacks = {
    &SurfaceCallbacks::putGlyph,    nullptr, // the cursor is read from the state once per feed
    &SurfaceCallbacks::scrollRect,  &SurfaceCallbacks::moveRect,
    &SurfaceCallbacks::erase,       &SurfaceCallbacks::initPen,
    &SurfaceCallbacks::setPenAttr,  &SurfaceCallbacks::setTermProp,
    &SurfaceCallbacks::bell,        &SurfaceCallbacks::resize,
    &SurfaceCallbacks::setLineInfo,
};

TerminalSurface::TerminalSurface(int cols, int rows, QObject *parent)
    : QObject(parent)
    , m_cols(std::clamp(cols, MinCols, MaxCols))
    , m_rows(std::clamp(rows, 1, MaxRows))
    , m_screen(std::make_unique<TerminalScreen>(m_cols, m_rows))
{
    m_screen->setScrollbackLimit(m_scrollbackLimit);
    m_vt = vterm_new(m_rows, m_cols);
    vterm_set_utf8(m_vt, 1);
    vterm_output_set_callback(m_vt, &SurfaceCallbacks::output, this);
    m_state = vterm_obtain_state(m_vt);
    vterm_state_set_callbacks(m_state, &SurfaceCallbacks::stateCallbacks, this);
    vterm_state_reset(m_state, 1);
    // libvterm's stock blue (0,0,224) is unreadable on a dark background; use a palette tuned
    // for one, close to what VS Code's terminal users are used to.
    static const QRgb palette[16] = {0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc,
                                     0x11a8cd, 0xe5e5e5, 0x666666, 0xf14c4c, 0x23d18b, 0xf5f543,
                                     0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff};
    QList<QColor> colors;
    for (QRgb c : palette)
        colors << QColor(c);
    setPalette(colors);
    setDefaultColors(m_defaultFg, m_defaultBg);
    m_screen->takeDamage();
}

TerminalSurface::~TerminalSurface()
{
    vterm_free(m_vt);
}

void TerminalSurface::setPalette(const QList<QColor> &colors)
{
    for (int i = 0; i < 16 && i < colors.size(); ++i) {
        const VTermColor c = toVtermColor(colors.at(i));
        vterm_state_set_palette_color(m_state, i, &c);
    }
    // The 256-colour cube and grey ramp are libvterm's; resolve them once.
    for (int i = 0; i < 256; ++i) {
        VTermColor c;
        vterm_state_get_palette_color(m_state, i, &c);
        vterm_state_convert_color_to_rgb(m_state, &c);
        m_palette[i] = qRgb(c.rgb.red, c.rgb.green, c.rgb.blue);
    }
    m_screen->damageAll();
    emitDamage();
}

QList<QColor> TerminalSurface::palette() const
{
    QList<QColor> out;
    for (int i = 0; i < 16; ++i)
        out << QColor(m_palette[i]);
    return out;
}

void TerminalSurface::setDefaultColors(const QColor &fg, const QColor &bg)
{
    m_defaultFg = fg;
    m_defaultBg = bg;
    m_defaultFgRgb = fg.rgb();
    m_defaultBgRgb = bg.rgb();
    const VTermColor vfg = toVtermColor(fg);
    const VTermColor vbg = toVtermColor(bg);
    vterm_state_set_default_colors(m_state, &vfg, &vbg);
    m_screen->damageAll();
    emitDamage();
}

void TerminalSurface::emitDamage()
{
    const TerminalScreen::Damage d = m_screen->takeDamage();
    if (d.empty())
        return;
    emit invalidated(QRect(QPoint(d.left, d.top), QPoint(d.right, d.bottom)));
}

const Cell *TerminalSurface::lineCells(int line, int *count) const
{
    return m_screen->lineCells(line, count);
}

int TerminalSurface::scrollbackLines() const
{
    return m_screen->scrollbackLines();
}

qint64 TerminalSurface::firstAbsoluteLine() const
{
    return m_screen->absoluteTop() - m_screen->scrollbackLines();
}

QString TerminalSurface::cellText(const Cell &c) const
{
    if (c.ch == 0 || c.ch == Cell::Continuation)
        return {};
    if (!(c.ch & Cell::GraphemeBit))
        return QString::fromUcs4(&c.ch, 1);
    std::u32string s;
    m_screen->appendText(c, s);
    return QString::fromStdU32String(s);
}

void TerminalSurface::feed(const QByteArray &chunk)
{
    QByteArray data = chunk;
    if (!m_utf8Tail.isEmpty()) {
        data.prepend(m_utf8Tail);
        m_utf8Tail.clear();
    }
    const char *bytes = data.constData();
    const qsizetype size = data.size();
    // First byte not yet handed to libvterm. Escape sequences are handed over as soon as they are
    // complete, so feedText() only ever sees text and C0 controls.
    qsizetype start = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const char c = bytes[i];
        switch (m_parseState) {
        case ParseState::Normal: {
            // Plain text is the bulk of any output: jump to the next ESC.
            const void *esc = std::memchr(bytes + i, '\x1b', size_t(size - i));
            if (!esc) {
                i = size - 1;
                break;
            }
            i = static_cast<const char *>(esc) - bytes;
            feedText(bytes + start, i - start);
            start = i;
            m_inDcs = false; // libvterm 0.1.4 ends a DCS string at any ESC
            m_parseState = ParseState::Escape;
            break;
        }
        case ParseState::Escape:
            if (c == ']') {
                m_parseState = ParseState::Osc;
                m_osc.clear();
                m_oscOverflow = false;
                break;
            }
            // Not an OSC: hand the held-back ESC over.
            feedToVterm("\x1b", 1);
            start = i;
            if (c == '[') {
                m_parseState = ParseState::Csi;
                m_csiParams.clear();
            } else if (c >= 0x20 && c <= 0x2f) {
                m_parseState = ParseState::EscIntermediate;
                m_escIntermediate = c;
            } else if (c >= 0x30 && c <= 0x7e) {
                feedToVterm(bytes + i, 1);
                start = i + 1;
                m_parseState = ParseState::Normal;
                noteEscape(0, c);
                if (c == '8') // DECRC
                    clampCursor();
            } else {
                // A control or a non-ASCII byte after ESC: process it normally.
                m_parseState = ParseState::Normal;
                --i;
            }
            break;
        case ParseState::EscIntermediate:
            if (c >= 0x30 && c <= 0x7e) {
                feedToVterm(bytes + start, i + 1 - start);
                start = i + 1;
                m_parseState = ParseState::Normal;
                noteEscape(m_escIntermediate, c);
            } else if (c == '\x1b' || c == '\x18' || c == '\x1a') {
                feedToVterm(bytes + start, i - start);
                start = i;
                m_parseState = ParseState::Normal;
                --i;
            } else if (c < 0x20) {
                noteControl(static_cast<unsigned char>(c)); // C0 controls act inside sequences
            }
            break;
        case ParseState::Csi:
            // CSI bytes go to libvterm untouched; we watch for cursor restores (DECRST 1048/1049,
            // SCORC) to check the restored position, see clampCursor(), for ED 3 (clear
            // scrollback, sent by `clear`), which libvterm 0.1.4 ignores, and for the modes the
            // ASCII fast path depends on.
            if (c >= 0x40 && c <= 0x7e) {
                m_parseState = ParseState::Normal;
                feedToVterm(bytes + start, i + 1 - start);
                start = i + 1;
                noteCsi(c);
                if (c == 'l' || c == 'u')
                    clampCursor();
                else if (c == 'J' && m_csiParams == "3")
                    clearScrollback();
            } else if (c >= 0x20 && c <= 0x3f && c != '[') {
                if (m_csiParams.size() < 32)
                    m_csiParams.append(c);
            } else if (c == '\x1b' || c == '\x18' || c == '\x1a') {
                feedToVterm(bytes + start, i - start);
                start = i;
                m_parseState = ParseState::Normal;
                --i;
            } else if (c < 0x20) {
                noteControl(static_cast<unsigned char>(c));
            }
            break;
        case ParseState::Osc:
            if (c == '\x07') {
                handleOsc(m_osc);
                m_parseState = ParseState::Normal;
                start = i + 1;
            } else if (c == '\x1b') {
                m_parseState = ParseState::OscEscape;
            } else if (c == '\x18' || c == '\x1a') { // CAN/SUB abort the string
                m_parseState = ParseState::Normal;
                start = i + 1;
            } else if (m_osc.size() < MaxOscLength) {
                m_osc.append(c);
            } else {
                m_oscOverflow = true;
            }
            break;
        case ParseState::OscEscape:
            handleOsc(m_osc);
            if (c == '\\') {
                m_parseState = ParseState::Normal;
                start = i + 1;
            } else {
                // An ESC that is not ST ends the string and starts a new escape sequence.
                m_parseState = ParseState::Escape;
                start = i;
                --i;
            }
            break;
        }
    }
    if ((m_parseState == ParseState::Csi || m_parseState == ParseState::EscIntermediate) &&
        start < size) {
        feedToVterm(bytes + start, size - start);
    } else if (m_parseState == ParseState::Normal && start < size) {
        // libvterm 0.1.4 turns a UTF-8 sequence split across two writes into U+FFFD, so an
        // incomplete sequence at the end waits for the rest of it.
        const qsizetype keep = incompleteUtf8Tail(bytes + start, size - start);
        feedText(bytes + start, size - start - keep);
        if (keep > 0)
            m_utf8Tail = QByteArray(bytes + size - keep, keep);
    }
    flushOutput();
}

void TerminalSurface::feedToVterm(const char *bytes, qsizetype len)
{
    if (len > 0)
        vterm_input_write(m_vt, bytes, size_t(len));
}

void TerminalSurface::feedText(const char *bytes, qsizetype len)
{
    qsizetype pending = 0; // first byte not yet handed to libvterm
    qsizetype i = 0;
    while (i < len) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c < 0x20 || c >= 0x7f) {
            if (c < 0x20)
                noteControl(c);
            ++i;
            continue;
        }
        qsizetype end = i + 1;
        while (end < len && isPrintableAscii(bytes[end]))
            ++end;
        if (end - i > FastRunMin && fastPathAllowed())
            pending = fastRun(bytes, pending, i, end);
        i = end;
    }
    feedToVterm(bytes + pending, len - pending);
}

// bytes[from, to) are printable ASCII; bytes[pending, from) are not yet handed to libvterm.
// libvterm's per-character text path (decode, width, putglyph) dominates parsing, so a run is
// written straight into the screen: the first character goes through libvterm (it resolves a
// pending wrap and single shifts), then as many as fit before the last column are written
// directly and libvterm's cursor is moved behind them with a CUP. The last column (wrap
// decisions) and the run's last character (REP and combining characters refer to it) always go
// through libvterm. Returns the new pending position.
qsizetype TerminalSurface::fastRun(const char *bytes, qsizetype pending, qsizetype from,
                                   qsizetype to)
{
    const qsizetype last = to - 1;
    qsizetype pos = from;
    while (last - pos > FastRunMin) {
        m_screen->forgetLastGlyph();
        feedToVterm(bytes + pending, pos + 1 - pending);
        pending = ++pos;
        VTermPos cur;
        vterm_state_get_cursorpos(m_state, &cur);
        // The cursor right behind the glyph just written: no pending wrap, nothing unusual.
        if (m_screen->lastGlyphRow() != cur.row || m_screen->lastGlyphCol() != cur.col - 1)
            continue;
        const VTermLineInfo *info = vterm_state_get_lineinfo(m_state, cur.row);
        if (info && info->doublewidth)
            break;
        const qsizetype n = std::min<qsizetype>(m_cols - 1 - cur.col, last - pos);
        if (n < FastRunMin) {
            pos += n; // these go through libvterm with the next character
            continue;
        }
        m_screen->putAscii(bytes + pos, int(n), cur.row, cur.col);
        pos += n;
        pending = pos;
        // CUP row;col (1-based; origin mode is off, see fastPathAllowed()).
        char cup[16] = "\x1b[";
        char *out = appendDecimal(cup + 2, cur.row + 1); // both at most 4 digits (MaxCols/Rows)
        *out++ = ';';
        out = appendDecimal(out, cur.col + int(n) + 1);
        *out++ = 'H';
        feedToVterm(cup, out - cup);
    }
    return pending;
}

void TerminalSurface::noteControl(unsigned char c)
{
    switch (c) {
    case 0x0e: // SO: G1 into GL
        m_glSet = 1;
        break;
    case 0x0f: // SI: G0 into GL
        m_glSet = 0;
        break;
    case 0x07: // BEL, CAN and SUB end a DCS string in libvterm 0.1.4
    case 0x18:
    case 0x1a:
        m_inDcs = false;
        break;
    default:
        break;
    }
}

void TerminalSurface::noteEscape(char intermediate, char final)
{
    if (intermediate == 0) {
        switch (final) {
        case 'P': // DCS: its string is not text
            m_inDcs = true;
            break;
        case 'c': // RIS
            resetFastPathState();
            break;
        case 'n': // LS2, LS3
            m_glSet = 2;
            break;
        case 'o':
            m_glSet = 3;
            break;
        default:
            break;
        }
        return;
    }
    // SCS: ESC ( ) * + designate G0..G3 as a 94-character set; ESC - . / as a 96-character set.
    static const char sets94[] = "()*+";
    static const char sets96[] = "-./";
    if (const char *g = std::strchr(sets94, intermediate))
        m_charsetAscii[g - sets94] = final == 'B';
    else if (const char *g96 = std::strchr(sets96, intermediate))
        m_charsetAscii[g96 - sets96 + 1] = false;
}

void TerminalSurface::noteCsi(char final)
{
    // (libvterm 0.1.4's DECSTR resets neither IRM nor the character sets, and DECSC/DECRC do
    // not save them or DECOM, so only RIS and explicit sets/resets count.)
    if (final != 'h' && final != 'l')
        return;
    const bool set = final == 'h';
    const bool priv = m_csiParams.startsWith('?');
    for (const QByteArray &param : m_csiParams.mid(priv ? 1 : 0).split(';')) {
        bool ok = false;
        const int mode = param.toInt(&ok);
        if (!ok)
            continue;
        if (!priv && mode == 4)
            m_insertMode = set;
        else if (priv && mode == 6)
            m_originMode = set;
        else if (priv && mode == 69)
            m_lrMargins = set;
    }
}

void TerminalSurface::resetFastPathState()
{
    m_insertMode = m_originMode = m_lrMargins = m_inDcs = false;
    std::fill(std::begin(m_charsetAscii), std::end(m_charsetAscii), true);
    m_glSet = 0;
}

void TerminalSurface::clampCursor()
{
    // libvterm 0.1.4 does not clamp the saved cursor when the screen shrinks: restoring it puts
    // the cursor outside the screen and the next glyph is written out of bounds. Move it back in.
    VTermPos pos;
    vterm_state_get_cursorpos(m_state, &pos);
    if (pos.row >= 0 && pos.row < m_rows && pos.col >= 0 && pos.col < m_cols)
        return;
    const QByteArray cup = "\x1b[" + QByteArray::number(std::clamp(pos.row, 0, m_rows - 1) + 1) +
                           ';' + QByteArray::number(std::clamp(pos.col, 0, m_cols - 1) + 1) + 'H';
    feedToVterm(cup.constData(), cup.size());
}

void TerminalSurface::handleOsc(const QByteArray &osc)
{
    if (m_oscOverflow)
        return;
    const qsizetype semicolon = osc.indexOf(';');
    const QByteArray command = semicolon < 0 ? osc : osc.left(semicolon);
    const QByteArray rest = semicolon < 0 ? QByteArray() : osc.mid(semicolon + 1);
    bool ok = false;
    const int number = command.toInt(&ok);
    if (!ok)
        return;
    switch (number) {
    case 0:
    case 2: {
        QString title = QString::fromUtf8(rest);
        title.removeIf([](QChar ch) { return ch.category() == QChar::Other_Control; });
        if (title != m_title) {
            m_title = title;
            emit titleChanged(m_title);
        }
        break;
    }
    case 8: {
        const qsizetype sep = rest.indexOf(';');
        if (sep >= 0)
            handleOsc8(rest.left(sep), rest.mid(sep + 1));
        break;
    }
    case 52:
        handleOsc52(rest);
        break;
    default:
        break; // icon name (1), cwd (7), colour queries: nothing to do
    }
}

void TerminalSurface::handleOsc52(const QByteArray &payload)
{
    const qsizetype sep = payload.indexOf(';');
    if (sep < 0)
        return;
    const QByteArray data = payload.mid(sep + 1);
    // "?" asks us to send the clipboard back; never leak it to whatever runs in the sandbox.
    if (data == "?")
        return;
    const auto decoded =
        QByteArray::fromBase64Encoding(data, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return;
    emit clipboardRequested(QString::fromUtf8(*decoded));
}

void TerminalSurface::flushOutput()
{
    // libvterm's cursor callbacks can report a position it then corrects silently (restores after
    // a resize); the state is the truth.
    VTermPos pos;
    vterm_state_get_cursorpos(m_state, &pos);
    const QPoint cursor(std::clamp(pos.col, 0, m_cols - 1), std::clamp(pos.row, 0, m_rows - 1));
    if (cursor != m_cursor) {
        const QPoint old = m_cursor;
        m_cursor = cursor;
        emit cursorChanged(old, m_cursor);
    }
    emitDamage();
    if (const int pushed = m_screen->takePushed(); pushed != 0) {
        dropExpiredLinks();
        emit scrollbackChanged(scrollbackLines(), pushed);
    }
    if (m_pendingOutput.isEmpty())
        return;
    const QByteArray out = m_pendingOutput;
    m_pendingOutput.clear();
    emit writeToPty(out);
}

void TerminalSurface::dropExpiredLinks()
{
    const qint64 first = firstAbsoluteLine();
    m_links.removeIf([first](const TerminalHyperlink &l) { return l.endLine < first; });
}

void TerminalSurface::resize(int cols, int rows)
{
    cols = std::clamp(cols, MinCols, MaxCols);
    rows = std::clamp(rows, 1, MaxRows);
    if (cols == m_cols && rows == m_rows)
        return;
    vterm_set_size(m_vt, rows, cols);
    m_cols = cols;
    m_rows = rows;
    // libvterm 0.1.4 can leave the cursor off a shrunk screen (even at a negative row).
    clampCursor();
    flushOutput();
}

TerminalCell TerminalSurface::convertCell(const Cell &c) const
{
    TerminalCell out;
    if (c.isContinuation()) {
        out.width = 0;
    } else {
        out.width = c.isWide() ? 2 : 1;
        out.text = cellText(c);
    }
    const uint32_t fgKind = Cell::kind(c.fg);
    const uint32_t bgKind = Cell::kind(c.bg);
    out.fgDefault = fgKind == Cell::KindDefault;
    out.bgDefault = bgKind == Cell::KindDefault;
    out.fgIndex = fgKind == Cell::KindIndexed ? int(c.fg & 0xff) : -1;
    out.bgIndex = bgKind == Cell::KindIndexed ? int(c.bg & 0xff) : -1;
    out.fg = QColor(resolveColor(c.fg, true));
    out.bg = QColor(resolveColor(c.bg, false));
    out.bold = c.fg & Cell::Bold;
    out.italic = c.fg & Cell::Italic;
    out.underline = int((c.fg & Cell::UnderlineMask) >> Cell::UnderlineShift);
    out.reverse = c.fg & Cell::Reverse;
    out.strike = c.fg & Cell::Strike;
    out.blink = c.bg & Cell::Blink;
    return out;
}

TerminalCell TerminalSurface::cell(int row, int col) const
{
    if (row < 0 || row >= m_rows)
        return lineCell(-1, 0);
    return lineCell(scrollbackLines() + row, col);
}

TerminalCell TerminalSurface::lineCell(int line, int col) const
{
    int count = 0;
    const Cell *cells = m_screen->lineCells(line, &count);
    if (!cells || col < 0 || col >= count || col >= m_cols) {
        TerminalCell blank;
        blank.fg = m_defaultFg;
        blank.bg = m_defaultBg;
        return blank;
    }
    return convertCell(cells[col]);
}

void TerminalSurface::setScrollbackLimit(int lines)
{
    m_scrollbackLimit = std::max(0, lines);
    const int before = scrollbackLines();
    m_screen->setScrollbackLimit(m_scrollbackLimit);
    if (before != scrollbackLines()) {
        dropExpiredLinks();
        emit scrollbackChanged(scrollbackLines(), 0);
    }
}

void TerminalSurface::clearScrollback()
{
    if (scrollbackLines() == 0)
        return;
    m_screen->clearScrollback();
    dropExpiredLinks();
    emit scrollbackChanged(0, 0);
}

QString TerminalSurface::lineText(int line, std::vector<int> *columns) const
{
    int count = 0;
    const Cell *cells = m_screen->lineCells(line, &count);
    count = std::min(count, m_cols);
    QString out;
    out.reserve(count);
    std::u32string grapheme;
    for (int col = 0; col < count; ++col) {
        const Cell &c = cells[col];
        if (c.isContinuation())
            continue;
        const qsizetype before = out.size();
        if (c.ch == 0) {
            out += QLatin1Char(' ');
        } else if (!(c.ch & Cell::GraphemeBit)) {
            if (QChar::requiresSurrogates(c.ch)) {
                out += QChar(QChar::highSurrogate(c.ch));
                out += QChar(QChar::lowSurrogate(c.ch));
            } else {
                out += QChar(char16_t(c.ch));
            }
        } else {
            grapheme.clear();
            m_screen->appendText(c, grapheme);
            out += QString::fromStdU32String(grapheme);
        }
        if (columns) {
            for (qsizetype i = before; i < out.size(); ++i)
                columns->push_back(col);
        }
    }
    qsizetype end = out.size();
    while (end > 0 && out.at(end - 1) == QLatin1Char(' '))
        --end;
    out.truncate(end);
    if (columns)
        columns->resize(size_t(end));
    return out;
}

QString TerminalSurface::rowText(int row) const
{
    return lineText(scrollbackLines() + row);
}

QString TerminalSurface::screenText() const
{
    QStringList lines;
    for (int row = 0; row < m_rows; ++row)
        lines << rowText(row);
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines.join(QLatin1Char('\n'));
}

QString TerminalSurface::text(QPoint from, QPoint to) const
{
    if (to.y() < from.y() || (to.y() == from.y() && to.x() < from.x()))
        std::swap(from, to);
    from.setY(std::clamp(from.y(), 0, lineCount() - 1));
    to.setY(std::clamp(to.y(), 0, lineCount() - 1));
    QString out;
    for (int line = from.y(); line <= to.y(); ++line) {
        const int first = line == from.y() ? std::max(0, from.x()) : 0;
        const int last = line == to.y() ? std::min(to.x(), m_cols) : m_cols;
        QString segment;
        for (int col = first; col < last; ++col) {
            const TerminalCell c = lineCell(line, col);
            if (c.width == 0)
                continue;
            segment += c.text.isEmpty() ? QStringLiteral(" ") : c.text;
        }
        // libvterm 0.1.4 does not record soft wraps; a line filled to its last column is taken
        // as wrapped so that a long command or URL copies as one line.
        const bool wrapped =
            last == m_cols && !lineCell(line, m_cols - 1).text.isEmpty() && line < to.y();
        if (!wrapped) {
            while (segment.endsWith(QLatin1Char(' ')))
                segment.chop(1);
        }
        out += segment;
        if (line < to.y() && !wrapped)
            out += QLatin1Char('\n');
    }
    return out;
}

QPair<int, int> TerminalSurface::wordAt(int line, int col) const
{
    if (isWordDelimiter(lineCell(line, col).text))
        return {col, col + 1};
    int start = col;
    while (start > 0 && !isWordDelimiter(lineCell(line, start - 1).text))
        --start;
    int end = col + 1;
    while (end < m_cols &&
           (!isWordDelimiter(lineCell(line, end).text) || lineCell(line, end).width == 0))
        ++end;
    return {start, end};
}

} // namespace capsule::terminal
