// Terminal input (src/terminal): PTY output bytes into TerminalSurface and its screen model.
// Bytes 0-2 pick the size, a second size and the chunking; the rest is the output stream, fed in
// chunks with a resize halfway (split UTF-8 / escape sequences, reflow). Checks: the cursor and
// every line stay inside the grid, the scrollback inside its limit, and reading every line back
// (text, cells, links) stays in bounds.
#include "fuzzcheck.h"
#include "terminal/terminalscreen.h"
#include "terminal/terminalsurface.h"

#include <algorithm>

namespace {

void checkSurface(const capsule::terminal::TerminalSurface &s)
{
    const QPoint c = s.cursor();
    FUZZ_CHECK(c.x() >= 0 && c.x() <= s.cols() && c.y() >= 0 && c.y() < s.rows(),
               "cursor outside the screen");
    FUZZ_CHECK(s.scrollbackLines() >= 0 && s.scrollbackLines() <= s.scrollbackLimit(),
               "scrollback beyond its limit");
    for (int line = 0; line < s.lineCount(); ++line) {
        int count = -1;
        const auto *cells = s.lineCells(line, &count);
        // Screen rows are exactly cols() wide; scrollback lines keep the width they had.
        FUZZ_CHECK(count >= 0 && (count == 0 || cells), "line cells");
        FUZZ_CHECK(line < s.scrollbackLines() || count == s.cols(), "screen row width");
        for (int col = 0; col < count; ++col)
            (void)s.cellText(cells[col]);
        std::vector<int> columns;
        const QString text = s.lineText(line, &columns);
        FUZZ_CHECK(columns.size() == size_t(text.size()), "one column per character");
        for (int col : columns)
            FUZZ_CHECK(col >= 0 && col < std::max(count, s.cols()), "text column outside the line");
        (void)s.hyperlinkSpans(line);
        (void)s.wordAt(line, line % s.cols());
    }
    (void)s.screenText();
    (void)s.text(QPoint(0, 0), QPoint(s.cols(), s.lineCount() - 1));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    capsule::fuzz::ensureApp();
    const int cols = 1 + data[0] % 100, rows = 1 + data[1] % 40;
    const int cols2 = 1 + (data[0] / 7 + data[2]) % 100, rows2 = 1 + (data[1] / 3) % 40;
    const qsizetype chunk = 1 + data[2] % 64;
    const QByteArray stream(reinterpret_cast<const char *>(data + 3), qsizetype(size - 3));

    capsule::terminal::TerminalSurface surface(cols, rows);
    surface.setScrollbackLimit(64);
    QByteArray replies; // DA/DSR answers the terminal sends back
    QObject::connect(&surface, &capsule::terminal::TerminalSurface::writeToPty,
                     [&replies](const QByteArray &b) { replies += b.left(64); });
    const qsizetype half = stream.size() / 2;
    for (qsizetype at = 0; at < stream.size(); at += chunk) {
        if (at <= half && at + chunk > half) {
            surface.resize(cols2, rows2);
            checkSurface(surface);
        }
        surface.feed(stream.mid(at, chunk));
    }
    checkSurface(surface);
    surface.resize(cols, rows);
    checkSurface(surface);
    return 0;
}
