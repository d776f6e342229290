// Tests the terminal widget: painting, size mapping, keys, scrollback keys, selection, clipboard.
#include "terminal/terminalview.h"

#include <QAction>
#include <QClipboard>
#include <QScrollBar>
#include <QSignalSpy>
#include <QVBoxLayout>
#include <QtTest>

using capsule::terminal::TerminalSurface;
using capsule::terminal::TerminalView;

namespace {

QByteArray written(QSignalSpy &spy)
{
    QByteArray all;
    for (const auto &args : spy)
        all += args.at(0).toByteArray();
    spy.clear();
    return all;
}

QPoint cellCenter(const TerminalView &view, int col, int row)
{
    const QSize cell = view.cellSize();
    return QPoint(col * cell.width() + cell.width() / 2, row * cell.height() + cell.height() / 2);
}

} // namespace

class TestTerminalView final : public QObject
{
    Q_OBJECT
private slots:
    void paintsAtTinySizes_data();
    void paintsAtTinySizes();
    void mapsResizeToColsRows();
    void paintsColoursAndCursor();
    void keysReachThePty_data();
    void keysReachThePty();
    void terminalKeepsCtrlShortcuts();
    void shiftPageKeysScrollTheScrollback();
    void selectionAndCopy();
    void pasteShortcuts();
    void zoom();
    void ctrlClickActivatesLinks();
    void osc52SetsTheClipboard();
    void readOnlyDropsInput();
    void underscoreSurvivesRepaintOfNextLine_data();
    void underscoreSurvivesRepaintOfNextLine();
};

void TestTerminalView::paintsAtTinySizes_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1x1") << QSize(1, 1);
    QTest::newRow("3x2") << QSize(3, 2);
    QTest::newRow("one cell") << QSize(12, 20);
    QTest::newRow("small") << QSize(60, 40);
    QTest::newRow("normal") << QSize(640, 400);
}

void TestTerminalView::paintsAtTinySizes()
{
    QFETCH(QSize, size);
    TerminalView view;
    view.resize(size);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.surface()->feed("\x1b[1;31mbold red\x1b[0m \xe4\xb8\xad\xe6\x96\x87 \x1b[7mrev\x1b[0m\r\n"
                         "\x1b[38;2;10;200;30mtrue\x1b[48;5;100mcolour\x1b[0m\r\n");
    const QImage image = view.grab().toImage();
    QVERIFY(!image.isNull());
    QVERIFY(view.surface()->cols() >= 1);
    QVERIFY(view.surface()->rows() >= 1);
    // Shrinking to nothing and back keeps working.
    view.resize(1, 1);
    view.grab();
    view.resize(size);
    QVERIFY(!view.grab().isNull());
}

void TestTerminalView::mapsResizeToColsRows()
{
    TerminalView view;
    QSignalSpy sizes(&view, &TerminalView::terminalSizeChanged);
    view.resize(500, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QSize cell = view.cellSize();
    QVERIFY(cell.width() > 0 && cell.height() > 0);
    const int cols = view.viewport()->width() / cell.width();
    const int rows = view.viewport()->height() / cell.height();
    QCOMPARE(view.surface()->cols(), cols);
    QCOMPARE(view.surface()->rows(), rows);
    QVERIFY(!sizes.isEmpty());
    QCOMPARE(sizes.last().at(0).toInt(), cols);
    QCOMPARE(sizes.last().at(1).toInt(), rows);

    view.resize(view.width() + 5 * cell.width(), view.height() - 3 * cell.height());
    QTRY_COMPARE(view.surface()->cols(), cols + 5);
    QCOMPARE(view.surface()->rows(), rows - 3);
    QCOMPARE(sizes.last().at(0).toInt(), cols + 5);
    QCOMPARE(sizes.last().at(1).toInt(), rows - 3);
}

void TestTerminalView::paintsColoursAndCursor()
{
    TerminalView view;
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.surface()->feed("\x1b[48;2;200;10;20mAB\x1b[0m  \x1b[48;5;21m \x1b[0m");
    const QImage image = view.viewport()->grab().toImage();
    const QColor red = view.surface()->cell(0, 0).bg;
    QCOMPARE(red, QColor(200, 10, 20));
    // A cell's corner is background, whatever glyph is drawn in the middle.
    const QSize cell = view.cellSize();
    QCOMPARE(image.pixelColor(1 * cell.width() + 1, 1), red);
    QCOMPARE(image.pixelColor(4 * cell.width() + cell.width() / 2, cell.height() / 2),
             view.surface()->cell(0, 4).bg);
    QCOMPARE(image.pixelColor(3 * cell.width() + 1, 1), view.surface()->defaultBackground());
    QCOMPARE(image.pixelColor(cell.width() * 30, cell.height() * 3),
             view.surface()->defaultBackground());
}

void TestTerminalView::keysReachThePty_data()
{
    QTest::addColumn<int>("key");
    QTest::addColumn<int>("modifiers");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("a") << int(Qt::Key_A) << int(Qt::NoModifier) << QByteArray("a");
    QTest::newRow("ctrl c") << int(Qt::Key_C) << int(Qt::ControlModifier) << QByteArray("\x03");
    QTest::newRow("alt x") << int(Qt::Key_X) << int(Qt::AltModifier) << QByteArray("\x1bx");
    QTest::newRow("tab stays") << int(Qt::Key_Tab) << int(Qt::NoModifier) << QByteArray("\t");
    QTest::newRow("up") << int(Qt::Key_Up) << int(Qt::NoModifier) << QByteArray("\x1b[A");
    QTest::newRow("f2") << int(Qt::Key_F2) << int(Qt::NoModifier) << QByteArray("\x1bOQ");
    QTest::newRow("enter") << int(Qt::Key_Return) << int(Qt::NoModifier) << QByteArray("\r");
    QTest::newRow("page up") << int(Qt::Key_PageUp) << int(Qt::NoModifier) << QByteArray("\x1b[5~");
}

void TestTerminalView::keysReachThePty()
{
    QFETCH(int, key);
    QFETCH(int, modifiers);
    QFETCH(QByteArray, expected);
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *view = new TerminalView;
    auto *other = new QWidget;
    other->setFocusPolicy(Qt::StrongFocus);
    layout->addWidget(view);
    layout->addWidget(other);
    window.resize(400, 300);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    view->setFocus();
    QTRY_VERIFY(view->hasFocus());
    QSignalSpy out(view->surface(), &TerminalSurface::writeToPty);
    QTest::keyClick(view, Qt::Key(key), Qt::KeyboardModifiers(modifiers));
    QCOMPARE(written(out), expected);
    QVERIFY(view->hasFocus()); // Tab completes in the shell; it never moves focus
    QTest::keyClicks(view, QStringLiteral("Hi "));
    QKeyEvent accented(QEvent::KeyPress, 0, Qt::NoModifier, QString::fromUtf8("\xc3\xa9"));
    QApplication::sendEvent(view, &accented);
    QCOMPARE(written(out), QByteArray("Hi \xc3\xa9"));
}

void TestTerminalView::terminalKeepsCtrlShortcuts()
{
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *view = new TerminalView;
    layout->addWidget(view);
    auto *closeTab = new QAction(&window);
    closeTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    window.addAction(closeTab);
    auto *newTab = new QAction(&window);
    newTab->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    window.addAction(newTab);
    QSignalSpy closed(closeTab, &QAction::triggered);
    QSignalSpy opened(newTab, &QAction::triggered);
    window.resize(300, 200);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    view->setFocus();
    QTRY_VERIFY(view->hasFocus());
    QSignalSpy out(view->surface(), &TerminalSurface::writeToPty);
    QTest::keyClick(view, Qt::Key_W, Qt::ControlModifier);
    QCOMPARE(written(out), QByteArray("\x17")); // readline's word erase, not "close tab"
    QCOMPARE(closed.count(), 0);
    QTest::keyClick(view, Qt::Key_T, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(opened.count(), 1); // Ctrl+Shift shortcuts stay with the application
}

void TestTerminalView::shiftPageKeysScrollTheScrollback()
{
    TerminalView view;
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QByteArray lines;
    for (int i = 0; i < 100; ++i)
        lines += "line " + QByteArray::number(i) + "\r\n";
    view.surface()->feed(lines);
    const int rows = view.surface()->rows();
    QCOMPARE(view.scrollOffset(), 0);
    QCOMPARE(view.verticalScrollBar()->maximum(), view.surface()->scrollbackLines());
    QTest::keyClick(&view, Qt::Key_PageUp, Qt::ShiftModifier);
    QCOMPARE(view.scrollOffset(), rows - 1);
    QTest::keyClick(&view, Qt::Key_PageUp, Qt::ShiftModifier);
    QCOMPARE(view.scrollOffset(), 2 * (rows - 1));
    // While scrolled back, new output does not yank the view down.
    view.surface()->feed("more\r\n");
    QCOMPARE(view.scrollOffset(), 2 * (rows - 1) + 1);
    QTest::keyClick(&view, Qt::Key_PageDown, Qt::ShiftModifier);
    QCOMPARE(view.scrollOffset(), rows);
    // Typing returns to the live screen.
    QTest::keyClick(&view, Qt::Key_A);
    QCOMPARE(view.scrollOffset(), 0);
    // The wheel scrolls the scrollback too.
    QWheelEvent wheel(QPointF(10, 10), view.mapToGlobal(QPoint(10, 10)), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view.viewport(), &wheel);
    QCOMPARE(view.scrollOffset(), 3);
}

void TestTerminalView::selectionAndCopy()
{
    TerminalView view;
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.surface()->feed("hello world\r\nsecond line");
    QTest::mousePress(view.viewport(), Qt::LeftButton, {},
                      cellCenter(view, 6, 0) - QPoint(view.cellSize().width() / 2, 0));
    QTest::mouseMove(view.viewport(),
                     cellCenter(view, 5, 1) + QPoint(view.cellSize().width() / 2, 0));
    QTest::mouseRelease(view.viewport(), Qt::LeftButton, {},
                        cellCenter(view, 5, 1) + QPoint(view.cellSize().width() / 2, 0));
    QVERIFY(view.hasSelection());
    QCOMPARE(view.selectedText(), QStringLiteral("world\nsecond"));
    QGuiApplication::clipboard()->clear();
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("world\nsecond"));

    // Double click selects a word.
    QTest::mouseDClick(view.viewport(), Qt::LeftButton, {}, cellCenter(view, 2, 0));
    QCOMPARE(view.selectedText(), QStringLiteral("hello"));
    // The selection stays on its text when output scrolls it up.
    QByteArray more;
    for (int i = 0; i < view.surface()->rows() + 3; ++i)
        more += "\r\nx";
    view.surface()->feed(more);
    QCOMPARE(view.selectedText(), QStringLiteral("hello"));
    view.clearSelection();
    QVERIFY(!view.hasSelection());
}

void TestTerminalView::pasteShortcuts()
{
    TerminalView view;
    view.resize(300, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy out(view.surface(), &TerminalSurface::writeToPty);
    QGuiApplication::clipboard()->setText(QStringLiteral("echo hi\n"));
    QTest::keyClick(&view, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(written(out), QByteArray("echo hi\r"));
    view.surface()->feed("\x1b[?2004h");
    QTest::keyClick(&view, Qt::Key_Insert, Qt::ShiftModifier);
    QCOMPARE(written(out), QByteArray("\x1b[200~echo hi\r\x1b[201~"));
}

void TestTerminalView::zoom()
{
    TerminalView view;
    view.resize(500, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QSize before = view.cellSize();
    const int cols = view.surface()->cols();
    QTest::keyClick(&view, Qt::Key_Equal, Qt::ControlModifier);
    QTest::keyClick(&view, Qt::Key_Equal, Qt::ControlModifier);
    QTest::keyClick(&view, Qt::Key_Equal, Qt::ControlModifier);
    QVERIFY(view.cellSize().height() > before.height());
    QVERIFY(view.surface()->cols() <= cols);
    QTest::keyClick(&view, Qt::Key_Minus, Qt::ControlModifier);
    QTest::keyClick(&view, Qt::Key_0, Qt::ControlModifier);
    QCOMPARE(view.cellSize(), before);
    QCOMPARE(view.surface()->cols(), cols);
}

void TestTerminalView::ctrlClickActivatesLinks()
{
    TerminalView view;
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.surface()->feed("see \x1b]8;;file:///workspace/readme\x1b\\readme\x1b]8;;\x1b\\ now");
    QSignalSpy links(&view, &TerminalView::linkActivated);
    // A plain click selects; only Ctrl+click follows the link.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, cellCenter(view, 5, 0));
    QCOMPARE(links.count(), 0);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, Qt::ControlModifier, cellCenter(view, 5, 0));
    QCOMPARE(links.count(), 1);
    QCOMPARE(links.first().at(0).toString(), QStringLiteral("file:///workspace/readme"));
    QTest::mouseClick(view.viewport(), Qt::LeftButton, Qt::ControlModifier, cellCenter(view, 1, 0));
    QCOMPARE(links.count(), 1);
}

void TestTerminalView::osc52SetsTheClipboard()
{
    TerminalView view;
    QGuiApplication::clipboard()->clear();
    view.surface()->feed("\x1b]52;c;" + QByteArray("from vim").toBase64() + "\x07");
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("from vim"));
    view.setClipboardWriteAllowed(false);
    view.surface()->feed("\x1b]52;c;" + QByteArray("denied").toBase64() + "\x07");
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("from vim"));
}

void TestTerminalView::readOnlyDropsInput()
{
    TerminalView view;
    view.resize(300, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy out(view.surface(), &TerminalSurface::writeToPty);
    view.setReadOnly(true);
    QTest::keyClicks(&view, QStringLiteral("ls"));
    QGuiApplication::clipboard()->setText(QStringLiteral("rm"));
    QTest::keyClick(&view, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(out.isEmpty());
    // Enter still goes through: the session uses it as "reconnect".
    QTest::keyClick(&view, Qt::Key_Return);
    QCOMPARE(written(out), QByteArray("\r"));
}

void TestTerminalView::underscoreSurvivesRepaintOfNextLine_data()
{
    QTest::addColumn<QColor>("fg");
    QTest::addColumn<QColor>("bg");
    QTest::newRow("dark") << QColor(0xdc, 0xdc, 0xdc) << QColor(0x1e, 0x1e, 0x1e);
    QTest::newRow("light") << QColor(0x20, 0x20, 0x20) << QColor(0xff, 0xff, 0xff);
}

void TestTerminalView::underscoreSurvivesRepaintOfNextLine()
{
    // Issue 9: "foo_bar" showed as "foo bar": the underline row of "_" reaches below its cell and
    // the next line's repaint (typing there, the cursor moving) painted its background over it.
    QFETCH(QColor, fg);
    QFETCH(QColor, bg);
    TerminalView view;
    // At 9 pt (the system monospace size here) the underline row is the first pixel row below
    // the cell.
    view.setTerminalFont(QFont(QStringLiteral("DejaVu Sans Mono"), 9));
    view.surface()->setDefaultColors(fg, bg);
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.surface()->feed("foo_bar\r\n$ ");
    const QSize cell = view.cellSize();
    QImage image(view.viewport()->size(), QImage::Format_RGB32);
    view.viewport()->render(&image);
    // Only the second line is repainted, as after a keystroke there.
    view.viewport()->render(&image, QPoint(0, cell.height()),
                            QRegion(0, cell.height(), image.width(), cell.height()));
    auto inkRows = [&](int col) {
        int rows = 0;
        for (int y = 0; y < 2 * cell.height(); ++y) {
            for (int x = col * cell.width(); x < (col + 1) * cell.width(); ++x) {
                const QColor c = image.pixelColor(x, y);
                const int distance = std::abs(c.red() - bg.red()) +
                                     std::abs(c.green() - bg.green()) +
                                     std::abs(c.blue() - bg.blue());
                if (distance > 200) {
                    ++rows;
                    break;
                }
            }
        }
        return rows;
    };
    // The "_" cell shows ink (its underline row), like the letters around it.
    QVERIFY2(inkRows(3) >= 1, "the underscore is invisible");
    QVERIFY(inkRows(2) >= 3);
}

QTEST_MAIN(TestTerminalView)
#include "tst_terminalview.moc"
