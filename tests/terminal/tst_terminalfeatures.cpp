// Terminal features users expect of Konsole / VS Code: search in the scrollback, context menu,
// URLs in plain text, colour schemes, multi-line paste confirmation, sending signals.
#include "terminal/localpty.h"
#include "terminal/terminalsearchbar.h"
#include "terminal/terminalsurface.h"
#include "terminal/terminalview.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QLineEdit>
#include <QMenu>
#include <QScrollBar>
#include <QSignalSpy>
#include <QtTest>

#include <csignal>

using capsule::terminal::LocalPty;
using capsule::terminal::TerminalSurface;
using capsule::terminal::TerminalView;

namespace {

QPoint cellCenter(const TerminalView &view, int col, int row)
{
    const QSize cell = view.cellSize();
    return QPoint(col * cell.width() + cell.width() / 2, row * cell.height() + cell.height() / 2);
}

QByteArray written(QSignalSpy &spy)
{
    QByteArray all;
    for (const auto &args : spy)
        all += args.at(0).toByteArray();
    spy.clear();
    return all;
}

} // namespace

class TestTerminalFeatures final : public QObject
{
    Q_OBJECT
private slots:
    void searchInScrollback();
    void searchBarShortcut();
    void contextMenuActions();
    void plainTextUrlsOpenWithCtrlClick();
    void colourSchemeAppliesToOpenView();
    void multiLinePasteAsksFirst();
    void sendSignalReachesTheProgram();
};

void TestTerminalFeatures::searchInScrollback()
{
    TerminalView view;
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QByteArray lines;
    for (int i = 0; i < 200; ++i)
        lines += (i % 50 == 7 ? "found Needle here " : "hay ") + QByteArray::number(i) + "\r\n";
    view.surface()->feed(lines);
    QCOMPARE(view.search(QStringLiteral("needle")), 4);
    // The newest match is current and scrolled into view.
    QCOMPARE(view.surface()->lineText(view.currentMatch().y()),
             QStringLiteral("found Needle here 157"));
    QCOMPARE(view.currentMatch().x(), 6);
    const int top = view.verticalScrollBar()->value();
    QVERIFY(view.currentMatch().y() >= top &&
            view.currentMatch().y() < top + view.surface()->rows());
    QVERIFY(view.findPrevious());
    QCOMPARE(view.surface()->lineText(view.currentMatch().y()),
             QStringLiteral("found Needle here 107"));
    QVERIFY(view.findNext());
    QVERIFY(view.findNext()); // wraps to the oldest
    QCOMPARE(view.surface()->lineText(view.currentMatch().y()),
             QStringLiteral("found Needle here 7"));
    // Case option.
    QCOMPARE(view.search(QStringLiteral("needle"), Qt::CaseSensitive), 0);
    QCOMPARE(view.search(QStringLiteral("Needle"), Qt::CaseSensitive), 4);
    // Highlights are painted (the current match is in view): they differ from a plain render.
    QTest::qWait(50);
    const QImage with = view.viewport()->grab().toImage();
    view.clearSearch();
    QCOMPARE(view.searchMatchCount(), 0);
    QTest::qWait(50);
    const QImage without = view.viewport()->grab().toImage();
    QVERIFY(with != without);
}

void TestTerminalFeatures::searchBarShortcut()
{
    TerminalView view;
    view.resize(500, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.surface()->feed("alpha\r\nbeta\r\nalpha beta\r\n");
    view.setFocus();
    QTest::keyClick(&view, Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(view.searchBar());
    QTRY_VERIFY(view.searchBar()->isVisible());
    QTest::keyClicks(view.searchBar()->lineEdit(), QStringLiteral("alpha"));
    QCOMPARE(view.searchMatchCount(), 2);
    QCOMPARE(view.currentMatch(), QPoint(0, view.surface()->scrollbackLines() + 2));
    QTest::keyClick(view.searchBar()->lineEdit(), Qt::Key_Return);
    QCOMPARE(view.currentMatch(), QPoint(0, view.surface()->scrollbackLines() + 0));
    view.searchBar()->caseBox()->setChecked(true);
    QTest::keyClicks(view.searchBar()->lineEdit(), QStringLiteral("X"));
    QCOMPARE(view.searchMatchCount(), 0);
    QTest::keyClick(view.searchBar()->lineEdit(), Qt::Key_Escape);
    QVERIFY(!view.searchBar()->isVisible());
}

void TestTerminalFeatures::contextMenuActions()
{
    TerminalView view;
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QByteArray lines;
    for (int i = 0; i < 30; ++i)
        lines += "row " + QByteArray::number(i) + "\r\n";
    view.surface()->feed(lines + "see https://example.test/docs now");
    const int urlRow = view.surface()->cursor().y();

    std::unique_ptr<QMenu> menu(view.createContextMenu(cellCenter(view, 0, 0)));
    auto action = [&](const char *name) {
        return menu->findChild<QAction *>(QString::fromLatin1(name));
    };
    QVERIFY(action("copy") && !action("copy")->isEnabled()); // nothing selected yet
    QVERIFY(!action("openLink"));
    action("selectAll")->trigger();
    QVERIFY(view.selectedText().contains(QStringLiteral("row 0")));
    menu.reset(view.createContextMenu(cellCenter(view, 0, 0)));
    QVERIFY(action("copy")->isEnabled());
    QGuiApplication::clipboard()->clear();
    action("copy")->trigger();
    QVERIFY(QGuiApplication::clipboard()->text().contains(QStringLiteral("row 29")));
    QSignalSpy out(view.surface(), &TerminalSurface::writeToPty);
    QGuiApplication::clipboard()->setText(QStringLiteral("pasted"));
    action("paste")->trigger();
    QCOMPARE(written(out), QByteArray("pasted"));
    QSignalSpy signalsSent(&view, &TerminalView::signalRequested);
    action("signal2")->trigger();
    action("signal15")->trigger();
    action("signal9")->trigger();
    QCOMPARE(signalsSent.count(), 3);
    QCOMPARE(signalsSent.at(0).at(0).toInt(), SIGINT);
    QCOMPARE(signalsSent.at(1).at(0).toInt(), SIGTERM);
    QCOMPARE(signalsSent.at(2).at(0).toInt(), SIGKILL);
    QVERIFY(view.surface()->scrollbackLines() > 0);
    action("clearScrollback")->trigger();
    QCOMPARE(view.surface()->scrollbackLines(), 0);
    action("find")->trigger();
    QTRY_VERIFY(view.searchBar() && view.searchBar()->isVisible());

    // On a URL the menu offers to open it.
    menu.reset(view.createContextMenu(cellCenter(view, 8, urlRow)));
    QVERIFY(action("openLink"));
    QSignalSpy links(&view, &TerminalView::linkActivated);
    action("copyLink")->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("https://example.test/docs"));
}

void TestTerminalFeatures::plainTextUrlsOpenWithCtrlClick()
{
    TerminalView view;
    view.resize(600, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.surface()->feed("docs at https://example.test/a?b=1. and (mailto:dev@example.test) end");
    const int line = view.surface()->scrollbackLines();
    QCOMPARE(view.urlAt(line, 8), QStringLiteral("https://example.test/a?b=1"));
    QCOMPARE(view.urlAt(line, 33), QStringLiteral("https://example.test/a?b=1"));
    QCOMPARE(view.urlAt(line, 34), QString()); // the full stop after it
    QCOMPARE(view.urlAt(line, 2), QString());
    QCOMPARE(view.urlAt(line, 45), QStringLiteral("mailto:dev@example.test"));
    QSignalSpy links(&view, &TerminalView::linkActivated);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, cellCenter(view, 12, 0));
    QCOMPARE(links.count(), 0); // a plain click selects
    QTest::mouseClick(view.viewport(), Qt::LeftButton, Qt::ControlModifier,
                      cellCenter(view, 12, 0));
    QCOMPARE(links.count(), 1);
    QCOMPARE(links.first().at(0).toString(), QStringLiteral("https://example.test/a?b=1"));
}

void TestTerminalFeatures::colourSchemeAppliesToOpenView()
{
    TerminalView view;
    view.resize(400, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.surface()->feed("plain \x1b[31mred\x1b[0m");
    QCOMPARE(view.colorScheme(), QStringLiteral("Dark"));
    const QColor darkRed = view.surface()->cell(0, 6).fg;
    view.setColorScheme(QStringLiteral("Light"));
    QCOMPARE(view.colorScheme(), QStringLiteral("Light"));
    QCOMPARE(view.surface()->defaultBackground(), QColor(Qt::white));
    // Text already on screen takes the new colours.
    QCOMPARE(view.surface()->cell(0, 0).bg, QColor(Qt::white));
    view.setColorScheme(QStringLiteral("Solarized Dark"));
    QCOMPARE(view.surface()->cell(0, 6).fg, QColor(0xdc, 0x32, 0x2f));
    QVERIFY(view.surface()->cell(0, 6).fg != darkRed);
    QTest::qWait(50);
    const QImage image = view.viewport()->grab().toImage();
    QCOMPARE(image.pixelColor(view.width() / 2, view.height() - 5), QColor(0x00, 0x2b, 0x36));
    // An unknown name changes nothing.
    view.setColorScheme(QStringLiteral("no such scheme"));
    QCOMPARE(view.colorScheme(), QStringLiteral("Solarized Dark"));
}

void TestTerminalFeatures::multiLinePasteAsksFirst()
{
    TerminalView view;
    QSignalSpy out(view.surface(), &TerminalSurface::writeToPty);
    QStringList asked;
    std::function<void(bool)> pending;
    view.setPasteConfirmer([&](const QString &text, std::function<void(bool)> answer) {
        asked << text;
        pending = std::move(answer);
    });
    // One line (with its newline) goes straight through.
    view.paste(QStringLiteral("ls -l\n"));
    QCOMPARE(written(out), QByteArray("ls -l\r"));
    QVERIFY(asked.isEmpty());
    // Several lines wait for the answer; "no" pastes nothing.
    view.paste(QStringLiteral("rm -rf build\nmake\n"));
    QCOMPARE(asked.size(), 1);
    QVERIFY(written(out).isEmpty());
    pending(false);
    QVERIFY(written(out).isEmpty());
    view.paste(QStringLiteral("echo 1\necho 2"));
    QCOMPARE(asked.size(), 2);
    pending(true);
    QCOMPARE(written(out), QByteArray("echo 1\recho 2"));
    // With bracketed paste on, the program gets the block as a paste: no question.
    view.surface()->feed("\x1b[?2004h");
    view.paste(QStringLiteral("a\nb"));
    QCOMPARE(asked.size(), 2);
    QCOMPARE(written(out), QByteArray("\x1b[200~a\rb\x1b[201~"));
}

void TestTerminalFeatures::sendSignalReachesTheProgram()
{
    // The context menu's signal reaches the program on a PTY (LocalPty here; TerminalSession
    // sends a signal frame on a runner PTY).
    TerminalView view;
    LocalPty pty;
    QVERIFY2(pty.start({QStringLiteral("/bin/sleep"), QStringLiteral("60")}, 80, 24),
             qPrintable(pty.errorString()));
    connect(&view, &TerminalView::signalRequested, &pty, &LocalPty::sendSignal);
    QSignalSpy finished(&pty, &LocalPty::finished);
    QTest::qWait(200);
    std::unique_ptr<QMenu> menu(view.createContextMenu(QPoint(1, 1)));
    menu->findChild<QAction *>(QStringLiteral("signal15"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(finished.first().at(0).toInt(), 128 + SIGTERM);
}

QTEST_MAIN(TestTerminalFeatures)
#include "tst_terminalfeatures.moc"
