// Quitting and the embedded server's death (issue 9): Quit and SIGTERM end the app in order with
// the server stopped; a server that dies is restarted (with a limit) and its cause is named.
#include "app/connections/embeddedserver.h"
#include "app/connections/serverconnection.h"
#include "app/mainwindow.h"

#include <QAction>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <sys/types.h>

using namespace capsule::app;

namespace {

// A process that exists and is not a zombie.
bool alive(qint64 pid)
{
    if (pid <= 0 || ::kill(pid_t(pid), 0) != 0)
        return false;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const int close = text.lastIndexOf(')');
    return close < 0 || text.mid(close + 2, 1) != "Z";
}

// The capsule-local children of `parent` (scanning /proc).
QList<qint64> serverChildren(qint64 parent)
{
    QList<qint64> pids;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const int close = text.lastIndexOf(')');
        const QList<QByteArray> fields = text.mid(close + 2).split(' ');
        if (fields.size() > 1 && fields.at(1).toLongLong() == parent &&
            text.contains("(capsule-local)"))
            pids << pid;
    }
    return pids;
}

} // namespace

class TestAppShutdown final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void quitEndsTheEventLoopAndStopsTheServer();
    void sigtermEndsTheAppInOrder();
    void deadServerIsRestartedThenNamed();
};

void TestAppShutdown::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(QStringLiteral("tst_appshutdown"));
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    qunsetenv("CAPSULE_BASE_URL");
    qunsetenv("CAPSULE_TOKEN");
    QVERIFY(!EmbeddedServer::findBinary().isEmpty());
}

void TestAppShutdown::quitEndsTheEventLoopAndStopsTheServer()
{
    // The app's own loop, as in main(): File > Quit must make exec() return.
    ServerConnection connection;
    MainWindow window(&connection);
    window.show();
    connection.startEmbedded();
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Connected, 60000);
    const qint64 pid = connection.embeddedServer()->pid();
    QVERIFY(alive(pid));
    auto *quit = window.actions().quit;
    QVERIFY(quit);
    QSignalSpy finished(&window, &MainWindow::shutdownFinished);
    QTimer::singleShot(0, quit, &QAction::trigger);
    // Before the fix the hidden window never counted as closed: exec() ran on (here: 99).
    QTimer::singleShot(30000, qApp, [] { QCoreApplication::exit(99); });
    QElapsedTimer clock;
    clock.start();
    const int rc = QCoreApplication::exec();
    QCOMPARE(rc, 0);
    qInfo("Quit ended the event loop after %lld ms", clock.elapsed());
    QVERIFY(clock.elapsed() < 10000);
    QCOMPARE(finished.size(), 1);
    QVERIFY(!alive(pid));
    QVERIFY(!window.isVisible());
}

void TestAppShutdown::sigtermEndsTheAppInOrder()
{
#ifndef CAPSULE_DESKTOP_BIN
    QFAIL("capsule-desktop is not built (CAPSULE_DESKTOP_BIN unset at configure time)");
#else
    QTemporaryDir home;
    QVERIFY(home.isValid());
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral("cache")));
    env.insert(QStringLiteral("CAPSULE_DESKTOP_NO_KEYCHAIN"), QStringLiteral("1"));
    env.remove(QStringLiteral("CAPSULE_BASE_URL"));
    env.remove(QStringLiteral("CAPSULE_TOKEN"));
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(CAPSULE_DESKTOP_BIN), {});
    QVERIFY2(app.waitForStarted(20000), qPrintable(app.errorString()));
    const qint64 appPid = app.processId();
    QList<qint64> servers;
    QTRY_VERIFY_WITH_TIMEOUT(!(servers = serverChildren(appPid)).isEmpty(), 60000);
    // The server's data folder fills once it runs; give it time to report ready.
    const QString data = home.filePath(QStringLiteral("data"));
    QTRY_VERIFY_WITH_TIMEOUT(QDir(data).exists(), 30000);
    QTest::qWait(3000);
    QVERIFY(alive(servers.first()));

    QElapsedTimer clock;
    clock.start();
    QCOMPARE(::kill(pid_t(appPid), SIGTERM), 0);
    QVERIFY2(app.waitForFinished(20000), "capsule-desktop still runs 20 s after SIGTERM");
    qInfo("SIGTERM ended capsule-desktop after %lld ms", clock.elapsed());
    // An orderly exit (the handler ran Quit), not death by the signal.
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);
    QVERIFY(clock.elapsed() < 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!alive(servers.first()), 5000);
#endif
}

void TestAppShutdown::deadServerIsRestartedThenNamed()
{
    ServerConnection connection;
    connection.setRestartLimit(1);
    MainWindow window(&connection);
    window.setConfirmOverride([](const QString &) { return true; });
    window.show();
    connection.startEmbedded();
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Connected, 60000);
    auto *newWorkload = window.actions().newWorkload;
    auto *workloads = window.findChild<QTableView *>(QStringLiteral("workloadsView"));
    auto *stale = window.findChild<QLabel *>(QStringLiteral("staleBanner"));
    QVERIFY(newWorkload && workloads && stale);
    QTRY_VERIFY(newWorkload->isEnabled());
    QSignalSpy notices(&connection, &ServerConnection::notice);

    // First death: restarted, with a visible notice; views are stale meanwhile.
    const qint64 first = connection.embeddedServer()->pid();
    QCOMPARE(::kill(pid_t(first), SIGKILL), 0);
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Restarting, 10000);
    QVERIFY(!newWorkload->isEnabled());
    QVERIFY(!workloads->isEnabled());
    QVERIFY(!stale->isHidden());
    QVERIFY2(stale->text().contains(QStringLiteral("signal 9")), qPrintable(stale->text()));
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Connected, 60000);
    const qint64 second = connection.embeddedServer()->pid();
    QVERIFY(second != first && alive(second));
    QCOMPARE(notices.size(), 1);
    QVERIFY(notices.first().first().toString().contains(QStringLiteral("restarted")));
    QTRY_VERIFY(newWorkload->isEnabled());
    QVERIFY(workloads->isEnabled());

    // Second death within the window: over the limit, so it stays down and says why.
    QCOMPARE(::kill(pid_t(second), SIGKILL), 0);
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Error, 10000);
    QTest::qWait(1000); // no late restart
    QCOMPARE(connection.state(), ServerConnection::State::Error);
    const QString why = connection.errorMessage();
    QVERIFY2(why.contains(QStringLiteral("not restarted")), qPrintable(why));
    QVERIFY2(why.contains(QStringLiteral("killed by signal 9")), qPrintable(why));
    QVERIFY(!newWorkload->isEnabled());
    QVERIFY2(stale->text().contains(QStringLiteral("does not answer")), qPrintable(stale->text()));
    // Nothing was listed: the list is an error state (with Try again / Connections links), not
    // an empty table; stale rows would be greyed instead.
    QCOMPARE(workloads->model()->rowCount(), 0);
    auto *hint = window.findChild<QLabel *>(QStringLiteral("workloadsViewHint"));
    QVERIFY(hint && hint->isVisible());
    QVERIFY2(hint->text().contains(QStringLiteral("does not answer")), qPrintable(hint->text()));
    QVERIFY2(hint->text().contains(QStringLiteral("killed by signal 9")), qPrintable(hint->text()));
}

QTEST_MAIN(TestAppShutdown)
#include "tst_appshutdown.moc"
