// A runner's network: its own namespace (bwrap --unshare-net, always), egress through pasta
// (user-mode networking, no access to the host's loopback) and an nftables ruleset loaded inside
// that namespace. Without pasta or nft a runner keeps an isolated loopback-only namespace.
#pragma once

#include <memory>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

class QObject;
class QProcess;
class QTimer;

namespace capsule::local::network {

struct Support
{
    QString pasta; // path of pasta(1), empty when missing
    QString nft;   // path of nft(8), empty when missing
    bool egress() const { return !pasta.isEmpty() && !nft.isEmpty(); }
    // One line for /api/v1/hosts and the start-up log, e.g. "namespace per runner, egress via
    // pasta, policies via nftables" or "... loopback only: pasta (passt) is not installed".
    QString status() const;
};
const Support &support();
void logSupport(); // once, at server start-up

class RunnerNetwork
{
public:
    RunnerNetwork() = default;
    ~RunnerNetwork();
    RunnerNetwork(const RunnerNetwork &) = delete;
    RunnerNetwork &operator=(const RunnerNetwork &) = delete;

    // bwrap arguments for the runner's root: its /etc/resolv.conf (pointing at the pasta DNS
    // forwarder) when it will have egress. Written under `stateDir`.
    QStringList bwrapArgs(const QString &stateDir, bool egress);
    // After the sandbox's init `initPid` exists: loads `ruleset` in its namespace and, with
    // egress, starts pasta there (joining the cgroups `cgroupProcFiles`, so that the sandbox's
    // stop and the start-up cleanup end it too). False + error when the ruleset cannot be
    // loaded; a pasta failure leaves the runner loopback-only (logged, see mode()).
    // `hostLoopbackPorts` (TCP) are the only host loopback ports the runner reaches, at its own
    // 127.0.0.1 (pasta -T; the runner's proxy_addr).
    bool attach(qint64 initPid, bool egress, const QString &ruleset,
                const QList<QByteArray> &cgroupProcFiles, const QString &stateDir,
                const QList<int> &hostLoopbackPorts, QString *error);
    // The same without blocking (the server's event loop serves every other runner meanwhile):
    // nft and pasta run as QProcess children whose signals, and a 2 ms poll of the namespace's
    // routes, drive the steps; `done` gets "" or the error, from the event loop of `context`.
    // stop() abandons an attach under way (its `done` never runs).
    void attachAsync(qint64 initPid, bool egress, const QString &ruleset,
                     const QList<QByteArray> &cgroupProcFiles, const QString &stateDir,
                     const QList<int> &hostLoopbackPorts, QObject *context,
                     std::function<void(const QString &error)> done);
    // Replaces the ruleset in the namespace (quarantine, unquarantine).
    bool applyRuleset(const QString &ruleset, QString *error);
    // Ends pasta and closes the namespace; `wait` false: SIGKILL and let Qt reap it later.
    void stop(bool wait = true);
    // "pasta" / "loopback only (...)" / "" before attach().
    QString mode() const { return m_mode; }

private:
    bool openNamespace(qint64 initPid, QString *error, bool wait = true); // stop(wait) first
    void startPastaAsync(qint64 initPid, const QString &stateDir,
                         const QList<QByteArray> &cgroupProcFiles,
                         const QList<int> &hostLoopbackPorts, QObject *context,
                         std::function<void(const QString &error)> done);
    void pastaReady(const QString &stateDir);
    void pastaFailed(const QString &stateDir); // logs; the runner stays loopback-only

    QByteArray m_nsPath;            // /proc/<init>/ns/net
    quint64 m_serial = 0;           // bumped by stop(): callbacks of an abandoned attach do nothing
    QProcess *m_nft = nullptr;      // the ruleset being loaded by attachAsync()
    std::unique_ptr<QTimer> m_poll; // attachAsync(): waits for pasta's route
    int m_nsFd = -1;                // the runner's network namespace, kept open for applyRuleset()
    QProcess *m_pasta = nullptr;    // pasta, in the foreground (our child)
    qint64 m_pastaPid = 0;
    QString m_mode;
};

} // namespace capsule::local::network
