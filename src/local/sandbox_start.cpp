// Runner sandbox, start: the asynchronous path (one start prepared per turn of the event loop,
// the filesystem prepared on a worker thread, bwrap's readiness from its output signals, the
// network attached without blocking, failStart) and the blocking start() of tests and tools.
#include "local/sandbox.h"

#include "local/network/policy.h"
#include "local/sandbox_p.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace capsule::local {

namespace {

constexpr int kInitTimeoutMs = 10000;

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

Sandbox::StartQueue &Sandbox::startQueue()
{
    static StartQueue queue;
    return queue;
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
    d->startTimer = std::make_unique<QTimer>();
    d->startTimer->setSingleShot(true);
    connect(d->startTimer.get(), &QTimer::timeout, this, [this] {
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

// bwrap's arguments for the sandbox's root: the overlay root, or (readonly-root mode) the base
// root's top-level entries bound read-only into a tmpfs with writable /workspace and home.
QStringList Sandbox::rootArgs() const
{
    if (d->mode == FsMode::Overlay)
        return {QStringLiteral("--bind"), d->merged, QStringLiteral("/")};
    // bwrap's new root is a tmpfs: bind the base root's top-level entries read-only into
    // it, so that /workspace and /home/<user> can be created as mount points.
    QStringList args;
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
         << QStringLiteral("--bind") << hostPath(d->home) << d->home << QStringLiteral("--ro-bind")
         << d->etc + QStringLiteral("/passwd") << QStringLiteral("/etc/passwd")
         << QStringLiteral("--ro-bind") << d->etc + QStringLiteral("/group")
         << QStringLiteral("/etc/group");
    return args;
}

// Hides capsule-local's data (other runners' layers and state) from the sandbox.
QStringList Sandbox::maskArgs() const
{
    QStringList args;
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
    return args;
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
    args += rootArgs();
    args << QStringLiteral("--proc") << QStringLiteral("/proc") << QStringLiteral("--dev")
         << QStringLiteral("/dev") << QStringLiteral("--tmpfs") << QStringLiteral("/dev/shm")
         << QStringLiteral("--ro-bind-try") << QStringLiteral("/sys") << QStringLiteral("/sys")
         << QStringLiteral("--bind") << d->tmp << QStringLiteral("/tmp") << QStringLiteral("--bind")
         << d->varTmp << QStringLiteral("/var/tmp");
    args += d->net.bwrapArgs(m_spec.stateDir, m_spec.network);
    args += maskArgs();
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
        d->startTimer.reset();
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

} // namespace capsule::local
