// Runner registry, hosts: GET /api/v1/hosts (real CPU/memory), drain/undrain with re-homing,
// the snapshot listing.
#include "local/api/json.h"
#include "local/network/runner_network.h"
#include "local/runners.h"
#include "local/runners_p.h"

#include "local/api/jsonfields.h"
#include "local/configs.h"
#include "local/logging.h"
#include "local/metrics.h"
#include "local/sandbox.h"
#include "local/sandbox_cgroups.h"
#include "local/store.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSysInfo>
#include <QThread>
#include <QUrlQuery>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>
#include <QtDebug>

#include <unistd.h>

namespace capsule::local {

// ---------------------------------------------------------------- hosts / drain / snapshots

namespace {

struct CpuSample
{
    quint64 busy = 0;
    quint64 total = 0;
};

CpuSample readCpu()
{
    QFile f(s("/proc/stat"));
    CpuSample out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QList<QByteArray> parts = f.readAll().split('\n').value(0).simplified().split(' ');
    for (int i = 1; i < parts.size(); ++i) {
        const quint64 v = parts.at(i).toULongLong();
        out.total += v;
        if (i != 4 && i != 5) // idle, iowait
            out.busy += v;
    }
    return out;
}

qint64 meminfoMb(const QByteArray &field)
{
    QFile f(s("/proc/meminfo"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    // /proc files report size 0, so read them whole instead of testing atEnd().
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).simplified().split(' ').value(0).toLongLong() / 1024;
    }
    return 0;
}

} // namespace

void RunnerRegistry::hosts(const Responder &r)
{
    // CPU use over the interval since the previous call (or since boot on the first).
    static CpuSample previous;
    const CpuSample now = readCpu();
    const quint64 dTotal = now.total - previous.total;
    const quint64 dBusy = now.busy - previous.busy;
    previous = now;
    const int cpus = QThread::idealThreadCount();
    const qint64 totalMilli = qint64(cpus) * 1000;
    const qint64 usedMilli = dTotal ? qint64(double(dBusy) / double(dTotal) * totalMilli) : 0;
    const qint64 memTotal = meminfoMb("MemTotal");
    const qint64 memUsed = memTotal - meminfoMb("MemAvailable");
    const QJsonObject local{
        {s("sandbox"), Sandbox::bubblewrapAvailable()
                           ? s("bubblewrap")
                           : (m_options.unsafeNoSandbox ? s("none (--unsafe-no-sandbox)")
                                                        : s("unavailable (bubblewrap missing)"))},
        {s("filesystem"), Sandbox::fsModeName(Sandbox::fsMode())},
        {s("disk_quota"), kDiskQuotaNotice},
        {s("network"), m_options.unsafeNoSandbox ? s("host network (--unsafe-no-sandbox)")
                                                 : network::support().status()},
        {s("limits"), cgroups::enforcedLimits()},
        {s("pids_per_runner"), m_options.maxPidsPerRunner},
        {s("base_image"), m_options.images.isEmpty()
                              ? s("host root (/)")
                              : QStringLiteral("host root (/) unless mapped by --image (%1)")
                                    .arg(m_options.images.keys().join(s(", ")))}};
    QJsonArray out;
    for (const HostSlot &h : m_hosts) {
        int idle = 0, busy = 0;
        for (const Runner *run : m_runners) {
            if (run->hostId != h.id)
                continue;
            if (run->state == RunnerState::Busy || run->state == RunnerState::Quarantined)
                ++busy;
        }
        out.append(QJsonObject{{s("id"), h.id},
                               {s("instance_name"), QStringLiteral("capsule-") + h.id},
                               {s("zone"), s("local")},
                               {s("status"), h.draining ? s("draining") : s("ready")},
                               {s("idle_runners"), idle},
                               {s("busy_runners"), busy},
                               {s("snapshot_version"), QString()},
                               {s("last_heartbeat"), nowRfc3339()},
                               {s("grpc_address"), h.address},
                               {s("address"), h.address},
                               {s("total_cpu_millicores"), totalMilli},
                               {s("used_cpu_millicores"), usedMilli},
                               {s("total_memory_mb"), memTotal},
                               {s("used_memory_mb"), memUsed},
                               {s("local"), local}});
    }
    replyJson(r, 200, {{s("hosts"), out}, {s("count"), out.size()}});
}

void RunnerRegistry::drain(const QString &hostId, bool on, const Responder &r)
{
    HostSlot *slot = nullptr;
    for (HostSlot &h : m_hosts)
        if (h.id == hostId)
            slot = &h;
    if (!slot)
        return replyError(r, 404, QStringLiteral("host not found: %1").arg(hostId));
    slot->draining = on;
    int moved = 0;
    if (on) {
        // Re-home every runner: the sandbox does not depend on the listener, so a move is only
        // bookkeeping plus closing the old host's streams.
        for (Runner *run : std::as_const(m_runners)) {
            if (run->hostId != hostId || run->state == RunnerState::Terminated)
                continue;
            QString error;
            const QString target = pickHost(QString(), &error);
            if (target.isEmpty())
                continue;
            if (m_closeSessions)
                m_closeSessions(run->hostId, run->id);
            run->hostId = target;
            save(*run);
            ++moved;
        }
    }
    replyJson(r, 200,
              {{s("success"), true},
               {s("host_id"), hostId},
               {s("status"), on ? s("draining") : s("ready")},
               {s("moved"), moved}});
}

void RunnerRegistry::snapshots(const Responder &r)
{
    QJsonArray out;
    for (const Runner *run : std::as_const(m_runners)) {
        if (run->state != RunnerState::Suspended)
            continue;
        out.append(QJsonObject{{s("Version"), run->layer},
                               {s("Status"), s("ready")},
                               {s("GCSPath"), QStringLiteral("file://") + run->stateDir},
                               {s("RepoCommit"), QString()},
                               {s("SizeBytes"), run->snapshotSize},
                               {s("CreatedAt"), run->pausedAt},
                               {s("Metrics"), QJsonObject{{s("avg_analysis_time_ms"), 0},
                                                          {s("cache_hit_ratio"), 0},
                                                          {s("sample_count"), 0}}},
                               {s("SessionID"), run->sessionId},
                               {s("RunnerID"), run->id},
                               {s("WorkloadKey"), run->workloadKey}});
    }
    replyJson(r, 200,
              {{s("snapshots"), out}, {s("count"), out.size()}, {s("current_version"), QString()}});
}

} // namespace capsule::local
