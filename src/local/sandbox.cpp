// Runner sandbox, lifecycle: one long-lived bwrap "init" per sandbox (start, stop, freeze,
// thaw) and its cgroups. Processes join it via nsenter (sandbox_process.cpp).
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

constexpr int kInitTimeoutMs = 10000;

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

// An unfinished teardown of the state dir of `spec` or of a sandbox whose changes are one of its
// lower layers (an upper dir must be unmounted before it is stacked below another root).
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

// Sandbox starts waiting for their turn. Preparing one (mkdir, overlay mount, passwd, cgroups)
// and forking bwrap take a few milliseconds, more on a loaded machine; twenty allocations sent
// at once used to be prepared back to back in one turn of the event loop, stalling every exec
// and PTY stream for their sum. A zero timer takes one per turn, so sockets are served between
// two starts.
class Sandbox::StartQueue
{
public:
    void enqueue(Sandbox *sandbox)
    {
        m_queue.append(sandbox);
        if (!m_timer) {
            m_timer = new QTimer; // lives as long as the process (the queue is static)
            m_timer->setInterval(0);
            QObject::connect(m_timer, &QTimer::timeout, m_timer, [this] { next(); });
        }
        m_timer->start();
    }

private:
    void next()
    {
        while (!m_queue.isEmpty()) {
            const QPointer<Sandbox> sandbox = m_queue.takeFirst();
            if (sandbox) {
                sandbox->beginStart();
                break;
            }
        }
        if (m_queue.isEmpty())
            m_timer->stop();
    }

    QList<QPointer<Sandbox>> m_queue;
    QTimer *m_timer = nullptr;
};

QThreadPool *Sandbox::workerPool()
{
    return pool();
}

Sandbox::StartQueue &Sandbox::startQueue()
{
    static StartQueue queue;
    return queue;
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
    , d(new Private)
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
    delete d;
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

bool Sandbox::start(QString *error)
{
    QString localError;
    if (!error)
        error = &localError;
    if (d->running)
        return true;
    waitForTeardownsOf(m_spec);
    if (!prepare(error)) {
        stop();
        return false;
    }
    if (!m_spec.unsafeNoSandbox && !(launchInit(error) && waitInit(error))) {
        stop();
        return false;
    }
    d->running = true;
    return true;
}

void Sandbox::startAsync(std::function<void(const QString &error)> done)
{
    if (d->running) {
        QTimer::singleShot(0, this, [done] { done(QString()); });
        return;
    }
    const QFuture<void> pending = pendingTeardownOf(m_spec);
    if (pending.isValid()) {
        // A stopped sandbox on our state dir or lower layers is still unmounting: start after.
        auto *watcher = new QFutureWatcher<void>(this);
        connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher, done] {
            watcher->deleteLater();
            startAsync(done);
        });
        watcher->setFuture(pending);
        return;
    }
    // Queued: one start is prepared per turn of the event loop (see StartQueue).
    d->startDone = std::move(done);
    startQueue().enqueue(this);
}

// Prepares the filesystem of a queued startAsync() on a worker thread (mount(2) waits for the
// kernel's mount lock, which every new sandbox's namespace copy also takes), then launches the
// init from the event loop.
void Sandbox::beginStart()
{
    if (!d->startDone)
        return; // stopped while queued
    d->preparing = true;
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher] {
        watcher->deleteLater();
        d->preparing = false;
        if (d->stopAfterPrepare) { // stopAsync() while preparing
            d->stopAfterPrepare = false;
            teardown(false, std::exchange(d->removeAfterPrepare, false));
            return;
        }
        launchPrepared(watcher->result());
    });
    d->prepareFuture = QtConcurrent::run(workerPool(), [this] {
        QString error;
        return prepare(&error) ? QString() : error;
    });
    watcher->setFuture(d->prepareFuture);
}

void Sandbox::launchPrepared(const QString &prepareError)
{
    if (!d->startDone)
        return;
    QString error = prepareError;
    if (!error.isEmpty()) {
        failStart(error);
        return;
    }
    if (m_spec.unsafeNoSandbox) {
        d->running = true;
        auto done = std::exchange(d->startDone, {});
        QTimer::singleShot(0, this, [done] { done(QString()); });
        return;
    }
    if (!launchInit(&error)) {
        failStart(error);
        return;
    }
    // bwrap reports on both channels (see waitInit); every piece of output is looked at, and a
    // timer bounds the whole start like the blocking variant's deadline.
    connect(d->init, &QProcess::readyReadStandardOutput, this, &Sandbox::onInitProgress);
    connect(d->init, &QProcess::readyReadStandardError, this, &Sandbox::onInitProgress);
    connect(d->init, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart && d->startDone)
            failStart(QStringLiteral("cannot start bwrap: %1").arg(d->init->errorString()));
    });
    d->startTimer = new QTimer(this);
    d->startTimer->setSingleShot(true);
    connect(d->startTimer, &QTimer::timeout, this, [this] {
        if (d->startDone)
            failStart(QStringLiteral("bwrap did not start within 10 s: %1")
                          .arg(QString::fromLocal8Bit(d->initStatus).trimmed()));
    });
    d->startTimer->start(kInitTimeoutMs);
}

// Fails a startAsync(): stops what was prepared and reports from the event loop (never from
// inside a signal of the init process, which the callback may delete with the sandbox).
void Sandbox::failStart(const QString &error)
{
    auto done = std::exchange(d->startDone, {});
    d->attaching = false;
    teardown(false, false); // on the worker pool: the loop keeps serving other runners
    if (done)
        QTimer::singleShot(0, this, [done, error] { done(error); });
}

void Sandbox::setupCgroups()
{
    // <data dir key>-<id>-<hash of state dir>: the key lets start-up remove this data dir's
    // leftovers without touching other servers' sandboxes.
    const QString name =
        QStringLiteral("%1-%2-%3")
            .arg(cgroups::dataDirKey(s_dataDir.isEmpty() ? QFileInfo(m_spec.stateDir).path()
                                                         : s_dataDir),
                 QString(m_spec.id).replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")),
                                            QStringLiteral("_")),
                 QString::fromLatin1(QCryptographicHash::hash(QFile::encodeName(m_spec.stateDir),
                                                              QCryptographicHash::Sha1)
                                         .toHex()
                                         .left(8)));
    auto make = [&](const QString &root, const QString &probe) -> QString {
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
    };
    QStringList applied;
    d->cgV2 = make(cgroups::kV2, QStringLiteral("cgroup.freeze"));
    if (d->cgV2.isEmpty())
        d->cgFreezer = make(cgroups::kV1Freezer, QStringLiteral("freezer.state"));
    if (m_spec.pidsMax > 0) {
        // A fork bomb stops at pids.max (fork fails with EAGAIN) instead of filling the host's
        // process table. v2 here has no pids controller: the v1 pids hierarchy is used.
        const QByteArray max = QByteArray::number(m_spec.pidsMax);
        if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/pids.max")) &&
            writeFile(d->cgV2 + QStringLiteral("/pids.max"), max)) {
            applied << QStringLiteral("cgroup v2 pids.max=%1").arg(m_spec.pidsMax);
        } else {
            d->cgPids = make(cgroups::kV1Pids, QStringLiteral("pids.max"));
            if (!d->cgPids.isEmpty() && writeFile(d->cgPids + QStringLiteral("/pids.max"), max))
                applied << QStringLiteral("cgroup v1 pids.max=%1").arg(m_spec.pidsMax);
            else
                applied << QStringLiteral("pids not limited (no pids cgroup)");
        }
    }
    if (m_spec.memoryMb > 0) {
        const QByteArray bytes = QByteArray::number(qint64(m_spec.memoryMb) * 1024 * 1024);
        if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/memory.max")) &&
            writeFile(d->cgV2 + QStringLiteral("/memory.max"), bytes)) {
            applied << QStringLiteral("cgroup v2 memory.max=%1M").arg(m_spec.memoryMb);
        } else {
            d->cgMemory = make(cgroups::kV1Memory, QStringLiteral("memory.limit_in_bytes"));
            if (!d->cgMemory.isEmpty() &&
                writeFile(d->cgMemory + QStringLiteral("/memory.limit_in_bytes"), bytes))
                applied
                    << QStringLiteral("cgroup v1 memory.limit_in_bytes=%1M").arg(m_spec.memoryMb);
            else
                applied << QStringLiteral("rlimit AS=%1M").arg(m_spec.memoryMb);
        }
    }
    if (m_spec.cpuMillis > 0) {
        const qint64 period = 100000;
        const qint64 quota = qMax<qint64>(1000, period * m_spec.cpuMillis / 1000);
        if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/cpu.max")) &&
            writeFile(d->cgV2 + QStringLiteral("/cpu.max"),
                      QByteArray::number(quota) + ' ' + QByteArray::number(period))) {
            applied << QStringLiteral("cgroup v2 cpu.max=%1/%2").arg(quota).arg(period);
        } else {
            d->cgCpu = make(cgroups::kV1Cpu, QStringLiteral("cpu.cfs_quota_us"));
            if (!d->cgCpu.isEmpty() &&
                writeFile(d->cgCpu + QStringLiteral("/cpu.cfs_period_us"),
                          QByteArray::number(period)) &&
                writeFile(d->cgCpu + QStringLiteral("/cpu.cfs_quota_us"),
                          QByteArray::number(quota)))
                applied
                    << QStringLiteral("cgroup v1 cpu.cfs_quota_us=%1/%2").arg(quota).arg(period);
            else
                applied << QStringLiteral("cpu not limited (no cpu cgroup)");
        }
    }
    if (!d->cgV2.isEmpty())
        applied << QStringLiteral("freeze: cgroup v2");
    else if (!d->cgFreezer.isEmpty())
        applied << QStringLiteral("freeze: cgroup v1 freezer");
    else
        applied << QStringLiteral("freeze: SIGSTOP");
    d->limits = applied.join(QStringLiteral(", "));
}

bool Sandbox::launchInit(QString *error)
{
    QStringList args{QStringLiteral("--unshare-pid"),
                     QStringLiteral("--unshare-uts"),
                     QStringLiteral("--unshare-ipc"),
                     QStringLiteral("--hostname"),
                     m_spec.id,
                     QStringLiteral("--die-with-parent"),
                     QStringLiteral("--unshare-net")}; // always: see local/network/
    if (d->mode == FsMode::Overlay) {
        args << QStringLiteral("--bind") << d->merged << QStringLiteral("/");
    } else {
        // bwrap's new root is a tmpfs: bind the base root's top-level entries read-only into
        // it, so that /workspace and /home/<user> can be created as mount points.
        const QDir base(m_spec.baseRoot);
        static const QStringList skip{QStringLiteral("proc"), QStringLiteral("dev"),
                                      QStringLiteral("sys"),  QStringLiteral("tmp"),
                                      QStringLiteral("home"), QStringLiteral("workspace")};
        for (const QFileInfo &entry : base.entryInfoList(QDir::AllEntries | QDir::Hidden |
                                                         QDir::System | QDir::NoDotAndDotDot)) {
            if (skip.contains(entry.fileName()))
                continue;
            const QString inside = QLatin1Char('/') + entry.fileName();
            if (entry.isSymLink())
                args << QStringLiteral("--symlink")
                     << entry.symLinkTarget().replace(
                            m_spec.baseRoot == QLatin1String("/") ? QString() : m_spec.baseRoot,
                            QString())
                     << inside;
            else
                args << QStringLiteral("--ro-bind-try") << entry.absoluteFilePath() << inside;
        }
        args << QStringLiteral("--tmpfs") << QStringLiteral("/home") << QStringLiteral("--bind")
             << hostPath(QStringLiteral("/workspace")) << QStringLiteral("/workspace")
             << QStringLiteral("--bind") << hostPath(d->home) << d->home
             << QStringLiteral("--ro-bind") << d->etc + QStringLiteral("/passwd")
             << QStringLiteral("/etc/passwd") << QStringLiteral("--ro-bind")
             << d->etc + QStringLiteral("/group") << QStringLiteral("/etc/group");
    }
    args << QStringLiteral("--proc") << QStringLiteral("/proc") << QStringLiteral("--dev")
         << QStringLiteral("/dev") << QStringLiteral("--tmpfs") << QStringLiteral("/dev/shm")
         << QStringLiteral("--ro-bind-try") << QStringLiteral("/sys") << QStringLiteral("/sys")
         << QStringLiteral("--bind") << d->tmp << QStringLiteral("/tmp") << QStringLiteral("--bind")
         << d->varTmp << QStringLiteral("/var/tmp");
    args += d->net.bwrapArgs(m_spec.stateDir, m_spec.network);
    // Hide capsule-local's data (other runners' layers and state) from the sandbox.
    QStringList masks{QFileInfo(m_spec.stateDir).path()};
    if (!s_dataDir.isEmpty())
        masks << s_dataDir;
    for (const QString &mask : masks) {
        if (mask == QLatin1String("/") || isUnder(mask, QStringLiteral("/tmp")) ||
            isUnder(mask, QStringLiteral("/var/tmp")) || isUnder(mask, QStringLiteral("/proc")) ||
            isUnder(mask, QStringLiteral("/dev")) || !QFileInfo(hostPath(mask)).isDir())
            continue;
        args << QStringLiteral("--tmpfs") << mask;
    }
    args << QStringLiteral("--info-fd") << QStringLiteral("1") << QStringLiteral("--")
         << QStringLiteral("/bin/sh") << QStringLiteral("-c")
         << QStringLiteral("echo capsule-sandbox-ready >&2; exec sleep infinity");

    d->init = new QProcess(this);
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"), kDefaultPath);
    d->init->setProcessEnvironment(env);
    d->init->setProcessChannelMode(QProcess::SeparateChannels);
    const ChildSetup setup = childSetup(d->cgroupProcFiles(), d->limits, m_spec.memoryMb);
    d->init->setChildProcessModifier([setup] { setup.apply(); });
    connect(d->init, &QProcess::finished, this, [this] {
        if (d->stopping)
            return;
        if (d->startDone) { // died while starting
            onInitProgress();
            return;
        }
        // The sandbox's pid 1 died underneath us: the sandbox is gone.
        d->running = false;
        d->initPid = 0;
        emit stopped();
    });
    d->initInfo.clear();
    d->initStatus.clear();
    d->init->start(findTool(QStringLiteral("bwrap")), args);
    Q_UNUSED(error); // failures to exec arrive as errorOccurred(FailedToStart) / waitForStarted()
    return true;
}

// bwrap writes {"child-pid": N, ...} to the info fd (our stdout) as soon as the namespaces exist;
// the payload reports on stderr once it runs inside the new root (bwrap closes the info fd in the
// child). True once both arrived (initPid set).
static bool initReady(QProcess *init, QByteArray *info, QByteArray *status, qint64 *initPid)
{
    static const QByteArray marker("capsule-sandbox-ready\n");
    *info += init->readAllStandardOutput();
    *status += init->readAllStandardError();
    const qint64 pid =
        QJsonDocument::fromJson(*info).object().value(QStringLiteral("child-pid")).toInteger();
    if (!status->contains(marker) || pid <= 0)
        return false;
    *initPid = pid;
    return true;
}

void Sandbox::onInitProgress()
{
    if (!d->startDone || !d->init)
        return;
    if (d->attaching) { // init was ready; only its end matters now
        if (d->init->state() == QProcess::NotRunning)
            failStart(QStringLiteral("bwrap exited while its network was attached: %1")
                          .arg(QString::fromLocal8Bit(d->initStatus).trimmed()));
        return;
    }
    if (initReady(d->init, &d->initInfo, &d->initStatus, &d->initPid)) {
        QObject::disconnect(d->init, &QProcess::readyReadStandardOutput, this,
                            &Sandbox::onInitProgress);
        QObject::disconnect(d->init, &QProcess::readyReadStandardError, this,
                            &Sandbox::onInitProgress);
        delete std::exchange(d->startTimer, nullptr);
        d->launched << d->init->processId();
        // The network comes up without blocking the loop; a teardown meanwhile abandons it.
        d->attaching = true;
        d->net.attachAsync(d->initPid, m_spec.network, egressRuleset(), d->cgroupProcFiles(),
                           m_spec.stateDir, m_spec.hostLoopbackPorts, this,
                           [this](const QString &netError) {
                               d->attaching = false;
                               if (!d->startDone)
                                   return;
                               if (!netError.isEmpty())
                                   return failStart(netError);
                               d->running = true;
                               auto done = std::exchange(d->startDone, {});
                               QTimer::singleShot(0, this, [done] { done(QString()); });
                           });
    } else if (d->init->state() == QProcess::NotRunning) {
        failStart(QStringLiteral("bwrap did not start: %1")
                      .arg(QString::fromLocal8Bit(d->initStatus).trimmed()));
    }
}

// The blocking variant (start()). waitForReadyRead() only wakes for the current read channel, so
// it waits on the channel whose data is still missing: waiting on the wrong one cost a full
// timeout on every sandbox start.
bool Sandbox::waitInit(QString *error)
{
    if (!d->init->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start bwrap: %1").arg(d->init->errorString());
        return false;
    }
    QDeadlineTimer deadline(kInitTimeoutMs);
    while (!deadline.hasExpired()) {
        if (initReady(d->init, &d->initInfo, &d->initStatus, &d->initPid))
            break;
        const bool ready = d->initStatus.contains("capsule-sandbox-ready\n");
        d->init->setReadChannel(ready ? QProcess::StandardOutput : QProcess::StandardError);
        if (d->init->state() == QProcess::NotRunning)
            break;
        d->init->waitForReadyRead(100);
    }
    if (d->initPid <= 0) {
        *error = QStringLiteral("bwrap did not start: %1")
                     .arg(QString::fromLocal8Bit(d->initStatus + d->init->readAllStandardError())
                              .trimmed());
        return false;
    }
    d->launched << d->init->processId();
    return attachNetwork(error);
}

// Gives the new namespace its network: the egress ruleset, then pasta (local/network/).
bool Sandbox::attachNetwork(QString *error)
{
    return d->net.attach(d->initPid, m_spec.network, egressRuleset(), d->cgroupProcFiles(),
                         m_spec.stateDir, m_spec.hostLoopbackPorts, error);
}

QString Sandbox::egressRuleset() const
{
    return m_spec.egressRuleset.isEmpty() ? network::compilePolicy(QString(), QJsonObject()).ruleset
                                          : m_spec.egressRuleset;
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
    delete std::exchange(d->startTimer, nullptr);
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
