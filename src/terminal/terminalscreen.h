// The terminal's own screen model: compact cells, a ring of screen rows and a ring of scrollback
// lines, fed by libvterm's VTermState callbacks (TerminalSurface wires them). No Qt, no signals.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace capsule::terminal {

// 12 bytes. A colour word holds a 24-bit value (RGB or palette index) and its kind in bits 24-25;
// the remaining bits carry attributes (fg word: bold, italic, underline (2 bits), reverse, strike;
// bg word: blink, wide-left-half).
struct Cell
{
    char32_t ch = 0; // 0 blank, Continuation for a wide character's right half, or a grapheme ref
    uint32_t fg = 0;
    uint32_t bg = 0;

    static constexpr char32_t Continuation = 0xffffffffu;
    static constexpr char32_t GraphemeBit = 0x80000000u; // ch & ~GraphemeBit indexes the pool

    static constexpr uint32_t ValueMask = 0x00ffffffu;
    static constexpr uint32_t KindShift = 24;
    static constexpr uint32_t KindMask = 0x03000000u;
    static constexpr uint32_t KindDefault = 0;
    static constexpr uint32_t KindIndexed = 1;
    static constexpr uint32_t KindRgb = 2;
    static constexpr uint32_t ColorMask = ValueMask | KindMask;
    // fg word attributes
    static constexpr uint32_t Bold = 1u << 26;
    static constexpr uint32_t Italic = 1u << 27;
    static constexpr uint32_t UnderlineShift = 28; // 2 bits: 0 off, 1 single, 2 double, 3 curly
    static constexpr uint32_t UnderlineMask = 3u << 28;
    static constexpr uint32_t Reverse = 1u << 30;
    static constexpr uint32_t Strike = 1u << 31;
    // bg word attributes
    static constexpr uint32_t Blink = 1u << 26;
    static constexpr uint32_t Wide = 1u << 27;

    static uint32_t kind(uint32_t word) { return (word & KindMask) >> KindShift; }
    bool isContinuation() const { return ch == Continuation; }
    bool isWide() const { return bg & Wide; }
    bool isBlank() const { return ch == 0; }
    // Same colours and attributes (the part that decides how a run of text is drawn).
    bool sameStyle(const Cell &o) const { return fg == o.fg && (bg & ~Wide) == (o.bg & ~Wide); }
};

using Line = std::vector<Cell>;

class TerminalScreen
{
public:
    TerminalScreen(int cols, int rows);

    int cols() const { return m_cols; }
    int rows() const { return m_rows; }

    // --- driven by VTermState callbacks (rectangles are [top, bottom) x [left, right)) ---
    void putGlyph(const uint32_t *chars, int width, int row, int col);
    // The fast path for printable ASCII (TerminalSurface::feedText): n bytes 0x20..0x7e written
    // with the pen from (row, col) on, which must all fit on the row. Same result as n putGlyph.
    void putAscii(const char *text, int n, int row, int col);
    // Where the last putGlyph wrote (row -1 after forgetLastGlyph()).
    int lastGlyphRow() const { return m_lastGlyphRow; }
    int lastGlyphCol() const { return m_lastGlyphCol; }
    void forgetLastGlyph() { m_lastGlyphRow = -1; }
    void scrollRect(int top, int bottom, int left, int right, int downward, int rightward);
    void moveRect(int dTop, int dLeft, int sTop, int sBottom, int sLeft, int sRight);
    void erase(int top, int bottom, int left, int right);
    void resetPen() { m_penFg = 0, m_penBg = 0; }
    void setPenFg(uint32_t color) { m_penFg = (m_penFg & ~Cell::ColorMask) | color; }
    void setPenBg(uint32_t color) { m_penBg = (m_penBg & ~Cell::ColorMask) | color; }
    void setPenFlag(uint32_t flag, bool on, bool bgWord = false);
    void setPenUnderline(int kind);
    // Returns the cursor row shift (libvterm's resize delta): lines pushed or pulled back.
    int resize(int cols, int rows, int cursorRow);
    void setAltScreen(bool alt);
    bool altScreen() const { return m_alt; }

    // --- reading ---
    const Cell *row(int r) const { return m_screen[size_t(phys(r))].data(); }
    int scrollbackLines() const { return m_sbCount; }
    // Scrollback line i (0 = oldest); its length may differ from cols() (trailing blanks trimmed).
    const Line &scrollbackLine(int i) const { return m_sb[size_t(sbPhys(i))]; }
    // Combined lines: scrollback first, then screen rows. count = number of cells.
    const Cell *lineCells(int line, int *count) const;
    // The grapheme of a cell as UTF-32 (empty for blank / continuation).
    void appendText(const Cell &c, std::u32string &out) const;

    int scrollbackLimit() const { return m_sbLimit; }
    void setScrollbackLimit(int lines);
    void clearScrollback();

    // Lines pushed (popped: negative) since the last takePushed().
    int takePushed()
    {
        const int p = m_pushed;
        m_pushed = 0;
        return p;
    }
    long long absoluteTop() const { return m_absoluteTop; } // absolute number of screen row 0

    // Damage since the last takeDamage(): a cell rectangle, empty if nothing changed.
    struct Damage
    {
        int top = 1 << 30, bottom = -1, left = 1 << 30, right = -1; // inclusive bounds
        bool empty() const { return bottom < top; }
    };
    Damage takeDamage()
    {
        const Damage d = m_damage;
        m_damage = Damage();
        return d;
    }
    void damageAll() { damage(0, m_rows - 1, 0, m_cols - 1); }

    size_t graphemeCount() const { return m_graphemes.size(); }

private:
    int phys(int r) const
    {
        const int p = m_top + r;
        return p >= m_rows ? p - m_rows : p;
    }
    int sbPhys(int i) const
    {
        const int p = m_sbStart + i;
        return p >= int(m_sb.size()) ? p - int(m_sb.size()) : p;
    }
    Line &rowRef(int r) { return m_screen[size_t(phys(r))]; }
    void damage(int top, int bottom, int left, int right)
    {
        m_damage.top = std::min(m_damage.top, top);
        m_damage.bottom = std::max(m_damage.bottom, bottom);
        m_damage.left = std::min(m_damage.left, left);
        m_damage.right = std::max(m_damage.right, right);
    }
    Cell eraseCell() const { return Cell{0, m_penFg & Cell::ColorMask, m_penBg & Cell::ColorMask}; }
    void pushLine(const Line &line);
    bool popLine(Line &into);
    void blankRow(Line &line, const Cell &blank);
    uint32_t internGrapheme(const uint32_t *chars);
    static void sanitizeWide(Line &line);

    int m_cols;
    int m_rows;
    // Screen rows as a ring: logical row r lives at m_screen[(m_top + r) % m_rows], so a
    // full-screen scroll is an index change. The other buffer (primary or alternate) is kept aside.
    std::vector<Line> m_screen;
    int m_top = 0;
    std::vector<Line> m_other;
    int m_otherTop = 0;
    bool m_alt = false;

    // Scrollback as a ring of at most m_sbLimit lines; slots are reused, so a full scrollback
    // scrolls without allocating.
    std::vector<Line> m_sb;
    int m_sbStart = 0;
    int m_sbCount = 0;
    int m_sbLimit = 10000;
    int m_pushed = 0;
    long long m_absoluteTop = 0;

    uint32_t m_penFg = 0;
    uint32_t m_penBg = 0;
    Damage m_damage;
    int m_lastGlyphRow = -1;
    int m_lastGlyphCol = -1; // -1 also when the last glyph was wide

    // Base + combining marks, interned; bounded (beyond the cap only the base character is kept).
    std::vector<std::u32string> m_graphemes;
    std::unordered_map<std::u32string, uint32_t> m_graphemeIds;
};

} // namespace capsule::terminal
