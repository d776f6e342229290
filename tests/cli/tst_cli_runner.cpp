// Tests of the `capsule` command on a runner: start, exec (codes, streaming), cp, shell, release.
#include "cliharness.h"
#include "support/localserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>

using namespace capsule::test;

namespace {

QString describe(const CliResult &r)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
        .arg(r.code)
        .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// relative path -> sha256 of every file under `root`.
QMap<QString, QByteArray> treeHashes(const QString &root)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (f.open(QIODevice::ReadOnly))
            out.insert(QDir(root).relativeFilePath(path),
                       QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
    }
    return out;
}

} // namespace

class TestCliRunner final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void execExitCodes_data();
    void execExitCodes();
    void execStreamsOutput();
    void execOptions();
    void execInterrupted();
    void cpFileBothWays();
    void cpFolderBothWays();
    void cpErrors();
    void shellPipedInput();
    void runnersListsTheRunner();
    void pauseReportsLayerAsInteger(); // last: leaves the runner paused

private:
    CliResult cli(const QStringList &args, const QByteArray &input = {})
    {
        return runCli(args, m_server.baseUrl(), m_server.token(), input);
    }

    LocalServer m_server;
    QString m_runner;
};

void TestCliRunner::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    const QByteArray yaml = "workload:\n  display_name: cli-runner\n  layers:\n    - name: main\n"
                            "      init_commands:\n        - {type: shell, args: [\"true\"]}\n";
    QTemporaryDir dir;
    QVERIFY(writeFile(dir.filePath("onboard.yaml"), yaml));
    CliResult r = cli({"onboard", dir.filePath("onboard.yaml")});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    r = cli({"build", "cli-runner", "--wait"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    r = cli({"start", "cli-runner", "--label", "suite=cli", "--output", "json"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    const QJsonObject started = QJsonDocument::fromJson(r.out).object();
    m_runner = started.value("runner_id").toString();
    QVERIFY2(!m_runner.isEmpty(), r.out.constData());
    QVERIFY(!started.value("host_address").toString().isEmpty());
}

void TestCliRunner::cleanupTestCase()
{
    if (m_runner.isEmpty())
        return;
    const CliResult r = cli({"release", m_runner});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    QVERIFY(r.out.contains("released"));
}

void TestCliRunner::execExitCodes_data()
{
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<int>("code");
    QTest::addColumn<QByteArray>("out");
    QTest::addColumn<QByteArray>("err");
    QTest::newRow("success") << QStringList{"sh", "-c", "echo out; echo err >&2"} << 0
                             << QByteArray("out\n") << QByteArray("err\n");
    QTest::newRow("exit 7") << QStringList{"sh", "-c", "echo bye; exit 7"} << 7
                            << QByteArray("bye\n") << QByteArray();
    QTest::newRow("exit 255") << QStringList{"sh", "-c", "exit 255"} << 255 << QByteArray()
                              << QByteArray();
    QTest::newRow("unterminated line")
        << QStringList{"printf", "hello"} << 0 << QByteArray("hello\n") << QByteArray();
    QTest::newRow("killed by a signal is 255")
        << QStringList{"sh", "-c", "kill -9 $$"} << 255 << QByteArray() << QByteArray();
    QTest::newRow("start failure is 255")
        << QStringList{"no-such-program-xyz"} << 255 << QByteArray() << QByteArray("capsule: ");
}

void TestCliRunner::execExitCodes()
{
    QFETCH(QStringList, command);
    QFETCH(int, code);
    QFETCH(QByteArray, out);
    QFETCH(QByteArray, err);
    const CliResult r = cli(QStringList{"exec", m_runner, "--"} + command);
    QVERIFY2(r.code == code, qPrintable(describe(r)));
    QCOMPARE(r.out, out);
    if (err.endsWith('\n'))
        QCOMPARE(r.err, err);
    else
        QVERIFY2(r.err.startsWith(err), qPrintable(describe(r)));
}

void TestCliRunner::execStreamsOutput()
{
    // The first line must reach our stdout while the remote command still runs.
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("CAPSULE_BASE_URL", m_server.baseUrl());
    env.insert("CAPSULE_TOKEN", m_server.token());
    p.setProcessEnvironment(env);
    QTemporaryDir dir;
    const QString gate = "/tmp/cli-gate-" + QString::number(QCoreApplication::applicationPid());
    // The command waits for a file we create only after seeing its first line.
    p.start(qEnvironmentVariable("CAPSULE_CLI_BIN"),
            {"exec", m_runner, "--", "sh", "-c",
             "echo first; echo warn >&2; while [ ! -e " + gate +
                 " ]; do sleep 0.1; done; echo second; exit 3"});
    QVERIFY(p.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("first\n"), 30000);
    QCOMPARE(p.state(), QProcess::Running);
    QCOMPARE(out, QByteArray("first\n"));
    QByteArray err;
    QTRY_VERIFY2_WITH_TIMEOUT((err += p.readAllStandardError()).contains("warn\n"), err.constData(),
                              30000);
    const CliResult touch = cli({"exec", m_runner, "--", "touch", gate});
    QVERIFY2(touch.code == 0, qPrintable(describe(touch)));
    QVERIFY(p.waitForFinished(30000));
    out += p.readAllStandardOutput();
    QCOMPARE(out, QByteArray("first\nsecond\n"));
    QCOMPARE(p.exitCode(), 3);
}

void TestCliRunner::execOptions()
{
    const CliResult r = cli({"exec", m_runner, "--env", "GREETING=hi there", "--env", "N=2",
                             "--cwd", "/tmp", "--", "sh", "-c", "echo \"$GREETING/$N\"; pwd"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray("hi there/2\n/tmp\n"));
    // Without `--` the first word after the runner starts the command.
    const CliResult plain = cli({"exec", m_runner, "echo", "-n", "x"});
    QVERIFY2(plain.code == 0, qPrintable(describe(plain)));
    QCOMPARE(plain.out, QByteArray("x\n"));
    const CliResult timeout = cli({"exec", m_runner, "--timeout", "1", "--", "sleep", "20"});
    QVERIFY2(timeout.code == 255, qPrintable(describe(timeout)));
}

void TestCliRunner::execInterrupted()
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("CAPSULE_BASE_URL", m_server.baseUrl());
    env.insert("CAPSULE_TOKEN", m_server.token());
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("CAPSULE_CLI_BIN"),
            {"exec", m_runner, "--", "sh", "-c", "echo started; sleep 60"});
    QVERIFY(p.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += p.readAllStandardOutput()).contains("started\n"), 30000);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 130);
    QCOMPARE(p.readAllStandardError(), QByteArray("error: interrupted\n"));
}

void TestCliRunner::cpFileBothWays()
{
    QTemporaryDir dir;
    QByteArray data;
    for (int i = 0; i < 200000; ++i)
        data.append(char(i * 7 % 251));
    QVERIFY(writeFile(dir.filePath("blob.bin"), data));
    CliResult r = cli({"cp", dir.filePath("blob.bin"), m_runner + ":/workspace/blob.bin"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    r = cli({"exec", m_runner, "--", "sha256sum", "/workspace/blob.bin"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    QCOMPARE(r.out.left(64), QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
    // Download into an existing folder keeps the name.
    QDir(dir.path()).mkdir("back");
    r = cli({"cp", m_runner + ":/workspace/blob.bin", dir.filePath("back"), "--output", "json"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    QJsonObject result = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(result.value("bytes").toInteger(), data.size());
    QVERIFY(result.value("content_verified").toBool()); // the runner has a sha256 tool
    QFile back(dir.filePath("back/blob.bin"));
    QVERIFY(back.open(QIODevice::ReadOnly));
    QCOMPARE(back.readAll(), data);
    // --no-verify checks sizes only.
    r = cli({"cp", "--no-verify", m_runner + ":/workspace/blob.bin", dir.filePath("fast.bin"),
             "--output", "json"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    result = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(result.value("content_verified").toBool(true), false);
    QFile fast(dir.filePath("fast.bin"));
    QVERIFY(fast.open(QIODevice::ReadOnly));
    QCOMPARE(fast.readAll(), data);
}

void TestCliRunner::cpFolderBothWays()
{
    QTemporaryDir dir;
    const QString tree = dir.filePath("tree");
    QVERIFY(writeFile(tree + "/a.txt", "alpha\n"));
    QVERIFY(writeFile(tree + "/sub/b.txt", "beta\n"));
    QVERIFY(writeFile(tree + "/sub/deeper/c.bin", QByteArray(70000, '\x01')));
    QVERIFY(writeFile(tree + "/name_with-odd.chars.txt", "odd\n"));
    QVERIFY(QDir(tree).mkpath("empty-dir"));
    // Trailing slash: into /workspace/up/ as /workspace/up/tree.
    CliResult r = cli({"exec", m_runner, "--", "mkdir", "-p", "/workspace/up"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    r = cli({"cp", tree, m_runner + ":/workspace/up/"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    r = cli({"exec", m_runner, "--", "sh", "-c",
             "cd /workspace/up/tree && find . | sort && cat sub/b.txt"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    QCOMPARE(r.out, QByteArray(".\n./a.txt\n./empty-dir\n./name_with-odd.chars.txt\n./sub\n"
                               "./sub/b.txt\n./sub/deeper\n./sub/deeper/c.bin\nbeta\n"));
    // And back to a new local folder.
    const QString copy = dir.filePath("copy");
    r = cli({"cp", m_runner + ":/workspace/up/tree", copy});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    QCOMPARE(treeHashes(copy), treeHashes(tree));
    QVERIFY(QFileInfo(copy + "/empty-dir").isDir());
}

void TestCliRunner::cpErrors()
{
    QTemporaryDir dir;
    CliResult r = cli({"cp", dir.filePath("missing"), m_runner + ":/workspace/x"});
    QCOMPARE(r.code, 11);
    QVERIFY2(r.err.startsWith("error: no such file or folder"), qPrintable(describe(r)));
    r = cli({"cp", m_runner + ":/workspace/does-not-exist", dir.filePath("x")});
    QVERIFY2(r.code != 0, qPrintable(describe(r)));
    QVERIFY2(r.err.startsWith("error: "), qPrintable(describe(r)));
    QVERIFY(!QFileInfo::exists(dir.filePath("x")));
    r = cli({"cp", m_runner + ":/a", m_runner + ":/b"});
    QCOMPARE(r.code, 2);
}

void TestCliRunner::shellPipedInput()
{
    const CliResult r =
        cli({"shell", m_runner, "--command", "/bin/sh"}, "echo marker-$((6*7))\nexit 3\n");
    QVERIFY2(r.code == 3, qPrintable(describe(r)));
    QVERIFY2(r.out.contains("marker-42"), qPrintable(describe(r)));
}

void TestCliRunner::runnersListsTheRunner()
{
    const CliResult r = cli({"runners", "--output", "json"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    bool found = false;
    for (const QJsonValue &v : QJsonDocument::fromJson(r.out).array())
        found = found || v.toObject().value("runner_id").toString() == m_runner;
    QVERIFY2(found, r.out.constData());
    const CliResult status = cli({"status", m_runner});
    QVERIFY2(status.code == 0, qPrintable(describe(status)));
    QVERIFY2(status.out.contains("ready"), status.out.constData());
}

void TestCliRunner::pauseReportsLayerAsInteger()
{
    // The SDK's PauseResult.layer is an int: the session's first pause writes layer 1.
    const CliResult r = cli({"pause", m_runner, "--output", "json"});
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    const QJsonObject paused = QJsonDocument::fromJson(r.out).object();
    QVERIFY2(paused.value("layer").isDouble(), r.out.constData());
    QCOMPARE(paused.value("layer").toInteger(), 1);
    QVERIFY(!paused.value("session_id").toString().isEmpty());
}

QTEST_GUILESS_MAIN(TestCliRunner)
#include "tst_cli_runner.moc"
