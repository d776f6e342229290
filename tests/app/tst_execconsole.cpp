// The exec console (Run tab) against a real capsule-local: streaming stdout/stderr in arrival
// order, exit code and duration, Stop, cwd/env/timeout, history, the one-shot `uname -a`.
#include "app/connections/serverconnection.h"
#include "app/mainwindow.h"
#include "app/runners/execconsole.h"
#include "app/runners/runnerdetails.h"
#include "app/runners/runnersmodel.h"
#include "app/widgets/messagebox.h"

#include "core/blocking.h"
#include "core/client.h"
#include "support/localserver.h"
#include "support/screenshot.h"

#include <QAction>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTextBlock>

using namespace capsule;
using namespace capsule::app;

using capsule::test::snapshot;

class TestExecConsole final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void argvAndEnvironmentParsing();
    void streamsStdoutAndStderrInOrderWithExitCode();
    void stopCancelsALongCommand();
    void workingDirEnvironmentAndTimeout();
    void badEnvironmentIsReportedUnderTheField();
    void oneShotUnameFromTheRunnerMenu();
    void runnerDetailsQuarantineAndConnect();
    void releasedRunnerDetachesItsConsoles();
    void cleanupTestCase();

private:
    ExecConsole *openConsole();
    QString serverState(const QString &key) const;

    test::LocalServer m_server;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<ServerConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
    QString m_runnerId;
};

void TestExecConsole::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().remove(QStringLiteral("exec/history"));
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    MessageBox::setAnswerer([](const QString &) { return true; });
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    m_client = std::make_unique<Client>(m_server.clientSettings());
    const QString key = m_server.createAndBuild(
        test::LocalServer::trivialConfig(QStringLiteral("exec-console")), &error, 120000);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    auto *allocate = m_client->runners()->allocateReady(WorkloadRef(key));
    QVERIFY(waitFor(allocate, 120000));
    QVERIFY2(!allocate->hasError(), qPrintable(allocate->error().toString()));
    m_runnerId = allocate->result().runnerId;

    m_connection = std::make_unique<ServerConnection>();
    m_window = std::make_unique<MainWindow>(m_connection.get());
    m_window->setConfirmOverride([](const QString &) { return true; });
    m_window->resize(1100, 700);
    m_window->show();
    m_connection->connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Connected, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->runnersModel()->rowOf(m_runnerId) >= 0, 20000);
}

ExecConsole *TestExecConsole::openConsole()
{
    auto *view = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    const int row = m_window->runnersModel()->rowOf(m_runnerId);
    if (row < 0)
        return nullptr;
    for (int r = 0; r < view->model()->rowCount(); ++r)
        if (view->model()->index(r, 0).data(RunnersModel::RunnerIdRole).toString() == m_runnerId)
            view->selectRow(r);
    if (!m_window->actions().runCommand->isEnabled())
        return nullptr;
    const int before = int(m_window->execConsoles()->consoles().size());
    m_window->actions().runCommand->trigger();
    const QList<ExecConsole *> consoles = m_window->execConsoles()->consoles();
    return consoles.size() == before + 1 ? consoles.last() : nullptr;
}

void TestExecConsole::argvAndEnvironmentParsing()
{
    QCOMPARE(ExecConsole::argvFor(QStringLiteral("echo a | wc -c"), true),
             (QStringList{QStringLiteral("sh"), QStringLiteral("-c"),
                          QStringLiteral("echo a | wc -c")}));
    QCOMPARE(ExecConsole::argvFor(QStringLiteral("ls -la '/my dir'"), false),
             (QStringList{QStringLiteral("ls"), QStringLiteral("-la"), QStringLiteral("/my dir")}));
    QVERIFY(ExecConsole::argvFor(QStringLiteral("   "), true).isEmpty());
    QString error;
    const auto env = ExecConsole::parseEnvironment(QStringLiteral("A=1 B='two words'\nC="), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(env.value(QStringLiteral("A")), QStringLiteral("1"));
    QCOMPARE(env.value(QStringLiteral("B")), QStringLiteral("two words"));
    QVERIFY(env.contains(QStringLiteral("C")));
    QVERIFY(ExecConsole::parseEnvironment(QStringLiteral("A=1 NOVALUE"), &error).isEmpty());
    QVERIFY2(error.contains(QStringLiteral("NOVALUE")), qPrintable(error));
}

void TestExecConsole::streamsStdoutAndStderrInOrderWithExitCode()
{
    ExecConsole *console = openConsole();
    QVERIFY(console);
    console->setCommand(QStringLiteral(
        "for i in 1 2 3; do echo out$i; sleep 0.3; echo err$i >&2; sleep 0.3; done; exit 3"));
    QElapsedTimer clock;
    clock.start();
    console->run();
    QCOMPARE(console->state(), ExecConsole::State::Running);
    // Streaming: the first line is there long before the command ends (about 1.8 s).
    QTRY_VERIFY_WITH_TIMEOUT(!console->lines().isEmpty(), 20000);
    QVERIFY(console->state() == ExecConsole::State::Running || clock.elapsed() > 1500);
    QTRY_COMPARE_WITH_TIMEOUT(console->state(), ExecConsole::State::Finished, 30000);
    QCOMPARE(console->exitCode(), 3);
    const QList<ExecConsole::Line> lines = console->lines();
    QCOMPARE(lines.size(), 6);
    for (int i = 0; i < 6; ++i) {
        const bool err = i % 2 == 1;
        QCOMPARE(lines[i].isStderr, err);
        QCOMPARE(lines[i].text, QStringLiteral("%1%2\n")
                                    .arg(err ? QStringLiteral("err") : QStringLiteral("out"))
                                    .arg(i / 2 + 1));
    }
    QVERIFY(console->durationMs() >= 1500);
    QVERIFY2(console->statusText().startsWith(QStringLiteral("Exit code 3")),
             qPrintable(console->statusText()));
    // stderr is drawn in another colour than stdout.
    auto *output = console->findChild<QPlainTextEdit *>(QStringLiteral("execOutput"));
    const QTextBlock out1 = output->document()->findBlockByNumber(0);
    const QTextBlock err1 = output->document()->findBlockByNumber(1);
    QCOMPARE(err1.text(), QStringLiteral("err1"));
    QVERIFY(out1.begin().fragment().charFormat().foreground() !=
            err1.begin().fragment().charFormat().foreground());
    snapshot(m_window.get(), QStringLiteral("run-console"));
    QCOMPARE(
        console->history().value(0),
        QStringLiteral(
            "for i in 1 2 3; do echo out$i; sleep 0.3; echo err$i >&2; sleep 0.3; done; exit 3"));
}

void TestExecConsole::stopCancelsALongCommand()
{
    ExecConsole *console = openConsole();
    QVERIFY(console);
    console->setCommand(QStringLiteral("echo started; sleep 100"));
    console->run();
    QTRY_VERIFY_WITH_TIMEOUT(!console->lines().isEmpty(), 20000);
    QCOMPARE(console->state(), ExecConsole::State::Running);
    QElapsedTimer clock;
    clock.start();
    console->stop();
    QTRY_COMPARE_WITH_TIMEOUT(console->state(), ExecConsole::State::Stopped, 10000);
    QVERIFY(clock.elapsed() < 10000);
    QVERIFY2(console->statusText().startsWith(QStringLiteral("Stopped")),
             qPrintable(console->statusText()));
    QCOMPARE(console->exitCode(), -1);
    // Stopped consoles run again.
    console->setCommand(QStringLiteral("echo again"));
    console->run();
    QTRY_COMPARE_WITH_TIMEOUT(console->state(), ExecConsole::State::Finished, 20000);
    QCOMPARE(console->outputText(), QStringLiteral("again\n"));
}

void TestExecConsole::workingDirEnvironmentAndTimeout()
{
    ExecConsole *console = openConsole();
    QVERIFY(console);
    console->setCommand(QStringLiteral("pwd; echo \"$GREETING\""));
    console->setWorkingDir(QStringLiteral("/tmp"));
    console->setEnvironmentText(QStringLiteral("GREETING='hello there'"));
    console->run();
    QTRY_COMPARE_WITH_TIMEOUT(console->state(), ExecConsole::State::Finished, 20000);
    QCOMPARE(console->outputText(), QStringLiteral("/tmp\nhello there\n"));
    QCOMPARE(console->exitCode(), 0);

    console->setWorkingDir({});
    console->setEnvironmentText({});
    console->setTimeoutSeconds(1);
    console->setCommand(QStringLiteral("sleep 30"));
    QElapsedTimer clock;
    clock.start();
    console->run();
    QTRY_VERIFY_WITH_TIMEOUT(console->state() != ExecConsole::State::Running, 20000);
    QVERIFY2(clock.elapsed() < 20000, "the timeout did not end the command");
    QVERIFY(console->exitCode() != 0);
}

void TestExecConsole::badEnvironmentIsReportedUnderTheField()
{
    ExecConsole *console = openConsole();
    QVERIFY(console);
    console->setCommand(QStringLiteral("echo never"));
    console->setEnvironmentText(QStringLiteral("OK=1 BROKEN"));
    console->run();
    QCOMPARE(console->state(), ExecConsole::State::Idle);
    auto *error = console->findChild<QLabel *>(QStringLiteral("execEnvError"));
    QVERIFY(error->isVisibleTo(console));
    QVERIFY2(error->text().contains(QStringLiteral("BROKEN")), qPrintable(error->text()));
    // Nothing typed is lost.
    QCOMPARE(console->findChild<QLineEdit *>(QStringLiteral("execEnv"))->text(),
             QStringLiteral("OK=1 BROKEN"));
}

void TestExecConsole::oneShotUnameFromTheRunnerMenu()
{
    QVERIFY(openConsole()); // selects the runner
    const int before = int(m_window->execConsoles()->consoles().size());
    QVERIFY(m_window->actions().runUname->isEnabled());
    m_window->actions().runUname->trigger();
    QCOMPARE(int(m_window->execConsoles()->consoles().size()), before + 1);
    ExecConsole *console = m_window->execConsoles()->consoles().last();
    QTRY_COMPARE_WITH_TIMEOUT(console->state(), ExecConsole::State::Finished, 20000);
    QVERIFY2(console->outputText().startsWith(QStringLiteral("Linux")),
             qPrintable(console->outputText()));
    QCOMPARE(console->exitCode(), 0);
    // Several consoles stay open side by side.
    QVERIFY(m_window->execConsoles()->count() >= 2);
}

QString TestExecConsole::serverState(const QString &key) const
{
    const auto reply = m_server.get(QStringLiteral("/api/v1/runners"));
    const QJsonArray runners =
        QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("runners")).toArray();
    for (const QJsonValue &value : runners)
        if (value.toObject().value(QStringLiteral("runner_id")).toString() == m_runnerId)
            return value.toObject().value(key).toString();
    return {};
}

void TestExecConsole::runnerDetailsQuarantineAndConnect()
{
    QVERIFY(openConsole()); // selects the runner
    RunnerDetails *details = m_window->runnerDetails();
    QCOMPARE(details->runnerId(), m_runnerId);
    QCOMPARE(details->field(QStringLiteral("id")), m_runnerId);
    QVERIFY2(details->field(QStringLiteral("workload")).contains(QStringLiteral("exec-console")),
             qPrintable(details->field(QStringLiteral("workload"))));
    QVERIFY2(details->field(QStringLiteral("history")).contains(QStringLiteral("Running")),
             qPrintable(details->field(QStringLiteral("history"))));
    QVERIFY(!details->field(QStringLiteral("host")).isEmpty());

    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    details->connectRunner();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QVERIFY2(finished.last().at(1).toString().isEmpty(),
             qPrintable(finished.last().at(1).toString()));

    details->setQuarantineReason(QStringLiteral("suspicious traffic"));
    details->setBlockEgress(true);
    details->quarantineRunner();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
    QVERIFY2(finished.last().at(1).toString().isEmpty(),
             qPrintable(finished.last().at(1).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(serverState(QStringLiteral("status")), QStringLiteral("quarantined"),
                              20000);
    QCOMPARE(serverState(QStringLiteral("quarantine_reason")),
             QStringLiteral("suspicious traffic"));
    m_window->runnersModel()->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(
        details->field(QStringLiteral("status")).startsWith(QStringLiteral("Quarantined")), 20000);
    m_window->findChild<QTabWidget *>(QStringLiteral("mainTabs"))
        ->setCurrentWidget(m_window->findChild<QWidget *>(QStringLiteral("runnersTab")));
    snapshot(m_window.get(), QStringLiteral("runner-details"));
    QVERIFY2(
        details->field(QStringLiteral("policy")).contains(QStringLiteral("suspicious traffic")),
        qPrintable(details->field(QStringLiteral("policy"))));

    details->unquarantineRunner();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 60000);
    QVERIFY2(finished.last().at(1).toString().isEmpty(),
             qPrintable(finished.last().at(1).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(serverState(QStringLiteral("status")) != QStringLiteral("quarantined"),
                             20000);
    m_window->runnersModel()->refresh();
    QTRY_VERIFY_WITH_TIMEOUT(
        details->field(QStringLiteral("history")).contains(QStringLiteral("Quarantined")), 20000);
    // Usable again.
    ExecConsole *console = openConsole();
    QVERIFY(console);
    console->setCommand(QStringLiteral("echo back"));
    console->run();
    QTRY_COMPARE_WITH_TIMEOUT(console->state(), ExecConsole::State::Finished, 30000);
    QCOMPARE(console->outputText(), QStringLiteral("back\n"));
}

void TestExecConsole::releasedRunnerDetachesItsConsoles()
{
    ExecConsole *console = openConsole();
    QVERIFY(console);
    console->setCommand(QStringLiteral("sleep 100"));
    console->run();
    QTRY_COMPARE_WITH_TIMEOUT(console->state(), ExecConsole::State::Running, 5000);
    m_window->actions().releaseRunner->trigger();
    // Stopped by the release (or its stream ended first when the sandbox went): either way it
    // is not running any more and says why.
    QTRY_VERIFY_WITH_TIMEOUT(console->state() != ExecConsole::State::Running &&
                                 console->statusText().contains(QStringLiteral("released")),
                             30000);
    const ExecConsole::State after = console->state();
    console->run(); // refused: the runner is gone
    QCOMPARE(console->state(), after);
}

void TestExecConsole::cleanupTestCase()
{
    m_window.reset();
    m_connection.reset();
    m_client.reset();
    m_server.stop();
    MessageBox::setAnswerer(nullptr);
}

QTEST_MAIN(TestExecConsole)
#include "tst_execconsole.moc"
