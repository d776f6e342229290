// The ASCII fast path of TerminalSurface (printable runs written straight into the screen, not
// through libvterm's per-character text path) must give exactly what libvterm's own path gives:
// every case is fed with the fast path on and off, whole and split at every byte (or in random
// pieces for the long streams), and the cells, cursor and scrollback must be the same.
#include "terminal/terminalsurface.h"

#include <QRandomGenerator>
#include <QtTest>

using capsule::terminal::TerminalCell;
using capsule::terminal::TerminalSurface;

namespace {

QString dump(const TerminalSurface &s)
{
    QString out;
    for (int line = 0; line < s.lineCount(); ++line) {
        for (int col = 0; col < s.cols(); ++col) {
            const TerminalCell c = s.lineCell(line, col);
            out += QStringLiteral("%1|%2|%3|%4|%5|%6|%7%8%9%10;")
                       .arg(c.text)
                       .arg(c.width)
                       .arg(c.fg.name(), c.bg.name())
                       .arg(c.fgIndex)
                       .arg(c.bgIndex)
                       .arg(int(c.bold))
                       .arg(int(c.italic))
                       .arg(c.underline)
                       .arg(int(c.reverse));
        }
        out += QLatin1Char('\n');
    }
    return out + QStringLiteral("cursor %1,%2 scrollback %3")
                     .arg(s.cursor().x())
                     .arg(s.cursor().y())
                     .arg(s.scrollbackLines());
}

QString feedAll(const QByteArray &input, int cols, int rows, bool fast,
                const QList<qsizetype> &cuts = {})
{
    TerminalSurface s(cols, rows);
    s.setFastPathEnabled(fast);
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        s.feed(input.mid(from, cut - from));
        from = cut;
    }
    s.feed(input.mid(from));
    return dump(s);
}

// Text with rows visible as text, so a failure shows where the two paths differ.
QString firstDifference(const QString &a, const QString &b)
{
    const QStringList la = a.split(QLatin1Char('\n'));
    const QStringList lb = b.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < std::min(la.size(), lb.size()); ++i) {
        if (la[i] != lb[i])
            return QStringLiteral("line %1:\n fast: %2\n slow: %3").arg(i).arg(la[i], lb[i]);
    }
    return QStringLiteral("line counts %1 / %2").arg(la.size()).arg(lb.size());
}

const QByteArray Long = "The quick brown fox jumps over the lazy dog 0123456789";

} // namespace

class TestTerminalFastPath final : public QObject
{
    Q_OBJECT
private slots:
    void sameAsLibvterm_data();
    void sameAsLibvterm();
    void generatedStreams_data();
    void generatedStreams();
    void fastPathWritesDirectly();
};

void TestTerminalFastPath::sameAsLibvterm_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("rows");
    QTest::newRow("plain lines wrapping") << "abc " + Long + "\r\n" + Long + Long << 20 << 4;
    QTest::newRow("pending wrap then a run") << QByteArray(20, 'x') + Long << 20 << 4;
    QTest::newRow("exact row width")
        << QByteArray(20, 'y') + "\r\n" + QByteArray(40, 'z') << 20 << 4;
    QTest::newRow("colours") << "\x1b[1;31;44m" + Long + "\x1b[0m " + Long + "\x1b[38;2;1;2;3m" +
                                    Long
                             << 30 << 5;
    QTest::newRow("erase with background then text")
        << "\x1b[41m\x1b[2J\x1b[H" + Long + "\x1b[K\r\n" + Long << 25 << 4;
    QTest::newRow("DEC graphics G0") << "\x1b(0" + Long + "\x1b(B" + Long << 30 << 5;
    QTest::newRow("G1 by SO/SI") << "\x1b)0\x0e" + Long + "\x0f" + Long + "\x0e" + Long << 30 << 5;
    QTest::newRow("UK set") << "\x1b(A#### pound signs ####\x1b(B" + Long << 30 << 4;
    QTest::newRow("96-character set in G1") << "\x1b-A\x0e" + Long + "\x0f" + Long << 30 << 4;
    QTest::newRow("single shift") << "\x1b*0\x1bNq" + Long + "\x1b+0\x1bOq" + Long << 30 << 4;
    QTest::newRow("locking shift LS2") << "\x1b*0\x1bn" + Long + "\x0f" + Long << 30 << 4;
    QTest::newRow("RIS resets charsets") << "\x1b(0" + Long +
                                                "\x1b"
                                                "c" +
                                                Long
                                         << 30 << 4;
    QTest::newRow("insert mode") << Long + "\x1b[1;5H\x1b[4h0123456789AB\x1b[4l\r\n" + Long << 30
                                 << 5;
    QTest::newRow("insert mode in a list") << Long + "\x1b[1;5H\x1b[4;20h0123456789AB" << 30 << 5;
    QTest::newRow("insert mode off by RIS") << "\x1b[4h" + Long +
                                                   "\x1b"
                                                   "c" +
                                                   Long
                                            << 30 << 5;
    QTest::newRow("origin mode") << "\x1b[3;5r\x1b[?6h\x1b[1;1H" + Long + "\x1b[2;3H" + Long +
                                        "\x1b[?6l\x1b[1;1H" + Long
                                 << 30 << 7;
    QTest::newRow("left/right margins")
        << "\x1b[?69h\x1b[5;20s\x1b[1;5H" + Long + Long + "\x1b[?69l\x1b[3;1H" + Long << 30 << 7;
    QTest::newRow("autowrap off") << "\x1b[?7l" + Long + Long + "\r\n" + Long + "\x1b[?7h" + Long
                                  << 20 << 5;
    QTest::newRow("REP repeats the last character")
        << Long + "\x1b[5b" + "\r\n" + Long + "\x1b[b" << 80 << 4;
    QTest::newRow("combining mark after a run")
        << Long + "\xcc\x81" + Long + "e\xcc\x88" << 80 << 4;
    QTest::newRow("wide characters overwritten by a run")
        << QByteArray("\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\r") +
               "abcdefghijk" + "\r\n x" + Long
        << 30 << 4;
    QTest::newRow("run ends inside a wide character")
        << QByteArray("\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"
                      "\xe4\xb8\xad\r") +
               "abcdefghijklm"
        << 30 << 4;
    QTest::newRow("wide character at the edge then a run")
        << QByteArray(19, 'w') + "\xe4\xb8\xad" + Long << 20 << 4;
    QTest::newRow("DCS string is not text")
        << "before\x1bP1$r" + Long + "\x1b\\after " + Long + "\x1bPq" + Long + "\x07" + Long +
               "\x1bPx" + Long + "\x18" + Long
        << 40 << 6;
    QTest::newRow("double-width line") << "\x1b#6" + Long + "\r\n\x1b#5" + Long << 40 << 5;
    QTest::newRow("double-height lines") << "\x1b#3" + Long + "\r\n\x1b#4" + Long << 40 << 5;
    QTest::newRow("tabs and backspace")
        << QByteArray("a\tbcdefghijkl\tmnopqrstuvw\b\bxyzxyzxyzxyz") << 40 << 4;
    QTest::newRow("cursor redraws") << Long +
                                           "\x1b"
                                           "7\x1b[1;1H\x1b[2K status line status line\x1b"
                                           "8" +
                                           Long + "\x1b[2A\x1b[J" + Long + "\x1b[999;1H" + Long
                                    << 40 << 6;
    QTest::newRow("scroll region")
        << "\x1b[2;4r\x1b[4;1H" + Long + "\r\n" + Long + "\r\n" + Long << 30 << 6;
    QTest::newRow("alternate screen")
        << Long + "\x1b[?1049h" + Long + Long + "\x1b[?1049l" + Long << 30 << 5;
    QTest::newRow("intermediate before a run") << "\x1b(B" + Long + "\x1b[?25l" + Long << 30 << 4;
    QTest::newRow("ESC inside a CSI") << "\x1b[1;3\x1b[m" + Long << 30 << 4;
    QTest::newRow("CAN inside an escape") << "\x1b(\x18" + Long + "\x1b[1\x1a" + Long << 30 << 4;
    QTest::newRow("OSC between runs")
        << Long + "\x1b]0;title\x07" + Long + "\x1b]8;;http://x\x1b\\" + Long + "\x1b]8;;\x1b\\"
        << 30 << 4;
    QTest::newRow("UTF-8 between runs")
        << "caf\xc3\xa9 " + Long + " \xf0\x9f\x98\x80 " + Long << 30 << 4;
}

void TestTerminalFastPath::sameAsLibvterm()
{
    QFETCH(QByteArray, input);
    QFETCH(int, cols);
    QFETCH(int, rows);
    const QString slow = feedAll(input, cols, rows, false);
    const QString fast = feedAll(input, cols, rows, true);
    QVERIFY2(fast == slow, qPrintable(firstDifference(fast, slow)));
    for (qsizetype cut = 1; cut < input.size(); ++cut) {
        const QString split = feedAll(input, cols, rows, true, {cut});
        QVERIFY2(split == slow,
                 qPrintable(
                     QStringLiteral("split at %1: %2").arg(cut).arg(firstDifference(split, slow))));
    }
}

void TestTerminalFastPath::generatedStreams_data()
{
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("seed");
    QTest::newRow("80x24") << 80 << 24 << 1;
    QTest::newRow("200x50") << 200 << 50 << 2;
    QTest::newRow("23x7") << 23 << 7 << 3;
}

// Terminal-like output as the term-peer stream mixes it: logs, SGR, UTF-8, progress lines,
// cursor redraws, charsets and modes switched on and off, fed in random pieces.
void TestTerminalFastPath::generatedStreams()
{
    QFETCH(int, cols);
    QFETCH(int, rows);
    QFETCH(int, seed);
    QRandomGenerator rng{quint32(seed)};
    const QList<QByteArray> pieces = {
        "2026-12-05 08:00:00.123 INFO  worker request handled in 12 ms path=/api/v1/items",
        "\x1b[1;32mPASS\x1b[0m test_something_long_enough ok",
        "\x1b[38;5;208mwarning:\x1b[0m unused variable 'x' [-Wunused-variable]",
        "\tfor (int k = 0; k < n; ++k) { total += values[k]; }",
        "\xe4\xb8\xad\xe6\x96\x87 text with CJK \xf0\x9f\x98\x80 and emoji",
        "progress 42% [##########          ]\r\x1b[K",
        "\x1b"
        "7\x1b[1;1H\x1b[2K\x1b[7m status \x1b[0m\x1b"
        "8",
        "\x1b[3A\x1b[J",
        "\x1b[999;1H",
        "\x1b(0lqqqqqqqqqqqqqqqqqqk\x1b(B",
        "\x1b[4hinserted text in the middle\x1b[4l",
        "e\xcc\x81\xcc\x82 combining",
        "\x1b[5;10r\x1b[?6h\x1b[2;3Horigin relative text here\x1b[?6l\x1b[r",
        "abcdefghijklmnopqrstuvwxyz\x1b[3b",
        QByteArray(int(rng.bounded(1, 3 * cols)), 'L'),
        "\x1b[?7lno wrap no wrap no wrap no wrap no wrap no wrap\x1b[?7h",
        "\x1bP1$rsome dcs string content that is long\x1b\\",
        "\x1b[2J\x1b[H",
        "\x1b[41m\x1b[K\x1b[0m",
    };
    QByteArray input;
    for (int i = 0; i < 3000; ++i) {
        input += pieces[rng.bounded(int(pieces.size()))];
        if (rng.bounded(3) == 0)
            input += "\r\n";
    }
    const QString slow = feedAll(input, cols, rows, false);
    QList<qsizetype> cuts;
    for (qsizetype at = rng.bounded(4096); at < input.size(); at += 1 + rng.bounded(4096))
        cuts << at;
    const QString fast = feedAll(input, cols, rows, true, cuts);
    QVERIFY2(fast == slow, qPrintable(firstDifference(fast, slow)));
}

// Long runs of log text (the fast path's bread and butter) end up where they belong, and
// libvterm's cursor follows them (the text after them lands behind them).
void TestTerminalFastPath::fastPathWritesDirectly()
{
    TerminalSurface s(80, 24);
    QByteArray input;
    for (int i = 0; i < 2000; ++i)
        input += "line " + QByteArray::number(i) + ": " + Long + "\r\n";
    s.feed(input + "END");
    QCOMPARE(s.rowText(22), QStringLiteral("line 1999: ") + QString::fromLatin1(Long));
    QCOMPARE(s.rowText(23), QStringLiteral("END"));
    QCOMPARE(s.cursor(), QPoint(3, 23));
    QCOMPARE(s.scrollbackLines(), 2000 - 23);
}

QTEST_MAIN(TestTerminalFastPath)
#include "tst_terminalfastpath.moc"
