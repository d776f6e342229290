// Shortened load suite (issue 10): 16 clients on 4 runner slots for a bounded time, mixing
// allocate, exec, file writes and reads, uploads and downloads (verified by content), PTY echo
// round trips, listings and release. Zero failures, nothing leaked afterwards (runners, runner
// dirs, sandbox processes, cgroups) and the server's memory bounded. The full run (100 clients)
// is bench/bench_load.sh. CAPSULE_LOAD_SEED=<n> replays a mix.
#include "support/loaddriver.h"
#include "support/localserver.h"

#include <QRandomGenerator>
#include <QtTest>

using namespace capsule::test;

class TestLoad final : public QObject
{
    Q_OBJECT

private slots:
    void mixedLoad()
    {
        LocalServer server;
        QString error;
        QVERIFY2(server.start({}, &error), qPrintable(error));
        const QString key =
            server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("load")), &error);
        QVERIFY2(!key.isEmpty(), qPrintable(error));
        LoadOptions o;
        o.clients = 16;
        o.runners = 4;
        o.durationMs = 25000;
        o.opsPerLease = 30;
        const QByteArray fixed = qgetenv("CAPSULE_LOAD_SEED");
        o.seed = fixed.isEmpty() ? QRandomGenerator::global()->generate() : fixed.toUInt();
        qInfo("load seed: %u (CAPSULE_LOAD_SEED=%u replays the mix)", o.seed, o.seed);
        const LoadFigures f = runLoad(server, key, o);
        for (const QString &e : f.errors)
            qWarning("%s", qPrintable(e));
        for (const QString &line : f.summary(o))
            qInfo("%s", qPrintable(line));
        QCOMPARE(f.failures, 0);
        QVERIFY(f.operations >= 50);                                     // the mix really ran
        QVERIFY(f.byKind.value(QStringLiteral("allocate")) > o.runners); // leases turned over
        QVERIFY(f.byKind.value(QStringLiteral("pty")) > 0);
        QVERIFY(f.bytesVerified > 0);
        QCOMPARE(f.liveRunners, 0);
        QCOMPARE(f.runnerDirs, 0);
        QCOMPARE(f.sandboxProcesses, 0);
        QCOMPARE(f.cgroups, 0);
        // Bounded memory: the server holds no request or file in memory for long.
        QVERIFY2(f.peakRssKb < f.startRssKb + 200 * 1024,
                 qPrintable(QStringLiteral("peak RSS %1 KiB, start %2 KiB")
                                .arg(f.peakRssKb)
                                .arg(f.startRssKb)));
    }
};

QTEST_GUILESS_MAIN(TestLoad)
#include "tst_load.moc"
