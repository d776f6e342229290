// The terminal's own screen model, see terminalscreen.h. Semantics follow libvterm 0.1.4's
// VTermScreen (which this replaces) so that behaviour is unchanged: erased cells take the pen's
// colours, lines leave through the top into the scrollback only on the primary screen, and a
// resize pushes/pulls lines like vterm_screen's resize.
#include "terminal/terminalscreen.h"

#include <algorithm>
#include <cstring>

namespace capsule::terminal {

namespace {
constexpr size_t MaxGraphemes = 1 << 16;
constexpr int MaxCharsPerCell = 6; // VTERM_MAX_CHARS_PER_CELL
} // namespace

TerminalScreen::TerminalScreen(int cols, int rows)
    : m_cols(cols)
    , m_rows(rows)
{
    m_screen.assign(size_t(rows), Line(size_t(cols)));
    m_other.assign(size_t(rows), Line(size_t(cols)));
}

void TerminalScreen::setPenFlag(uint32_t flag, bool on, bool bgWord)
{
    uint32_t &word = bgWord ? m_penBg : m_penFg;
    word = on ? (word | flag) : (word & ~flag);
}

void TerminalScreen::setPenUnderline(int kind)
{
    m_penFg = (m_penFg & ~Cell::UnderlineMask) | (uint32_t(kind & 3) << Cell::UnderlineShift);
}

uint32_t TerminalScreen::internGrapheme(const uint32_t *chars)
{
    std::u32string g;
    for (int i = 0; i < MaxCharsPerCell && chars[i]; ++i)
        g.push_back(char32_t(chars[i]));
    const auto it = m_graphemeIds.find(g);
    if (it != m_graphemeIds.end())
        return it->second;
    if (m_graphemes.size() >= MaxGraphemes)
        return chars[0]; // pool full: keep the base character
    const auto id = uint32_t(m_graphemes.size());
    m_graphemes.push_back(g);
    m_graphemeIds.emplace(std::move(g), id);
    return id | Cell::GraphemeBit;
}

void TerminalScreen::putGlyph(const uint32_t *chars, int width, int row, int col)
{
    if (unsigned(row) >= unsigned(m_rows) || unsigned(col) >= unsigned(m_cols))
        return;
    Line &line = rowRef(row);
    // Overwriting one half of a wide character blanks its other half.
    if (line[size_t(col)].isContinuation() && col > 0)
        line[size_t(col - 1)] = Cell{0, line[size_t(col - 1)].fg & Cell::ColorMask,
                                     line[size_t(col - 1)].bg & Cell::ColorMask};
    const int end = col + std::max(1, width);
    if (end < m_cols && line[size_t(end)].isContinuation())
        line[size_t(end)] =
            Cell{0, line[size_t(end)].fg & Cell::ColorMask, line[size_t(end)].bg & Cell::ColorMask};
    m_lastGlyphRow = row;
    m_lastGlyphCol = width == 1 ? col : -1;
    Cell &c = line[size_t(col)];
    c.ch = chars[1] ? internGrapheme(chars) : char32_t(chars[0]);
    c.fg = m_penFg;
    c.bg = m_penBg & ~Cell::Wide;
    int right = col;
    if (width == 2) {
        c.bg |= Cell::Wide;
        if (col + 1 < m_cols) {
            Cell &half = line[size_t(col + 1)];
            half.ch = Cell::Continuation;
            half.fg = m_penFg;
            half.bg = m_penBg & ~Cell::Wide;
            right = col + 1;
        }
    }
    damage(row, row, col, right);
}

void TerminalScreen::putAscii(const char *text, int n, int row, int col)
{
    if (n <= 0 || unsigned(row) >= unsigned(m_rows) || col < 0 || col + n > m_cols)
        return;
    Line &line = rowRef(row);
    Cell *cells = line.data();
    // Overwriting one half of a wide character blanks its other half (only the ends can be).
    if (cells[col].isContinuation() && col > 0)
        cells[col - 1] =
            Cell{0, cells[col - 1].fg & Cell::ColorMask, cells[col - 1].bg & Cell::ColorMask};
    const int end = col + n;
    if (end < m_cols && cells[end].isContinuation())
        cells[end] = Cell{0, cells[end].fg & Cell::ColorMask, cells[end].bg & Cell::ColorMask};
    const uint32_t fg = m_penFg;
    const uint32_t bg = m_penBg & ~Cell::Wide;
    for (int i = 0; i < n; ++i)
        cells[col + i] = Cell{char32_t(static_cast<unsigned char>(text[i])), fg, bg};
    damage(row, row, col, end - 1);
}

void TerminalScreen::blankRow(Line &line, const Cell &blank)
{
    if (line.size() != size_t(m_cols))
        line.resize(size_t(m_cols));
    // Every line feed at the bottom blanks a row: the default blank is all zero bytes.
    if (blank.ch == 0 && blank.fg == 0 && blank.bg == 0)
        std::memset(static_cast<void *>(line.data()), 0, line.size() * sizeof(Cell));
    else
        std::fill(line.begin(), line.end(), blank);
}

void TerminalScreen::erase(int top, int bottom, int left, int right)
{
    top = std::max(0, top);
    bottom = std::min(m_rows, bottom);
    left = std::max(0, left);
    right = std::min(m_cols, right);
    if (top >= bottom || left >= right)
        return;
    const Cell blank = eraseCell();
    for (int r = top; r < bottom; ++r) {
        Line &line = rowRef(r);
        std::fill(line.begin() + left, line.begin() + right, blank);
        if (right == m_cols && line.size() > size_t(m_cols))
            line.resize(size_t(m_cols)); // text kept from a wider screen goes with the rest
    }
    damage(top, bottom - 1, left, right - 1);
}

void TerminalScreen::moveRect(int dTop, int dLeft, int sTop, int sBottom, int sLeft, int sRight)
{
    const int height = sBottom - sTop;
    const int width = sRight - sLeft;
    if (height <= 0 || width <= 0)
        return;
    // Copy in the order that never reads a row already overwritten.
    auto copyRow = [&](int i) {
        const Line &src = rowRef(sTop + i);
        Line &dst = rowRef(dTop + i);
        if (&src == &dst)
            std::memmove(dst.data() + dLeft, src.data() + sLeft, size_t(width) * sizeof(Cell));
        else
            std::memcpy(dst.data() + dLeft, src.data() + sLeft, size_t(width) * sizeof(Cell));
    };
    if (dTop < sTop) {
        for (int i = 0; i < height; ++i)
            copyRow(i);
    } else {
        for (int i = height - 1; i >= 0; --i)
            copyRow(i);
    }
    damage(dTop, dTop + height - 1, dLeft, dLeft + width - 1);
}

void TerminalScreen::scrollRect(int top, int bottom, int left, int right, int downward,
                                int rightward)
{
    top = std::max(0, top);
    bottom = std::min(m_rows, bottom);
    left = std::max(0, left);
    right = std::min(m_cols, right);
    const int height = bottom - top;
    const int width = right - left;
    if (height <= 0 || width <= 0 || (downward == 0 && rightward == 0))
        return;
    downward = std::clamp(downward, -height, height);
    rightward = std::clamp(rightward, -width, width);

    if (rightward == 0 && left == 0 && right == m_cols) {
        // Whole lines: move rows, not cells.
        const Cell blank = eraseCell();
        if (downward > 0) {
            const int n = downward;
            if (top == 0 && !m_alt) {
                for (int i = 0; i < n; ++i)
                    pushLine(rowRef(i));
            }
            if (top == 0 && bottom == m_rows) {
                m_top = phys(n); // O(1): the ring turns
            } else {
                for (int i = top; i < bottom - n; ++i)
                    std::swap(rowRef(i), rowRef(i + n));
            }
            for (int i = bottom - n; i < bottom; ++i)
                blankRow(rowRef(i), blank);
        } else {
            const int n = -downward;
            if (top == 0 && bottom == m_rows) {
                m_top = phys(m_rows - n);
            } else {
                for (int i = bottom - 1; i >= top + n; --i)
                    std::swap(rowRef(i), rowRef(i - n));
            }
            for (int i = top; i < top + n; ++i)
                blankRow(rowRef(i), blank);
        }
        damage(top, bottom - 1, 0, m_cols - 1);
        return;
    }
    // Partial rectangles (ICH/DCH, left/right margins): move cells like vterm_scroll_rect.
    if (downward >= 0 && rightward >= 0) {
        moveRect(top, left, top + downward, bottom, left + rightward, right);
    } else if (downward <= 0 && rightward <= 0) {
        moveRect(top - downward, left - rightward, top, bottom + downward, left, right + rightward);
    } else if (downward > 0) { // rightward < 0
        moveRect(top, left - rightward, top + downward, bottom, left, right + rightward);
    } else { // downward < 0, rightward > 0
        moveRect(top - downward, left, top, bottom + downward, left + rightward, right);
    }
    if (downward > 0)
        erase(bottom - downward, bottom, left, right);
    else if (downward < 0)
        erase(top, top - downward, left, right);
    if (rightward > 0)
        erase(top, bottom, right - rightward, right);
    else if (rightward < 0)
        erase(top, bottom, left, left - rightward);
}

void TerminalScreen::pushLine(const Line &line)
{
    ++m_absoluteTop;
    ++m_pushed;
    if (m_sbLimit <= 0)
        return;
    // Trailing blanks with the default background carry nothing: keep the line short.
    size_t used = line.size();
    while (used > 0 && line[used - 1].ch == 0 && (line[used - 1].bg & Cell::KindMask) == 0)
        --used;
    Line *slot;
    if (m_sbCount < m_sbLimit) {
        if (int(m_sb.size()) < m_sbLimit && m_sbStart == 0 && m_sbCount == int(m_sb.size())) {
            m_sb.emplace_back();
            slot = &m_sb.back();
        } else {
            slot = &m_sb[size_t(sbPhys(m_sbCount))];
        }
        ++m_sbCount;
    } else {
        // Full: the oldest slot becomes the newest (its storage is reused).
        slot = &m_sb[size_t(m_sbStart)];
        m_sbStart = m_sbStart + 1 == int(m_sb.size()) ? 0 : m_sbStart + 1;
    }
    slot->assign(line.begin(), line.begin() + std::ptrdiff_t(used));
}

bool TerminalScreen::popLine(Line &into)
{
    if (m_sbCount == 0)
        return false;
    Line &last = m_sb[size_t(sbPhys(m_sbCount - 1))];
    --m_sbCount;
    --m_absoluteTop;
    --m_pushed;
    const size_t copied = std::min(last.size(), size_t(m_cols));
    into.resize(size_t(m_cols));
    std::copy(last.begin(), last.begin() + std::ptrdiff_t(copied), into.begin());
    std::fill(into.begin() + std::ptrdiff_t(copied), into.end(), Cell());
    Line().swap(last);
    sanitizeWide(into);
    return true;
}

void TerminalScreen::sanitizeWide(Line &line)
{
    // A wide character cut by the right edge, or a right half without its left half, is blanked.
    const int n = int(line.size());
    for (int col = 0; col < n; ++col) {
        Cell &c = line[size_t(col)];
        if (c.isContinuation()) {
            if (col == 0 || !line[size_t(col - 1)].isWide())
                c = Cell{0, c.fg & Cell::ColorMask, c.bg & Cell::ColorMask};
        } else if (c.isWide() && (col + 1 >= n || !line[size_t(col + 1)].isContinuation())) {
            c = Cell{0, c.fg & Cell::ColorMask, c.bg & Cell::ColorMask};
        }
    }
}

int TerminalScreen::resize(int cols, int rows, int cursorRow)
{
    int delta = 0;
    if (!m_alt && rows < m_rows) {
        // Fewer rows: blank rows below the cursor go first, then lines leave through the top.
        int row = m_rows - 1;
        for (; row >= rows; --row) {
            if (row == cursorRow)
                break;
            const Line &line = rowRef(row);
            if (std::any_of(line.begin(), line.end(), [](const Cell &c) { return c.ch != 0; }))
                break;
        }
        const int firstBlank = row + 1;
        if (firstBlank > rows) {
            scrollRect(0, m_rows, 0, m_cols, firstBlank - rows, 0);
            delta -= firstBlank - rows;
        }
    }
    // The primary screen hidden behind the alternate one keeps its newest rows too: the rows that
    // no longer fit leave through the top into the scrollback (libvterm would cut the bottom).
    int otherSkip = 0;
    if (m_alt && rows < m_rows) {
        otherSkip = m_rows - rows;
        for (int r = 0; r < otherSkip; ++r) {
            int p = m_otherTop + r;
            if (p >= m_rows)
                p -= m_rows;
            pushLine(m_other[size_t(p)]);
        }
    }
    auto rebuild = [&](std::vector<Line> &buffer, int &top, int skip) {
        std::vector<Line> fresh(static_cast<size_t>(rows));
        for (int r = 0; r < rows; ++r) {
            Line &line = fresh[size_t(r)];
            if (r + skip < m_rows) {
                int p = top + r + skip;
                if (p >= m_rows)
                    p -= m_rows;
                line = std::move(buffer[size_t(p)]);
                // A narrower screen hides the end of a line rather than dropping it, so that
                // making the window wide again brings the text back.
                if (line.size() < size_t(cols))
                    line.resize(size_t(cols));
            } else {
                line.assign(size_t(cols), Cell());
            }
        }
        buffer = std::move(fresh);
        top = 0;
    };
    rebuild(m_screen, m_top, 0);
    rebuild(m_other, m_otherTop, otherSkip);
    const int oldRows = m_rows;
    m_cols = cols;
    m_rows = rows;
    if (!m_alt && rows > oldRows) {
        // More rows: lines come back from the scrollback at the top.
        for (int n = rows - oldRows; n > 0; --n) {
            Line popped;
            if (!popLine(popped))
                break;
            m_top = phys(m_rows - 1);
            rowRef(0) = std::move(popped);
            ++delta;
        }
    }
    damageAll();
    return delta;
}

void TerminalScreen::setAltScreen(bool alt)
{
    if (alt == m_alt)
        return;
    std::swap(m_screen, m_other);
    std::swap(m_top, m_otherTop);
    m_alt = alt;
    damageAll();
}

const Cell *TerminalScreen::lineCells(int line, int *count) const
{
    if (line < 0 || line >= m_sbCount + m_rows) {
        *count = 0;
        return nullptr;
    }
    if (line < m_sbCount) {
        const Line &l = scrollbackLine(line);
        *count = int(l.size());
        return l.data();
    }
    *count = m_cols;
    return row(line - m_sbCount);
}

void TerminalScreen::appendText(const Cell &c, std::u32string &out) const
{
    if (c.ch == 0 || c.ch == Cell::Continuation)
        return;
    if (c.ch & Cell::GraphemeBit) {
        const size_t id = c.ch & ~Cell::GraphemeBit;
        if (id < m_graphemes.size())
            out += m_graphemes[id];
        return;
    }
    out.push_back(c.ch);
}

void TerminalScreen::setScrollbackLimit(int lines)
{
    lines = std::max(0, lines);
    // Re-pack the ring oldest-first, keeping the newest lines that fit.
    std::vector<Line> packed;
    const int keep = std::min(m_sbCount, lines);
    packed.reserve(size_t(keep));
    for (int i = m_sbCount - keep; i < m_sbCount; ++i)
        packed.push_back(std::move(m_sb[size_t(sbPhys(i))]));
    m_sb = std::move(packed);
    m_sbStart = 0;
    m_sbCount = keep;
    m_sbLimit = lines;
}

void TerminalScreen::clearScrollback()
{
    std::vector<Line>().swap(m_sb);
    m_sbStart = 0;
    m_sbCount = 0;
}

} // namespace capsule::terminal
