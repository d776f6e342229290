// The real MainWindow against a real capsule-local: workloads view, refresh, status bar, embedded
// server.
#include "app/connections/embeddedserver.h"
#include "app/connections/serverconnection.h"
#include "app/connections/tokenstore.h"
#include "app/mainwindow.h"
#include "app/runners/runnersmodel.h"
#include "app/terminals/terminaltabs.h"
#include "app/wizard/basicpages.h"
#include "app/wizard/layerspage.h"
#include "app/wizard/progresspage.h"
#include "app/wizard/workloadwizard.h"
#include "app/workloads/workloadsmodel.h"

#include "core/blocking.h"
#include "core/client.h"
#include "support/localserver.h"
#include "support/screenshot.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QFile>
#include <QJsonArray>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

#include <signal.h>
#include <sys/stat.h>

using namespace capsule;
using namespace capsule::app;

class TestMainWindow final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void workloadsAppearAndSelectionSurvives();
    void deleteWithConfirmation();
    void statusShowsServerError();
    void embeddedServerStartsAndStops();
    void tokenStoreFallbackFile();
    void wizardOnboardsAndStartsARunner();

private:
    CreateConfigReply createConfig(const QString &name, const QString &tier = QStringLiteral("s"));
    int rowOfName(QTableView *view, const QString &name) const;

    test::LocalServer m_server;
    std::unique_ptr<Client> m_client;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    qunsetenv("CAPSULE_BASE_URL");
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    SettingsOverrides overrides;
    overrides.baseUrl = m_server.baseUrl();
    overrides.token = m_server.token();
    m_client = std::make_unique<Client>(Settings::resolve(overrides));
}

CreateConfigReply TestMainWindow::createConfig(const QString &name, const QString &tier)
{
    QJsonObject body = test::LocalServer::trivialConfig(name);
    body.insert(QStringLiteral("config"), QJsonObject{{QStringLiteral("tier"), tier}});
    auto *job = m_client->configs()->create(body);
    if (!waitFor(job, 20000) || job->hasError()) {
        qWarning() << "create failed:" << (job->isFinished() ? job->error().toString() : "timeout");
        return {};
    }
    return job->result();
}

int TestMainWindow::rowOfName(QTableView *view, const QString &name) const
{
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        if (view->model()->index(row, WorkloadsModel::NameColumn).data().toString() == name)
            return row;
    }
    return -1;
}

void TestMainWindow::workloadsAppearAndSelectionSurvives()
{
    ServerConnection connection;
    MainWindow window(&connection);
    QAbstractItemModelTester workloadsTester(
        window.workloadsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester runnersTester(window.runnersModel(),
                                           QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    connection.connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Connected, 15000);

    auto *status = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
    QVERIFY(status);
    QTRY_VERIFY(status->text().contains(m_server.baseUrl()));
    QVERIFY2(status->text().contains(QStringLiteral("remote")), qPrintable(status->text()));
    QVERIFY2(
        status->text().contains(QStringLiteral("%1 host").arg(m_server.hostAddresses().size())),
        qPrintable(status->text()));

    auto *view = window.findChild<QTableView *>(QStringLiteral("workloadsView"));
    QVERIFY(view);
    const CreateConfigReply alpha = createConfig(QStringLiteral("alpha-app"));
    QVERIFY(!alpha.configId.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName(view, QStringLiteral("alpha-app")) >= 0, 15000);
    const int row = rowOfName(view, QStringLiteral("alpha-app"));
    QCOMPARE(view->model()->index(row, WorkloadsModel::KeyColumn).data().toString(),
             alpha.leafWorkloadKey);
    QCOMPARE(view->model()->index(row, WorkloadsModel::TierColumn).data().toString(),
             QStringLiteral("s"));
    QVERIFY(!view->model()->index(row, WorkloadsModel::StatusColumn).data().toString().isEmpty());

    // Select it, add another config, refresh with F5: the selection stays on alpha-app.
    view->selectRow(row);
    QCOMPARE(window.selectedConfigId(), alpha.configId);
    QVERIFY(!createConfig(QStringLiteral("aaa-first")).configId.isEmpty());
    QSignalSpy refreshed(window.workloadsModel(), &WorkloadsModel::refreshed);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_F5);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName(view, QStringLiteral("aaa-first")) >= 0, 15000);
    QCOMPARE(window.selectedConfigId(), alpha.configId);
    QVERIFY(view->selectionModel()->isRowSelected(rowOfName(view, QStringLiteral("alpha-app"))));
    QVERIFY(refreshed.size() >= 1);
}

void TestMainWindow::deleteWithConfirmation()
{
    ServerConnection connection;
    MainWindow window(&connection);
    QStringList questions;
    bool answer = false;
    window.setConfirmOverride([&](const QString &question) {
        questions << question;
        return answer;
    });
    window.show();
    connection.connectTo(m_server.baseUrl(), m_server.token());
    QVERIFY(!createConfig(QStringLiteral("doomed-app")).configId.isEmpty());
    auto *view = window.findChild<QTableView *>(QStringLiteral("workloadsView"));
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName(view, QStringLiteral("doomed-app")) >= 0, 15000);
    view->selectRow(rowOfName(view, QStringLiteral("doomed-app")));
    auto *remove = window.actions().deleteWorkload;
    QVERIFY(remove);
    QVERIFY(remove->isEnabled());

    remove->trigger(); // declined: nothing happens
    QCOMPARE(questions.size(), 1);
    QVERIFY(questions.first().contains(QStringLiteral("doomed-app")));
    QCOMPARE(window.busyCount(), 0);

    answer = true;
    QSignalSpy finished(&window, &MainWindow::operationFinished);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Delete);
    QCOMPARE(questions.size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName(view, QStringLiteral("doomed-app")) < 0, 15000);
}

void TestMainWindow::statusShowsServerError()
{
    ServerConnection connection;
    MainWindow window(&connection);
    connection.connectTo(m_server.baseUrl(), QStringLiteral("wrong-token"));
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Error, 15000);
    auto *status = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
    // The server's own message, not a generic one.
    QVERIFY2(status->text().contains(QStringLiteral("unauthorized")), qPrintable(status->text()));
    QVERIFY(status->text().contains(QStringLiteral("401")));
    QVERIFY(!status->text().contains(QStringLiteral("wrong-token")));
}

void TestMainWindow::embeddedServerStartsAndStops()
{
    ServerConnection connection;
    MainWindow window(&connection);
    QVERIFY(!EmbeddedServer::findBinary().isEmpty());
    connection.startEmbedded();
    QCOMPARE(connection.state(), ServerConnection::State::Starting);
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Connected, 30000);
    QVERIFY(connection.isEmbedded());
    QVERIFY(connection.hostCount() >= 1);
    EmbeddedServer *server = connection.embeddedServer();
    QVERIFY(server->baseUrl().startsWith(QStringLiteral("http://127.0.0.1:")));
    QCOMPARE(server->token().size(), 64); // a fresh 256-bit token per start
    QVERIFY(server->dataDir().startsWith(
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
    auto *status = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
    QTRY_VERIFY(status->text().contains(QStringLiteral("embedded")));

    const qint64 pid = server->pid();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), 0), 0);
    bool stopped = false;
    connection.shutdown([&stopped] { stopped = true; });
    QTRY_VERIFY_WITH_TIMEOUT(stopped, 10000);
    QVERIFY(!server->isRunning());
    QCOMPARE(::kill(pid_t(pid), 0), -1);
}

void TestMainWindow::tokenStoreFallbackFile()
{
    TokenStore store;
    QVERIFY(!TokenStore::keychainEnabled());
    QFile::remove(store.fallbackFile());
    bool written = false;
    store.write(QStringLiteral("http://example.invalid:8080"), QStringLiteral("secret-1"),
                [&written](bool ok) { written = ok; });
    QTRY_VERIFY(written);
    QVERIFY(store.usingFallback());
    struct stat info = {};
    QCOMPARE(::stat(QFile::encodeName(store.fallbackFile()).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
    QString read = QStringLiteral("unset");
    store.read(QStringLiteral("http://example.invalid:8080"),
               [&read](const QString &token) { read = token; });
    QTRY_COMPARE(read, QStringLiteral("secret-1"));
    store.read(QStringLiteral("http://other.invalid"),
               [&read](const QString &token) { read = token; });
    QTRY_COMPARE(read, QString());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

void TestMainWindow::wizardOnboardsAndStartsARunner()
{
    // New Workload from the window: the wizard is bound to the window's server, creates and
    // builds on its progress page, and "Start a runner when ready" starts one here and opens its
    // terminal.
    ServerConnection connection;
    MainWindow window(&connection);
    window.show();
    connection.connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Connected, 15000);

    QVERIFY(window.actions().newWorkload->isEnabled());
    window.actions().newWorkload->trigger();
    auto *wizard = window.findChild<WorkloadWizard *>(QStringLiteral("workloadWizard"));
    QVERIFY(wizard);
    QTRY_VERIFY(wizard->isVisible());
    wizard->next(); // templates: blank
    QTest::keyClicks(wizard->namePage()->nameEdit, QStringLiteral("from-the-window"));
    wizard->next();
    QTest::keyClicks(wizard->layersPage()->initEdit, QStringLiteral("echo from-the-window"));
    for (int i = 0; i < 8 && wizard->currentId() != WorkloadWizard::ReviewPageId; ++i)
        wizard->next();
    QCOMPARE(wizard->currentId(), int(WorkloadWizard::ReviewPageId));
    wizard->next(); // Create: the progress page creates and builds
    QCOMPARE(wizard->currentId(), int(WorkloadWizard::ProgressPageId));
    ProgressPage *progress = wizard->progressPage();
    progress->startCheck->setChecked(true);
    progress->openCombo->setCurrentIndex(progress->openCombo->findData(QStringLiteral("terminal")));
    QTRY_VERIFY_WITH_TIMEOUT(progress->isComplete(), 150000);
    QVERIFY2(progress->succeeded(), qPrintable(progress->errorText()));
    test::snapshot(wizard, QStringLiteral("wizard-progress-from-window"));
    // Create happened already: the last button only finishes.
    QCOMPARE(wizard->button(QWizard::FinishButton)->text().remove(QLatin1Char('&')),
             QStringLiteral("Finish"));

    auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("terminalTabs"));
    QVERIFY(tabs);
    const int tabsBefore = tabs->count();
    QSignalSpy finished(&window, &MainWindow::operationFinished);
    wizard->button(QWizard::FinishButton)->click();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);
    QVERIFY2(finished.first().at(0).toString().contains(QStringLiteral("from-the-window")),
             qPrintable(finished.first().at(0).toString()));
    QCOMPARE(finished.first().at(1).toString(), QString());
    // The runner is the window's selection and its terminal is open.
    QTRY_COMPARE_WITH_TIMEOUT(tabs->count(), tabsBefore + 1, 20000);
    QVERIFY(!window.selectedRunnerId().isEmpty());
    // The workload list shows the new workload.
    auto *view = window.findChild<QTableView *>(QStringLiteral("workloadsView"));
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName(view, QStringLiteral("from-the-window")) >= 0, 15000);
    test::snapshot(&window, QStringLiteral("wizard-runner-started"));
}
