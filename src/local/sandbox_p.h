// Internals shared by the sandbox's source files (sandbox.cpp: lifecycle and teardown,
// sandbox_start.cpp: starting, sandbox_fs.cpp: filesystem and paths, sandbox_process.cpp:
// processes inside the sandbox). Not a public header.
#pragma once

#include <memory>

#include "local/network/runner_network.h"
#include "local/sandbox.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFuture>
#include <QList>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <functional>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

namespace capsule::local {

inline const QString kDefaultPath =
    QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

extern QString s_dataDir; // masked in every sandbox; set by cleanStaleMounts()

// An unfinished teardown of the state dir of `spec` or of a sandbox whose changes are one of its
// lower layers (an upper dir must be unmounted before it is stacked below another root); an
// invalid future when there is none. Defined in sandbox.cpp.
QFuture<void> pendingTeardownOf(const SandboxSpec &spec);
// Blocks until there is none (the blocking start()).
void waitForTeardownsOf(const SandboxSpec &spec);

inline bool writeFile(const QString &path, const QByteArray &data)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, data.constData(), data.size()) == data.size();
    ::close(fd);
    return ok;
}

inline QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Pids listed in a cgroup's cgroup.procs.
inline QList<qint64> cgroupPids(const QString &dir)
{
    QList<qint64> pids;
    for (const QByteArray &line : readFile(dir + QStringLiteral("/cgroup.procs")).split('\n')) {
        bool ok = false;
        const qint64 pid = line.trimmed().toLongLong(&ok);
        if (ok)
            pids << pid;
    }
    return pids;
}

// Escapes a path for an overlay lowerdir/upperdir option (',' separates options, ':' layers).
inline QString overlayEscape(QString path)
{
    path.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    path.replace(QLatin1Char(':'), QStringLiteral("\\:"));
    path.replace(QLatin1Char(','), QStringLiteral("\\,"));
    return path;
}

inline bool isUnder(const QString &path, const QString &root)
{
    return path == root || path.startsWith(root + QLatin1Char('/'));
}

inline QString findTool(const QString &name)
{
    QString found = QStandardPaths::findExecutable(name);
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin"), QStringLiteral("/bin"),
                   QStringLiteral("/sbin")});
    return found;
}

struct Sandbox::Private
{
    FsMode mode = FsMode::Overlay;
    QProcess *init = nullptr; // the bwrap process
    qint64 initPid = 0;       // host pid of the sandbox's pid 1 (target of nsenter)
    bool running = false;
    bool stopping = false;
    QStringList mounts; // mount points this sandbox mounted, in mount order
    bool frozen = false;
    int uid = 1000;
    QString home;
    QString upper, work, merged, tmp, varTmp, etc;
    // cgroup directories this sandbox created (empty = not used)
    QString cgV2, cgFreezer, cgMemory, cgCpu, cgPids;
    QString limits;
    QString envBin;         // in-sandbox path of env(1), used for the working directory
    QString setsidBin;      // in-sandbox path of setsid(1), used for PTY sessions
    QList<qint64> launched; // pids of started processes (SIGSTOP fallback, no cgroup)
    QProcess *service = nullptr;
    QString serviceLog;
    // In-sandbox path of setpriv(1): root processes lose capabilities (wrapCommand).
    QString setprivBin;
    // The runner's network namespace: pasta + nftables (local/network/).
    network::RunnerNetwork net;
    // startAsync(): the caller's callback, what the init reported so far, the 10 s deadline.
    std::function<void(const QString &)> startDone;
    QByteArray initInfo, initStatus;
    std::unique_ptr<QTimer> startTimer;
    bool attaching = false; // startAsync: the network is being attached (init is ready)
    // startAsync(): prepare() running on a worker; a stopAsync() meanwhile is deferred.
    bool preparing = false;
    bool stopAfterPrepare = false;
    bool removeAfterPrepare = false;
    QFuture<QString> prepareFuture;

    QList<QByteArray> cgroupProcFiles() const
    {
        QList<QByteArray> files;
        for (const QString &dir : {cgV2, cgFreezer, cgMemory, cgCpu, cgPids})
            if (!dir.isEmpty())
                files << QFile::encodeName(dir + QStringLiteral("/cgroup.procs"));
        return files;
    }
};

// Everything a child needs after fork(): prepared before, so the child only makes syscalls.
struct ChildSetup
{
    QList<QByteArray> cgroupFiles;
    qint64 memoryBytes = 0; // rlimit fallback, 0 = none

    void apply() const
    {
        for (const QByteArray &file : cgroupFiles) {
            const int fd = ::open(file.constData(), O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                (void)!::write(fd, "0", 1);
                ::close(fd);
            }
        }
        if (memoryBytes > 0) {
            struct rlimit rl = {rlim_t(memoryBytes), rlim_t(memoryBytes)};
            ::setrlimit(RLIMIT_AS, &rl);
        }
        ::signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
    }
};

inline ChildSetup childSetup(const QList<QByteArray> &cgroupFiles, const QString &limits,
                             int memoryMb)
{
    ChildSetup setup;
    setup.cgroupFiles = cgroupFiles;
    if (limits.contains(QLatin1String("rlimit AS")))
        setup.memoryBytes = qint64(memoryMb) * 1024 * 1024;
    return setup;
}

} // namespace capsule::local
