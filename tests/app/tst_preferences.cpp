// Edit > Preferences against a real capsule-local: every page edits its setting live and keeps
// it. The theme changes the application's palette (dark, light, back to the system's); the
// refresh interval reaches the runners, workloads and hosts views and the connection check;
// the transfers page sets the queue's concurrency (and the Transfers panel shows it); the
// language is stored for the next start and says so. "Follow the system" follows the desktop's
// light/dark preference from a (fake) XDG desktop portal on a private session bus.
#include "app/connections/serverconnection.h"
#include "app/hosts/hostsview.h"
#include "app/i18n/language.h"
#include "app/mainwindow.h"
#include "app/runners/runnersmodel.h"
#include "app/settings/preferencesdialog.h"
#include "app/settings/systemcolorscheme.h"
#include "app/settings/uipreferences.h"
#include "app/workloads/workloadsmodel.h"

#include "core/transfer/transferqueue.h"
#include "support/localserver.h"
#include "support/screenshot.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QLabel>
#include <QListWidget>
#include <QProcess>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStyle>
#include <QTest>

using namespace capsule;
using namespace capsule::app;

// What xdg-desktop-portal's Settings interface says about the colour scheme.
class FakePortal final : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.portal.Settings")
public:
    uint scheme = 2; // prefer light

    void change(uint value)
    {
        scheme = value;
        emit SettingChanged(QStringLiteral("org.freedesktop.appearance"),
                            QStringLiteral("color-scheme"), QDBusVariant(value));
    }

public slots:
    QDBusVariant Read(const QString &ns, const QString &key)
    {
        if (ns != QLatin1String("org.freedesktop.appearance") ||
            key != QLatin1String("color-scheme"))
            return QDBusVariant(QVariant::fromValue(QDBusVariant(uint(0))));
        return QDBusVariant(QVariant::fromValue(QDBusVariant(scheme))); // v of v, as the portal
    }

signals:
    void SettingChanged(const QString &ns, const QString &key, const QDBusVariant &value);
};

class TestPreferences final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void pagesEditTheirSettingsLive();
    void themeChangesThePalette();
    void followsTheDesktopPreference();
    void cleanupTestCase();

private:
    PreferencesDialog *open(MainWindow *window, const char *action);
    template<typename T>
    static T *field(QWidget *dialog, const char *name)
    {
        return dialog->findChild<T *>(QString::fromLatin1(name));
    }

    test::LocalServer m_server;
    QProcess m_bus; // a private session bus for the fake portal
    FakePortal m_portal;
    ServerConnection *m_connection = nullptr;
    MainWindow *m_window = nullptr;
};

void TestPreferences::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CapsuleTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_preferences"));
    QSettings().clear();
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    qunsetenv("CAPSULE_BASE_URL");
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));

    // A session bus of our own with a portal on it, before anything asks the bus.
    m_bus.start(QStringLiteral("dbus-daemon"),
                {QStringLiteral("--session"), QStringLiteral("--nofork"),
                 QStringLiteral("--print-address=1")});
    QVERIFY2(m_bus.waitForStarted(5000), "dbus-daemon (package dbus-daemon) did not start");
    QTRY_VERIFY_WITH_TIMEOUT(m_bus.canReadLine(), 5000);
    const QByteArray address = m_bus.readLine().trimmed();
    qputenv("DBUS_SESSION_BUS_ADDRESS", address);
    QDBusConnection portalBus =
        QDBusConnection::connectToBus(QString::fromLatin1(address), QStringLiteral("portal"));
    QVERIFY(portalBus.isConnected());
    QVERIFY(portalBus.registerObject(QStringLiteral("/org/freedesktop/portal/desktop"), &m_portal,
                                     QDBusConnection::ExportAllSlots |
                                         QDBusConnection::ExportAllSignals));
    QVERIFY(portalBus.registerService(QStringLiteral("org.freedesktop.portal.Desktop")));

    m_connection = new ServerConnection;
    m_window = new MainWindow(m_connection);
    m_window->resize(1100, 700);
    m_window->show();
    m_connection->connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Connected, 15000);
}

void TestPreferences::cleanupTestCase()
{
    delete m_window;
    delete m_connection;
    QDBusConnection::disconnectFromBus(QStringLiteral("portal"));
    m_bus.kill();
    m_bus.waitForFinished(5000);
}

PreferencesDialog *TestPreferences::open(MainWindow *window, const char *action)
{
    auto *a = window->findChild<QAction *>(QString::fromLatin1(action));
    if (!a)
        return nullptr;
    a->trigger();
    auto *dialog = window->findChild<PreferencesDialog *>();
    return dialog && dialog->isVisible() ? dialog : nullptr;
}

void TestPreferences::pagesEditTheirSettingsLive()
{
    PreferencesDialog *dialog = open(m_window, "actionPreferences");
    QVERIFY(dialog);
    auto *pages = field<QListWidget>(dialog, "preferencesPages");
    QCOMPARE(pages->count(), 4);
    QCOMPARE(dialog->currentPage(), PreferencesDialog::GeneralPage);

    // The default refresh interval is in force everywhere; a new one reaches every refresher.
    const int defaultMs = UiPreferences::DefaultRefreshSeconds * 1000;
    QCOMPARE(m_window->runnersModel()->refreshInterval(), defaultMs);
    QCOMPARE(m_connection->pollInterval(), defaultMs);
    field<QSpinBox>(dialog, "refreshSeconds")->setValue(7);
    QCOMPARE(m_window->runnersModel()->refreshInterval(), 7000);
    QCOMPARE(m_window->workloadsModel()->refreshInterval(), 7000);
    QCOMPARE(m_window->findChild<HostsView *>()->refreshInterval(), 7000);
    QCOMPARE(m_connection->pollInterval(), 7000);
    QCOMPARE(QSettings().value(QStringLiteral("ui/refreshSeconds")).toInt(), 7);
    // Out of range is held to the bounds.
    UiPreferences::instance()->setRefreshSeconds(100000);
    QCOMPARE(m_connection->pollInterval(), UiPreferences::MaxRefreshSeconds * 1000);
    UiPreferences::instance()->setRefreshSeconds(UiPreferences::DefaultRefreshSeconds);

    // Language: stored for the next start, and the dialog says when it applies.
    auto *language = field<QComboBox>(dialog, "language");
    auto *restartNote = field<QLabel>(dialog, "languageRestartNote");
    QCOMPARE(language->currentData().toString(), QString());
    QVERIFY(restartNote->isHidden());
    const int german = language->findData(QStringLiteral("de"));
    QVERIFY(german > 0);
    QCOMPARE(language->itemText(german), QStringLiteral("Deutsch"));
    language->setCurrentIndex(german);
    QCOMPARE(QSettings().value(QLatin1String(kLanguageSettingKey)).toString(),
             QStringLiteral("de"));
    QVERIFY(!restartNote->isHidden());
    language->setCurrentIndex(0);
    QCOMPARE(QSettings().value(QLatin1String(kLanguageSettingKey)).toString(), QString());

    // Transfers: the queue runs that many at once, the panel's own box agrees, and it is kept.
    dialog->showPage(PreferencesDialog::TransfersPage);
    auto *atOnce = field<QSpinBox>(dialog, "transferConcurrency");
    QCOMPARE(atOnce->value(), m_window->transfers()->maxConcurrent());
    atOnce->setValue(5);
    QCOMPARE(m_window->transfers()->maxConcurrent(), 5);
    auto *panelBox = m_window->findChild<QWidget *>(QStringLiteral("transfersPanel"))
                         ->findChild<QSpinBox *>(QStringLiteral("transferConcurrency"));
    QCOMPARE(panelBox->value(), 5);
    QCOMPARE(QSettings().value(QStringLiteral("transfers/concurrency")).toInt(), 5);
    auto *verify = field<QCheckBox>(dialog, "verifyTransfers");
    QVERIFY(verify->isChecked());
    verify->setChecked(false);
    QVERIFY(!ServerConnection::savedVerifyTransfers());
    verify->setChecked(true);
    QVERIFY(ServerConnection::savedVerifyTransfers());
    test::snapshot(dialog, QStringLiteral("preferences-transfers"));

    // View > Terminal Appearance brings the same dialog (one at a time) to its Appearance page.
    dialog->showPage(PreferencesDialog::GeneralPage);
    QCOMPARE(open(m_window, "actionTerminalAppearance"), dialog);
    QCOMPARE(m_window->findChildren<PreferencesDialog *>().size(), 1);
    QCOMPARE(dialog->currentPage(), PreferencesDialog::AppearancePage);
    QCOMPARE(field<QStackedWidget>(dialog, "preferencesStack")->currentIndex(),
             int(PreferencesDialog::AppearancePage));
    dialog->close();
    QTRY_VERIFY(m_window->findChild<PreferencesDialog *>() == nullptr); // deleted on close
}

void TestPreferences::themeChangesThePalette()
{
    const QPalette startPalette = QApplication::palette();
    const QString startStyle = QApplication::style()->name();
    PreferencesDialog *dialog = open(m_window, "actionPreferences");
    QVERIFY(dialog);
    dialog->showPage(PreferencesDialog::AppearancePage);
    auto *theme = field<QComboBox>(dialog, "theme");
    QCOMPARE(theme->currentData().toInt(), int(UiPreferences::Theme::System));

    theme->setCurrentIndex(theme->findData(int(UiPreferences::Theme::Dark)));
    QCOMPARE(UiPreferences::instance()->theme(), UiPreferences::Theme::Dark);
    QCOMPARE(QSettings().value(QStringLiteral("ui/theme")).toString(), QStringLiteral("dark"));
    QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
    QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 180);
    // Widgets follow (the main window's own palette is the application's).
    QTRY_VERIFY(m_window->palette().color(QPalette::Base).lightness() < 80);
    test::snapshot(dialog, QStringLiteral("preferences-appearance-dark"));
    test::snapshot(m_window, QStringLiteral("mainwindow-dark"));

    theme->setCurrentIndex(theme->findData(int(UiPreferences::Theme::Light)));
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 180);
    QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() < 80);

    theme->setCurrentIndex(theme->findData(int(UiPreferences::Theme::System)));
    QCOMPARE(QApplication::style()->name(), startStyle);
    QCOMPARE(QApplication::palette().color(QPalette::Window), startPalette.color(QPalette::Window));
    QCOMPARE(QApplication::palette().color(QPalette::Text), startPalette.color(QPalette::Text));
    QCOMPARE(QSettings().value(QStringLiteral("ui/theme")).toString(), QStringLiteral("system"));
    dialog->close();
}

void TestPreferences::followsTheDesktopPreference()
{
    // The start-up Read answered "prefer light" (the offscreen palette is light: nothing to do).
    SystemColorScheme *system = SystemColorScheme::instance();
    QTRY_COMPARE_WITH_TIMEOUT(system->preference(), SystemColorScheme::Preference::Light, 5000);
    QCOMPARE(UiPreferences::instance()->theme(), UiPreferences::Theme::System);
    const QColor lightWindow = QApplication::palette().color(QPalette::Window);
    QVERIFY(lightWindow.lightness() > 180);

    // The desktop switches to dark: the app follows at once, without a restart.
    m_portal.change(1);
    QTRY_COMPARE_WITH_TIMEOUT(system->preference(), SystemColorScheme::Preference::Dark, 5000);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
    QTRY_VERIFY(m_window->palette().color(QPalette::Base).lightness() < 80);

    // And back.
    m_portal.change(2);
    QTRY_COMPARE_WITH_TIMEOUT(system->preference(), SystemColorScheme::Preference::Light, 5000);
    QCOMPARE(QApplication::palette().color(QPalette::Window), lightWindow);

    // A forced theme ignores the desktop.
    UiPreferences::instance()->setTheme(UiPreferences::Theme::Light);
    m_portal.change(1);
    QTRY_COMPARE_WITH_TIMEOUT(system->preference(), SystemColorScheme::Preference::Dark, 5000);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 180);
    // Back to following it: dark now.
    UiPreferences::instance()->setTheme(UiPreferences::Theme::System);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 80);
    m_portal.change(0); // no preference: the platform's own look
    QTRY_COMPARE_WITH_TIMEOUT(system->preference(), SystemColorScheme::Preference::Unknown, 5000);
    QCOMPARE(QApplication::palette().color(QPalette::Window), lightWindow);
}

QTEST_MAIN(TestPreferences)
#include "tst_preferences.moc"
