// Runner registry, hosts: GET /api/v1/hosts (real CPU/memory), drain/undrain with re-homing,
// the snapshot listing.
#include "local/api/json.h"
#include "local/network/runner_network.h"
#include "local/runners.h"
#include "local/runners_p.h"

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

HostsReport RunnerRegistry::hosts() const
{
    HostsReport report;
    // CPU use over the interval since the previous call (or since boot on the first).
    static CpuSample previous;
    const CpuSample now = readCpu();
    const quint64 dTotal = now.total - previous.total;
    const quint64 dBusy = now.busy - previous.busy;
    previous = now;
    const int cpus = QThread::idealThreadCount();
    report.totalCpuMillicores = qint64(cpus) * 1000;
    report.usedCpuMillicores =
        dTotal ? qint64(double(dBusy) / double(dTotal) * report.totalCpuMillicores) : 0;
    report.totalMemoryMb = meminfoMb("MemTotal");
    report.usedMemoryMb = report.totalMemoryMb - meminfoMb("MemAvailable");
    report.sandbox = Sandbox::bubblewrapAvailable()
                         ? s("bubblewrap")
                         : (m_options.unsafeNoSandbox ? s("none (--unsafe-no-sandbox)")
                                                      : s("unavailable (bubblewrap missing)"));
    report.filesystem = Sandbox::fsModeName(Sandbox::fsMode());
    report.diskQuota = kDiskQuotaNotice;
    report.network = m_options.unsafeNoSandbox ? s("host network (--unsafe-no-sandbox)")
                                               : network::support().status();
    report.limits = cgroups::enforcedLimits();
    report.pidsPerRunner = m_options.maxPidsPerRunner;
    report.baseImage = m_options.images.isEmpty()
                           ? s("host root (/)")
                           : QStringLiteral("host root (/) unless mapped by --image (%1)")
                                 .arg(m_options.images.keys().join(s(", ")));
    for (const HostSlot &h : m_hosts) {
        HostReport host{h.id, h.address, h.draining, 0, 0};
        for (const Runner *run : m_runners) {
            if (run->hostId == h.id &&
                (run->state == RunnerState::Busy || run->state == RunnerState::Quarantined))
                ++host.busyRunners;
        }
        report.hosts.append(host);
    }
    return report;
}

Result<DrainReply> RunnerRegistry::drain(const QString &hostId, bool on)
{
    HostSlot *slot = nullptr;
    for (HostSlot &h : m_hosts)
        if (h.id == hostId)
            slot = &h;
    if (!slot)
        return ServiceError::notFound(QStringLiteral("host not found: %1").arg(hostId));
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
    return DrainReply{hostId, on, moved};
}

QList<const Runner *> RunnerRegistry::snapshots() const
{
    QList<const Runner *> out;
    for (const Runner *run : std::as_const(m_runners))
        if (run->state == RunnerState::Suspended)
            out << run;
    return out;
}

} // namespace capsule::local
