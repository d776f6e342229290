// The screen model (TerminalScreen under TerminalSurface): scroll regions, insert/delete lines,
// wide and combining characters, erase with a background colour, alternate screen, resize. Every
// case is fed whole and split at every byte, and both must give the same cells.
#include "terminal/terminalsurface.h"

#include <QtTest>

using capsule::terminal::TerminalCell;
using capsule::terminal::TerminalSurface;

namespace {

constexpr int Cols = 10;
constexpr int Rows = 4;

QString cells(const TerminalSurface &s)
{
    QString out;
    for (int line = 0; line < s.lineCount(); ++line) {
        for (int col = 0; col < s.cols(); ++col) {
            const TerminalCell c = s.lineCell(line, col);
            out += QStringLiteral("%1|%2|%3|%4|%5;")
                       .arg(c.text)
                       .arg(c.width)
                       .arg(c.fgIndex)
                       .arg(c.bgIndex)
                       .arg(c.bg.name());
        }
        out += QLatin1Char('\n');
    }
    return out + QStringLiteral("cursor %1,%2").arg(s.cursor().x()).arg(s.cursor().y());
}

struct Case
{
    const char *name;
    QByteArray input;
    QString lines; // scrollback + screen text, '|' between lines
    int scrollback;
    QPoint cursor;
};

QString allLines(const TerminalSurface &s)
{
    QStringList lines;
    for (int line = 0; line < s.lineCount(); ++line)
        lines << s.lineText(line);
    return lines.join(QLatin1Char('|'));
}

const QList<Case> &cases()
{
    static const QList<Case> list = {
        {"scroll full screen", "a\r\nb\r\nc\r\nd\r\ne\r\nf", "a|b|c|d|e|f", 2, {1, 3}},
        {"scroll region keeps outside rows",
         "\x1b[2;3r\x1b[1;1Htop\x1b[4;1Hbot\x1b[2;1H1\r\n2\r\n3",
         "top|2|3|bot",
         0,
         {1, 2}},
        {"region at top pushes to scrollback",
         "1\r\n2\r\n3\r\n4\x1b[1;3r\x1b[3;1H\r\n\r\nx",
         "1|2|3||x|4",
         2,
         {1, 2}},
        {"reverse index in region",
         "\x1b[2;4r\x1b[2;1Hb\r\nc\r\nd\x1b[2;1H\x1bM",
         "||b|c",
         0,
         {0, 1}},
        {"insert lines", "a\r\nb\r\nc\r\nd\x1b[2;1H\x1b[2L", "a|||b", 0, {0, 1}},
        {"delete lines", "a\r\nb\r\nc\r\nd\x1b[2;1H\x1b[2M", "a|d||", 0, {0, 1}},
        {"delete lines at top feed scrollback",
         "a\r\nb\r\nc\x1b[1;1H\x1b[1M",
         "a|b|c||",
         1,
         {0, 0}},
        {"insert and delete chars",
         "abcdef\x1b[1;2H\x1b[2@XY\x1b[1;8H\x1b[1P",
         "aXYbcde|||",
         0,
         {7, 0}},
        {"wide characters",
         "\xe4\xb8\xad\xe6\x96\x87"
         "ab",
         "\xe4\xb8\xad\xe6\x96\x87"
         "ab|||",
         0,
         {6, 0}},
        {"wide character wraps at the edge",
         "12345678\xe4\xb8\xad\xe6\x96\x87",
         "12345678\xe4\xb8\xad|\xe6\x96\x87||",
         0,
         {2, 1}},
        {"overwriting half a wide character", "\xe4\xb8\xad\x1b[1;2Hx", " x|||", 0, {2, 0}},
        {"combining marks",
         "e\xcc\x81\xcc\xa3 a\xcc\x8a",
         "e\xcc\x81\xcc\xa3 a\xcc\x8a|||",
         0,
         {3, 0}},
        {"erase with background colour", "abc\x1b[44m\x1b[2K\x1b[0m", "|||", 0, {3, 0}},
        {"alt screen keeps the primary",
         "one\r\ntwo\x1b[?1049h\x1b[2Jalt\x1b[?1049l",
         "one|two||",
         0,
         {3, 1}},
        {"alt screen does not scroll into the scrollback",
         "p\x1b[?1049h1\r\n2\r\n3\r\n4\r\n5\r\n6\x1b[?1049l",
         "p|||",
         0,
         {1, 0}},
        {"tabs and backspace",
         "a\tb\x08"
         "c",
         "a       c|||",
         0,
         {9, 0}},
    };
    return list;
}

} // namespace

class TestTerminalScreen final : public QObject
{
    Q_OBJECT
private slots:
    void model_data();
    void model();
    void eraseTakesThePenBackground();
    void resizeKeepsText();
    void scrollbackRingWraps();
};

void TestTerminalScreen::model_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("lines");
    QTest::addColumn<int>("scrollback");
    QTest::addColumn<QPoint>("cursor");
    for (const Case &c : cases())
        QTest::newRow(c.name) << c.input << QString::fromUtf8(c.lines.toUtf8()) << c.scrollback
                              << c.cursor;
}

void TestTerminalScreen::model()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, lines);
    QFETCH(int, scrollback);
    QFETCH(QPoint, cursor);
    TerminalSurface whole(Cols, Rows);
    whole.feed(input);
    QCOMPARE(allLines(whole), lines);
    QCOMPARE(whole.scrollbackLines(), scrollback);
    QCOMPARE(whole.cursor(), cursor);
    const QString expected = cells(whole);
    for (qsizetype at = 1; at < input.size(); ++at) {
        TerminalSurface split(Cols, Rows);
        split.feed(input.left(at));
        split.feed(input.mid(at));
        QVERIFY2(cells(split) == expected, qPrintable(QStringLiteral("split at %1").arg(at)));
    }
}

void TestTerminalScreen::eraseTakesThePenBackground()
{
    TerminalSurface s(Cols, Rows);
    s.feed("abc\r\n\x1b[44m\x1b[2K\x1b[0mx\x1b[41m\r\n");
    // EL with a blue pen: the whole row is blue, except where text was written after it.
    QCOMPARE(s.cell(1, 5).bgIndex, 4);
    QCOMPARE(s.cell(1, 0).text, QStringLiteral("x"));
    QCOMPARE(s.cell(1, 0).bgIndex, -1);
    // A line feed at the bottom scrolls in a line with the pen's background (red).
    s.feed("\r\n\r\n");
    QCOMPARE(s.cell(Rows - 1, 3).bgIndex, 1);
    // The blue row moved up with the scroll and kept its colour.
    QCOMPARE(s.cell(0, 5).bgIndex, 4);
    QCOMPARE(s.rowText(0), QStringLiteral("x"));
}

void TestTerminalScreen::resizeKeepsText()
{
    TerminalSurface s(20, 5);
    for (int i = 0; i < 12; ++i)
        s.feed("line" + QByteArray::number(i) + (i < 11 ? "\r\n" : ""));
    QCOMPARE(s.scrollbackLines(), 7);
    // Narrower: rows are cut, not lost from the model; wider again shows them whole.
    s.resize(3, 5);
    QCOMPARE(s.rowText(4), QStringLiteral("lin"));
    s.resize(20, 5);
    QCOMPARE(s.rowText(4), QStringLiteral("line11"));
    // Fewer rows push lines into the scrollback, more rows pull them back.
    s.resize(20, 2);
    QCOMPARE(s.scrollbackLines(), 10);
    QCOMPARE(s.rowText(1), QStringLiteral("line11"));
    s.resize(20, 9);
    QCOMPARE(s.scrollbackLines(), 3);
    QCOMPARE(s.rowText(0), QStringLiteral("line3"));
    QCOMPARE(s.rowText(8), QStringLiteral("line11"));
    QCOMPARE(s.cursor().y(), 8); // the column was clamped while the screen was 3 wide
    // Text survives on the alternate screen's way back too.
    s.feed("\x1b[?1049h\x1b[2Jfull");
    s.resize(10, 4);
    s.feed("\x1b[?1049l");
    QCOMPARE(s.rowText(s.cursor().y()), QStringLiteral("line11"));
}

void TestTerminalScreen::scrollbackRingWraps()
{
    TerminalSurface s(Cols, Rows);
    s.setScrollbackLimit(5);
    for (int i = 0; i < 23; ++i)
        s.feed("L" + QByteArray::number(i) + "\r\n");
    QCOMPARE(s.scrollbackLines(), 5);
    QCOMPARE(s.lineText(0), QStringLiteral("L15"));
    QCOMPARE(s.lineText(4), QStringLiteral("L19"));
    QCOMPARE(s.rowText(0), QStringLiteral("L20"));
    // Growing the limit keeps what is there; lines keep arriving in order.
    s.setScrollbackLimit(8);
    s.feed("x\r\ny\r\n");
    QCOMPARE(s.scrollbackLines(), 7);
    QCOMPARE(s.lineText(0), QStringLiteral("L15"));
    QCOMPARE(s.lineText(6), QStringLiteral("L21"));
    // Memory follows the limit: a zero limit keeps nothing.
    s.setScrollbackLimit(0);
    s.feed("a\r\nb\r\nc\r\nd\r\ne\r\n");
    QCOMPARE(s.scrollbackLines(), 0);
}

QTEST_MAIN(TestTerminalScreen)
#include "tst_terminalscreen.moc"
