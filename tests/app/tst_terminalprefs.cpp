// The app's terminal appearance settings: scheme, font and scrollback size reach open views,
// live, and are remembered.
#include "app/settings/preferencesdialog.h"
#include "app/terminals/terminalprefs.h"
#include "terminal/terminalsurface.h"
#include "terminal/terminalview.h"

#include <QComboBox>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QtTest>

using capsule::app::PreferencesDialog;
using capsule::app::TerminalPreferences;
using capsule::terminal::TerminalView;

class TestTerminalPrefs final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_terminalprefs"));
        QSettings().clear();
    }

    void appliesToOpenViewsAndIsRemembered()
    {
        TerminalPreferences *prefs = TerminalPreferences::instance();
        TerminalView a, b;
        prefs->track(&a);
        prefs->track(&b);
        QCOMPARE(a.colorScheme(), QStringLiteral("Dark"));
        QCOMPARE(a.surface()->scrollbackLimit(), 10000);

        prefs->setScheme(QStringLiteral("Light"));
        QCOMPARE(a.colorScheme(), QStringLiteral("Light"));
        QCOMPARE(b.surface()->defaultBackground(), QColor(Qt::white));
        prefs->setScrollback(250);
        QCOMPARE(a.surface()->scrollbackLimit(), 250);
        QCOMPARE(b.surface()->scrollbackLimit(), 250);
        const QSize cell = a.cellSize();
        QFont big = prefs->font();
        big.setPointSize(24);
        prefs->setFont(big);
        QVERIFY(a.cellSize().height() > cell.height());
        QCOMPARE(QSettings().value(QStringLiteral("terminal/scheme")).toString(),
                 QStringLiteral("Light"));
        QCOMPARE(QSettings().value(QStringLiteral("terminal/scrollback")).toInt(), 250);

        // The Preferences dialog's Appearance and Terminal pages edit the same settings, live.
        PreferencesDialog dialog(2);
        dialog.findChild<QComboBox *>(QStringLiteral("scheme"))
            ->setCurrentText(QStringLiteral("Solarized Dark"));
        QCOMPARE(b.colorScheme(), QStringLiteral("Solarized Dark"));
        dialog.findChild<QSpinBox *>(QStringLiteral("scrollback"))->setValue(5000);
        QCOMPARE(b.surface()->scrollbackLimit(), 5000);
        dialog.findChild<QSpinBox *>(QStringLiteral("fontSize"))->setValue(9);
        QCOMPARE(a.terminalFont().pointSize(), 9);
    }
};

QTEST_MAIN(TestTerminalPrefs)
#include "tst_terminalprefs.moc"
