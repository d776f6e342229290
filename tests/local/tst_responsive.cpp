// capsule-local never blocks its event loop: PTY and exec traffic on one runner stays responsive
// while other runners start (issue 13). Against the old server, where every sandbox start waited
// synchronously for bwrap, the PTY stalled for the whole batch of starts.
#include "tst_responsive_probe.h"

#include <QtTest>

using namespace capsule::test;

class TestResponsive : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void ptyAndExecStayResponsiveWhileRunnersStart();

private:
    LocalServer m_server;
    QString m_key;
};

void TestResponsive::initTestCase()
{
    QString error;
    QVERIFY2(
        m_server.start({QStringLiteral("--max-runners-per-host"), QStringLiteral("64")}, &error),
        qPrintable(error));
    m_key =
        m_server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("responsive")), &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error + m_server.stderrText()));
}

void TestResponsive::ptyAndExecStayResponsiveWhileRunnersStart()
{
    // Generous for a loaded CI machine, yet well below the stall of synchronous starts.
    constexpr double kWorstPtyMs = 400;
    constexpr double kWorstExecMs = 1500;
    constexpr int kStarting = 12;

    ResponsivenessProbe probe(m_server);
    QString error;
    QVERIFY2(probe.open(m_key, &error), qPrintable(error + m_server.stderrText()));
    Latencies idle;
    for (int i = 0; i < 10; ++i)
        idle.ms << probe.ptyRoundTrip();

    // Several rounds of simultaneous starts; the PTY and exec are measured all along.
    Latencies pty, exec;
    for (int round = 0; round < 3; ++round) {
        probe.startAllocations(kStarting);
        int n = 0;
        while (probe.pendingAllocations() > 0) {
            const double ms = probe.ptyRoundTrip();
            QVERIFY2(ms >= 0, "PTY echo lost while runners start");
            pty.ms << ms;
            if (++n % 4 == 0) {
                const double e = probe.execRoundTrip();
                QVERIFY2(e >= 0, "exec failed while runners start");
                exec.ms << e;
            }
        }
        probe.releaseAll();
    }
    qInfo("idle PTY echo p50 %.1f ms; while %d runners start x3: PTY p50 %.1f p99 %.1f max %.1f "
          "ms (%lld samples), exec max %.1f ms",
          idle.percentile(0.5), kStarting, pty.percentile(0.5), pty.percentile(0.99), pty.max(),
          qlonglong(pty.ms.size()), exec.max());
    QCOMPARE(probe.failedAllocations(), 0);
    QVERIFY2(pty.ms.size() >= 3, "the starts were over before they could be measured");
    QVERIFY2(
        pty.max() < kWorstPtyMs,
        qPrintable(QStringLiteral("PTY echo stalled %1 ms while runners started").arg(pty.max())));
    QVERIFY2(
        exec.max() < kWorstExecMs,
        qPrintable(QStringLiteral("exec stalled %1 ms while runners started").arg(exec.max())));
}

QTEST_MAIN(TestResponsive)
#include "tst_responsive.moc"
