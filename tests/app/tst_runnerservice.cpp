// The runner details' service part against a real capsule-local: a workload whose start command
// serves HTTP shows its TTL/auto-pause, port and proxy URL; "Open in browser" opens that URL
// (caught with QDesktopServices::setUrlHandler); the followed service log shows the requests the
// service logs; a runner without a start command says so and offers no URL. Also the desktop
// notification helper: only while the window is inactive, and a runner start notifies.
#include "app/connections/serverconnection.h"
#include "app/mainwindow.h"
#include "app/runners/runnerdetails.h"
#include "app/runners/runnerservice.h"
#include "app/runners/runnersmodel.h"
#include "app/widgets/notifier.h"
#include "app/workloads/workloadsmodel.h"

#include "core/blocking.h"
#include "core/client.h"
#include "support/localserver.h"
#include "support/screenshot.h"

#include <QDesktopServices>
#include <QJsonArray>
#include <QJsonObject>
#include <QPushButton>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace capsule;
using namespace capsule::app;

// Receives the URLs QDesktopServices::openUrl would hand to the browser.
class UrlCatcher : public QObject
{
    Q_OBJECT
public:
    QList<QUrl> urls;
public slots:
    void open(const QUrl &url) { urls << url; }
};

class TestRunnerService final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void notifierOnlyWhenInactive();
    void serviceRunnerShowsPortUrlAndLogs();
    void runnerWithoutStartCommand();
    void cleanupTestCase();

private:
    QString allocate(const QString &key);
    void select(const QString &runnerId);

    test::LocalServer m_server;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<ServerConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
    UrlCatcher m_catcher;
};

void TestRunnerService::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    QDesktopServices::setUrlHandler(QStringLiteral("http"), &m_catcher, "open");
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    m_client = std::make_unique<Client>(m_server.clientSettings());
    m_connection = std::make_unique<ServerConnection>();
    m_window = std::make_unique<MainWindow>(m_connection.get());
    m_window->setConfirmOverride([](const QString &) { return true; });
    m_window->resize(1100, 800);
    m_window->show();
    m_connection->connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Connected, 15000);
    m_window->findChild<QTabWidget *>(QStringLiteral("mainTabs"))
        ->setCurrentWidget(m_window->findChild<QWidget *>(QStringLiteral("runnersTab")));
}

QString TestRunnerService::allocate(const QString &key)
{
    auto *job = m_client->runners()->allocateReady(WorkloadRef(key));
    if (!waitFor(job, 120000) || job->hasError())
        return {};
    const QString id = job->result().runnerId;
    m_window->runnersModel()->refresh();
    return id;
}

void TestRunnerService::select(const QString &runnerId)
{
    auto *view = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    for (int r = 0; r < view->model()->rowCount(); ++r)
        if (view->model()->index(r, 0).data(RunnersModel::RunnerIdRole).toString() == runnerId)
            view->selectRow(r);
}

void TestRunnerService::notifierOnlyWhenInactive()
{
    QList<Notifier::Shown> shown;
    Notifier::setObserver([&shown](const Notifier::Shown &s) { shown << s; });
    QWidget window;
    Notifier notifier(&window);
    // Never shown, so not active: notified (a tray message only where a tray exists).
    QVERIFY(notifier.notify(QStringLiteral("Build finished"), QStringLiteral("web is built.")));
    QCOMPARE(shown.size(), 1);
    QCOMPARE(shown.at(0).title, QStringLiteral("Build finished"));
    QCOMPARE(shown.at(0).message, QStringLiteral("web is built."));
    QCOMPARE(shown.at(0).tray, QSystemTrayIcon::isSystemTrayAvailable());
    QVERIFY(!shown.at(0).error);
    window.show();
    window.activateWindow();
    if (QTest::qWaitForWindowActive(&window, 5000)) {
        QVERIFY(!notifier.notify(QStringLiteral("x"), QStringLiteral("y")));
        QCOMPARE(shown.size(), 1);
    }
    Notifier::setObserver({});
}

void TestRunnerService::serviceRunnerShowsPortUrlAndLogs()
{
    QJsonObject body = test::LocalServer::trivialConfig(QStringLiteral("service-app"));
    body.insert(QStringLiteral("start_command"),
                QJsonObject{{QStringLiteral("command"),
                             QJsonArray{QStringLiteral("python3"), QStringLiteral("-m"),
                                        QStringLiteral("http.server"), QStringLiteral("18097")}},
                            {QStringLiteral("port"), 18097}});
    body.insert(QStringLiteral("config"),
                QJsonObject{{QStringLiteral("ttl"), 900}, {QStringLiteral("auto_pause"), true}});
    QString error;
    const QString key = m_server.createAndBuild(body, &error, 120000);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const QString id = allocate(key);
    QVERIFY(!id.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->runnersModel()->rowOf(id) >= 0, 20000);
    select(id);
    RunnerDetails *details = m_window->runnerDetails();
    QCOMPARE(details->runnerId(), id);
    QTRY_VERIFY2_WITH_TIMEOUT(details->field(QStringLiteral("ttl")).contains(QStringLiteral("900")),
                              qPrintable(details->field(QStringLiteral("ttl"))), 20000);
    QVERIFY2(details->field(QStringLiteral("ttl")).contains(QStringLiteral("auto-pause on")),
             qPrintable(details->field(QStringLiteral("ttl"))));
    QTRY_VERIFY2_WITH_TIMEOUT(
        details->field(QStringLiteral("port")).startsWith(QStringLiteral("port 18097")),
        qPrintable(details->field(QStringLiteral("port"))), 20000);
    const QUrl url = details->service()->proxyUrl();
    QVERIFY2(url.isValid(), qPrintable(details->field(QStringLiteral("url"))));
    QCOMPARE(url.path(), QStringLiteral("/api/v1/runners/%1/proxy/").arg(id));
    QCOMPARE(details->field(QStringLiteral("url")), url.toString());
    QVERIFY(m_server.hostAddresses().contains(url.authority()));

    // The URL really reaches the service (it lists /workspace through the host's proxy).
    const QString page = url.toString() + QStringLiteral("from-the-test");
    QTRY_VERIFY_WITH_TIMEOUT(m_server.request("GET", page).status == 404, 30000);
    // ...and the followed service log shows the service's own line for that request.
    QVERIFY(details->service()->following());
    QTRY_VERIFY2_WITH_TIMEOUT(
        details->service()->logText().contains(QStringLiteral("GET /from-the-test")),
        qPrintable(details->service()->logText()), 30000);
    // Followed: a later request shows up without reloading.
    QCOMPARE(m_server.request("GET", url.toString() + QStringLiteral("second-one")).status, 404);
    QTRY_VERIFY2_WITH_TIMEOUT(
        details->service()->logText().contains(QStringLiteral("GET /second-one")),
        qPrintable(details->service()->logText()), 30000);
    test::snapshot(m_window.get(), QStringLiteral("runner-service"));

    auto *open = details->findChild<QPushButton *>(QStringLiteral("openInBrowser"));
    QVERIFY(open && open->isEnabled());
    QTest::mouseClick(open, Qt::LeftButton);
    QCOMPARE(m_catcher.urls, QList<QUrl>{url});

    // Not following: a reload shows what is there and stops.
    details->service()->setFollow(false);
    details->service()->reloadLogs();
    QTRY_VERIFY_WITH_TIMEOUT(
        details->service()->logText().contains(QStringLiteral("GET /second-one")), 30000);
}

void TestRunnerService::runnerWithoutStartCommand()
{
    QString error;
    const QString key = m_server.createAndBuild(
        test::LocalServer::trivialConfig(QStringLiteral("no-service")), &error, 120000);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    // Started from the window while it is not the active one: a desktop notification says so.
    QList<Notifier::Shown> shown;
    Notifier::setObserver([&shown](const Notifier::Shown &s) { shown << s; });
    Notifier::setForceInactive(true);
    m_window->workloadsModel()->refresh();
    auto *workloads = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    auto rowOfName = [workloads] {
        for (int r = 0; r < workloads->model()->rowCount(); ++r)
            if (workloads->model()->index(r, WorkloadsModel::NameColumn).data().toString() ==
                QLatin1String("no-service"))
                return r;
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName() >= 0, 20000);
    workloads->selectRow(rowOfName());
    QVERIFY(m_window->actions().startRunner->isEnabled());
    m_window->actions().startRunner->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 120000);
    Notifier::setForceInactive(false);
    Notifier::setObserver({});
    QCOMPARE(shown.at(0).title, QStringLiteral("Runner started"));
    QVERIFY(!shown.at(0).error);
    const QString id = m_window->selectedRunnerId();
    QVERIFY(!id.isEmpty());
    QVERIFY2(shown.at(0).message.contains(id), qPrintable(shown.at(0).message));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->runnersModel()->rowOf(id) >= 0, 20000);
    select(id);
    RunnerDetails *details = m_window->runnerDetails();
    QCOMPARE(details->runnerId(), id);
    QTRY_VERIFY2_WITH_TIMEOUT(details->field(QStringLiteral("port")) ==
                                  QLatin1String("no start command"),
                              qPrintable(details->field(QStringLiteral("ttl")) + QLatin1Char('|') +
                                         details->field(QStringLiteral("workload"))),
                              20000);
    QCOMPARE(details->field(QStringLiteral("ttl")), QStringLiteral("no TTL, auto-pause off"));
    QVERIFY(!details->service()->proxyUrl().isValid());
    QVERIFY(!details->findChild<QPushButton *>(QStringLiteral("openInBrowser"))->isEnabled());
    QVERIFY(details->service()->logText().isEmpty());
}

void TestRunnerService::cleanupTestCase()
{
    QDesktopServices::unsetUrlHandler(QStringLiteral("http"));
    m_window.reset();
    m_connection.reset();
    m_client.reset();
    m_server.stop();
}

QTEST_MAIN(TestRunnerService)
#include "tst_runnerservice.moc"
