// Connection profiles against two real capsule-local servers at once: switching shows each
// server's workloads without a restart, work on the old server ends only after a confirmation,
// each profile remembers its tab and selection, the health check, an unreachable profile shows
// an error state (not an empty table) without freezing, and the keychain banner only with a token.
#include "app/connections/connectionsdialog.h"
#include "app/connections/profiles.h"
#include "app/connections/serverconnection.h"
#include "app/connections/tokenstore.h"
#include "app/mainwindow.h"
#include "app/runners/execconsole.h"
#include "app/runners/runnersmodel.h"
#include "app/widgets/messagebox.h"
#include "app/workloads/workloadsmodel.h"

#include "core/blocking.h"
#include "core/client.h"
#include "support/localserver.h"
#include "support/screenshot.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QPointer>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>

using namespace capsule;
using namespace capsule::app;

using capsule::test::snapshot;

class TestProfiles final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void builtInProfiles();
    void dialogValidatesAndHealthChecks();
    void switchShowsEachServersWorkloads();
    void profileRemembersTabAndSelection();
    void switchAsksBeforeEndingWork();
    void unreachableProfileShowsAnErrorWithoutFreezing();
    void keychainBannerOnlyWithAStoredToken();
    void cleanupTestCase();

private:
    QStringList workloadNames() const;
    void storeToken(const QString &url, const QString &token);

    test::LocalServer m_a;
    test::LocalServer m_b;
    QString m_idA, m_idB, m_idDown;
    QString m_keyA;
    std::unique_ptr<ServerConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
};

void TestProfiles::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    qunsetenv("CAPSULE_BASE_URL");
    qunsetenv("CAPSULE_TOKEN");
    QSettings().clear();
    QFile::remove(TokenStore().fallbackFile());
    MessageBox::setAnswerer([](const QString &) { return true; });
    QString error;
    QVERIFY2(m_a.start({}, &error), qPrintable(error));
    QVERIFY2(m_b.start({}, &error), qPrintable(error));
    m_keyA = m_a.createAndBuild(test::LocalServer::trivialConfig(QStringLiteral("alpha-work")),
                                &error, 120000);
    QVERIFY2(!m_keyA.isEmpty(), qPrintable(error));
    QCOMPARE(m_b.post(QStringLiteral("/api/v1/layered-configs"),
                      test::LocalServer::trivialConfig(QStringLiteral("beta-work")))
                 .status,
             201);

    ConnectionProfile a;
    a.id = QStringLiteral("prof-a");
    a.name = QStringLiteral("Server A");
    a.baseUrl = m_a.baseUrl();
    ConnectionProfile b = a;
    b.id = QStringLiteral("prof-b");
    b.name = QStringLiteral("Server B");
    b.baseUrl = m_b.baseUrl();
    ConnectionProfile down = a;
    down.id = QStringLiteral("prof-down");
    down.name = QStringLiteral("Nobody home");
    down.baseUrl = QStringLiteral("http://127.0.0.1:1");
    down.requestTimeout = 5;
    ProfileStore::save({a, b, down});
    m_idA = a.id;
    m_idB = b.id;
    m_idDown = down.id;
    storeToken(m_a.baseUrl(), m_a.token());
    storeToken(m_b.baseUrl(), m_b.token());

    m_connection = std::make_unique<ServerConnection>();
    m_window = std::make_unique<MainWindow>(m_connection.get());
    m_window->setConfirmOverride([](const QString &) { return true; });
    m_window->resize(1100, 700);
    m_window->show();
    m_connection->useProfile(ProfileStore::find(m_idA));
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Connected, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("alpha-work")}, 20000);
}

void TestProfiles::storeToken(const QString &url, const QString &token)
{
    TokenStore store;
    bool written = false;
    store.write(url, token, [&written](bool ok) { written = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(written, 10000);
}

QStringList TestProfiles::workloadNames() const
{
    QStringList names;
    WorkloadsModel *model = m_window->workloadsModel();
    for (int row = 0; row < model->rowCount(); ++row)
        names << model->index(row, WorkloadsModel::NameColumn).data().toString();
    return names;
}

void TestProfiles::builtInProfiles()
{
    QList<ConnectionProfile> all = ProfileStore::all();
    QCOMPARE(all.first().kind, ConnectionProfile::Kind::ThisComputer);
    QCOMPARE(all.first().name, QStringLiteral("This computer"));
    QCOMPARE(all.size(), 4); // no Environment profile without CAPSULE_BASE_URL
    qputenv("CAPSULE_BASE_URL", "http://127.0.0.1:9");
    all = ProfileStore::all();
    qunsetenv("CAPSULE_BASE_URL");
    QCOMPARE(all.size(), 5);
    QCOMPARE(all.at(1).kind, ConnectionProfile::Kind::Environment);
    QCOMPARE(all.at(1).baseUrl, QStringLiteral("http://127.0.0.1:9"));
    // The switcher lists them, the current one selected.
    QComboBox *switcher = m_window->profileSwitcher();
    QVERIFY(switcher->findText(QStringLiteral("This computer")) >= 0);
    QCOMPARE(switcher->currentData().toString(), m_idA);
}

void TestProfiles::dialogValidatesAndHealthChecks()
{
    m_window->actions().connections->trigger();
    ConnectionsDialog *dialog = m_window->connectionsDialog();
    QVERIFY(dialog);
    dialog->selectProfile(QString::fromLatin1(ProfileStore::kLocalId));
    dialog->addProfile(); // on a built-in row: an empty form to fill in
    dialog->setFields(QStringLiteral("Broken"), QStringLiteral("ftp://example.com"), {});
    QVERIFY(dialog->addProfile().isEmpty());
    QVERIFY2(dialog->problemText().contains(QStringLiteral("ftp://example.com")),
             qPrintable(dialog->problemText()));
    QCOMPARE(ProfileStore::saved().size(), 3); // nothing saved

    dialog->selectProfile(m_idA);
    QSignalSpy checked(dialog, &ConnectionsDialog::healthChecked);
    dialog->checkSelected();
    QVERIFY(checked.wait(20000));
    QVERIFY2(dialog->healthText().startsWith(QStringLiteral("Reachable")),
             qPrintable(dialog->healthText()));
    QVERIFY2(dialog->healthText().contains(QStringLiteral("1 host")),
             qPrintable(dialog->healthText()));
    snapshot(dialog, QStringLiteral("connections"));

    dialog->selectProfile(m_idDown);
    checked.clear();
    dialog->checkSelected();
    QVERIFY(checked.wait(20000));
    QVERIFY2(dialog->healthText().startsWith(QStringLiteral("Not reachable")),
             qPrintable(dialog->healthText()));
    // Checking did not touch the window's connection.
    QCOMPARE(m_connection->profileId(), m_idA);
    QCOMPARE(m_connection->state(), ServerConnection::State::Connected);
    dialog->reject();
}

void TestProfiles::switchShowsEachServersWorkloads()
{
    QSignalSpy changed(m_connection.get(), &ServerConnection::serverChanged);
    m_window->switchProfile(m_idB);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("beta-work")}, 20000);
    QCOMPARE(m_connection->baseUrl(), m_b.baseUrl());
    QCOMPARE(m_window->profileSwitcher()->currentData().toString(), m_idB);
    QCOMPARE(ProfileStore::currentId(), m_idB);
    m_window->switchProfile(m_idA);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("alpha-work")}, 20000);
    QCOMPARE(m_connection->baseUrl(), m_a.baseUrl());
    QVERIFY(changed.count() >= 2);
}

void TestProfiles::profileRemembersTabAndSelection()
{
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("mainTabs"));
    auto *view = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    view->selectRow(0);
    const QString selected = m_window->selectedConfigId();
    QVERIFY(!selected.isEmpty());
    const int runnersTab =
        tabs->indexOf(m_window->findChild<QWidget *>(QStringLiteral("runnersTab")));
    tabs->setCurrentIndex(runnersTab);
    m_window->switchProfile(m_idB);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("beta-work")}, 20000);
    tabs->setCurrentIndex(0);
    m_window->switchProfile(m_idA);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("alpha-work")}, 20000);
    QCOMPARE(tabs->currentIndex(), runnersTab);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->selectedConfigId(), selected, 10000);
    // B remembered its own tab.
    m_window->switchProfile(m_idB);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("beta-work")}, 20000);
    QCOMPARE(tabs->currentIndex(), 0);
    m_window->switchProfile(m_idA);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("alpha-work")}, 20000);
}

void TestProfiles::switchAsksBeforeEndingWork()
{
    // A runner on A with a command running in a console.
    Client client(m_a.clientSettings());
    auto *allocate = client.runners()->allocateReady(WorkloadRef(m_keyA));
    QVERIFY(waitFor(allocate, 120000));
    QVERIFY2(!allocate->hasError(), qPrintable(allocate->error().toString()));
    const QString runnerId = allocate->result().runnerId;
    QTRY_VERIFY_WITH_TIMEOUT(m_window->runnersModel()->rowOf(runnerId) >= 0, 30000);
    auto *runners = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    for (int r = 0; r < runners->model()->rowCount(); ++r)
        if (runners->model()->index(r, 0).data(RunnersModel::RunnerIdRole).toString() == runnerId)
            runners->selectRow(r);
    m_window->runCommand(QStringLiteral("sleep 100"));
    ExecConsole *console = m_window->execConsoles()->consoles().value(0);
    QVERIFY(console);
    QTRY_COMPARE_WITH_TIMEOUT(console->state(), ExecConsole::State::Running, 10000);

    QStringList questions;
    bool answer = false;
    m_window->setConfirmOverride([&](const QString &question) {
        questions << question;
        return answer;
    });
    m_window->switchProfile(m_idB); // declined: nothing changes
    QCOMPARE(questions.size(), 1);
    QVERIFY2(questions.first().contains(QStringLiteral("1 running command(s) will be stopped")),
             qPrintable(questions.first()));
    QCOMPARE(m_connection->profileId(), m_idA);
    QCOMPARE(m_window->profileSwitcher()->currentData().toString(), m_idA);
    QCOMPARE(console->state(), ExecConsole::State::Running);

    answer = true;
    QPointer<ExecConsole> guard(console);
    m_window->switchProfile(m_idB);
    QCOMPARE(questions.size(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(guard.isNull(), 10000); // the console is closed with its stream
    QCOMPARE(m_window->execConsoles()->count(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("beta-work")}, 20000);
    m_window->setConfirmOverride([](const QString &) { return true; });
}

void TestProfiles::unreachableProfileShowsAnErrorWithoutFreezing()
{
    // The event loop keeps turning while the dead server is tried.
    QElapsedTimer gapClock;
    gapClock.start();
    qint64 worstGap = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this,
            [&] { worstGap = std::max(worstGap, gapClock.restart()); });
    ticker.start(20);
    m_window->switchProfile(m_idDown);
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Error, 30000);
    ticker.stop();
    QVERIFY2(worstGap < 2000, qPrintable(QStringLiteral("GUI stalled %1 ms").arg(worstGap)));
    QCOMPARE(m_window->workloadsModel()->rowCount(), 0);
    auto *hint = m_window->findChild<QLabel *>(QStringLiteral("workloadsViewHint"));
    QVERIFY(hint);
    QTRY_VERIFY_WITH_TIMEOUT(hint->isVisible(), 5000);
    QVERIFY2(hint->text().contains(QStringLiteral("does not answer")), qPrintable(hint->text()));
    snapshot(m_window.get(), QStringLiteral("unreachable"));
    QVERIFY2(hint->text().contains(QStringLiteral("127.0.0.1:1")) ||
                 hint->text().contains(QStringLiteral("onnection")),
             qPrintable(hint->text()));
    // Back to a good server: the error goes.
    m_window->switchProfile(m_idA);
    QTRY_COMPARE_WITH_TIMEOUT(workloadNames(), QStringList{QStringLiteral("alpha-work")}, 20000);
    QVERIFY(!hint->text().contains(QStringLiteral("does not answer")));
}

void TestProfiles::keychainBannerOnlyWithAStoredToken()
{
    auto *banner = m_window->findChild<QLabel *>(QStringLiteral("bannerLabel"));
    QVERIFY(banner);
    // A's token is in the 0600 file: the banner says so.
    QCOMPARE(m_connection->profileId(), m_idA);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
    QVERIFY2(banner->text().contains(TokenStore().fallbackFile()), qPrintable(banner->text()));
    // No token stored at all: nothing to warn about.
    QVERIFY(QFile::remove(TokenStore().fallbackFile()));
    m_connection->connectTo(m_a.baseUrl(), m_a.token());
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Connected, 20000);
    QVERIFY(!banner->isVisible());
}

void TestProfiles::cleanupTestCase()
{
    m_window.reset();
    m_connection.reset();
    m_a.stop();
    m_b.stop();
    MessageBox::setAnswerer(nullptr);
}

QTEST_MAIN(TestProfiles)
#include "tst_profiles.moc"
