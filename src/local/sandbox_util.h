// Small process and mount helpers of the sandbox (Linux /proc based).
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

class QProcess;

namespace capsule::local {

// Direct children of `pid` (all its threads), from /proc/<pid>/task/*/children.
QList<qint64> childPids(qint64 pid);
// `pid` and all its descendants (collected first, then signalled parents first).
void killTree(qint64 pid, int sig);
// A mount point field of /proc/self/mountinfo with its octal escapes (\040 ...) decoded.
QString unescapeMountPath(const QByteArray &field);
// Sends SIGKILL to a process that is no longer wanted and deletes the object once Qt has reaped
// it, without waiting (deleting a running QProcess would block until it ends). Its signals to
// other objects are disconnected first.
void discardProcess(QProcess *process);
// At shutdown, when no event loop runs: waits (up to 3 s each) for the discarded processes that
// are still running and deletes them.
void reapDiscardedProcesses();

} // namespace capsule::local
