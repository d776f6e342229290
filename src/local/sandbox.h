// A runner's sandbox: bubblewrap + layered filesystem + cgroup, seen from the rest of capsule-local.
// Owned by the host-agent side; the control plane (builds, runners) only uses this surface.
#pragma once

#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

class QProcess;

namespace capsule::local {

struct SandboxSpec
{
    QString id;              // runner id (or build id); also the sandbox hostname
    QString stateDir;        // private folder of this sandbox under --data-dir (created if missing)
    QStringList lowerLayers; // filesystem-change dirs of built layers, parent first
    QString baseRoot = QStringLiteral("/"); // root filesystem of the base image
    QString runnerUser = QStringLiteral("runner");
    bool network = true;     // false: loopback only
    int memoryMb = 0;        // tier limits; 0 = unlimited
    int cpuMillis = 0;
    QMap<QString, QString> env; // extra environment for exec and PTY (e.g. proxy variables)
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

    // Prepares the filesystem and starts the sandbox's init process; false + error on failure.
    bool start(QString *error);
    // Ends every process of the sandbox and releases mounts; the state dir stays on disk.
    void stop();
    bool freeze(QString *error);
    bool thaw(QString *error);
    bool isRunning() const;

    // Starts argv inside the sandbox (as the runner user, or root), cwd default /workspace.
    // The returned QProcess is already started (or failed to start: check its error()); caller owns.
    QProcess *startProcess(const QStringList &argv, const QMap<QString, QString> &env,
                           const QString &workingDir, bool asRoot, QObject *parent = nullptr);

    // Host path that backs an absolute in-sandbox path (no confinement checks here).
    QString hostPath(const QString &sandboxPath) const;
    // This sandbox's own filesystem changes (overlay upper dir): a build's layer result.
    QString changesDir() const;

signals:
    void stopped();

private:
    SandboxSpec m_spec;
    struct Private;
    Private *d = nullptr;
};

} // namespace capsule::local
