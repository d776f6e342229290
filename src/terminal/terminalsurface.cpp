// Terminal emulation without painting: libvterm screen + scrollback + OSC handling, testable
// headless.
#include "terminal/terminalsurface.h"

#include <vterm.h>

#include <algorithm>
#include <cstring>

namespace capsule::terminal {

namespace {

// An OSC 52 payload of a few MiB is already absurd; beyond this the sequence is dropped.
constexpr qsizetype MaxOscLength = 4 * 1024 * 1024;
// Hyperlinks are bookkeeping only; a flood of them must not grow without bound.
constexpr int MaxHyperlinks = 4096;
constexpr int MaxCols = 2000;
// libvterm 0.1.4 writes out of bounds when a wide character meets a one-column screen.
constexpr int MinCols = 2;
constexpr int MaxRows = 1000;

VTermModifier toVtermModifier(Qt::KeyboardModifiers modifiers)
{
    int mod = VTERM_MOD_NONE;
    if (modifiers & Qt::ShiftModifier)
        mod |= VTERM_MOD_SHIFT;
    if (modifiers & Qt::AltModifier)
        mod |= VTERM_MOD_ALT;
    if (modifiers & Qt::ControlModifier)
        mod |= VTERM_MOD_CTRL;
    return VTermModifier(mod);
}

QColor toQColor(const VTermScreen *screen, VTermColor color)
{
    vterm_screen_convert_color_to_rgb(screen, &color);
    return QColor(color.rgb.red, color.rgb.green, color.rgb.blue);
}

VTermColor toVtermColor(const QColor &color)
{
    VTermColor c;
    vterm_color_rgb(&c, uint8_t(color.red()), uint8_t(color.green()), uint8_t(color.blue()));
    return c;
}

bool isContinuation(const VTermScreenCell &cell)
{
    return cell.chars[0] == uint32_t(-1);
}

// The classic control byte for Ctrl+<key> (xterm/Konsole conventions), or -1. Done here rather
// than by libvterm, which encodes Ctrl+I/J/M/[ and digits as CSI u sequences shells do not read.
int controlByteFor(int key)
{
    if (key >= Qt::Key_A && key <= Qt::Key_Z)
        return key - Qt::Key_A + 1;
    switch (key) {
    case Qt::Key_At:
    case Qt::Key_Space:
    case Qt::Key_2:
        return 0x00;
    case Qt::Key_BracketLeft:
    case Qt::Key_3:
        return 0x1b;
    case Qt::Key_Backslash:
    case Qt::Key_4:
        return 0x1c;
    case Qt::Key_BracketRight:
    case Qt::Key_5:
        return 0x1d;
    case Qt::Key_AsciiCircum:
    case Qt::Key_6:
        return 0x1e;
    case Qt::Key_Underscore:
    case Qt::Key_Slash:
    case Qt::Key_7:
        return 0x1f;
    case Qt::Key_Question:
    case Qt::Key_8:
        return 0x7f;
    default:
        return -1;
    }
}

VTermKey keypadKey(int key)
{
    if (key >= Qt::Key_0 && key <= Qt::Key_9)
        return VTermKey(VTERM_KEY_KP_0 + (key - Qt::Key_0));
    switch (key) {
    case Qt::Key_Asterisk:
        return VTERM_KEY_KP_MULT;
    case Qt::Key_Plus:
        return VTERM_KEY_KP_PLUS;
    case Qt::Key_Comma:
        return VTERM_KEY_KP_COMMA;
    case Qt::Key_Minus:
        return VTERM_KEY_KP_MINUS;
    case Qt::Key_Period:
        return VTERM_KEY_KP_PERIOD;
    case Qt::Key_Slash:
        return VTERM_KEY_KP_DIVIDE;
    case Qt::Key_Equal:
        return VTERM_KEY_KP_EQUAL;
    default:
        return VTERM_KEY_NONE;
    }
}

VTermKey specialKey(int key)
{
    switch (key) {
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
        return VTERM_KEY_TAB;
    case Qt::Key_Up:
        return VTERM_KEY_UP;
    case Qt::Key_Down:
        return VTERM_KEY_DOWN;
    case Qt::Key_Left:
        return VTERM_KEY_LEFT;
    case Qt::Key_Right:
        return VTERM_KEY_RIGHT;
    case Qt::Key_Insert:
        return VTERM_KEY_INS;
    case Qt::Key_Delete:
        return VTERM_KEY_DEL;
    case Qt::Key_Home:
        return VTERM_KEY_HOME;
    case Qt::Key_End:
        return VTERM_KEY_END;
    case Qt::Key_PageUp:
        return VTERM_KEY_PAGEUP;
    case Qt::Key_PageDown:
        return VTERM_KEY_PAGEDOWN;
    default:
        break;
    }
    if (key >= Qt::Key_F1 && key <= Qt::Key_F35)
        return VTermKey(VTERM_KEY_FUNCTION(key - Qt::Key_F1 + 1));
    return VTERM_KEY_NONE;
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

bool isWordDelimiter(const QString &text)
{
    static const QString delimiters = QStringLiteral(" \t\"'`()[]{}<>|;,");
    return text.isEmpty() || (text.size() == 1 && delimiters.contains(text.at(0)));
}

} // namespace

// libvterm keeps a pointer to this table for the VTerm's lifetime, hence static storage.
struct SurfaceCallbacks
{
    static TerminalSurface *self(void *user) { return static_cast<TerminalSurface *>(user); }

    static int damage(VTermRect rect, void *user)
    {
        emit self(user)->invalidated(QRect(rect.start_col, rect.start_row,
                                           rect.end_col - rect.start_col,
                                           rect.end_row - rect.start_row));
        return 1;
    }

    static int moveCursor(VTermPos pos, VTermPos oldPos, int visible, void *user)
    {
        TerminalSurface *s = self(user);
        s->m_cursor = QPoint(pos.col, pos.row);
        Q_UNUSED(visible) // libvterm also reports visibility through settermprop
        emit s->cursorChanged(QPoint(oldPos.col, oldPos.row), s->m_cursor);
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
            if (s->m_altScreen != bool(value->boolean)) {
                s->m_altScreen = value->boolean;
                emit s->altScreenChanged(s->m_altScreen);
            }
            break;
        case VTERM_PROP_REVERSE:
            s->m_reverseVideo = value->boolean;
            emit s->invalidated(QRect(0, 0, s->m_cols, s->m_rows));
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

    static int resize(int rows, int cols, void *user)
    {
        TerminalSurface *s = self(user);
        s->m_rows = rows;
        s->m_cols = cols;
        return 1;
    }

    static int pushLine(int cols, const VTermScreenCell *cells, void *user)
    {
        TerminalSurface *s = self(user);
        // Trailing blank cells carry nothing but a background; keep them only if coloured.
        int used = cols;
        while (used > 0 && cells[used - 1].chars[0] == 0 &&
               VTERM_COLOR_IS_DEFAULT_BG(&cells[used - 1].bg))
            --used;
        std::vector<unsigned char> line(size_t(used) * sizeof(VTermScreenCell));
        if (used > 0)
            std::memcpy(line.data(), cells, line.size());
        s->m_scrollback.push_back(std::move(line));
        ++s->m_absoluteTop;
        ++s->m_pendingPushed;
        while (int(s->m_scrollback.size()) > s->m_scrollbackLimit)
            s->m_scrollback.pop_front();
        return 1;
    }

    static int popLine(int cols, VTermScreenCell *cells, void *user)
    {
        TerminalSurface *s = self(user);
        if (s->m_scrollback.empty())
            return 0;
        const std::vector<unsigned char> line = std::move(s->m_scrollback.back());
        s->m_scrollback.pop_back();
        --s->m_absoluteTop;
        --s->m_pendingPushed;
        const int stored = int(line.size() / sizeof(VTermScreenCell));
        const int copied = std::min(stored, cols);
        if (copied > 0)
            std::memcpy(cells, line.data(), size_t(copied) * sizeof(VTermScreenCell));
        VTermColor fg;
        VTermColor bg;
        vterm_state_get_default_colors(s->m_state, &fg, &bg);
        VTermScreenCell blank{};
        blank.width = 1;
        blank.fg = fg;
        blank.fg.type |= VTERM_COLOR_DEFAULT_FG;
        blank.bg = bg;
        blank.bg.type |= VTERM_COLOR_DEFAULT_BG;
        for (int col = copied; col < cols; ++col)
            cells[col] = blank;
        // libvterm 0.1.4 writes the right half of a wide cell unchecked: a wide character cut by
        // a narrower screen would land past the end of the row. Blank it and any orphaned half.
        for (int col = 0; col < cols; ++col) {
            VTermScreenCell &c = cells[col];
            if (isContinuation(c)) {
                if (col == 0 || cells[col - 1].width != 2)
                    c = blank;
                continue;
            }
            if (c.width == 2 && (col + 1 >= cols || !isContinuation(cells[col + 1])))
                c = blank;
            else if (c.width != 2)
                c.width = 1;
        }
        return 1;
    }

    static void output(const char *bytes, size_t len, void *user)
    {
        TerminalSurface *s = self(user);
        if (s->m_probing)
            s->m_probeOutput.append(bytes, qsizetype(len));
        else
            s->m_pendingOutput.append(bytes, qsizetype(len));
    }

    static const VTermScreenCallbacks screenCallbacks;
};

const VTermScreenCallbacks SurfaceCallbacks::screenCallbacks = {
    &SurfaceCallbacks::damage,     nullptr, // no moverect: libvterm then reports damage instead
    &SurfaceCallbacks::moveCursor, &SurfaceCallbacks::setTermProp,
    &SurfaceCallbacks::bell,       &SurfaceCallbacks::resize,
    &SurfaceCallbacks::pushLine,   &SurfaceCallbacks::popLine,
};

TerminalSurface::TerminalSurface(int cols, int rows, QObject *parent)
    : QObject(parent)
    , m_cols(std::clamp(cols, MinCols, MaxCols))
    , m_rows(std::clamp(rows, 1, MaxRows))
{
    m_vt = vterm_new(m_rows, m_cols);
    vterm_set_utf8(m_vt, 1);
    vterm_output_set_callback(m_vt, &SurfaceCallbacks::output, this);
    m_state = vterm_obtain_state(m_vt);
    m_screen = vterm_obtain_screen(m_vt);
    vterm_screen_set_callbacks(m_screen, &SurfaceCallbacks::screenCallbacks, this);
    // Scroll-sized damage merging keeps a full-screen scroll to one invalidation per feed().
    vterm_screen_set_damage_merge(m_screen, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(m_screen, 1);
    vterm_screen_reset(m_screen, 1);
    // libvterm's stock blue (0,0,224) is unreadable on a dark background; use a palette tuned
    // for one, close to what VS Code's terminal users are used to.
    static const QRgb palette[16] = {0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc,
                                     0x11a8cd, 0xe5e5e5, 0x666666, 0xf14c4c, 0x23d18b, 0xf5f543,
                                     0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff};
    for (int i = 0; i < 16; ++i) {
        const VTermColor c = toVtermColor(QColor(palette[i]));
        vterm_state_set_palette_color(m_state, i, &c);
    }
    setDefaultColors(m_defaultFg, m_defaultBg);
}

TerminalSurface::~TerminalSurface()
{
    vterm_free(m_vt);
}

void TerminalSurface::setDefaultColors(const QColor &fg, const QColor &bg)
{
    m_defaultFg = fg;
    m_defaultBg = bg;
    const VTermColor vfg = toVtermColor(fg);
    const VTermColor vbg = toVtermColor(bg);
    vterm_state_set_default_colors(m_state, &vfg, &vbg);
    emit invalidated(QRect(0, 0, m_cols, m_rows));
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
    qsizetype start = 0; // first byte not yet handed to libvterm (Normal state only)
    for (qsizetype i = 0; i < size; ++i) {
        const char c = bytes[i];
        switch (m_parseState) {
        case ParseState::Normal:
            if (c == '\x1b') {
                feedToVterm(bytes + start, i - start);
                m_parseState = ParseState::Escape;
            }
            break;
        case ParseState::Escape:
            if (c == ']') {
                m_parseState = ParseState::Osc;
                m_osc.clear();
                m_oscOverflow = false;
            } else if (c == '8') {
                feedToVterm("\x1b"
                            "8",
                            2);
                clampCursor();
                m_parseState = ParseState::Normal;
                start = i + 1;
            } else {
                // Not an OSC: hand the held-back ESC over and reprocess this byte normally.
                feedToVterm("\x1b", 1);
                m_parseState = c == '[' ? ParseState::Csi : ParseState::Normal;
                m_csiParams.clear();
                start = i;
                if (c != '[')
                    --i;
            }
            break;
        case ParseState::Csi:
            // CSI bytes go to libvterm untouched; we only watch for cursor restores (DECRST
            // 1048/1049, SCORC) to check the restored position, see clampCursor(), and for
            // ED 3 (clear scrollback, sent by `clear`), which libvterm 0.1.4 ignores.
            if (c >= 0x40 && c <= 0x7e) {
                m_parseState = ParseState::Normal;
                if (c == 'l' || c == 'u') {
                    feedToVterm(bytes + start, i + 1 - start);
                    start = i + 1;
                    clampCursor();
                } else if (c == 'J' && m_csiParams == "3") {
                    feedToVterm(bytes + start, i + 1 - start);
                    start = i + 1;
                    clearScrollback();
                }
            } else if (c >= 0x20 && c <= 0x3f && c != '[') {
                if (m_csiParams.size() < 32)
                    m_csiParams.append(c);
            } else if (c == '\x1b' || c == '\x18' || c == '\x1a') {
                m_parseState = ParseState::Normal;
                --i;
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
                --i;
            }
            break;
        }
    }
    if (m_parseState == ParseState::Csi && start < size) {
        feedToVterm(bytes + start, size - start);
    } else if (m_parseState == ParseState::Normal && start < size) {
        // libvterm 0.1.4 turns a UTF-8 sequence split across two writes into U+FFFD, so an
        // incomplete sequence at the end waits for the rest of it.
        const qsizetype keep = incompleteUtf8Tail(bytes + start, size - start);
        feedToVterm(bytes + start, size - start - keep);
        if (keep > 0)
            m_utf8Tail = QByteArray(bytes + size - keep, keep);
    }
    vterm_screen_flush_damage(m_screen);
    flushOutput();
}

void TerminalSurface::feedToVterm(const char *bytes, qsizetype len)
{
    if (len > 0)
        vterm_input_write(m_vt, bytes, size_t(len));
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

void TerminalSurface::handleOsc8(const QByteArray &params, const QByteArray &uri)
{
    VTermPos pos;
    vterm_state_get_cursorpos(m_state, &pos);
    if (m_linkOpen) {
        m_openLink.endLine = m_absoluteTop + pos.row;
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
    m_openLink.startLine = m_absoluteTop + pos.row;
    m_openLink.startCol = pos.col;
    m_linkOpen = true;
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
    if (m_pendingPushed != 0) {
        const int pushed = m_pendingPushed;
        m_pendingPushed = 0;
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
    vterm_screen_flush_damage(m_screen);
    emit invalidated(QRect(0, 0, m_cols, m_rows));
    flushOutput();
}

bool TerminalSurface::sendKey(int key, Qt::KeyboardModifiers modifiers, const QString &text)
{
    VTermModifier mod = toVtermModifier(modifiers);
    const bool ctrl = modifiers & Qt::ControlModifier;
    const bool alt = modifiers & Qt::AltModifier;
    const QByteArray altPrefix = alt ? QByteArray("\x1b") : QByteArray();

    if (modifiers & Qt::KeypadModifier) {
        const VTermKey kp = keypadKey(key);
        if (kp != VTERM_KEY_NONE) {
            vterm_keyboard_key(m_vt, kp, mod);
            flushOutput();
            return true;
        }
    }
    // Enter, Backspace and Escape send what shells expect whatever the modifiers (libvterm would
    // encode Shift+Enter or Ctrl+Backspace as CSI u, which readline prints literally).
    switch (key) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        m_pendingOutput += altPrefix + '\r';
        flushOutput();
        return true;
    case Qt::Key_Backspace:
        m_pendingOutput += altPrefix + (ctrl ? '\x08' : '\x7f');
        flushOutput();
        return true;
    case Qt::Key_Escape:
        m_pendingOutput += altPrefix + '\x1b';
        flushOutput();
        return true;
    default:
        break;
    }
    const VTermKey special = specialKey(key);
    if (special != VTERM_KEY_NONE) {
        if (key == Qt::Key_Backtab)
            mod = VTermModifier(mod | VTERM_MOD_SHIFT);
        vterm_keyboard_key(m_vt, special, mod);
        flushOutput();
        return true;
    }
    if (ctrl) {
        const int byte = controlByteFor(key);
        if (byte >= 0) {
            m_pendingOutput += altPrefix + char(byte);
            flushOutput();
            return true;
        }
    }
    QString chars = text;
    // With Alt (or Ctrl+Alt) Qt may report no text; fall back to the key's Latin-1 character.
    if ((chars.isEmpty() || chars.at(0).category() == QChar::Other_Control) && key >= 0x20 &&
        key < 0x7f) {
        QChar ch(key);
        chars = (modifiers & Qt::ShiftModifier) ? QString(ch.toUpper()) : QString(ch.toLower());
    }
    if (chars.isEmpty())
        return false;
    if (chars.size() == 1 && chars.at(0).category() == QChar::Other_Control) {
        m_pendingOutput += altPrefix + chars.toLatin1();
        flushOutput();
        return true;
    }
    const VTermModifier charMod = alt ? VTERM_MOD_ALT : VTERM_MOD_NONE;
    for (char32_t ch : chars.toUcs4())
        vterm_keyboard_unichar(m_vt, uint32_t(ch), charMod);
    flushOutput();
    return true;
}

void TerminalSurface::sendText(const QString &text)
{
    if (text.isEmpty())
        return;
    m_pendingOutput += text.toUtf8();
    flushOutput();
}

bool TerminalSurface::bracketedPaste() const
{
    // libvterm 0.1.4 has no getter for DECSET 2004; start_paste writes only when it is on.
    auto *self = const_cast<TerminalSurface *>(this);
    self->m_probing = true;
    self->m_probeOutput.clear();
    vterm_keyboard_start_paste(m_vt);
    self->m_probing = false;
    return !m_probeOutput.isEmpty();
}

void TerminalSurface::paste(const QString &text)
{
    if (text.isEmpty())
        return;
    // Terminals send Enter as CR; pasted newlines must look the same to line editors.
    QString normalized = text;
    normalized.replace(QStringLiteral("\r\n"), QStringLiteral("\r"));
    normalized.replace(QLatin1Char('\n'), QLatin1Char('\r'));
    const bool bracketed = bracketedPaste();
    if (bracketed) {
        // A pasted ESC[201~ would end the bracket early and let the rest run as typed commands.
        normalized.remove(QLatin1Char('\x1b'));
        vterm_keyboard_start_paste(m_vt);
    }
    m_pendingOutput += normalized.toUtf8();
    if (bracketed)
        vterm_keyboard_end_paste(m_vt);
    flushOutput();
}

void TerminalSurface::mouseMove(int row, int col, Qt::KeyboardModifiers modifiers)
{
    vterm_mouse_move(m_vt, std::clamp(row, 0, m_rows - 1), std::clamp(col, 0, m_cols - 1),
                     toVtermModifier(modifiers));
    flushOutput();
}

void TerminalSurface::mouseButton(int button, bool pressed, Qt::KeyboardModifiers modifiers)
{
    vterm_mouse_button(m_vt, button, pressed, toVtermModifier(modifiers));
    flushOutput();
}

void TerminalSurface::focusChanged(bool focused)
{
    if (focused)
        vterm_state_focus_in(m_state);
    else
        vterm_state_focus_out(m_state);
    flushOutput();
}

TerminalCell TerminalSurface::convertCell(const void *vtermCell, bool continuation) const
{
    const auto &c = *static_cast<const VTermScreenCell *>(vtermCell);
    TerminalCell out;
    if (continuation) {
        out.width = 0;
    } else {
        out.width = c.width == 2 ? 2 : 1;
        char32_t chars[VTERM_MAX_CHARS_PER_CELL];
        int n = 0;
        while (n < VTERM_MAX_CHARS_PER_CELL && c.chars[n] != 0 && c.chars[n] <= 0x10ffff) {
            chars[n] = char32_t(c.chars[n]);
            ++n;
        }
        out.text = QString::fromUcs4(chars, n);
    }
    out.fgDefault = VTERM_COLOR_IS_DEFAULT_FG(&c.fg);
    out.bgDefault = VTERM_COLOR_IS_DEFAULT_BG(&c.bg);
    out.fgIndex = (!out.fgDefault && VTERM_COLOR_IS_INDEXED(&c.fg)) ? c.fg.indexed.idx : -1;
    out.bgIndex = (!out.bgDefault && VTERM_COLOR_IS_INDEXED(&c.bg)) ? c.bg.indexed.idx : -1;
    out.fg = out.fgDefault ? m_defaultFg : toQColor(m_screen, c.fg);
    out.bg = out.bgDefault ? m_defaultBg : toQColor(m_screen, c.bg);
    out.bold = c.attrs.bold;
    out.italic = c.attrs.italic;
    out.underline = c.attrs.underline;
    out.reverse = c.attrs.reverse;
    out.strike = c.attrs.strike;
    out.blink = c.attrs.blink;
    return out;
}

TerminalCell TerminalSurface::cell(int row, int col) const
{
    VTermScreenCell c{};
    if (row < 0 || row >= m_rows || col < 0 || col >= m_cols ||
        !vterm_screen_get_cell(m_screen, VTermPos{row, col}, &c)) {
        TerminalCell blank;
        blank.fg = m_defaultFg;
        blank.bg = m_defaultBg;
        return blank;
    }
    return convertCell(&c, isContinuation(c));
}

TerminalCell TerminalSurface::lineCell(int line, int col) const
{
    if (line >= scrollbackLines())
        return cell(line - scrollbackLines(), col);
    TerminalCell blank;
    blank.fg = m_defaultFg;
    blank.bg = m_defaultBg;
    if (line < 0 || col < 0)
        return blank;
    const std::vector<unsigned char> &stored = m_scrollback[size_t(line)];
    const int count = int(stored.size() / sizeof(VTermScreenCell));
    if (col >= count)
        return blank;
    const auto *cells = reinterpret_cast<const VTermScreenCell *>(stored.data());
    return convertCell(&cells[col], isContinuation(cells[col]));
}

void TerminalSurface::setScrollbackLimit(int lines)
{
    m_scrollbackLimit = std::max(0, lines);
    const int before = scrollbackLines();
    while (int(m_scrollback.size()) > m_scrollbackLimit)
        m_scrollback.pop_front();
    if (before != scrollbackLines()) {
        dropExpiredLinks();
        emit scrollbackChanged(scrollbackLines(), 0);
    }
}

void TerminalSurface::clearScrollback()
{
    if (m_scrollback.empty())
        return;
    m_scrollback.clear();
    dropExpiredLinks();
    emit scrollbackChanged(0, 0);
}

QString TerminalSurface::lineText(int line) const
{
    QString out;
    for (int col = 0; col < m_cols; ++col) {
        const TerminalCell c = lineCell(line, col);
        if (c.width == 0)
            continue;
        out += c.text.isEmpty() ? QStringLiteral(" ") : c.text;
    }
    while (out.endsWith(QLatin1Char(' ')))
        out.chop(1);
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
        open.endLine = m_absoluteTop + pos.row;
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
        open.endLine = m_absoluteTop + pos.row;
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
