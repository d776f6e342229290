// Tests the headless terminal surface: control sequences, fragmentation, keys, paste, OSC, resize.
#include "terminal/terminalsurface.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QtTest>

using capsule::terminal::TerminalCell;
using capsule::terminal::TerminalSurface;

namespace {

constexpr int Cols = 20;
constexpr int Rows = 5;

// Everything observable about the screen, so that two feeds can be compared exactly.
QString snapshot(const TerminalSurface &s)
{
    QString out;
    for (int line = 0; line < s.lineCount(); ++line) {
        for (int col = 0; col < s.cols(); ++col) {
            const TerminalCell c = s.lineCell(line, col);
            out += QStringLiteral("[%1|%2|%3|%4|%5|%6%7%8%9%10]")
                       .arg(c.text)
                       .arg(c.width)
                       .arg(c.fg.name())
                       .arg(c.bg.name())
                       .arg(c.fgIndex)
                       .arg(c.bold)
                       .arg(c.italic)
                       .arg(c.underline)
                       .arg(c.reverse)
                       .arg(c.strike);
        }
        out += QLatin1Char('\n');
    }
    out += QStringLiteral("cursor %1,%2 visible %3 alt %4 title %5")
               .arg(s.cursor().x())
               .arg(s.cursor().y())
               .arg(s.cursorVisible())
               .arg(s.altScreen())
               .arg(s.title());
    return out;
}

struct Case
{
    const char *name;
    QByteArray input;
    QString screen;
    QPoint cursor;
};

// Konsole Vt102EmulationTest style: one row per control sequence, on a 20x5 screen.
const QList<Case> &screenCases()
{
    static const QList<Case> cases = {
        {"plain text", "hello", "hello", {5, 0}},
        {"CR LF", "a\r\nb", "a\nb", {1, 1}},
        {"CR overwrites", "abc\rX", "Xbc", {1, 0}},
        {"LF keeps column", "a\nb", "a\n b", {2, 1}},
        {"backspace", "ab\bX", "aX", {2, 0}},
        {"tab", "a\tb", "a       b", {9, 0}},
        {"CUP", "\x1b[3;5HX", "\n\n    X", {5, 2}},
        {"CUB", "abc\x1b[2DX", "aXc", {2, 0}},
        {"CUF", "a\x1b[3CX", "a   X", {5, 0}},
        {"CUU", "\r\n\r\nab\x1b[2AX", "  X\n\nab", {3, 0}},
        {"CUD", "a\x1b[2BX", "a\n\n X", {2, 2}},
        {"CHA", "abcdef\x1b[2GX", "aXcdef", {2, 0}},
        {"EL to end", "abcdef\x1b[3G\x1b[K", "ab", {2, 0}},
        {"EL to start", "abcdef\x1b[3G\x1b[1K", "   def", {2, 0}},
        {"ED all", "abc\r\ndef\x1b[2J", "", {3, 1}},
        {"ED below", "abc\r\ndef\x1b[1;2H\x1b[J", "a", {1, 0}},
        {"DCH", "abcdef\x1b[1G\x1b[2P", "cdef", {0, 0}},
        {"ICH", "abc\x1b[1G\x1b[2@", "  abc", {0, 0}},
        {"ECH", "abcdef\x1b[1G\x1b[2X", "  cdef", {0, 0}},
        {"IL", "a\r\nb\x1b[1;1H\x1b[L", "\na\nb", {0, 0}},
        {"DL", "a\r\nb\r\nc\x1b[1;1H\x1b[M", "b\nc", {0, 0}},
        {"DECSC DECRC",
         "ab\x1b"
         "7cd\x1b"
         "8X",
         "abXd",
         {3, 0}},
        {"autowrap", "0123456789abcdefghijKL", "0123456789abcdefghij\nKL", {2, 1}},
        {"SGR colours", "\x1b[31mr\x1b[38;5;196mx\x1b[38;2;1;2;3mt\x1b[0m", "rxt", {3, 0}},
        {"SGR attributes", "\x1b[1;3;4;7;9mA\x1b[22;23;24;27;29mB", "AB", {2, 0}},
        {"UTF-8 two bytes", "h\xc3\xa9llo", "h\xc3\xa9llo", {5, 0}},
        {"UTF-8 wide CJK", "\xe4\xb8\xad\xe6\x96\x87x", "\xe4\xb8\xad\xe6\x96\x87x", {5, 0}},
        {"UTF-8 four bytes", "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!", {3, 0}},
        {"combining mark", "e\xcc\x81x", "e\xcc\x81x", {2, 0}},
        {"alt screen on", "main\x1b[?1049halt", "    alt", {7, 0}},
        {"alt screen off", "main\x1b[?1049halt\x1b[?1049l", "main", {4, 0}},
        {"cursor hidden", "\x1b[?25lx", "x", {1, 0}},
        {"scroll into scrollback", "1\r\n2\r\n3\r\n4\r\n5\r\n6", "2\n3\n4\n5\n6", {1, 4}},
        {"scroll region", "\x1b[2;3r\x1b[3;1Ha\r\nb\r\nc", "\nb\nc", {1, 2}},
        {"reverse index", "\x1b[1;1Hx\x1bMy", " y\nx", {2, 0}},
        {"title BEL", "\x1b]2;hello\x07ok", "ok", {2, 0}},
        {"title ST", "\x1b]0;t\x1b\\ok", "ok", {2, 0}},
        {"hyperlink", "\x1b]8;;http://x.test\x1b\\ln\x1b]8;;\x1b\\!", "ln!", {3, 0}},
        {"unknown OSC ignored", "\x1b]777;notify;a;b\x07z", "z", {1, 0}},
    };
    return cases;
}

} // namespace

class TestTerminalSurface final : public QObject
{
    Q_OBJECT
private slots:
    void screen_data();
    void screen();
    void splitAtEveryByte_data();
    void splitAtEveryByte();
    void byteByByte();
    void attributes_data();
    void attributes();
    void wideCharacterCells();
    void scrollback();
    void scrollbackBoundedAndResized();
    void altScreenKeepsScrollback();
    void titleAndBell();
    void terminalReplies();
    void keys_data();
    void keys();
    void bracketedPaste();
    void hyperlinks();
    void clipboardRequests();
    void textExtraction();
    void invalidation();
    void randomResizes();
    void restoredCursorStaysOnShrunkScreen();
    void wideCharacterCutByNarrowerScreen();
};

void TestTerminalSurface::screen_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("screen");
    QTest::addColumn<QPoint>("cursor");
    for (const Case &c : screenCases())
        QTest::newRow(c.name) << c.input << c.screen << c.cursor;
}

void TestTerminalSurface::screen()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, screen);
    QFETCH(QPoint, cursor);
    TerminalSurface s(Cols, Rows);
    s.feed(input);
    QCOMPARE(s.screenText(), screen);
    QCOMPARE(s.cursor(), cursor);
}

void TestTerminalSurface::splitAtEveryByte_data()
{
    QTest::addColumn<QByteArray>("input");
    for (const Case &c : screenCases())
        QTest::newRow(c.name) << c.input;
}

void TestTerminalSurface::splitAtEveryByte()
{
    QFETCH(QByteArray, input);
    TerminalSurface whole(Cols, Rows);
    whole.feed(input);
    const QString expected = snapshot(whole);
    for (qsizetype at = 1; at < input.size(); ++at) {
        TerminalSurface split(Cols, Rows);
        split.feed(input.left(at));
        split.feed(input.mid(at));
        QVERIFY2(snapshot(split) == expected, qPrintable(QStringLiteral("split at %1").arg(at)));
    }
}

void TestTerminalSurface::byteByByte()
{
    for (const Case &c : screenCases()) {
        TerminalSurface whole(Cols, Rows);
        whole.feed(c.input);
        TerminalSurface bytes(Cols, Rows);
        for (char b : c.input)
            bytes.feed(QByteArray(1, b));
        QVERIFY2(snapshot(bytes) == snapshot(whole), c.name);
    }
}

void TestTerminalSurface::attributes_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("fgIndex");
    QTest::addColumn<int>("bgIndex");
    QTest::addColumn<QColor>("fg"); // checked when valid
    QTest::addColumn<QColor>("bg");
    QTest::addColumn<QString>("flags"); // b=bold i=italic u=underline r=reverse s=strike

    QTest::newRow("default") << QByteArray("x") << -1 << -1 << QColor(0xdc, 0xdc, 0xdc)
                             << QColor(0x1e, 0x1e, 0x1e) << "";
    QTest::newRow("16 colour fg") << QByteArray("\x1b[31mx") << 1 << -1 << QColor() << QColor()
                                  << "";
    QTest::newRow("bright fg") << QByteArray("\x1b[92mx") << 10 << -1 << QColor() << QColor() << "";
    QTest::newRow("16 colour bg") << QByteArray("\x1b[44mx") << -1 << 4 << QColor() << QColor()
                                  << "";
    QTest::newRow("256 colour fg")
        << QByteArray("\x1b[38;5;196mx") << 196 << -1 << QColor() << QColor() << "";
    QTest::newRow("256 colour bg")
        << QByteArray("\x1b[48;5;21mx") << -1 << 21 << QColor() << QColor() << "";
    QTest::newRow("truecolor fg") << QByteArray("\x1b[38;2;10;20;30mx") << -1 << -1
                                  << QColor(10, 20, 30) << QColor() << "";
    QTest::newRow("truecolor bg") << QByteArray("\x1b[48;2;200;100;50mx") << -1 << -1 << QColor()
                                  << QColor(200, 100, 50) << "";
    QTest::newRow("bold") << QByteArray("\x1b[1mx") << -1 << -1 << QColor() << QColor() << "b";
    QTest::newRow("italic") << QByteArray("\x1b[3mx") << -1 << -1 << QColor() << QColor() << "i";
    QTest::newRow("underline") << QByteArray("\x1b[4mx") << -1 << -1 << QColor() << QColor() << "u";
    QTest::newRow("reverse") << QByteArray("\x1b[7mx") << -1 << -1 << QColor() << QColor() << "r";
    QTest::newRow("strike") << QByteArray("\x1b[9mx") << -1 << -1 << QColor() << QColor() << "s";
    QTest::newRow("all then reset")
        << QByteArray("\x1b[1;3;4;7;9;31;42m\x1b[0mx") << -1 << -1 << QColor() << QColor() << "";
    QTest::newRow("bold reverse red")
        << QByteArray("\x1b[1;7;31mx") << 1 << -1 << QColor() << QColor() << "br";
}

void TestTerminalSurface::attributes()
{
    QFETCH(QByteArray, input);
    QFETCH(int, fgIndex);
    QFETCH(int, bgIndex);
    QFETCH(QColor, fg);
    QFETCH(QColor, bg);
    QFETCH(QString, flags);
    TerminalSurface s(Cols, Rows);
    s.feed(input);
    const TerminalCell c = s.cell(0, 0);
    QCOMPARE(c.text, QStringLiteral("x"));
    QCOMPARE(c.fgIndex, fgIndex);
    QCOMPARE(c.bgIndex, bgIndex);
    if (fg.isValid())
        QCOMPARE(c.fg, fg);
    if (bg.isValid())
        QCOMPARE(c.bg, bg);
    QCOMPARE(c.bold, flags.contains('b'));
    QCOMPARE(c.italic, flags.contains('i'));
    QCOMPARE(c.underline != 0, flags.contains('u'));
    QCOMPARE(c.reverse, flags.contains('r'));
    QCOMPARE(c.strike, flags.contains('s'));
    // The next cell was never written: default attributes.
    QVERIFY(s.cell(0, 1).fgDefault);
    QVERIFY(s.cell(0, 1).text.isEmpty());
}

void TestTerminalSurface::wideCharacterCells()
{
    TerminalSurface s(Cols, Rows);
    s.feed("\xe4\xb8\xad|");
    QCOMPARE(s.cell(0, 0).text, QString::fromUtf8("\xe4\xb8\xad"));
    QCOMPARE(s.cell(0, 0).width, 2);
    QCOMPARE(s.cell(0, 1).width, 0);
    QCOMPARE(s.cell(0, 2).text, QStringLiteral("|"));
    // Out-of-range access is a blank cell, never a crash.
    QVERIFY(s.cell(-1, 0).text.isEmpty());
    QVERIFY(s.cell(0, 999).text.isEmpty());
    QVERIFY(s.lineCell(-5, 0).text.isEmpty());
}

void TestTerminalSurface::scrollback()
{
    TerminalSurface s(Cols, Rows);
    QSignalSpy changed(&s, &TerminalSurface::scrollbackChanged);
    QByteArray in;
    for (int i = 0; i < 20; ++i)
        in += (i ? "\r\nL" : "L") + QByteArray::number(i);
    s.feed(in);
    QCOMPARE(s.scrollbackLines(), 15);
    QCOMPARE(s.lineText(0), QStringLiteral("L0"));
    QCOMPARE(s.lineText(14), QStringLiteral("L14"));
    QCOMPARE(s.rowText(0), QStringLiteral("L15"));
    QCOMPARE(s.rowText(4), QStringLiteral("L19"));
    // One feed, one batched signal.
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toInt(), 15);
    QCOMPARE(changed.first().at(1).toInt(), 15);

    // Growing the screen pulls lines back out of the scrollback (sb_popline).
    s.resize(Cols, 8);
    QCOMPARE(s.scrollbackLines(), 12);
    QCOMPARE(s.rowText(0), QStringLiteral("L12"));
    QCOMPARE(s.rowText(7), QStringLiteral("L19"));
    QCOMPARE(s.cursor(), QPoint(3, 7));
    // Shrinking it pushes them again.
    s.resize(Cols, Rows);
    QCOMPARE(s.scrollbackLines(), 15);
    QCOMPARE(s.rowText(4), QStringLiteral("L19"));
    QCOMPARE(s.lineText(14), QStringLiteral("L14"));

    s.clearScrollback();
    QCOMPARE(s.scrollbackLines(), 0);
    QCOMPARE(s.rowText(0), QStringLiteral("L15"));

    // `clear` sends ED 3 to drop the scrollback as well (split here to show it is still seen).
    s.feed("a\r\nb\r\nc\r\nd\r\ne\r\nf\r\n");
    QVERIFY(s.scrollbackLines() > 0);
    s.feed("\x1b[H\x1b[2J\x1b[");
    s.feed("3J$ ");
    QCOMPARE(s.scrollbackLines(), 0);
    QCOMPARE(s.screenText(), QStringLiteral("$"));
    // Other ED parameters keep it.
    s.feed("\r\n\r\n\r\n\r\n\r\n\r\n\x1b[2J\x1b[J\x1b[1J\x1b[?3J");
    QVERIFY(s.scrollbackLines() > 0);
}

void TestTerminalSurface::scrollbackBoundedAndResized()
{
    TerminalSurface s(Cols, Rows);
    QCOMPARE(s.scrollbackLimit(), 10000);
    s.setScrollbackLimit(100);
    for (int i = 0; i < 300; ++i)
        s.feed("line " + QByteArray::number(i) + "\r\n");
    QCOMPARE(s.scrollbackLines(), 100);
    QCOMPARE(s.lineText(0), QStringLiteral("line 196"));
    QCOMPARE(s.lineText(99), QStringLiteral("line 295"));
    s.setScrollbackLimit(10);
    QCOMPARE(s.scrollbackLines(), 10);
    QCOMPARE(s.lineText(0), QStringLiteral("line 286"));
    // Lines keep their colours through the scrollback.
    s.feed("\x1b[31mred\x1b[0m\r\n\r\n\r\n\r\n\r\n");
    QCOMPARE(s.lineText(s.scrollbackLines() - 1), QStringLiteral("red"));
    QCOMPARE(s.lineCell(s.scrollbackLines() - 1, 0).fgIndex, 1);
    // A narrower screen still reads wider scrollback lines without crashing.
    s.resize(2, Rows);
    QCOMPARE(s.lineText(s.scrollbackLines() - 1), QStringLiteral("re"));
}

void TestTerminalSurface::altScreenKeepsScrollback()
{
    TerminalSurface s(Cols, Rows);
    QSignalSpy alt(&s, &TerminalSurface::altScreenChanged);
    s.feed("shell\x1b[?1049h");
    QCOMPARE(alt.count(), 1);
    QCOMPARE(alt.last().at(0).toBool(), true);
    QVERIFY(s.altScreen());
    for (int i = 0; i < 20; ++i)
        s.feed("full screen app\r\n");
    QCOMPARE(s.scrollbackLines(), 0); // alternate screen output never reaches the scrollback
    s.feed("\x1b[?1049l");
    QCOMPARE(alt.count(), 2);
    QVERIFY(!s.altScreen());
    QCOMPARE(s.rowText(0), QStringLiteral("shell"));
}

void TestTerminalSurface::titleAndBell()
{
    TerminalSurface s(Cols, Rows);
    QSignalSpy title(&s, &TerminalSurface::titleChanged);
    QSignalSpy bell(&s, &TerminalSurface::bell);
    const QByteArray in = "\x1b]0;user@runner: /workspace \xc3\xa9\x07\x07";
    for (char b : in)
        s.feed(QByteArray(1, b));
    QCOMPARE(title.count(), 1);
    QCOMPARE(title.first().at(0).toString(), QString::fromUtf8("user@runner: /workspace \xc3\xa9"));
    QCOMPARE(s.title(), title.first().at(0).toString());
    QCOMPARE(bell.count(), 1);
    // The same title again is not a change; a long one is kept whole.
    s.feed("\x1b]2;user@runner: /workspace \xc3\xa9\x1b\\");
    QCOMPARE(title.count(), 1);
    const QByteArray longTitle(300, 't');
    s.feed("\x1b]2;" + longTitle + "\x07");
    QCOMPARE(s.title(), QString::fromLatin1(longTitle));
    // Control characters never reach the title.
    s.feed("\x1b]2;a\x01"
           "b\x07");
    QCOMPARE(s.title(), QStringLiteral("ab"));
}

void TestTerminalSurface::terminalReplies()
{
    TerminalSurface s(Cols, Rows);
    QSignalSpy out(&s, &TerminalSurface::writeToPty);
    s.feed("ab\x1b[6n");
    QCOMPARE(out.count(), 1);
    QCOMPARE(out.takeFirst().at(0).toByteArray(), QByteArray("\x1b[1;3R"));
    s.feed("\x1b[c");
    QCOMPARE(out.count(), 1);
    QVERIFY(out.takeFirst().at(0).toByteArray().startsWith("\x1b[?"));
}

void TestTerminalSurface::keys_data()
{
    QTest::addColumn<QByteArray>("setup");
    QTest::addColumn<int>("key");
    QTest::addColumn<int>("modifiers");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray appCursor = "\x1b[?1h";
    const int none = Qt::NoModifier;
    const int ctrl = Qt::ControlModifier;
    const int alt = Qt::AltModifier;
    const int shift = Qt::ShiftModifier;
    QTest::newRow("letter") << QByteArray() << int(Qt::Key_A) << none << "a" << QByteArray("a");
    QTest::newRow("unicode") << QByteArray() << 0 << none << QString::fromUtf8("\xc3\xa9")
                             << QByteArray("\xc3\xa9");
    QTest::newRow("up") << QByteArray() << int(Qt::Key_Up) << none << "" << QByteArray("\x1b[A");
    QTest::newRow("down") << QByteArray() << int(Qt::Key_Down) << none << ""
                          << QByteArray("\x1b[B");
    QTest::newRow("right") << QByteArray() << int(Qt::Key_Right) << none << ""
                           << QByteArray("\x1b[C");
    QTest::newRow("left") << QByteArray() << int(Qt::Key_Left) << none << ""
                          << QByteArray("\x1b[D");
    QTest::newRow("up app cursor")
        << appCursor << int(Qt::Key_Up) << none << "" << QByteArray("\x1bOA");
    QTest::newRow("left app cursor")
        << appCursor << int(Qt::Key_Left) << none << "" << QByteArray("\x1bOD");
    QTest::newRow("ctrl up") << QByteArray() << int(Qt::Key_Up) << ctrl << ""
                             << QByteArray("\x1b[1;5A");
    QTest::newRow("home") << QByteArray() << int(Qt::Key_Home) << none << ""
                          << QByteArray("\x1b[H");
    QTest::newRow("end") << QByteArray() << int(Qt::Key_End) << none << "" << QByteArray("\x1b[F");
    QTest::newRow("page up") << QByteArray() << int(Qt::Key_PageUp) << none << ""
                             << QByteArray("\x1b[5~");
    QTest::newRow("page down") << QByteArray() << int(Qt::Key_PageDown) << none << ""
                               << QByteArray("\x1b[6~");
    QTest::newRow("insert") << QByteArray() << int(Qt::Key_Insert) << none << ""
                            << QByteArray("\x1b[2~");
    QTest::newRow("delete") << QByteArray() << int(Qt::Key_Delete) << none << ""
                            << QByteArray("\x1b[3~");
    QTest::newRow("F1") << QByteArray() << int(Qt::Key_F1) << none << "" << QByteArray("\x1bOP");
    QTest::newRow("F5") << QByteArray() << int(Qt::Key_F5) << none << "" << QByteArray("\x1b[15~");
    QTest::newRow("F12") << QByteArray() << int(Qt::Key_F12) << none << ""
                         << QByteArray("\x1b[24~");
    QTest::newRow("enter") << QByteArray() << int(Qt::Key_Return) << none << "\r"
                           << QByteArray("\r");
    QTest::newRow("shift enter") << QByteArray() << int(Qt::Key_Return) << shift << "\r"
                                 << QByteArray("\r");
    QTest::newRow("tab") << QByteArray() << int(Qt::Key_Tab) << none << "\t" << QByteArray("\t");
    QTest::newRow("backtab") << QByteArray() << int(Qt::Key_Backtab) << shift << ""
                             << QByteArray("\x1b[Z");
    QTest::newRow("backspace") << QByteArray() << int(Qt::Key_Backspace) << none << "\b"
                               << QByteArray("\x7f");
    QTest::newRow("ctrl backspace")
        << QByteArray() << int(Qt::Key_Backspace) << ctrl << "" << QByteArray("\x08");
    QTest::newRow("escape") << QByteArray() << int(Qt::Key_Escape) << none << "\x1b"
                            << QByteArray("\x1b");
    QTest::newRow("ctrl c") << QByteArray() << int(Qt::Key_C) << ctrl << "\x03"
                            << QByteArray("\x03");
    QTest::newRow("ctrl d no text")
        << QByteArray() << int(Qt::Key_D) << ctrl << "" << QByteArray("\x04");
    QTest::newRow("ctrl shift c") << QByteArray() << int(Qt::Key_C) << (ctrl | shift) << ""
                                  << QByteArray("\x03");
    QTest::newRow("ctrl space") << QByteArray() << int(Qt::Key_Space) << ctrl << ""
                                << QByteArray(1, '\0');
    QTest::newRow("ctrl [") << QByteArray() << int(Qt::Key_BracketLeft) << ctrl << ""
                            << QByteArray("\x1b");
    QTest::newRow("ctrl j") << QByteArray() << int(Qt::Key_J) << ctrl << "" << QByteArray("\x0a");
    QTest::newRow("alt x") << QByteArray() << int(Qt::Key_X) << alt << "x" << QByteArray("\x1bx");
    QTest::newRow("alt x no text")
        << QByteArray() << int(Qt::Key_X) << alt << "" << QByteArray("\x1bx");
    QTest::newRow("alt shift x") << QByteArray() << int(Qt::Key_X) << (alt | shift) << "X"
                                 << QByteArray("\x1bX");
    QTest::newRow("ctrl alt c") << QByteArray() << int(Qt::Key_C) << (ctrl | alt) << ""
                                << QByteArray("\x1b\x03");
    QTest::newRow("alt enter") << QByteArray() << int(Qt::Key_Return) << alt << ""
                               << QByteArray("\x1b\r");
}

void TestTerminalSurface::keys()
{
    QFETCH(QByteArray, setup);
    QFETCH(int, key);
    QFETCH(int, modifiers);
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    TerminalSurface s(Cols, Rows);
    s.feed(setup);
    QSignalSpy out(&s, &TerminalSurface::writeToPty);
    QVERIFY(s.sendKey(key, Qt::KeyboardModifiers(modifiers), text));
    QByteArray written;
    for (const auto &args : out)
        written += args.at(0).toByteArray();
    QCOMPARE(written, expected);
}

void TestTerminalSurface::bracketedPaste()
{
    TerminalSurface s(Cols, Rows);
    QSignalSpy out(&s, &TerminalSurface::writeToPty);
    auto written = [&out] {
        QByteArray all;
        for (const auto &args : out)
            all += args.at(0).toByteArray();
        out.clear();
        return all;
    };
    QVERIFY(!s.bracketedPaste());
    s.paste(QStringLiteral("ls\nwho\r\n"));
    QCOMPARE(written(), QByteArray("ls\rwho\r"));

    s.feed("\x1b[?2004h");
    QVERIFY(s.bracketedPaste());
    QVERIFY(out.isEmpty()); // asking about the mode sends nothing
    s.paste(QStringLiteral("echo hi\n"));
    QCOMPARE(written(), QByteArray("\x1b[200~echo hi\r\x1b[201~"));
    // A pasted end marker cannot break out of the bracket.
    s.paste(QStringLiteral("a\x1b[201~rm -rf x\n"));
    QCOMPARE(written(), QByteArray("\x1b[200~a[201~rm -rf x\r\x1b[201~"));

    s.feed("\x1b[?2004l");
    QVERIFY(!s.bracketedPaste());
    s.paste(QString::fromUtf8("\xc3\xa9"));
    QCOMPARE(written(), QByteArray("\xc3\xa9"));
    s.paste(QString());
    QVERIFY(out.isEmpty());
}

void TestTerminalSurface::hyperlinks()
{
    TerminalSurface s(Cols, Rows);
    QSignalSpy added(&s, &TerminalSurface::hyperlinkAdded);
    const QByteArray in = "go \x1b]8;id=7;https://example.com/a;b\x1b\\here\x1b]8;;\x1b\\ now";
    // Split at every byte: the link still lands on the same cells.
    for (char b : in)
        s.feed(QByteArray(1, b));
    QCOMPARE(added.count(), 1);
    QCOMPARE(s.rowText(0), QStringLiteral("go here now"));
    const int row0 = s.scrollbackLines();
    QCOMPARE(s.hyperlinkAt(row0, 2), QString());
    for (int col = 3; col < 7; ++col)
        QCOMPARE(s.hyperlinkAt(row0, col), QStringLiteral("https://example.com/a;b"));
    QCOMPARE(s.hyperlinkAt(row0, 7), QString());
    QCOMPARE(s.hyperlinks().size(), 1);
    QCOMPARE(s.hyperlinks().first().id, QStringLiteral("7"));

    // The link follows its text into the scrollback.
    s.feed("\r\n1\r\n2\r\n3\r\n4\r\n5");
    QCOMPARE(s.scrollbackLines(), 1);
    QCOMPARE(s.lineText(0), QStringLiteral("go here now"));
    QCOMPARE(s.hyperlinkAt(0, 4), QStringLiteral("https://example.com/a;b"));
    QCOMPARE(s.hyperlinkAt(1, 4), QString());

    // A link still open covers what was printed so far; a second open closes the first.
    s.feed("\x1b]8;;file:///tmp/a\x07"
           "ab\x1b]8;;file:///tmp/b\x07"
           "cd\x1b]8;;\x07");
    const int last = s.lineCount() - 1;
    QCOMPARE(s.hyperlinkAt(last, 1), QStringLiteral("file:///tmp/a"));
    QCOMPARE(s.hyperlinkAt(last, 2), QStringLiteral("file:///tmp/a"));
    QCOMPARE(s.hyperlinkAt(last, 3), QStringLiteral("file:///tmp/b"));
    QCOMPARE(s.hyperlinkAt(last, 6), QString());
    QCOMPARE(added.count(), 3);

    // Links scrolled past the scrollback limit are forgotten.
    s.setScrollbackLimit(0);
    s.feed("\r\n\r\n\r\n\r\n\r\n\r\n");
    QVERIFY(s.hyperlinks().isEmpty());
}

void TestTerminalSurface::clipboardRequests()
{
    TerminalSurface s(Cols, Rows);
    QSignalSpy clip(&s, &TerminalSurface::clipboardRequested);
    QSignalSpy out(&s, &TerminalSurface::writeToPty);
    const QByteArray in = "\x1b]52;c;" + QByteArray("copied \xc3\xa9 text").toBase64() + "\x07";
    for (char b : in)
        s.feed(QByteArray(1, b));
    QCOMPARE(clip.count(), 1);
    QCOMPARE(clip.first().at(0).toString(), QString::fromUtf8("copied \xc3\xa9 text"));
    // A clipboard query is never answered; bad base64 and a missing target are ignored.
    s.feed("\x1b]52;c;?\x07");
    s.feed("\x1b]52;c;!!notbase64!!\x07");
    s.feed("\x1b]52;aGk=\x07");
    QCOMPARE(clip.count(), 1);
    QVERIFY(out.isEmpty());
    // A large payload (libvterm 0.1.4 would truncate it) arrives whole.
    const QByteArray big(100000, 'z');
    s.feed("\x1b]52;c;" + big.toBase64() + "\x1b\\");
    QCOMPARE(clip.count(), 2);
    QCOMPARE(clip.last().at(0).toString().size(), big.size());
    QCOMPARE(s.screenText(), QString());
}

void TestTerminalSurface::textExtraction()
{
    TerminalSurface s(Cols, Rows);
    s.feed("hello world\r\nsecond line   \r\n\xe4\xb8\xad\xe6\x96\x87 wide");
    QCOMPARE(s.text(QPoint(6, 0), QPoint(11, 0)), QStringLiteral("world"));
    QCOMPARE(s.text(QPoint(6, 0), QPoint(6, 1)), QStringLiteral("world\nsecond"));
    // Reversed endpoints give the same text; trailing blanks are dropped per line.
    QCOMPARE(s.text(QPoint(6, 1), QPoint(6, 0)), QStringLiteral("world\nsecond"));
    QCOMPARE(s.text(QPoint(0, 1), QPoint(0, 2)), QStringLiteral("second line\n"));
    QCOMPARE(s.text(QPoint(0, 2), QPoint(20, 2)),
             QString::fromUtf8("\xe4\xb8\xad\xe6\x96\x87 wide"));
    QCOMPARE(s.wordAt(0, 8), qMakePair(6, 11));
    QCOMPARE(s.wordAt(1, 0), qMakePair(0, 6));
    // A line filled to the last column is a soft wrap and copies without a newline.
    TerminalSurface w(10, 3);
    w.feed("0123456789abc");
    QCOMPARE(w.text(QPoint(0, 0), QPoint(10, 1)), QStringLiteral("0123456789abc"));
    // Out-of-range selections are clamped, not crashes.
    QCOMPARE(w.text(QPoint(-5, -5), QPoint(500, 1)), QStringLiteral("0123456789abc"));
    QCOMPARE(w.text(QPoint(-5, -5), QPoint(500, 500)), QStringLiteral("0123456789abc\n"));
}

void TestTerminalSurface::invalidation()
{
    TerminalSurface s(Cols, Rows);
    QSignalSpy damage(&s, &TerminalSurface::invalidated);
    QSignalSpy cursor(&s, &TerminalSurface::cursorChanged);
    s.feed("\x1b[3;4Hxy");
    QVERIFY(!damage.isEmpty());
    QRect all;
    for (const auto &args : damage)
        all |= args.at(0).toRect();
    // Only the written cells are damaged, not the whole screen.
    QVERIFY(all.contains(QRect(3, 2, 2, 1)));
    QVERIFY(all.height() <= 1);
    QVERIFY(!cursor.isEmpty());
    QCOMPARE(cursor.last().at(1).toPoint(), QPoint(5, 2));
}

void TestTerminalSurface::randomResizes()
{
    // Seeded so that a failure reproduces; the mix covers wide chars, scrolling, alt screen,
    // cursor addressing and erasures between resizes.
    QRandomGenerator rng(20261130);
    const QList<QByteArray> chunks = {"text ",
                                      "\r\n",
                                      "\xe4\xb8\xad",
                                      "\x1b[999;999H",
                                      "\x1b[H",
                                      "\x1b[2J",
                                      "\x1b[?1049h",
                                      "\x1b[?1049l",
                                      "\x1b[31;1m",
                                      "\x1b[K",
                                      "\x1b[5L",
                                      "\x1b[3M",
                                      "\x1b[2;3r",
                                      "\x1b[r",
                                      "\xf0\x9f\x98\x80",
                                      "\x1b[10@",
                                      "\x1b[10P",
                                      "\x1b"
                                      "7",
                                      "\x1b"
                                      "8",
                                      "0123456789012345678",
                                      "\x1b]8;;u\x07",
                                      "\x1b]8;;\x07",
                                      "\tx\tx\t",
                                      "\x1bM\x1bM",
                                      "\x1b[?25l",
                                      "\x1b[?1048h",
                                      "\x1b[?1048l",
                                      "\x1b[s",
                                      "\x1b[u",
                                      "\x1b[?6h\x1b[?6l"};
    TerminalSurface s(80, 24);
    s.setScrollbackLimit(200);
    for (int i = 0; i < 1500; ++i) {
        const int cols = rng.bounded(2, 140);
        const int rows = rng.bounded(1, 50);
        s.resize(cols, rows);
        QCOMPARE(s.cols(), cols);
        QCOMPARE(s.rows(), rows);
        for (int n = rng.bounded(0, 8); n > 0; --n) {
            s.feed(chunks.at(rng.bounded(int(chunks.size()))));
        }
        const QPoint c = s.cursor();
        QVERIFY2(c.x() >= 0 && c.x() < cols && c.y() >= 0 && c.y() < rows,
                 qPrintable(QStringLiteral("cursor %1,%2 on %3x%4 at step %5")
                                .arg(c.x())
                                .arg(c.y())
                                .arg(cols)
                                .arg(rows)
                                .arg(i)));
        QVERIFY(s.scrollbackLines() <= 200);
        // Every cell and the whole text are readable after each resize.
        for (int line = 0; line < s.lineCount(); line += 7)
            s.lineText(line);
        s.cell(rows - 1, cols - 1);
        s.text(QPoint(0, 0), QPoint(cols, s.lineCount() - 1));
        s.hyperlinkAt(s.lineCount() - 1, cols - 1);
    }
    // Silly sizes are clamped rather than handed to libvterm.
    s.resize(0, -3);
    QCOMPARE(s.cols(), 2); // one column would let a wide character overflow the row
    QCOMPARE(s.rows(), 1);
}

void TestTerminalSurface::restoredCursorStaysOnShrunkScreen()
{
    // A full-screen program saved the cursor low on a big screen, the window shrank, the program
    // exits (1049l restores the cursor) and the shell prints: nothing may land off the screen.
    TerminalSurface s(80, 40);
    s.feed("\x1b[35;70H\x1b[?1049h");
    s.resize(20, 5);
    s.feed("\x1b[?1049lafter");
    // Clamped to the last cell, "a" fills it and the rest wraps onto a new bottom line.
    QVERIFY(s.rowText(3).endsWith(QStringLiteral("a")));
    QCOMPARE(s.rowText(4), QStringLiteral("fter"));
    QCOMPARE(s.cursor(), QPoint(4, 4));
    s.feed("\x1b[4;4H\x1b"
           "7");
    s.resize(3, 2);
    s.feed("\x1b"
           "8x");
    QCOMPARE(s.cursor().y(), 1);
    QVERIFY(s.cursor().x() < 3);
}

void TestTerminalSurface::wideCharacterCutByNarrowerScreen()
{
    // Found by randomResizes: a scrollback line whose wide character straddles the new right
    // edge came back through sb_popline and libvterm 0.1.4 wrote its right half past the row.
    TerminalSurface s(80, 24);
    s.feed("\tx\tx\t\xf0\x9f\x98\x80\xf0\x9f\x98\x80\x1b[3M");
    QCOMPARE(s.scrollbackLines(), 3);
    s.resize(27, 28);
    QCOMPARE(s.rowText(0), QString::fromUtf8("        x       x       \xf0\x9f\x98\x80"));
    QCOMPARE(s.cell(0, 26).text, QString());
}

QTEST_MAIN(TestTerminalSurface)
#include "tst_terminalsurface.moc"
