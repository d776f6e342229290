// Terminal tabs detach into their own window and come back (button or closing the window), with
// their terminal (and its scrollback) intact.
#include "app/terminals/detachedterminal.h"
#include "terminal/terminalsurface.h"
#include "terminal/terminalview.h"

#include <QPointer>
#include <QTabWidget>
#include <QToolButton>
#include <QtTest>

using capsule::app::DetachedTerminalWindow;
using capsule::terminal::TerminalView;

class TestTerminalTabs final : public QObject
{
    Q_OBJECT
private slots:
    void detachAndPutBack()
    {
        QTabWidget tabs;
        auto *first = new TerminalView;
        auto *second = new TerminalView;
        second->surface()->feed("still here\r\n");
        tabs.addTab(first, QStringLiteral("one"));
        const int index = tabs.addTab(second, QStringLiteral("two"));
        tabs.setTabToolTip(index, QStringLiteral("runner two"));
        tabs.show();

        QPointer<DetachedTerminalWindow> window = capsule::app::detachTerminalTab(&tabs, index);
        QVERIFY(window);
        QCOMPARE(tabs.count(), 1);
        QCOMPARE(second->window(), window.data());
        QCOMPARE(window->windowTitle(), QStringLiteral("two"));
        QVERIFY(second->isVisible());

        // The button puts it back, as the last tab, with title and tool tip.
        window->findChild<QToolButton *>(QStringLiteral("putBack"))->click();
        QTRY_VERIFY(!window);
        QCOMPARE(tabs.count(), 2);
        QCOMPARE(tabs.widget(1), second);
        QCOMPARE(tabs.tabText(1), QStringLiteral("two"));
        QCOMPARE(tabs.tabToolTip(1), QStringLiteral("runner two"));
        QCOMPARE(second->surface()->rowText(0), QStringLiteral("still here"));

        // Closing the detached window also puts the terminal back (its shell keeps running).
        window = capsule::app::detachTerminalTab(&tabs, 0);
        QCOMPARE(tabs.count(), 1);
        window->close();
        QTRY_VERIFY(!window);
        QCOMPARE(tabs.count(), 2);
        QCOMPARE(tabs.widget(1), first);
    }
};

QTEST_MAIN(TestTerminalTabs)
#include "tst_detachedterminal.moc"
