// Runner registry of capsule-local (contract 2.2 + section 10): allocate, status, list, release,
// pause/resume, connect, quarantine, TTL auto-pause, drain re-homing; also the host agent's view.
// A domain service: typed requests in (local/requests.h), typed results out (local/service.h);
// the HTTP routes that call it are api/runnersapi.*.
#pragma once

#include "local/common.h"
#include "local/requests.h"
#include "local/runneraccess.h"
#include "local/service.h"
#include "local/states.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <functional>

class QNetworkAccessManager;

namespace capsule::local {

struct ConfigRecord;
class ConfigService;
class Sandbox;
class Store;

struct Runner
{
    QString id;
    QString hostId;
    QString sessionId;
    QString workloadKey;
    QString configId;
    RunnerState state = RunnerState::Booting;
    QString createdAt;
    QString pausedAt;
    QJsonObject labels;
    QString proxyAddr;
    int caCertPort = 0;
    QString tenantId;
    QString caCertStatus; // "", "fetched", "failed: ..."
    QString networkPolicyPreset;
    QString networkPolicyJson;
    bool network = true;
    int ttl = 0;
    bool autoPause = false;
    QString tier;
    QString stateDir;
    QString layer;
    qint64 snapshotSize = 0;
    int pauseCount = 0;
    bool resumed = false;
    QString quarantineReason;
    bool egressBlocked = false; // quarantine with block_egress: deny-all ruleset loaded
    QStringList lowerLayers;
    QString baseRoot = QStringLiteral("/");
    QString runnerUser = QStringLiteral("runner");
    QJsonObject startCommand;

    // Runtime only
    Sandbox *sandbox = nullptr;
    Sandbox *starting = nullptr; // a sandbox whose startAsync() has not reported yet
    bool frozen = false;
    qint64 lastActivityMs = 0;
    HostRunner host;
    QList<std::function<void(const QString &error)>> readyWaiters;

    QJsonObject toJson() const;
    static Runner fromJson(const QJsonObject &o);
};

// What allocate and connect answer (contract 2.2 + section 10).
struct AllocateReply
{
    QString runnerId;
    QString hostId;
    QString hostAddress;
    QString sessionId;
    bool resumed = false;
    QString proxyAddr; // "" when the runner has no proxy (then no ca_cert_port either)
    int caCertPort = 0;
    QString tenantId;
};

// A runner as GET /runners/status reports it.
struct RunnerStatus
{
    enum class Phase { Pending, Suspended, Ready };
    QString runnerId;
    Phase phase = Phase::Pending;
    QString hostAddress; // Ready only
};

// What a pause recorded (also for a runner that was already suspended).
struct PauseReply
{
    QString sessionId;
    qint64 snapshotSizeBytes = 0;
    int layer = 0; // the number of the session's snapshot layer
};

// The outcome of quarantine/unquarantine: as upstream, a refusal in the runner's state is an
// answer (success == false), not an error.
struct QuarantineReply
{
    bool success = true;
    QString error;         // success == false
    QString quarantineDir; // quarantine only
    QString warning;       // e.g. the freeze failed
};

// GET /api/v1/hosts: this machine through each host listener.
struct HostReport
{
    QString id;
    QString address;
    bool draining = false;
    int idleRunners = 0;
    int busyRunners = 0;
};
struct HostsReport
{
    QList<HostReport> hosts;
    qint64 totalCpuMillicores = 0;
    qint64 usedCpuMillicores = 0;
    qint64 totalMemoryMb = 0;
    qint64 usedMemoryMb = 0;
    // The local section: sandbox and filesystem mode, disk quota note, network, limits.
    QString sandbox;
    QString filesystem;
    QString diskQuota;
    QString network;
    QString limits;
    int pidsPerRunner = 0;
    QString baseImage;
};

struct DrainReply
{
    QString hostId;
    bool draining = false;
    int moved = 0;
};

class RunnerRegistry : public QObject, public RunnerAccess
{
    Q_OBJECT
public:
    RunnerRegistry(Store *store, ConfigService *configs, const ServerOptions &options,
                   QObject *parent = nullptr);
    ~RunnerRegistry() override;

    void addHost(const QString &id, const QString &address);
    void setSessionCloser(std::function<void(const QString &hostId, const QString &runnerId)> f)
    {
        m_closeSessions = std::move(f);
    }
    void load();
    void stopAll(); // shutdown: every sandbox ends

    // Operations of the runner routes. Asynchronous ones report through `done` exactly once
    // (possibly before returning); a request whose client went away is still completed.

    // A new runner, a repeated request id (answered like the first, or after it), or a session
    // (a live one answered, a suspended one resumed). Errors: NotFound (unknown key),
    // Unavailable (not built, building, policy, start failed), NoCapacity.
    void allocate(AllocateRequest request, ResultCallback<AllocateReply> done);
    Result<RunnerStatus> status(const QString &runnerId) const;
    // Every runner record, oldest first (the listing).
    QList<const Runner *> runners() const;
    // Stops the runner; a suspended session is kept resumable. Unknown ids are fine.
    void release(const QString &runnerId);
    // Errors: NotFound, Failed (not busy, or the freeze failed).
    void pause(const QString &runnerId, bool syncFs, ResultCallback<PauseReply> done);
    // Errors: NotFound, NoCapacity, Unavailable (the resume or boot failed).
    void connectRunner(const QString &runnerId, ResultCallback<AllocateReply> done);
    // Errors: NotFound; refusals in the runner's state are a reply with success == false.
    Result<QuarantineReply> quarantine(const QuarantineRequest &request);
    HostsReport hosts() const;
    // Errors: NotFound.
    Result<DrainReply> drain(const QString &hostId, bool on);
    // Suspended sessions (the snapshot listing).
    QList<const Runner *> snapshots() const;
    QString hostAddress(const QString &hostId) const;

    // Read-only views for the fleet and metrics routes (fleet.*, metrics.*).
    const QList<HostSlot> &hostSlots() const { return m_hosts; }
    const QHash<QString, Runner *> &runnerRecords() const { return m_runners; }

    // RunnerAccess
    void acquireRunner(const QString &hostId, const QString &id, AcquireCallback done) override;
    void noteActivity(const QString &id) override;
    bool isHostDraining(const QString &hostId) const override;
    int runnersOnHost(const QString &hostId) const override;

private:
    struct Idem
    {
        qint64 atMs = 0;
        QString runnerId;
        AllocateReply reply;
        bool pending = true;
        QList<ResultCallback<AllocateReply>> waiters;
    };

    Runner *find(const QString &id) const;
    Runner *findSession(const QString &sessionId) const;
    const HostSlot *host(const QString &id) const;
    AllocateReply allocateReply(const Runner &run) const;
    QString pickHost(const QString &preferred, QString *error) const;
    // Starts (or thaws) the runner's sandbox; `done` gets "" or an error text.
    void bringUp(Runner *run, std::function<void(const QString &error)> done);
    void startSandbox(Runner *run);
    void adoptSandbox(Runner *run, Sandbox *sandbox);
    void finishBringUp(Runner *run, const QString &error);
    // Closes sessions, freezes (on a worker thread, after sync_fs when asked) and records the
    // pause; `done` gets "" or the error. The runner is `pausing` meanwhile.
    void pauseRunner(Runner *run, bool syncFs, std::function<void(const QString &error)> done);
    // Ends the runner's sandbox (or its start in progress) without blocking: the teardown runs
    // on a worker thread; with `removeStateDir` the state dir goes after it. `wait`: shutdown.
    void stopSandbox(Runner *run, bool removeStateDir = false, bool wait = false);
    void resumeSession(Runner *run, ResultCallback<AllocateReply> done);
    static PauseReply pauseReply(const Runner &run);
    Result<QuarantineReply> quarantineOn(Runner *run, const QuarantineRequest &request);
    Result<QuarantineReply> quarantineOff(Runner *run, const QuarantineRequest &request);
    void fetchCaCert(Runner *run);
    void save(const Runner &run);
    void forget(const QString &id);
    void tick();
    void finishIdem(const QString &requestId, const Result<AllocateReply> &result);
    // The steps of allocate(): a repeated request id answered (or queued behind the first), a
    // suspended session resumed or a live one answered, why a config cannot be allocated now
    // (the Unavailable message, "" when it can), the new runner record, its start and the
    // idempotent reply.
    bool answerRepeatedRequest(const QString &requestId, const ResultCallback<AllocateReply> &done);
    bool allocateFromSession(const AllocateRequest &req, const ResultCallback<AllocateReply> &done);
    QString notAllocatable(const ConfigRecord &config, const QString &key) const;
    Runner *createRunner(const AllocateRequest &req, const ConfigRecord &config,
                         const QString &hostId, const QString &preset, const QJsonObject &policy);
    void bringUpAllocated(const QString &id, const QString &requestId);

    Store *m_store;
    ConfigService *m_configs;
    ServerOptions m_options;
    QList<HostSlot> m_hosts;
    QHash<QString, Runner *> m_runners;
    QHash<QString, Idem> m_idem;
    QTimer m_ttlTimer;
    QNetworkAccessManager *m_nam = nullptr;
    std::function<void(const QString &, const QString &)> m_closeSessions;
};

} // namespace capsule::local
