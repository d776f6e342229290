// Runner registry of capsule-local (contract 2.2 + section 10): allocate, status, list, release,
// pause/resume, connect, quarantine, TTL auto-pause, drain re-homing; also the host agent's view.
#pragma once

#include "local/common.h"
#include "local/httpserver.h"
#include "local/runneraccess.h"
#include "local/states.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <functional>

class QNetworkAccessManager;

namespace capsule::local {

namespace api {
struct AllocateRequest;
}
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

    // Control-plane routes
    void allocate(const HttpRequest &request, const Responder &r);
    void status(const HttpRequest &request, const Responder &r);
    void list(const Responder &r);
    void release(const HttpRequest &request, const Responder &r);
    void pause(const HttpRequest &request, const Responder &r);
    void connectRunner(const HttpRequest &request, const Responder &r);
    void quarantine(const HttpRequest &request, const Responder &r, bool on);
    void hosts(const Responder &r);
    void drain(const QString &hostId, bool on, const Responder &r);
    void snapshots(const Responder &r);
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
        QJsonObject reply;
        bool pending = true;
        QList<Responder> waiters;
    };

    Runner *find(const QString &id) const;
    Runner *findSession(const QString &sessionId) const;
    const HostSlot *host(const QString &id) const;
    QString hostAddress(const QString &hostId) const;
    QJsonObject allocateReply(const Runner &run) const;
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
    void resumeSession(Runner *run, const Responder &r);
    void replyPaused(const Runner &run, const Responder &r);
    void fetchCaCert(Runner *run);
    void save(const Runner &run);
    void forget(const QString &id);
    void tick();
    void finishIdem(const QString &requestId, int status, const QJsonObject &reply,
                    const Headers &headers = {});
    // The steps of allocate(): a repeated request id answered (or queued behind the first), a
    // suspended session resumed or a live one answered, why a config cannot be allocated now
    // (503 text, "" when it can), the new runner record, its start and the idempotent reply.
    bool answerRepeatedRequest(const QString &requestId, const Responder &r);
    bool allocateFromSession(const api::AllocateRequest &req, const Responder &r);
    QString notAllocatable(const ConfigRecord &config, const QString &key) const;
    Runner *createRunner(const api::AllocateRequest &req, const ConfigRecord &config,
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
