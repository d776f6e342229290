// Isolation suite, runners against each other and the server (issue 10): from inside one runner,
// try to see or signal another runner's processes, read its files, the server's data directory or
// its token; a memory hog in one runner must not starve another.
#include "iso_util.h"

using namespace capsule::test;
using namespace capsule::test::iso;

namespace {

// Host pid of a process of runner `id` whose command line is exactly `argv`.
qint64 hostPidOf(const QString &id, const QByteArray &cmdline)
{
    const QDir parent(s("/sys/fs/cgroup/unified/capsule-local"));
    for (const QString &name : parent.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!name.contains(id))
            continue;
        for (const QByteArray &line :
             readFile(parent.filePath(name) + s("/cgroup.procs")).split('\n')) {
            const qint64 pid = line.trimmed().toLongLong();
            if (pid > 0 && readFile(QStringLiteral("/proc/%1/cmdline").arg(pid)) == cmdline)
                return pid;
        }
    }
    return 0;
}

QString cgroupDir(const char *hierarchy, const QString &id)
{
    const QDir parent(QStringLiteral("/sys/fs/cgroup/%1/capsule-local").arg(s(hierarchy)));
    for (const QString &name : parent.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        if (name.contains(id))
            return parent.filePath(name);
    return {};
}

} // namespace

class TestIsoRunners final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void otherRunnersProcessesInvisible();
    void otherRunnersProcessesCannotBeSignalled();
    void otherRunnersFilesUnreachable();
    void serverTokenNotReadable();
    void memoryHogIsLimited();
    void cpuLimitedByTier();

private:
    LocalServer m_server;
    QString m_key;
    Runner m_a, m_b;
    qint64 m_sleepPid = 0; // host pid of a process of runner A
};

void TestIsoRunners::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    QJsonObject body = LocalServer::trivialConfig(s("iso-runners"));
    body[s("config")] = QJsonObject{{s("tier"), s("xs")}}; // 1 vCPU, 512 MiB
    m_key = m_server.createAndBuild(body, &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error));
    m_a = allocate(m_server, m_key);
    m_b = allocate(m_server, m_key);
    QVERIFY(!m_a.id.isEmpty() && !m_b.id.isEmpty());
    const ExecResult started = sh(m_server, m_a,
                                  s("echo secret-of-a > /workspace/secret; echo tmp-of-a > /tmp/s; "
                                    "nohup sleep 321 >/dev/null 2>&1 & echo started"));
    QCOMPARE(started.out, s("started\n"));
    QTRY_VERIFY_WITH_TIMEOUT((m_sleepPid = hostPidOf(m_a.id, QByteArray("sleep\0"
                                                                        "321\0",
                                                                        10))) > 0,
                             10000);
}

void TestIsoRunners::cleanupTestCase()
{
    m_server.stop();
}

void TestIsoRunners::otherRunnersProcessesInvisible()
{
    // A sees its own sleep (the check can find it) ...
    const QString list =
        s("for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done");
    QVERIFY(sh(m_server, m_a, list).out.contains(s("sleep 321")));
    // ... B does not, only its own init and its shell.
    const ExecResult b = sh(m_server, m_b, list);
    QCOMPARE(b.code, 0);
    QVERIFY2(!b.out.contains(s("sleep 321")), qPrintable(b.out));
    QVERIFY2(b.out.contains(s("sleep infinity")), qPrintable(b.out));
    QVERIFY2(!b.out.contains(s("capsule-local")), qPrintable(b.out));
}

void TestIsoRunners::otherRunnersProcessesCannotBeSignalled()
{
    // Same runner uid in both runners: only the pid namespace stands between them.
    const ExecResult kill =
        sh(m_server, m_b, QStringLiteral("kill -9 %1; echo rc=$?").arg(m_sleepPid));
    QVERIFY2(kill.out.contains(s("rc=1")), qPrintable(kill.out + kill.err));
    const ExecResult all = sh(m_server, m_b, s("kill -9 -1; echo rc=$?"));
    Q_UNUSED(all); // kills B's own processes at most
    QTest::qWait(200);
    QVERIFY2(QFile::exists(QStringLiteral("/proc/%1").arg(m_sleepPid)), "A's process survived");
    QCOMPARE(sh(m_server, m_a, s("echo alive")).out, s("alive\n"));
}

void TestIsoRunners::otherRunnersFilesUnreachable()
{
    const QString data = m_server.dataDir();
    const QString aUpper = data + s("/runners/") + m_a.id;
    QVERIFY(sh(m_server, m_a, s("cat /workspace/secret")).out.contains(s("secret-of-a")));
    const ExecResult b =
        sh(m_server, m_b,
           QStringLiteral("cat %1/upper/workspace/secret %1/tmp/s /proc/%2/root/workspace/secret "
                          "2>&1; ls -A %3; cat /workspace/secret /tmp/s 2>&1; true")
               .arg(aUpper)
               .arg(m_sleepPid)
               .arg(data));
    QVERIFY2(!b.out.contains(s("secret-of-a")) && !b.out.contains(s("tmp-of-a")),
             qPrintable(b.out));
    QVERIFY2(b.out.contains(s("No such file")), qPrintable(b.out));
}

void TestIsoRunners::serverTokenNotReadable()
{
    const QString token = m_server.token();
    QVERIFY(!token.isEmpty());
    // The pattern goes in through the files API, so that no command line holds the token.
    const HttpReply w = m_server.request(
        "POST", QStringLiteral("http://%1/api/v1/runners/%2/files/write").arg(m_b.host, m_b.id),
        QJsonDocument(QJsonObject{{s("path"), s("/tmp/.pattern")}, {s("content"), token}})
            .toJson(QJsonDocument::Compact));
    QCOMPARE(w.status, 200);
    const ExecResult b =
        sh(m_server, m_b,
           QStringLiteral("P=/tmp/.pattern; grep -ls -a -F -f $P /proc/[0-9]*/environ "
                          "/proc/[0-9]*/cmdline; env | grep -c -F -f $P; grep -rls -a -F -f $P "
                          "--exclude=.pattern /etc /workspace /tmp /home 2>/dev/null; ls -A '%1' "
                          "| wc -l")
               .arg(m_server.dataDir()));
    QVERIFY2(!b.out.contains(token), qPrintable(b.out));
    QCOMPARE(b.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts), QStringList({s("0"), s("0")}));
    // The server process itself is not in the runner's pid namespace.
    const ExecResult self =
        sh(m_server, m_b, QStringLiteral("cat /proc/%1/environ 2>&1").arg(m_server.pid()));
    QVERIFY2(!self.out.contains(token), qPrintable(self.out));
}

void TestIsoRunners::memoryHogIsLimited()
{
    const QString memory = cgroupDir("memory", m_a.id);
    if (memory.isEmpty())
        QSKIP("no memory cgroup on this host (RLIMIT_AS only)");
    QCOMPARE(readFile(memory + s("/memory.limit_in_bytes")).trimmed(),
             QByteArray::number(512LL * 1024 * 1024));
    // 900 MiB written (not just reserved) in a 512 MiB runner: killed by the cgroup's OOM killer.
    const ExecResult hog = sh(
        m_server, m_a, s("python3 -c \"b = b'x' * (900 << 20); print('survived')\"; echo rc=$?"));
    QVERIFY2(!hog.out.contains(s("survived")), qPrintable(hog.out + hog.err));
    QVERIFY2(hog.out.contains(s("rc=137")), qPrintable(hog.out + hog.err));
    QVERIFY(readFile(memory + s("/memory.failcnt")).trimmed().toLongLong() > 0);
    // The other runner and the hog's runner itself keep answering.
    QCOMPARE(sh(m_server, m_b, s("echo fine")).out, s("fine\n"));
    QCOMPARE(sh(m_server, m_a, s("echo fine")).out, s("fine\n"));
}

void TestIsoRunners::cpuLimitedByTier()
{
    const QString cpu = cgroupDir("cpu", m_a.id);
    if (cpu.isEmpty())
        QSKIP("no cpu cgroup on this host");
    QCOMPARE(readFile(cpu + s("/cpu.cfs_quota_us")).trimmed(), QByteArray("100000"));
    QCOMPARE(readFile(cpu + s("/cpu.cfs_period_us")).trimmed(), QByteArray("100000"));
    // Three spinners in a 1-vCPU runner for 2 s: they get at most ~2 CPU-seconds together (on an
    // idle 2-core host they would take ~4 without the quota; a loaded host gives less anyway).
    const ExecResult spin = sh(m_server, m_a,
                               s("bash -c 'for i in 1 2 3; do timeout 2 sh -c \"while :; do :; "
                                 "done\" & done; wait; times'"));
    QCOMPARE(spin.code, 0);
    // `times`: the shell's user/sys, then its children's: "0m1.234s 0m0.010s".
    const QStringList children =
        spin.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).value(1).split(QLatin1Char(' '));
    QCOMPARE(children.size(), 2);
    double cpuSeconds = 0;
    for (const QString &t : children) {
        const QStringList ms = QString(t).remove(QLatin1Char('s')).split(QLatin1Char('m'));
        cpuSeconds += ms.value(0).toDouble() * 60 + ms.value(1).toDouble();
    }
    qInfo("3 spinners for 2 s in a 1-vCPU runner used %.2f CPU-seconds", cpuSeconds);
    QVERIFY2(cpuSeconds > 0 && cpuSeconds < 2.6, qPrintable(spin.out));
    const QByteArray stat = readFile(cpu + s("/cpu.stat"));
    QVERIFY2(stat.contains("nr_periods"), stat.constData());
}

QTEST_GUILESS_MAIN(TestIsoRunners)
#include "tst_iso_runners.moc"
