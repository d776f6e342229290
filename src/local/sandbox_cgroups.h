// Cgroup housekeeping of capsule-local's sandboxes: where the hierarchies are, how a sandbox's
// cgroup is named, and removal of what a crashed server left behind.
#pragma once

#include <QString>
#include <QStringList>

namespace capsule::local::cgroups {

// The hierarchies sandboxes use (this machine is hybrid: v2 without controllers at
// /sys/fs/cgroup/unified, v1 controllers beside it).
extern const QString kV2;
extern const QString kV1Freezer;
extern const QString kV1Memory;
extern const QString kV1Cpu;
extern const QString kV1Pids;
QStringList hierarchies();

// What this machine can enforce per sandbox, for /api/v1/hosts and docs, e.g. "memory: cgroup v1
// memory.limit_in_bytes (tier MiB); cpu: cgroup v1 cfs quota (tier vCPU); pids: cgroup v1
// pids.max; disk: not enforced".
QString enforcedLimits();

// "d<8 hex of sha1(dataDir)>": the first part of every cgroup name of sandboxes under dataDir,
// so that leftovers of one data dir can be told from those of other servers on the machine.
QString dataDirKey(const QString &dataDir);

// Removes every cgroup `<hierarchy>/capsule-local/<key>-*` (after a kill -9 nobody else owns them:
// the data dir is locked): thaws it, kills what is left inside, removes the folder. Returns how
// many folders were removed; those that could not be removed are logged.
int removeLeftovers(const QString &key);
// The same for the one cgroup name versions before the data dir key used for a sandbox:
// `<id with [^A-Za-z0-9_.-] as _>-<8 hex of sha1(stateDir)>`. The registry calls it for every
// stored runner at start-up (none is running yet), so an upgrade does not leave them behind.
int removeLegacy(const QString &id, const QString &stateDir);

} // namespace capsule::local::cgroups
