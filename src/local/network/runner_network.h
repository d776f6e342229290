// A runner's network: its own namespace (bwrap --unshare-net, always), egress through pasta
// (user-mode networking, no access to the host's loopback) and an nftables ruleset loaded inside
// that namespace. Without pasta or nft a runner keeps an isolated loopback-only namespace.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

class QProcess;

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
    // Replaces the ruleset in the namespace (quarantine, unquarantine).
    bool applyRuleset(const QString &ruleset, QString *error);
    void stop();
    // "pasta" / "loopback only (...)" / "" before attach().
    QString mode() const { return m_mode; }

private:
    int m_nsFd = -1;             // the runner's network namespace, kept open for applyRuleset()
    QProcess *m_pasta = nullptr; // pasta, in the foreground (our child)
    qint64 m_pastaPid = 0;
    QString m_mode;
};

} // namespace capsule::local::network
