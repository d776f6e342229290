// Keyboard, paste, mouse and focus input of the terminal surface: Qt events -> bytes for the PTY.
#include "terminal/terminalsurface.h"

#include <vterm.h>

#include <algorithm>

namespace capsule::terminal {

namespace {

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

} // namespace

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
    m_probing = true;
    m_probeOutput.clear();
    vterm_keyboard_start_paste(m_vt);
    m_probing = false;
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

} // namespace capsule::terminal
