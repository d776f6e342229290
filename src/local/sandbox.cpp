// Runner sandbox, lifecycle: one long-lived bwrap "init" per sandbox (stop, freeze, thaw), its
// cgroups and the teardowns on worker threads. Starting it: sandbox_start.cpp. Processes join it
// via nsenter (sandbox_process.cpp).
#include "local/sandbox.h"

#include "local/network/policy.h"
#include "local/sandbox_p.h"

#include "local/api/jsonfields.h"
#include "local/sandbox_cgroups.h"
#include "local/sandbox_util.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

namespace capsule::local {

namespace {

// What a stopped sandbox leaves to clean up, as plain data, so that a worker thread can do it:
// kill what is left in its cgroups, unmount, remove the cgroups (and the state dir).
struct Teardown
{
    QStringList cgroups; // every cgroup dir of the sandbox (empty entries: unused)
    QString cgV2, cgFreezer;
    bool frozen = false;
    QList<qint64> launched;
    QStringList mounts; // in mount order
    QString removeDir;

    // SIGKILLs every process of the sandbox and waits (up to 5 s) until they are gone.
    void killProcesses() const
    {
        if (!cgFreezer.isEmpty())
            writeFile(cgFreezer + QStringLiteral("/freezer.state"), "THAWED");
        QDeadlineTimer deadline(5000);
        for (const QString &dir : cgroups) {
            if (dir.isEmpty())
                continue;
            const bool v2Kill =
                dir == cgV2 && QFileInfo::exists(dir + QStringLiteral("/cgroup.kill"));
            while (!deadline.hasExpired()) {
                const QList<qint64> pids = cgroupPids(dir);
                if (pids.isEmpty())
                    break;
                if (v2Kill)
                    writeFile(dir + QStringLiteral("/cgroup.kill"), "1");
                else
                    for (qint64 pid : pids)
                        ::kill(pid_t(pid), SIGKILL);
                if (dir == cgV2 && frozen)
                    writeFile(dir + QStringLiteral("/cgroup.freeze"), "0");
                QThread::msleep(2);
            }
        }
        // Without cgroups: the processes we started and their descendants.
        for (qint64 pid : launched)
            killTree(pid, SIGKILL);
    }

    void run() const
    {
        killProcesses();
        for (auto it = mounts.crbegin(); it != mounts.crend(); ++it) {
            const QByteArray point = QFile::encodeName(*it);
            // MNT_DETACH only if something still holds it (a process in the middle of exiting).
            if (::umount2(point.constData(), 0) != 0)
                ::umount2(point.constData(), MNT_DETACH);
        }
        for (const QString &dir : cgroups) {
            if (dir.isEmpty())
                continue;
            QDeadlineTimer deadline(3000);
            while (!QDir().rmdir(dir) && !deadline.hasExpired())
                QThread::msleep(5);
        }
        if (!removeDir.isEmpty())
            QDir(removeDir).removeRecursively();
    }
};

// The sandboxes' worker threads (prepare, teardown, freeze): their own pool, so that waiting
// tasks never starve the global one.
QThreadPool *pool()
{
    static QThreadPool *p = [] {
        auto *created = new QThreadPool;
        created->setMaxThreadCount(4);
        return created;
    }();
    return p;
}

// Teardowns running on worker threads, by state dir (created and looked up on the sandboxes'
// thread; the mutex only guards against a second thread using sandboxes, e.g. in tests).
QMutex s_teardownMutex;
QHash<QString, QFuture<void>> s_teardowns;

void startTeardown(const QString &stateDir, const Teardown &plan)
{
    QMutexLocker lock(&s_teardownMutex);
    QFuture<void> previous = s_teardowns.value(stateDir);
    s_teardowns.insert(stateDir, QtConcurrent::run(pool(), [plan, previous]() mutable {
                           previous.waitForFinished(); // one at a time per state dir
                           plan.run();
                       }));
}

// Freezes a sandbox's processes (cgroup v2, else the v1 freezer, else SIGSTOP to what it
// started) and waits (up to 5 s) until the kernel says frozen; "" or the error. Plain data only:
// runs on a worker thread for freezeAsync().
QString freezeCgroup(const QString &v2, const QString &v1, const QList<qint64> &launched)
{
    if (!v2.isEmpty()) {
        writeFile(v2 + QStringLiteral("/cgroup.freeze"), "1");
        QDeadlineTimer deadline(5000);
        while (!readFile(v2 + QStringLiteral("/cgroup.events")).contains("frozen 1")) {
            if (deadline.hasExpired()) {
                writeFile(v2 + QStringLiteral("/cgroup.freeze"), "0");
                return QStringLiteral("the sandbox's cgroup did not freeze in time");
            }
            QThread::msleep(1);
        }
    } else if (!v1.isEmpty()) {
        writeFile(v1 + QStringLiteral("/freezer.state"), "FROZEN");
        QDeadlineTimer deadline(5000);
        while (!readFile(v1 + QStringLiteral("/freezer.state")).startsWith("FROZEN")) {
            if (deadline.hasExpired()) {
                writeFile(v1 + QStringLiteral("/freezer.state"), "THAWED");
                return QStringLiteral("the sandbox's freezer cgroup did not freeze in time");
            }
            QThread::msleep(1);
        }
    } else {
        for (qint64 pid : launched)
            killTree(pid, SIGSTOP);
    }
    return {};
}

} // namespace

// Declared in sandbox_p.h.
QFuture<void> pendingTeardownOf(const SandboxSpec &spec)
{
    QMutexLocker lock(&s_teardownMutex);
    for (auto it = s_teardowns.begin(); it != s_teardowns.end();) {
        if (it.value().isFinished()) {
            it = s_teardowns.erase(it);
            continue;
        }
        if (isUnder(spec.stateDir, it.key()) ||
            std::any_of(spec.lowerLayers.cbegin(), spec.lowerLayers.cend(),
                        [&](const QString &layer) { return isUnder(layer, it.key()); }))
            return it.value();
        ++it;
    }
    return {};
}

void waitForTeardownsOf(const SandboxSpec &spec)
{
    for (QFuture<void> f = pendingTeardownOf(spec); f.isValid(); f = pendingTeardownOf(spec))
        f.waitForFinished();
}

QThreadPool *Sandbox::workerPool()
{
    return pool();
}

void Sandbox::waitForTeardowns()
{
    QList<QFuture<void>> all;
    {
        QMutexLocker lock(&s_teardownMutex);
        all = s_teardowns.values();
        s_teardowns.clear();
    }
    for (QFuture<void> &f : all)
        f.waitForFinished();
    pool()->waitForDone();    // freezes and prepares too
    reapDiscardedProcesses(); // shutdown: no event loop will deliver their finished() any more
}

void Sandbox::removeStateDirAsync(const QString &stateDir)
{
    Teardown plan;
    plan.removeDir = QDir(stateDir).absolutePath();
    startTeardown(plan.removeDir, plan);
}

// ---- lifetime ----

Sandbox::Sandbox(SandboxSpec spec, QObject *parent)
    : QObject(parent)
    , m_spec(std::move(spec))
    , d(std::make_unique<Private>())
{
    if (m_spec.runnerUser.isEmpty())
        m_spec.runnerUser = QStringLiteral("runner");
    if (m_spec.baseRoot.isEmpty())
        m_spec.baseRoot = QStringLiteral("/");
    m_spec.stateDir = QDir(m_spec.stateDir).absolutePath();
    d->mode = fsMode();
    d->home = QStringLiteral("/home/") + m_spec.runnerUser;
    d->upper = m_spec.stateDir + QStringLiteral("/upper");
    d->work = m_spec.stateDir + QStringLiteral("/work");
    d->merged = m_spec.stateDir + QStringLiteral("/root");
    d->tmp = m_spec.stateDir + QStringLiteral("/tmp");
    d->varTmp = m_spec.stateDir + QStringLiteral("/vartmp");
    d->etc = m_spec.stateDir + QStringLiteral("/etc");
}

Sandbox::~Sandbox()
{
    stop();
}

bool Sandbox::isRunning() const
{
    return d->running;
}

int Sandbox::runnerUid() const
{
    return d->uid;
}

QString Sandbox::changesDir() const
{
    return d->upper;
}

QString Sandbox::limitsApplied() const
{
    return d->limits;
}

QString Sandbox::serviceLogPath() const
{
    return d->serviceLog;
}

// A cgroup dir `name` below the hierarchy `root` (created, or a stale one emptied and thawed),
// or "" when the hierarchy is missing or lacks the `probe` file.
static QString makeCgroup(const QString &root, const QString &name, const QString &probe)
{
    if (!QFileInfo::exists(root + QStringLiteral("/cgroup.procs")))
        return {};
    const QString dir = root + QStringLiteral("/capsule-local/") + name;
    if (QFileInfo::exists(dir)) {
        // Stale (a crash): end what is left so the sandbox starts clean.
        for (qint64 pid : cgroupPids(dir))
            ::kill(pid_t(pid), SIGKILL);
        // A runner paused by a server that was then killed leaves its cgroup frozen, and a
        // fork into a frozen cgroup blocks forever: thaw it (v2 / v1 freezer). [localcp]
        writeFile(dir + QStringLiteral("/cgroup.freeze"), "0");
        writeFile(dir + QStringLiteral("/freezer.state"), "THAWED");
    } else if (!QDir().mkpath(dir)) {
        return {};
    }
    if (!probe.isEmpty() && !QFileInfo::exists(dir + QLatin1Char('/') + probe)) {
        QDir().rmdir(dir);
        return {};
    }
    return dir;
}

// <data dir key>-<id>-<hash of state dir>: the key lets start-up remove this data dir's
// leftovers without touching other servers' sandboxes.
QString Sandbox::cgroupName() const
{
    return QStringLiteral("%1-%2-%3")
        .arg(cgroups::dataDirKey(s_dataDir.isEmpty() ? QFileInfo(m_spec.stateDir).path()
                                                     : s_dataDir),
             QString(m_spec.id).replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")),
                                        QStringLiteral("_")),
             QString::fromLatin1(QCryptographicHash::hash(QFile::encodeName(m_spec.stateDir),
                                                          QCryptographicHash::Sha1)
                                     .toHex()
                                     .left(8)));
}

void Sandbox::setupCgroups()
{
    const QString name = cgroupName();
    QStringList applied;
    d->cgV2 = makeCgroup(cgroups::kV2, name, QStringLiteral("cgroup.freeze"));
    if (d->cgV2.isEmpty())
        d->cgFreezer = makeCgroup(cgroups::kV1Freezer, name, QStringLiteral("freezer.state"));
    if (m_spec.pidsMax > 0)
        applied << limitPids(name);
    if (m_spec.memoryMb > 0)
        applied << limitMemory(name);
    if (m_spec.cpuMillis > 0)
        applied << limitCpu(name);
    if (!d->cgV2.isEmpty())
        applied << QStringLiteral("freeze: cgroup v2");
    else if (!d->cgFreezer.isEmpty())
        applied << QStringLiteral("freeze: cgroup v1 freezer");
    else
        applied << QStringLiteral("freeze: SIGSTOP");
    d->limits = applied.join(QStringLiteral(", "));
}

// A fork bomb stops at pids.max (fork fails with EAGAIN) instead of filling the host's process
// table. v2 here has no pids controller: the v1 pids hierarchy is used.
QString Sandbox::limitPids(const QString &name)
{
    const QByteArray max = QByteArray::number(m_spec.pidsMax);
    if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/pids.max")) &&
        writeFile(d->cgV2 + QStringLiteral("/pids.max"), max))
        return QStringLiteral("cgroup v2 pids.max=%1").arg(m_spec.pidsMax);
    d->cgPids = makeCgroup(cgroups::kV1Pids, name, QStringLiteral("pids.max"));
    if (!d->cgPids.isEmpty() && writeFile(d->cgPids + QStringLiteral("/pids.max"), max))
        return QStringLiteral("cgroup v1 pids.max=%1").arg(m_spec.pidsMax);
    return QStringLiteral("pids not limited (no pids cgroup)");
}

QString Sandbox::limitMemory(const QString &name)
{
    const QByteArray bytes = QByteArray::number(qint64(m_spec.memoryMb) * 1024 * 1024);
    if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/memory.max")) &&
        writeFile(d->cgV2 + QStringLiteral("/memory.max"), bytes))
        return QStringLiteral("cgroup v2 memory.max=%1M").arg(m_spec.memoryMb);
    d->cgMemory = makeCgroup(cgroups::kV1Memory, name, QStringLiteral("memory.limit_in_bytes"));
    if (!d->cgMemory.isEmpty() &&
        writeFile(d->cgMemory + QStringLiteral("/memory.limit_in_bytes"), bytes))
        return QStringLiteral("cgroup v1 memory.limit_in_bytes=%1M").arg(m_spec.memoryMb);
    return QStringLiteral("rlimit AS=%1M").arg(m_spec.memoryMb);
}

QString Sandbox::limitCpu(const QString &name)
{
    const qint64 period = 100000;
    const qint64 quota = qMax<qint64>(1000, period * m_spec.cpuMillis / 1000);
    if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/cpu.max")) &&
        writeFile(d->cgV2 + QStringLiteral("/cpu.max"),
                  QByteArray::number(quota) + ' ' + QByteArray::number(period)))
        return QStringLiteral("cgroup v2 cpu.max=%1/%2").arg(quota).arg(period);
    d->cgCpu = makeCgroup(cgroups::kV1Cpu, name, QStringLiteral("cpu.cfs_quota_us"));
    if (!d->cgCpu.isEmpty() &&
        writeFile(d->cgCpu + QStringLiteral("/cpu.cfs_period_us"), QByteArray::number(period)) &&
        writeFile(d->cgCpu + QStringLiteral("/cpu.cfs_quota_us"), QByteArray::number(quota)))
        return QStringLiteral("cgroup v1 cpu.cfs_quota_us=%1/%2").arg(quota).arg(period);
    return QStringLiteral("cpu not limited (no cpu cgroup)");
}

void Sandbox::stop()
{
    teardown(true, false);
}

void Sandbox::stopAsync(bool removeStateDir)
{
    teardown(false, removeStateDir);
}

// Takes every resource of the sandbox (processes, mounts, cgroups) into a Teardown and runs it
// here (`wait`) or on a worker thread; the sandbox is stopped either way when this returns.
void Sandbox::teardown(bool wait, bool removeStateDir)
{
    d->stopping = true;
    d->startDone = nullptr; // a start in progress is abandoned: its callback never runs
    if (d->preparing) {
        // A worker is preparing this sandbox's filesystem: tear down once it is done (or, when
        // waiting - shutdown, destruction - right after it).
        if (!wait) {
            d->stopAfterPrepare = true;
            d->removeAfterPrepare = removeStateDir;
            return;
        }
        d->prepareFuture.waitForFinished();
        d->preparing = false;
        d->stopAfterPrepare = false;
    }
    d->startTimer.reset();
    if (d->service) {
        d->service->disconnect(this);
        d->service = nullptr; // killed with the cgroup; deleted with `this` as its parent
    }
    Teardown plan;
    plan.cgroups = {d->cgV2, d->cgFreezer, d->cgMemory, d->cgCpu, d->cgPids};
    plan.cgV2 = d->cgV2;
    plan.cgFreezer = d->cgFreezer;
    plan.frozen = d->frozen;
    plan.launched = std::exchange(d->launched, {});
    plan.mounts = std::exchange(d->mounts, {});
    if (removeStateDir)
        plan.removeDir = m_spec.stateDir;
    for (QString *dir : {&d->cgV2, &d->cgFreezer, &d->cgMemory, &d->cgCpu, &d->cgPids})
        dir->clear();
    d->net.stop(wait);
    QProcess *init = std::exchange(d->init, nullptr);
    if (init) {
        init->disconnect(this);
        if (wait) {
            plan.killProcesses(); // the init's children first, as before
            if (init->state() != QProcess::NotRunning) {
                init->kill();
                init->waitForFinished(3000);
            }
            delete init;
        } else {
            // SIGKILL now; Qt reaps it and the object goes once it has finished (deleting a
            // running QProcess would wait for it).
            discardProcess(init);
        }
    }
    d->initPid = 0;
    d->frozen = false;
    if (wait)
        plan.run();
    else
        startTeardown(m_spec.stateDir, plan);
    const bool wasRunning = d->running;
    d->running = false;
    if (wasRunning)
        emit stopped();
}

bool Sandbox::freeze(QString *error)
{
    if (!d->running) {
        if (error)
            *error = QStringLiteral("sandbox is not running");
        return false;
    }
    if (d->frozen)
        return true;
    const QString failure = freezeCgroup(d->cgV2, d->cgFreezer, d->launched);
    if (!failure.isEmpty()) {
        if (error)
            *error = failure;
        return false;
    }
    d->frozen = true;
    return true;
}

QFuture<QString> Sandbox::freezeAsync(bool syncFs)
{
    if (!d->running)
        return QtFuture::makeReadyFuture(QStringLiteral("sandbox is not running"));
    if (d->frozen)
        return QtFuture::makeReadyFuture(QString());
    const QString v2 = d->cgV2, v1 = d->cgFreezer;
    const QList<qint64> launched = d->launched;
    const QByteArray changes = QFile::encodeName(d->upper);
    return QtConcurrent::run(pool(), [v2, v1, launched, changes, syncFs]() -> QString {
        if (syncFs) {
            // The sandbox's writes land in its upper dir: flush that filesystem, not all of them.
            const int fd = ::open(changes.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0 || ::syncfs(fd) != 0)
                ::sync();
            if (fd >= 0)
                ::close(fd);
        }
        return freezeCgroup(v2, v1, launched);
    });
}

void Sandbox::setFrozen(bool frozen)
{
    d->frozen = frozen;
}

bool Sandbox::thaw(QString *error)
{
    Q_UNUSED(error);
    if (!d->frozen)
        return true;
    if (!d->cgV2.isEmpty())
        writeFile(d->cgV2 + QStringLiteral("/cgroup.freeze"), "0");
    else if (!d->cgFreezer.isEmpty())
        writeFile(d->cgFreezer + QStringLiteral("/freezer.state"), "THAWED");
    else
        for (qint64 pid : std::as_const(d->launched))
            killTree(pid, SIGCONT);
    d->frozen = false;
    return true;
}

bool Sandbox::setEgressRuleset(const QString &ruleset, QString *error)
{
    if (m_spec.unsafeNoSandbox)
        return true; // no namespace: the host's network (said at start-up)
    return d->net.applyRuleset(ruleset, error);
}

QString Sandbox::networkMode() const
{
    return m_spec.unsafeNoSandbox ? QStringLiteral("host network (--unsafe-no-sandbox)")
                                  : d->net.mode();
}

} // namespace capsule::local
