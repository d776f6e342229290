// Benchmark: PTY echo latency on one runner of a real capsule-local while 20 other runners are
// allocated at once (target p99 < 50 ms), against the same figure on the idle server.
#include "local/tst_responsive_probe.h"

#include <QCoreApplication>

#include <cstdio>

using namespace capsule::test;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    constexpr int kRounds = 5;
    constexpr int kAllocations = 20;
    LocalServer server;
    QString error;
    if (!server.start({QStringLiteral("--max-runners-per-host"), QStringLiteral("64")}, &error)) {
        std::fprintf(stderr, "cannot start capsule-local: %s\n", qPrintable(error));
        return 1;
    }
    const QString key =
        server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("bench-latency")), &error);
    if (key.isEmpty()) {
        std::fprintf(stderr, "build failed: %s\n", qPrintable(error));
        return 1;
    }
    ResponsivenessProbe probe(server);
    if (!probe.open(key, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    Latencies idle, busy;
    for (int i = 0; i < 200; ++i)
        idle.ms << probe.ptyRoundTrip();
    for (int round = 0; round < kRounds; ++round) {
        probe.startAllocations(kAllocations);
        while (probe.pendingAllocations() > 0)
            busy.ms << probe.ptyRoundTrip();
        probe.releaseAll();
    }
    std::printf("PTY echo, idle server:                 p50 %6.2f ms  p99 %6.2f ms  (%lld)\n",
                idle.percentile(0.5), idle.percentile(0.99), qlonglong(idle.ms.size()));
    std::printf("PTY echo, %d runners allocated at once: p50 %6.2f ms  p99 %6.2f ms  max %.2f ms "
                "(%lld, %d rounds)\n",
                kAllocations, busy.percentile(0.5), busy.percentile(0.99), busy.max(),
                qlonglong(busy.ms.size()), kRounds);
    std::printf("p99 under load vs idle: %.2fx; target p99 < 50 ms: %s; allocate errors: %d\n",
                busy.percentile(0.99) / std::max(0.001, idle.percentile(0.99)),
                busy.percentile(0.99) < 50 ? "met" : "MISSED", probe.failedAllocations());
    return probe.failedAllocations() == 0 ? 0 : 1;
}
