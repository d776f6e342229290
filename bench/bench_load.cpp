// Load benchmark (issue 10, make bench): CAPSULE_LOAD_CLIENTS (100) concurrent clients on
// CAPSULE_LOAD_RUNNERS (20) runner slots for CAPSULE_LOAD_SECONDS (60) against a fresh
// capsule-local, mixing allocate, exec, file writes/reads, uploads/downloads, PTY round trips,
// listings and release (tests/support/loaddriver.*). Prints its figures as its last lines and
// exits 1 on any failure or leak.
#include "support/loaddriver.h"
#include "support/localserver.h"

#include <QCoreApplication>
#include <QRandomGenerator>

#include <cstdio>

using namespace capsule::test;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    auto env = [](const char *name, int fallback) {
        bool ok = false;
        const int v = qEnvironmentVariableIntValue(name, &ok);
        return ok && v > 0 ? v : fallback;
    };
    LoadOptions o;
    o.clients = env("CAPSULE_LOAD_CLIENTS", 100);
    o.runners = env("CAPSULE_LOAD_RUNNERS", 20);
    o.durationMs = env("CAPSULE_LOAD_SECONDS", 60) * 1000;
    o.opsPerLease = env("CAPSULE_LOAD_OPS_PER_LEASE", 25);
    o.seed = quint32(env("CAPSULE_LOAD_SEED", int(QRandomGenerator::global()->bounded(1 << 30))));
    std::printf("load: %d clients, %d runner slots, %d s, seed %u\n", o.clients, o.runners,
                o.durationMs / 1000, o.seed);
    std::fflush(stdout);
    LocalServer server;
    QString error;
    if (!server.start({}, &error)) {
        std::fprintf(stderr, "bench_load: %s\n", qPrintable(error));
        return 1;
    }
    const QString key =
        server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("load")), &error, 120000);
    if (key.isEmpty()) {
        std::fprintf(stderr, "bench_load: %s\n", qPrintable(error));
        return 1;
    }
    const LoadFigures f = runLoad(server, key, o);
    for (const QString &e : f.errors)
        std::printf("error: %s\n", qPrintable(e));
    for (const QString &line : f.summary(o))
        std::printf("%s\n", qPrintable(line));
    const bool leaked =
        f.liveRunners != 0 || f.runnerDirs != 0 || f.sandboxProcesses != 0 || f.cgroups != 0;
    return f.failures == 0 && !leaked ? 0 : 1;
}
