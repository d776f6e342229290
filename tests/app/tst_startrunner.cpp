// The Start Runner dialog: every allocation field reaches the server (labels, session id, tenant,
// proxy, custom policy), bad input is said under its field and loses nothing, a paused session is
// resumed from the dialog, and the quick path (double-click) stays one click.
#include "app/connections/serverconnection.h"
#include "app/mainwindow.h"
#include "app/runners/runnersmodel.h"
#include "app/runners/startrunnerdialog.h"
#include "app/snapshots/snapshotsview.h"
#include "app/widgets/messagebox.h"
#include "app/wizard/workloadwizard.h"
#include "app/workloads/workloadsmodel.h"

#include "core/blocking.h"
#include "core/client.h"
#include "core/onboard.h"
#include "support/localserver.h"
#include "support/screenshot.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QUuid>

using namespace capsule;
using namespace capsule::app;

using capsule::test::snapshot;

class TestStartRunner final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void badFieldsAreSaidUnderTheField();
    void dialogSendsEveryField();
    void resumePausedSessionFromTheDialog();
    void snapshotsViewListsWhatTheServerHas();
    void tryAnExampleAndFilterWorkloads();
    void exportDuplicateEditAndRebuild();
    void cleanupTestCase();

private:
    QJsonObject serverRunner(const QString &runnerId) const;
    StartRunnerDialog *openDialog();
    QString startAndWait(StartRunnerDialog *dialog);
    // The Snapshots tab lists exactly what GET /api/v1/snapshots has (at least `atLeast`).
    void checkSnapshots(int atLeast);
    bool m_startingRowSeen = false;

    test::LocalServer m_server;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<ServerConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
};

void TestStartRunner::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    MessageBox::setAnswerer([](const QString &) { return true; });
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    m_client = std::make_unique<Client>(m_server.clientSettings());
    QVERIFY2(!m_server
                  .createAndBuild(test::LocalServer::trivialConfig(QStringLiteral("start-dialog")),
                                  &error, 120000)
                  .isEmpty(),
             qPrintable(error));
    m_connection = std::make_unique<ServerConnection>();
    m_window = std::make_unique<MainWindow>(m_connection.get());
    m_window->setConfirmOverride([](const QString &) { return true; });
    m_window->resize(1100, 700);
    m_window->show();
    m_connection->connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Connected, 15000);
    auto *view = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    QTRY_VERIFY_WITH_TIMEOUT(view->model()->rowCount() == 1, 20000);
    view->selectRow(0);
    QVERIFY(m_window->actions().startRunnerWithOptions->isEnabled());
}

QJsonObject TestStartRunner::serverRunner(const QString &runnerId) const
{
    const auto reply = m_server.get(QStringLiteral("/api/v1/runners"));
    const QJsonArray runners =
        QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("runners")).toArray();
    for (const QJsonValue &value : runners)
        if (value.toObject().value(QStringLiteral("runner_id")).toString() == runnerId)
            return value.toObject();
    return {};
}

StartRunnerDialog *TestStartRunner::openDialog()
{
    m_window->actions().startRunnerWithOptions->trigger();
    StartRunnerDialog *dialog = m_window->startRunnerDialog();
    return dialog && dialog->isVisible() ? dialog : nullptr;
}

QString TestStartRunner::startAndWait(StartRunnerDialog *dialog)
{
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    dialog->findChild<QPushButton *>(QStringLiteral("startButton"))->click();
    // The start has a row at once, with Cancel in it, before the server answered.
    m_startingRowSeen = false;
    RunnersModel *model = m_window->runnersModel();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, RunnersModel::StatusColumn);
        if (index.data(RunnersModel::StartingRole).toBool() &&
            index.data().toString() == QStringLiteral("Starting...") &&
            index.data(RunnersModel::RunnerIdRole).toString().isEmpty())
            m_startingRowSeen =
                m_window->findChild<QToolButton *>(QStringLiteral("cancelStartInRow")) != nullptr;
    }
    if (!finished.wait(120000) && finished.isEmpty())
        return QStringLiteral("no answer");
    return finished.first().at(1).toString();
}

void TestStartRunner::badFieldsAreSaidUnderTheField()
{
    StartRunnerDialog *dialog = openDialog();
    QVERIFY(dialog);
    QSignalSpy requested(dialog, &StartRunnerDialog::startRequested);
    dialog->setLabels({{QStringLiteral("_network_policy_preset"), QStringLiteral("x")}});
    dialog->setCustomPolicy(QStringLiteral("{\"default_egress_action\": \"deny\",\n  oops}"));
    dialog->setProxyAddress(QStringLiteral("no-port-here"));
    dialog->findChild<QPushButton *>(QStringLiteral("startButton"))->click();
    QVERIFY(dialog->isVisible()); // nothing started, nothing lost
    QCOMPARE(requested.count(), 0);
    auto *labelsError = dialog->findChild<QLabel *>(QStringLiteral("labelsError"));
    auto *policyError = dialog->findChild<QLabel *>(QStringLiteral("policyError"));
    auto *proxyError = dialog->findChild<QLabel *>(QStringLiteral("proxyError"));
    QVERIFY(labelsError->isVisibleTo(dialog));
    QVERIFY2(labelsError->text().contains(QStringLiteral("_network_policy_preset")),
             qPrintable(labelsError->text()));
    QVERIFY(policyError->isVisibleTo(dialog));
    QVERIFY2(policyError->text().contains(QStringLiteral("line 2")),
             qPrintable(policyError->text()));
    QVERIFY(proxyError->isVisibleTo(dialog));
    snapshot(dialog, QStringLiteral("start-runner-dialog"));
    QCOMPARE(dialog->findChild<QPlainTextEdit *>(QStringLiteral("policyJson"))->toPlainText(),
             QStringLiteral("{\"default_egress_action\": \"deny\",\n  oops}"));
    // An array is JSON but not a policy.
    dialog->setLabels({});
    dialog->setProxyAddress({});
    dialog->setCustomPolicy(QStringLiteral("[1, 2]"));
    QVERIFY(!dialog->validate().isEmpty());
    QVERIFY2(policyError->text().contains(QStringLiteral("object")),
             qPrintable(policyError->text()));
    dialog->setCustomPolicy(QStringLiteral("{\"default_egress_action\": \"deny\"}"));
    QVERIFY2(dialog->validate().isEmpty(), qPrintable(dialog->validate()));
    QVERIFY(!policyError->isVisibleTo(dialog));
    dialog->reject();
}

void TestStartRunner::dialogSendsEveryField()
{
    StartRunnerDialog *dialog = openDialog();
    QVERIFY(dialog);
    const QString session = QUuid::createUuid().toString(QUuid::WithoutBraces);
    dialog->setLabels({{QStringLiteral("team"), QStringLiteral("blue")},
                       {QStringLiteral("purpose"), QStringLiteral("dialog test")}});
    dialog->setSessionId(session);
    dialog->setCustomPolicy(QStringLiteral("{\"default_egress_action\": \"deny\"}"));
    dialog->setProxyAddress(QStringLiteral("127.0.0.1:3128"));
    dialog->setCaCertPort(9443);
    dialog->setTenantId(QStringLiteral("tenant-7"));
    dialog->setStartupTimeout(120);
    const AllocateOptions options = dialog->options();
    QCOMPARE(options.networkPolicyJson, QStringLiteral("{\"default_egress_action\":\"deny\"}"));
    QVERIFY(options.networkPolicyPreset.isEmpty());
    QCOMPARE(options.caCertPort.value_or(0), 9443);
    QCOMPARE(options.startupTimeout.value_or(0), 120.0);
    QAbstractItemModelTester tester(m_window->runnersModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QString error = startAndWait(dialog);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(m_startingRowSeen);
    // The placeholder row is gone, the real runner took its place.
    for (int row = 0; row < m_window->runnersModel()->rowCount(); ++row)
        QVERIFY(!m_window->runnersModel()->row(row).starting);

    // The server's view of the runner.
    const QString runnerId = m_window->selectedRunnerId();
    QVERIFY(!runnerId.isEmpty());
    QJsonObject runner;
    QTRY_VERIFY_WITH_TIMEOUT(!(runner = serverRunner(runnerId)).isEmpty(), 10000);
    QCOMPARE(runner.value(QStringLiteral("session_id")).toString(), session);
    const QJsonObject labels = runner.value(QStringLiteral("labels")).toObject();
    QCOMPARE(labels.value(QStringLiteral("team")).toString(), QStringLiteral("blue"));
    QCOMPARE(labels.value(QStringLiteral("purpose")).toString(), QStringLiteral("dialog test"));
    QCOMPARE(runner.value(QStringLiteral("tenant_id")).toString(), QStringLiteral("tenant-7"));
    QCOMPARE(runner.value(QStringLiteral("proxy_addr")).toString(),
             QStringLiteral("127.0.0.1:3128"));
    QCOMPARE(runner.value(QStringLiteral("ca_cert_port")).toInt(), 9443);
    // The app's row knows the session too.
    const int row = m_window->runnersModel()->rowOf(runnerId);
    QVERIFY(row >= 0);
    QCOMPARE(m_window->runnersModel()->row(row).session, session);
}

void TestStartRunner::resumePausedSessionFromTheDialog()
{
    // Pause the runner of the previous test through the API (as `capsule pause` would).
    const QString runnerId = m_window->selectedRunnerId();
    QVERIFY(!runnerId.isEmpty());
    const QString session =
        m_window->runnersModel()->row(m_window->runnersModel()->rowOf(runnerId)).session;
    auto *pause = m_client->runners()->pause(runnerId);
    QVERIFY(waitFor(pause, 180000));
    QVERIFY2(!pause->hasError(), qPrintable(pause->error().toString()));
    m_window->refreshAll();
    // The server lists it as suspended (or no longer at all).
    QTRY_VERIFY_WITH_TIMEOUT(
        serverRunner(runnerId).isEmpty() ||
            RunnersModel::isPausedState(
                serverRunner(runnerId).value(QStringLiteral("status")).toString()),
        20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_window->runnersModel()->rowOf(runnerId) >= 0 &&
            m_window->runnersModel()->row(m_window->runnersModel()->rowOf(runnerId)).suspended,
        20000);

    // A paused runner is a snapshot (capsule-local lists suspended sessions).
    checkSnapshots(1);
    if (QTest::currentTestFailed())
        return;
    auto *view = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    view->selectRow(0);
    StartRunnerDialog *dialog = openDialog();
    QVERIFY(dialog);
    // The paused session is offered.
    auto *sessions = dialog->findChild<QComboBox *>(QStringLiteral("sessionCombo"));
    QVERIFY(sessions->findText(session) > 0);
    sessions->setCurrentIndex(sessions->findText(session));
    const QString error = startAndWait(dialog);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // Resumed: the runner keeps its id and its session.
    QJsonObject runner;
    QTRY_VERIFY_WITH_TIMEOUT(!(runner = serverRunner(runnerId)).isEmpty(), 20000);
    QCOMPARE(runner.value(QStringLiteral("session_id")).toString(), session);
    QVERIFY(runner.value(QStringLiteral("resumed")).toBool());
}

void TestStartRunner::snapshotsViewListsWhatTheServerHas()
{
    checkSnapshots(0); // nothing paused any more: the empty state
}

void TestStartRunner::checkSnapshots(int atLeast)
{
    SnapshotsView *view = m_window->snapshotsView();
    QAbstractItemModelTester tester(view->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QJsonObject server = m_server.get(QStringLiteral("/api/v1/snapshots")).json();
    const QJsonArray snapshots = server.value(QStringLiteral("snapshots")).toArray();
    QSignalSpy refreshed(view, &SnapshotsView::refreshed);
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("mainTabs"));
    tabs->setCurrentWidget(view);
    view->refresh();
    QVERIFY(refreshed.wait(20000));
    QCOMPARE(view->model()->rowCount(), snapshots.size());
    QVERIFY(snapshots.size() >= atLeast);
    if (atLeast > 0)
        snapshot(m_window.get(), QStringLiteral("snapshots"));
    QVERIFY2(view->statusText().startsWith(QStringLiteral("%1 snapshot").arg(snapshots.size())),
             qPrintable(view->statusText()));
    QStringList versions;
    for (int row = 0; row < view->model()->rowCount(); ++row)
        versions << view->model()->index(row, SnapshotsModel::VersionColumn).data().toString();
    // Grouped per workload: each row names its workload, and the filter offers it.
    for (int row = 0; row < view->model()->rowCount(); ++row)
        QVERIFY2(view->model()
                     ->index(row, SnapshotsModel::WorkloadColumn)
                     .data()
                     .toString()
                     .startsWith(QStringLiteral("start-dialog (")),
                 qPrintable(
                     view->model()->index(row, SnapshotsModel::WorkloadColumn).data().toString()));
    if (atLeast > 0) {
        const QString key = view->model()
                                ->index(0, SnapshotsModel::WorkloadColumn)
                                .data(SnapshotsModel::WorkloadKeyRole)
                                .toString();
        QVERIFY(view->setWorkloadFilter(key));
        QCOMPARE(view->visibleRows(), snapshots.size());
        view->setWorkloadFilter(QString());
    }
    for (const QJsonValue &value : snapshots) {
        const QJsonObject o = value.toObject();
        const QString version = o.value(QStringLiteral("Version"))
                                    .toString(o.value(QStringLiteral("version")).toString());
        QVERIFY2(versions.join(QLatin1Char(',')).contains(version), qPrintable(version));
    }
}

void TestStartRunner::tryAnExampleAndFilterWorkloads()
{
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("mainTabs"));
    tabs->setCurrentIndex(0);
    // The empty state's "Try an example" link (the same slot the hint's link calls).
    auto *hint = m_window->findChild<QLabel *>(QStringLiteral("workloadsViewHint"));
    QVERIFY(hint);
    QVERIFY(hint->text().contains(QStringLiteral("href=\"example\"")));
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    emit hint->linkActivated(QStringLiteral("example"));
    QVERIFY(finished.wait(180000));
    QVERIFY2(finished.last().at(1).toString().isEmpty(),
             qPrintable(finished.last().at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->workloadsModel()->rowCount(), 2, 20000);
    // The example is selected and can start at once.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->findChild<QTableView *>(QStringLiteral("workloadsView"))
                                  ->selectionModel()
                                  ->selectedRows()
                                  .value(0)
                                  .data()
                                  .toString(),
                              QStringLiteral("example-hello"), 20000);

    auto *view = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    QLineEdit *filter = m_window->workloadsFilter();
    filter->setText(QStringLiteral("EXAMPLE"));
    QCOMPARE(view->model()->rowCount(), 1);
    snapshot(m_window.get(), QStringLiteral("workloads-filter"));
    QCOMPARE(view->model()->index(0, 0).data().toString(), QStringLiteral("example-hello"));
    filter->setText(QStringLiteral("start-dia"));
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, 0).data().toString(), QStringLiteral("start-dialog"));
    filter->setText(QStringLiteral("no-such-workload"));
    QCOMPARE(view->model()->rowCount(), 0);
    filter->clear();
    QCOMPARE(view->model()->rowCount(), 2);
}

void TestStartRunner::exportDuplicateEditAndRebuild()
{
    auto *view = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    m_window->workloadsFilter()->setText(QStringLiteral("start-dialog"));
    QCOMPARE(view->model()->rowCount(), 1);
    view->selectRow(0);
    QVERIFY(m_window->actions().exportOnboard->isEnabled());

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("onboard.yaml"));
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    m_window->exportOnboardTo(path);
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.last().at(1).toString().isEmpty(),
             qPrintable(finished.last().at(1).toString()));
    Error error;
    const QJsonObject parsed = parseOnboard(path, {}, &error);
    QVERIFY2(!parsed.isEmpty(), qPrintable(error.message));
    QCOMPARE(parsed.value(QStringLiteral("display_name")).toString(),
             QStringLiteral("start-dialog"));

    // Duplicate opens the wizard on a copy named NAME-copy; Edit on the definition itself.
    m_window->actions().duplicateWorkload->trigger();
    WorkloadWizard *wizard = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((wizard = m_window->findChild<WorkloadWizard *>()) != nullptr, 20000);
    QCOMPARE(wizard->windowTitle(), QStringLiteral("Duplicate of start-dialog"));
    QCOMPARE(wizard->body().value(QStringLiteral("display_name")).toString(),
             QStringLiteral("start-dialog-copy"));
    wizard->close();
    delete wizard;
    m_window->actions().editWorkload->trigger();
    QTRY_VERIFY_WITH_TIMEOUT((wizard = m_window->findChild<WorkloadWizard *>()) != nullptr, 20000);
    QCOMPARE(wizard->body().value(QStringLiteral("display_name")).toString(),
             QStringLiteral("start-dialog"));
    delete wizard;

    // Rebuild (force) builds again although nothing changed.
    finished.clear();
    m_window->actions().rebuildWorkload->trigger();
    QVERIFY(finished.wait(180000));
    QVERIFY2(finished.last().at(0).toString().startsWith(QStringLiteral("Rebuilding")),
             qPrintable(finished.last().at(0).toString()));
    QVERIFY2(finished.last().at(1).toString().isEmpty(),
             qPrintable(finished.last().at(1).toString()));
    m_window->workloadsFilter()->clear();
}

void TestStartRunner::cleanupTestCase()
{
    m_window.reset();
    m_connection.reset();
    m_client.reset();
    m_server.stop();
    MessageBox::setAnswerer(nullptr);
}

QTEST_MAIN(TestStartRunner)
#include "tst_startrunner.moc"
