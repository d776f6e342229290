// Load driver (issue 10): N concurrent clients against a real capsule-local, mixing allocate,
// exec, file writes and reads, uploads and downloads, PTY round trips, listings and release, for
// a bounded time. Used by tests/load (short) and bench/bench_load (make bench).
#pragma once

#include "support/localserver.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace capsule::test {

struct LoadOptions
{
    int clients = 10; // concurrent clients (each its own Client: own connections)
    int runners = 3;  // runner slots; clients share the slot i % runners
    int durationMs = 20000;
    int opsPerLease = 40; // a slot's runner is released and re-allocated after this many ops
    quint32 seed = 1;
    int opTimeoutMs = 120000; // an operation taking longer counts as a failure ("hung")
};

struct LoadFigures
{
    qint64 operations = 0;
    qint64 failures = 0;
    qint64 bytesVerified = 0;
    QMap<QString, qint64> byKind;           // operations per kind
    QMap<QString, QList<qint64>> latencyMs; // per kind
    QStringList errors;                     // the first few failures, with their kind and message
    qint64 peakRssKb = 0;                   // the server's VmRSS, sampled every 100 ms
    qint64 startRssKb = 0;
    qint64 elapsedMs = 0;
    // Leak check after the run (all slots released).
    int liveRunners = -1;      // runners listed as booting/busy/pausing/quarantined
    int runnerDirs = -1;       // entries in <data dir>/runners
    int sandboxProcesses = -1; // processes below the server (bwrap and what runs in it)
    int cgroups = -1;          // cgroup folders of this data dir in every hierarchy

    static qint64 percentile(QList<qint64> values, double p);
    QList<qint64> allLatencies() const;
    // The figures as the last lines of a run ("operations: ...", "failures: ...", ...).
    QStringList summary(const LoadOptions &options) const;
};

// Runs the mix against `server` (started, with `workloadKey` built). Spins the event loop of the
// calling thread until the run and the release of every runner are over, then checks leaks.
LoadFigures runLoad(const LocalServer &server, const QString &workloadKey,
                    const LoadOptions &options);

} // namespace capsule::test
