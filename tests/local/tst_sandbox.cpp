// Tests of the runner sandbox itself (bwrap + overlay + cgroups), without the server around it.
#include "local/sandbox.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace capsule::local;

namespace {

struct Run
{
    QString out;
    QString err;
    int code = -2;
};

Run run(Sandbox &sb, const QStringList &argv, bool asRoot = false,
        const QMap<QString, QString> &env = {}, const QString &wd = {})
{
    std::unique_ptr<QProcess> p(sb.startProcess(argv, env, wd, asRoot));
    Run r;
    if (p->error() == QProcess::FailedToStart) {
        r.err = p->errorString();
        return r;
    }
    if (!p->waitForFinished(20000))
        return r;
    r.out = QString::fromUtf8(p->readAllStandardOutput());
    r.err = QString::fromUtf8(p->readAllStandardError());
    r.code = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
    return r;
}

bool mountedUnder(const QString &dir)
{
    QFile f(QStringLiteral("/proc/self/mountinfo"));
    f.open(QIODevice::ReadOnly);
    return f.readAll().contains(QFile::encodeName(dir));
}

} // namespace

class TestSandbox final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void hostnameUserAndPidNamespace();
    void overlayWritesLandInChangesDir();
    void lowerLayersStackParentFirst();
    void runnersDoNotSeeEachOther();
    void environmentAndWorkingDir();
    void startFailuresAreReported();
    void symlinksResolveInsideTheRoot();
    void networkFalseHasOnlyLoopback();
    void freezeStopsACounter();
    void ptyRunsOnATerminal();
    void limitsAreApplied();
    void stopLeavesNoProcessAndNoMount();
    void unsafeModeKeepsThePathMapping();

private:
    SandboxSpec spec(const QString &id);
    QTemporaryDir m_dir;
};

SandboxSpec TestSandbox::spec(const QString &id)
{
    SandboxSpec s;
    s.id = id;
    s.stateDir = m_dir.filePath(QStringLiteral("runners/") + id);
    return s;
}

void TestSandbox::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(Sandbox::bubblewrapAvailable(), "bwrap and nsenter are needed");
    Sandbox::cleanStaleMounts(m_dir.path());
    qInfo("filesystem mode: %s", qPrintable(Sandbox::fsModeName(Sandbox::fsMode())));
}

void TestSandbox::hostnameUserAndPidNamespace()
{
    Sandbox sb(spec(QStringLiteral("r-host")));
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    QVERIFY(sb.isRunning());
    QCOMPARE(run(sb, {QStringLiteral("hostname")}).out, QStringLiteral("r-host\n"));
    QCOMPARE(run(sb, {QStringLiteral("id"), QStringLiteral("-un")}).out,
             QStringLiteral("runner\n"));
    QCOMPARE(run(sb, {QStringLiteral("id"), QStringLiteral("-u")}).out.trimmed().toInt(),
             sb.runnerUid());
    QCOMPARE(run(sb, {QStringLiteral("id"), QStringLiteral("-u")}, true).out,
             QStringLiteral("0\n"));
    QCOMPARE(run(sb, {QStringLiteral("pwd")}).out, QStringLiteral("/workspace\n"));
    // Own pid namespace: pid 1 is the sandbox's init and only a handful of processes exist.
    const Run ps = run(sb, {QStringLiteral("sh"), QStringLiteral("-c"),
                            QStringLiteral("echo $$; ls /proc | grep -c '^[0-9]'")});
    const QStringList lines = ps.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).toInt() < 20, qPrintable(ps.out));
    QVERIFY2(lines.at(1).toInt() < 10, qPrintable(ps.out));
    // The user owns its home and /workspace.
    QCOMPARE(run(sb, {QStringLiteral("stat"), QStringLiteral("-c"), QStringLiteral("%U"),
                      QStringLiteral("/workspace"), QStringLiteral("/home/runner")})
                 .out,
             QStringLiteral("runner\nrunner\n"));
}

void TestSandbox::overlayWritesLandInChangesDir()
{
    if (Sandbox::fsMode() != Sandbox::FsMode::Overlay)
        QFAIL("overlay mounts are expected to work on this machine");
    Sandbox sb(spec(QStringLiteral("r-overlay")));
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    const Run w =
        run(sb,
            {QStringLiteral("sh"), QStringLiteral("-c"),
             QStringLiteral("echo layered > /etc/capsule-overlay-test && echo ws > /workspace/f")},
            true);
    QVERIFY2(w.code == 0, qPrintable(w.err));
    QVERIFY(!QFile::exists(QStringLiteral("/etc/capsule-overlay-test"))); // host untouched
    QFile f(sb.changesDir() + QStringLiteral("/etc/capsule-overlay-test"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("layered\n"));
    QVERIFY(QFile::exists(sb.changesDir() + QStringLiteral("/workspace/f")));
    QCOMPARE(sb.hostPath(QStringLiteral("/workspace/f")),
             sb.spec().stateDir + QStringLiteral("/root/workspace/f"));
    // /tmp is private and not part of the layer result.
    QCOMPARE(
        run(sb, {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo t > /tmp/t")})
            .code,
        0);
    QVERIFY(QFile::exists(sb.hostPath(QStringLiteral("/tmp/t"))));
    QVERIFY(!QFile::exists(sb.changesDir() + QStringLiteral("/tmp/t")));
    // A removal inside the sandbox is recorded in the layer (whiteout), the host keeps its file.
    QVERIFY(QFile::exists(QStringLiteral("/etc/hostname")));
    QCOMPARE(run(sb, {QStringLiteral("rm"), QStringLiteral("/etc/hostname")}, true).code, 0);
    QCOMPARE(
        run(sb, {QStringLiteral("test"), QStringLiteral("-e"), QStringLiteral("/etc/hostname")})
            .code,
        1);
    QVERIFY(QFile::exists(QStringLiteral("/etc/hostname")));
}

void TestSandbox::lowerLayersStackParentFirst()
{
    if (Sandbox::fsMode() != Sandbox::FsMode::Overlay)
        QFAIL("overlay mounts are expected to work on this machine");
    const QString l1 = m_dir.filePath(QStringLiteral("layers/l1"));
    const QString l2 = m_dir.filePath(QStringLiteral("layers/l2"));
    QDir().mkpath(l1 + QStringLiteral("/opt/capsule-layers"));
    QDir().mkpath(l2 + QStringLiteral("/opt/capsule-layers"));
    auto write = [](const QString &path, const QByteArray &data) {
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(data);
    };
    write(l1 + QStringLiteral("/opt/capsule-layers/a"), "parent\n");
    write(l1 + QStringLiteral("/opt/capsule-layers/b"), "parent-only\n");
    write(l2 + QStringLiteral("/opt/capsule-layers/a"), "child\n");
    SandboxSpec s = spec(QStringLiteral("r-layers"));
    s.lowerLayers = {l1, l2};
    Sandbox sb(s);
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    QCOMPARE(run(sb, {QStringLiteral("cat"), QStringLiteral("/opt/capsule-layers/a"),
                      QStringLiteral("/opt/capsule-layers/b")})
                 .out,
             QStringLiteral("child\nparent-only\n"));
    // Writes go to this sandbox's upper dir, never into the lower layers.
    QCOMPARE(run(sb,
                 {QStringLiteral("sh"), QStringLiteral("-c"),
                  QStringLiteral("echo mine > /opt/capsule-layers/a")},
                 true)
                 .code,
             0);
    QFile lower(l2 + QStringLiteral("/opt/capsule-layers/a"));
    QVERIFY(lower.open(QIODevice::ReadOnly));
    QCOMPARE(lower.readAll(), QByteArray("child\n"));
}

void TestSandbox::runnersDoNotSeeEachOther()
{
    Sandbox a(spec(QStringLiteral("r-a")));
    Sandbox b(spec(QStringLiteral("r-b")));
    QString error;
    QVERIFY2(a.start(&error), qPrintable(error));
    QVERIFY2(b.start(&error), qPrintable(error));
    QCOMPARE(run(a, {QStringLiteral("sh"), QStringLiteral("-c"),
                     QStringLiteral("echo secret > /workspace/only-a")})
                 .code,
             0);
    QCOMPARE(
        run(b, {QStringLiteral("test"), QStringLiteral("-e"), QStringLiteral("/workspace/only-a")})
            .code,
        1);
    // Nor through the host path of the data dir (masked inside the sandbox).
    const QString hostFile = a.hostPath(QStringLiteral("/workspace/only-a"));
    QVERIFY(QFile::exists(hostFile));
    QCOMPARE(run(b, {QStringLiteral("test"), QStringLiteral("-e"), hostFile}).code, 1);
    std::unique_ptr<QProcess> sleeper(
        a.startProcess({QStringLiteral("sleep"), QStringLiteral("77.5")}, {}, {}, false));
    QVERIFY(sleeper->waitForStarted());
    QTRY_VERIFY(run(a, {QStringLiteral("sh"), QStringLiteral("-c"),
                        QStringLiteral("cat /proc/[0-9]*/cmdline | tr '\\0' ' '")})
                    .out.contains(QStringLiteral("77.5")));
    QVERIFY(!run(b, {QStringLiteral("sh"), QStringLiteral("-c"),
                     QStringLiteral("cat /proc/[0-9]*/cmdline | tr '\\0' ' '")})
                 .out.contains(QStringLiteral("77.5")));
    a.signalProcess(sleeper->processId(), SIGKILL);
    QVERIFY(sleeper->waitForFinished());
}

void TestSandbox::environmentAndWorkingDir()
{
    SandboxSpec s = spec(QStringLiteral("r-env"));
    s.env.insert(QStringLiteral("HTTP_PROXY"), QStringLiteral("http://sess@127.0.0.1:3128"));
    Sandbox sb(s);
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    const Run r = run(sb,
                      {QStringLiteral("sh"), QStringLiteral("-c"),
                       QStringLiteral("echo $HOME; echo $PATH; echo $FOO; echo $HTTP_PROXY; pwd")},
                      false,
                      {{QStringLiteral("HOME"), QStringLiteral("/nope")},
                       {QStringLiteral("PATH"), QStringLiteral("/opt/extra")},
                       {QStringLiteral("FOO"), QStringLiteral("bar")}},
                      QStringLiteral("/tmp"));
    QCOMPARE(r.out,
             QStringLiteral("/home/runner\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/"
                            "sbin:/bin:/opt/extra\nbar\nhttp://sess@127.0.0.1:3128\n/tmp\n"));
    QCOMPARE(
        run(sb, {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo $HOME")}, true)
            .out,
        QStringLiteral("/root\n"));
    QCOMPARE(run(sb, {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("exit 7")}).code,
             7);
    QCOMPARE(
        run(sb, {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("kill -9 $$")}).code,
        -1);
}

void TestSandbox::startFailuresAreReported()
{
    Sandbox sb(spec(QStringLiteral("r-fail")));
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    QCOMPARE(run(sb, {QStringLiteral("no-such-program")}).err,
             QStringLiteral("exec: \"no-such-program\": executable file not found in $PATH"));
    QCOMPARE(run(sb, {QStringLiteral("/nope/x")}).err,
             QStringLiteral("fork/exec /nope/x: no such file or directory"));
    QCOMPARE(run(sb, {QStringLiteral("true")}, false, {}, QStringLiteral("/missing")).err,
             QStringLiteral("chdir /missing: no such file or directory"));
    QCOMPARE(run(sb, {QStringLiteral("/etc/passwd")}).err,
             QStringLiteral("fork/exec /etc/passwd: permission denied"));
}

void TestSandbox::symlinksResolveInsideTheRoot()
{
    Sandbox sb(spec(QStringLiteral("r-links")));
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    QCOMPARE(
        run(sb, {QStringLiteral("sh"), QStringLiteral("-c"),
                 QStringLiteral("ln -s /etc/passwd /workspace/pw && ln -s ../tmp /workspace/t && "
                                "ln -s sub/../../etc /workspace/rel && mkdir /workspace/sub")})
            .code,
        0);
    QCOMPARE(sb.resolvePath(QStringLiteral("/workspace/pw")), QStringLiteral("/etc/passwd"));
    QCOMPARE(sb.resolvePath(QStringLiteral("/workspace/t/x/y")), QStringLiteral("/tmp/x/y"));
    QCOMPARE(sb.resolvePath(QStringLiteral("/workspace/rel/hosts")), QStringLiteral("/etc/hosts"));
    QCOMPARE(sb.resolvePath(QStringLiteral("/workspace/missing/../a")),
             QStringLiteral("/workspace/a"));
    // The sandbox's passwd (with the runner user), not the host's.
    QFile pw(sb.hostPath(sb.resolvePath(QStringLiteral("/workspace/pw"))));
    QVERIFY(pw.open(QIODevice::ReadOnly));
    QVERIFY(pw.readAll().contains("runner:x:"));
}

void TestSandbox::networkFalseHasOnlyLoopback()
{
    SandboxSpec s = spec(QStringLiteral("r-net"));
    s.network = false;
    Sandbox sb(s);
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    const Run r = run(sb, {QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("lo\n"));
}

void TestSandbox::freezeStopsACounter()
{
    Sandbox sb(spec(QStringLiteral("r-freeze")));
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    std::unique_ptr<QProcess> counter(
        sb.startProcess({QStringLiteral("sh"), QStringLiteral("-c"),
                         QStringLiteral("i=0; while true; do i=$((i+1)); echo $i > /tmp/c.new; mv "
                                        "/tmp/c.new /tmp/c; sleep 0.01; done")},
                        {}, {}, false));
    QVERIFY(counter->waitForStarted());
    auto value = [&] {
        QFile f(sb.hostPath(QStringLiteral("/tmp/c")));
        return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt() : 0;
    };
    QTRY_VERIFY(value() > 3);
    QVERIFY2(sb.freeze(&error), qPrintable(error));
    const int frozenAt = value();
    QTest::qWait(300); // a frozen counter must not move during this time
    QCOMPARE(value(), frozenAt);
    QVERIFY2(sb.thaw(&error), qPrintable(error));
    QTRY_VERIFY(value() > frozenAt + 3);
    sb.stop();
    QVERIFY(counter->waitForFinished(5000));
    qInfo("limits: %s", qPrintable(sb.limitsApplied()));
}

void TestSandbox::ptyRunsOnATerminal()
{
    Sandbox sb(spec(QStringLiteral("r-pty")));
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    int master = -1;
    const qint64 pid = sb.startPty({QStringLiteral("/bin/sh")}, {}, {}, 100, 30, &master, &error);
    QVERIFY2(pid > 0, qPrintable(error));
    const QByteArray cmd = "stty size; tty; echo $TERM $USER $HOME; exit 3\n";
    QCOMPARE(::write(master, cmd.constData(), cmd.size()), qint64(cmd.size()));
    QByteArray out;
    int status = 0;
    bool exited = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            char buf[4096];
            ssize_t n;
            while ((n = ::read(master, buf, sizeof buf)) > 0)
                out.append(buf, int(n));
            if (!exited)
                exited = ::waitpid(pid_t(pid), &status, WNOHANG) == pid;
            return exited;
        }(),
        10000);
    ::close(master);
    QVERIFY2(!out.contains("job control") && !out.contains("process group"), out.constData());
    QVERIFY2(out.contains("30 100"), out.constData());
    QVERIFY2(out.contains("/dev/pts/"), out.constData());
    QVERIFY2(out.contains("xterm-256color runner /home/runner"), out.constData());
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 3);
    QVERIFY(sb.startPty({QStringLiteral("/bin/nope")}, {}, {}, 80, 24, &master, &error) < 0);
    QCOMPARE(error, QStringLiteral("fork/exec /bin/nope: no such file or directory"));
}

void TestSandbox::limitsAreApplied()
{
    SandboxSpec s = spec(QStringLiteral("r-limits"));
    s.memoryMb = 64;
    s.cpuMillis = 500;
    Sandbox sb(s);
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    qInfo("limits: %s", qPrintable(sb.limitsApplied()));
    QVERIFY(sb.limitsApplied().contains(QStringLiteral("memory")));
    QVERIFY(sb.limitsApplied().contains(QStringLiteral("cpu")));
    // 64 MiB: allocating 200 MiB gets the process killed.
    const Run r = run(sb, {QStringLiteral("python3"), QStringLiteral("-c"),
                           QStringLiteral("b = bytearray(200 * 1024 * 1024); print('survived')")});
    QVERIFY2(!r.out.contains(QStringLiteral("survived")), qPrintable(r.out));
}

void TestSandbox::stopLeavesNoProcessAndNoMount()
{
    auto sb = std::make_unique<Sandbox>(spec(QStringLiteral("r-stop")));
    QString error;
    QVERIFY2(sb->start(&error), qPrintable(error));
    QSignalSpy stopped(sb.get(), &Sandbox::stopped);
    std::unique_ptr<QProcess> bg(sb->startProcess(
        {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("sleep 1000 & sleep 1000")}, {},
        {}, false));
    QVERIFY(bg->waitForStarted());
    const qint64 nsenterPid = bg->processId();
    QVERIFY(mountedUnder(sb->spec().stateDir) || Sandbox::fsMode() != Sandbox::FsMode::Overlay);
    QVERIFY(sb->freeze(&error)); // stop must also end frozen sandboxes
    sb->stop();
    QCOMPARE(stopped.size(), 1);
    QVERIFY(!sb->isRunning());
    QVERIFY(!mountedUnder(sb->spec().stateDir));
    QVERIFY(bg->waitForFinished(5000));
    QVERIFY(::kill(pid_t(nsenterPid), 0) != 0);
    // Nothing of this sandbox is left anywhere: no process runs "sleep 1000" in its namespace.
    QDir proc(QStringLiteral("/proc"));
    for (const QString &entry : proc.entryList(QDir::Dirs)) {
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(entry));
        if (cmdline.open(QIODevice::ReadOnly))
            QVERIFY(!cmdline.readAll().startsWith(QByteArray("sleep\0"
                                                             "1000",
                                                             10)));
    }
    // The state (layer result) stays on disk; the sandbox can start again.
    QVERIFY(QFileInfo::exists(sb->changesDir()));
    QVERIFY2(sb->start(&error), qPrintable(error));
    QCOMPARE(run(*sb, {QStringLiteral("true")}).code, 0);
}

void TestSandbox::unsafeModeKeepsThePathMapping()
{
    SandboxSpec s = spec(QStringLiteral("r-unsafe"));
    s.unsafeNoSandbox = true;
    Sandbox sb(s);
    QString error;
    QVERIFY2(sb.start(&error), qPrintable(error));
    // No bwrap: the command runs on the host, in the directory that backs /workspace.
    const Run r = run(sb, {QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("pwd; echo data > f.txt; echo $HOME")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, sb.hostPath(QStringLiteral("/workspace")) + QLatin1Char('\n') +
                        sb.hostPath(QStringLiteral("/home/runner")) + QLatin1Char('\n'));
    QFile f(sb.hostPath(QStringLiteral("/workspace/f.txt")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("data\n"));
    QCOMPARE(run(sb, {QStringLiteral("no-such-program")}).err,
             QStringLiteral("exec: \"no-such-program\": executable file not found in $PATH"));
    sb.stop();
    QVERIFY(!mountedUnder(sb.spec().stateDir));
}

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"
