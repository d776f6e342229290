// Internals shared by the runner registry's source files (runners.cpp: records, operations, TTL
// and the host agents' view; runners_lifecycle.cpp: sandbox start/stop/pause; runners_allocate.cpp;
// runners_hosts.cpp: hosts, drain, snapshots). Not a public header.
#pragma once

#include "local/api/json.h"
#include "local/common.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QUuid>

namespace capsule::local {

inline constexpr qint64 kIdempotencyMs = 5 * 60 * 1000;

// Said by GET /api/v1/hosts and logged once at start-up (see docs/sandbox.md, "Disk sizes").
inline const QString kDiskQuotaNotice =
    QStringLiteral("not enforced: rootfs_size_gb and workspace_size_gb are recorded only; runners "
                   "write to the data dir's filesystem without a quota");

inline qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

inline QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

struct TierLimits
{
    int vcpu;
    int memoryMb;
};

inline TierLimits tierLimits(const QString &tier)
{
    if (tier == QLatin1String("xs"))
        return {1, 512};
    if (tier == QLatin1String("s"))
        return {1, 1024};
    if (tier == QLatin1String("l"))
        return {8, 8192};
    if (tier == QLatin1String("xl"))
        return {16, 16384};
    return {4, 4096};
}

inline qint64 diskUsage(const QString &dir)
{
    qint64 total = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        if (!fi.isSymLink())
            total += fi.size();
    }
    return total;
}

inline QJsonObject stringMap(const QMap<QString, QString> &m)
{
    QJsonObject o;
    for (auto it = m.begin(); it != m.end(); ++it)
        o[it.key()] = it.value();
    return o;
}

// The nftables ruleset of a runner's namespace: its policy, or deny-all while quarantined with
// block_egress (local/network/policy.h). Defined in runners_lifecycle.cpp.
QString egressRuleset(const Runner &run);

} // namespace capsule::local
