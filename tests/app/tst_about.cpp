// Help > About against a real capsule-local: the dialog shows the app, Qt, libvterm and yaml-cpp
// versions (the --version text) and the connected server's address and version, and Copy puts
// exactly that text on the clipboard.
#include "app/connections/serverconnection.h"
#include "app/mainwindow.h"
#include "app/widgets/aboutdialog.h"

#include "core/version.h"
#include "support/localserver.h"
#include "support/screenshot.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTest>

using namespace capsule;
using namespace capsule::app;

class TestAbout final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void showsClientAndServerVersions();
    void notConnected();

private:
    test::LocalServer m_server;
};

void TestAbout::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    qunsetenv("CAPSULE_BASE_URL");
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
}

void TestAbout::showsClientAndServerVersions()
{
    ServerConnection connection;
    MainWindow window(&connection);
    window.show();
    connection.connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Connected, 15000);

    auto *about = window.findChild<QAction *>(QStringLiteral("actionAbout"));
    QVERIFY(about);
    about->trigger();
    auto *dialog = window.findChild<AboutDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto *text = dialog->findChild<QPlainTextEdit *>(QStringLiteral("aboutVersions"));
    QVERIFY(text);
    QVERIFY(text->isReadOnly());
    // The server answers GET /health with "Server: capsule-local/<version>".
    const QString serverVersion = QStringLiteral("capsule-local/") + appVersion();
    QTRY_VERIFY2_WITH_TIMEOUT(text->toPlainText().contains(serverVersion),
                              qPrintable(text->toPlainText()), 15000);
    const QString shown = text->toPlainText();
    QVERIFY2(shown.startsWith(QStringLiteral("capsule-desktop ") + appVersion()),
             qPrintable(shown));
    for (const QString &part :
         {QStringLiteral("Qt %1").arg(QLatin1String(QT_VERSION_STR)), QStringLiteral("libvterm "),
          QStringLiteral("yaml-cpp "), m_server.baseUrl()})
        QVERIFY2(shown.contains(part), qPrintable(part + QStringLiteral(" not in: ") + shown));
    test::snapshot(dialog, QStringLiteral("about"));

    QGuiApplication::clipboard()->clear();
    auto *copy = dialog->findChild<QPushButton *>(QStringLiteral("aboutCopy"));
    QVERIFY(copy);
    copy->click();
    QCOMPARE(QGuiApplication::clipboard()->text(), shown);
    dialog->reject();
}

void TestAbout::notConnected()
{
    AboutDialog dialog(nullptr);
    QVERIFY(dialog.versionsText().contains(QStringLiteral("Server: not connected")));
    QVERIFY(dialog.versionsText().startsWith(QStringLiteral("capsule-desktop ")));
}

QTEST_MAIN(TestAbout)
#include "tst_about.moc"
