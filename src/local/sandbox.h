// A runner's sandbox: bubblewrap + layered filesystem + cgroup, seen from the rest of
// capsule-local. Owned by the host-agent side; the control plane (builds, runners) only uses this
// surface.
#pragma once

#include <memory>

#include <QFuture>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>

class QProcess;

namespace capsule::local {

struct SandboxSpec
{
    QString id;              // runner id (or build id); also the sandbox hostname
    QString stateDir;        // private folder of this sandbox under --data-dir (created if missing)
    QStringList lowerLayers; // filesystem-change dirs of built layers, parent first
    QString baseRoot = QStringLiteral("/"); // root filesystem of the base image
    QString runnerUser = QStringLiteral("runner");
    bool network = true; // egress through pasta; false: loopback only. Always its own netns.
    // nft ruleset for the runner's namespace (network::compilePolicy); empty: the default policy
    QString egressRuleset;
    // Host loopback TCP ports reachable at the runner's own 127.0.0.1 (pasta -T): proxy_addr.
    QList<int> hostLoopbackPorts;
    int memoryMb = 0; // tier limits; 0 = unlimited
    int cpuMillis = 0;
    int pidsMax = 1024;         // processes + threads in the sandbox's pids cgroup; 0 = unlimited
    QMap<QString, QString> env; // extra environment for exec and PTY (e.g. proxy variables)
    // --unsafe-no-sandbox: processes run on the host without bwrap (no isolation at all); the
    // filesystem layout (overlay, path mapping of /workspace, /tmp, home) is kept.
    bool unsafeNoSandbox = false;
};

class Sandbox : public QObject
{
    Q_OBJECT
public:
    enum class FsMode { Overlay, ReadOnlyRoot };
    static FsMode fsMode();                 // what this machine supports
    static QString fsModeName(FsMode mode); // "overlay" / "readonly-root"
    static bool bubblewrapAvailable();

    explicit Sandbox(SandboxSpec spec, QObject *parent = nullptr);
    ~Sandbox() override; // stops everything

    const SandboxSpec &spec() const { return m_spec; }

    // Prepares the filesystem and starts the sandbox's init process, waiting (up to 10 s) until
    // it runs; false + error on failure. Blocks: for tests and tools, never in the server.
    bool start(QString *error);
    // The same without blocking: the filesystem is prepared at once (a few quick syscalls), the
    // init is launched, and `done` runs from the event loop once it is ready ("") or failed (the
    // reason; the sandbox is then stopped). If a sandbox on the same state dir (or one whose
    // changes are a lower layer of this one) is still being torn down by stopAsync(), the start
    // waits for that first, without blocking. `done` is dropped if the sandbox is stopped or
    // deleted before.
    void startAsync(std::function<void(const QString &error)> done);
    // Ends every process of the sandbox and releases mounts, waiting for it (shutdown, tests);
    // the state dir stays on disk.
    void stop();
    // The same without blocking: the processes are sent SIGKILL at once, waiting for them to go,
    // unmounting and removing the cgroups run on a worker thread; with `removeStateDir` the state
    // dir is deleted after that. The sandbox is stopped (and may be deleted) when this returns.
    void stopAsync(bool removeStateDir = false);
    bool freeze(QString *error); // blocks until frozen (up to 5 s; usually ~1 ms)
    bool thaw(QString *error);
    // Freezes on a worker thread (after sync_fs: syncfs(2) of the state dir's filesystem, when
    // `syncFs`); the future's result is "" or the error. The caller calls setFrozen(true) on
    // success, from its own thread, if the sandbox is still the one it froze.
    QFuture<QString> freezeAsync(bool syncFs);
    void setFrozen(bool frozen);
    bool isRunning() const;
    // Shutdown: waits for every teardown that stopAsync() left on worker threads.
    static void waitForTeardowns();
    // Deletes a state dir on a worker thread, after any pending teardown of it (a released
    // runner without a sandbox).
    static void removeStateDirAsync(const QString &stateDir);

    // Starts argv inside the sandbox (as the runner user, or root), cwd default /workspace.
    // The returned QProcess is already started (or failed to start: check its error(); then
    // errorString() is the "start failed" reason); caller owns. Environment: processEnvironment().
    QProcess *startProcess(const QStringList &argv, const QMap<QString, QString> &env,
                           const QString &workingDir, bool asRoot, QObject *parent = nullptr);

    // Host path that backs an absolute in-sandbox path (no confinement checks here).
    QString hostPath(const QString &sandboxPath) const;
    // This sandbox's own filesystem changes (overlay upper dir): a build's layer result.
    QString changesDir() const;

    // --- additions by the host-agent side ---
    // The runner user's uid/gid inside the sandbox (an existing entry of the layered root's
    // /etc/passwd, else the first free uid >= 1000); valid after start().
    int runnerUid() const;
    // Resolves symlinks of an absolute, cleaned in-sandbox path INSIDE the sandbox root (an
    // absolute link target restarts at the sandbox root, never at the host's); a missing tail
    // is kept as is (resolution via the deepest existing ancestor). Returns the in-sandbox path.
    QString resolvePath(const QString &sandboxPath) const;
    // An O_PATH fd of the sandbox's root as its processes see it (/proc/<init>/root: their mount
    // namespace), for race-free file access (rootfs.h); -1 + errno when not running or with
    // unsafeNoSandbox. Caller closes.
    int openRootDir() const;
    // Why argv cannot start (Go-like "exec: ...: executable file not found in $PATH",
    // "chdir /x: no such file or directory"), or empty. startProcess()/startPty() check it too.
    QString checkStart(const QStringList &argv, const QMap<QString, QString> &env,
                       const QString &workingDir) const;
    // The environment a process gets: PATH/HOME/USER/LOGNAME + spec().env + `env`, where PATH
    // entries of `env` are appended to the default PATH and HOME is forced to the user's home.
    QMap<QString, QString> processEnvironment(const QMap<QString, QString> &env, bool asRoot) const;
    // Sends `sig` to the process `pid` that startProcess()/startPty() started and to what runs
    // inside the sandbox on its behalf (the nsenter child); used for timeouts, signals, hangups.
    void signalProcess(qint64 pid, int sig) const;
    // Starts a process on a new pseudo-terminal (new session, controlling tty) inside the sandbox,
    // as the runner user. Environment exactly TERM=xterm-256color, HOME, USER, default PATH, then
    // spec().env and `env`. Returns the pid (caller reaps it with waitpid) and the PTY master fd
    // (non-blocking; caller closes it), or -1 + error (the reason, without "pty start failed").
    qint64 startPty(const QStringList &argv, const QMap<QString, QString> &env,
                    const QString &workingDir, int cols, int rows, int *masterFd, QString *error);
    // The config's start_command ({"command":[...],"port","env","run_as"}): started once when the
    // runner becomes ready (the registry calls this; the host agent also calls it lazily, it is
    // idempotent). Output goes to serviceLogPath(). False + error if it could not start.
    bool startService(const QJsonObject &startCommand, const QMap<QString, QString> &env,
                      QString *error);
    QString serviceLogPath() const; // empty while no start command was started
    // A non-blocking, unconnected TCP socket created inside the sandbox's network namespace (so
    // 127.0.0.1 is the sandbox's loopback even with network false), or -1 + error. Caller owns.
    int openTcpSocket(QString *error) const;
    // Replaces the nftables ruleset in the sandbox's network namespace (quarantine block_egress,
    // unquarantine); false + error if nft refused it.
    bool setEgressRuleset(const QString &ruleset, QString *error);
    // "pasta", "loopback only (why)", ... (valid after start()).
    QString networkMode() const;
    // What resource limits were applied at start(), e.g. "cgroup v2 memory.max=512M cpu.max=...".
    QString limitsApplied() const;
    // Unmounts leftovers of earlier runs (after a kill -9) below `dataDir`; call once at start-up.
    // Also remembers `dataDir` so that sandboxes never see it (it is masked by an empty tmpfs).
    static void cleanStaleMounts(const QString &dataDir);

signals:
    void stopped();

private:
    void setupCgroups();
    QString cgroupName() const;
    // One limit each: its cgroup (v2, else v1) or fallback; the text for limitsApplied().
    QString limitPids(const QString &cgroupName);
    QString limitMemory(const QString &cgroupName);
    QString limitCpu(const QString &cgroupName);
    bool mountRoot(QString *error);
    bool prepare(QString *error);
    QStringList rootArgs() const; // bwrap arguments of the root filesystem
    QStringList maskArgs() const; // bwrap arguments hiding the data dir
    bool launchInit(QString *error);
    bool waitInit(QString *error);
    bool attachNetwork(QString *error); // blocking start() only; startAsync() uses attachAsync
    QString egressRuleset() const;      // the spec's, or the default policy's
    void onInitProgress();
    void failStart(const QString &error);
    void beginStart();
    void launchPrepared(const QString &prepareError);
    static class QThreadPool *workerPool();
    class StartQueue;
    static StartQueue &startQueue();
    void teardown(bool wait, bool removeStateDir);
    QStringList wrapCommand(const QStringList &argv, const QString &workingDir, bool asRoot,
                            const QMap<QString, QString> &env) const;
    QProcess *launch(const QStringList &argv, const QMap<QString, QString> &env,
                     const QString &workingDir, bool asRoot, const QString &logFile,
                     QObject *parent);

    SandboxSpec m_spec;
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace capsule::local
