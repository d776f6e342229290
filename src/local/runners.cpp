// Runner registry of capsule-local: the runner routes of contract 2.2 and section 10, sandboxes
// per runner, sessions that survive pause and restarts, and the host agent's RunnerAccess.
#include "local/runners.h"
#include "local/api/json.h"
#include "local/runners_p.h"

#include "local/configs.h"
#include "local/logging.h"
#include "local/metrics.h"
#include "local/sandbox.h"
#include "local/sandbox_cgroups.h"
#include "local/store.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSysInfo>
#include <QThread>
#include <QUrlQuery>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>
#include <QtDebug>
#include <memory>

#include <unistd.h>

namespace capsule::local {

// ---------------------------------------------------------------- record

QJsonObject Runner::toJson() const
{
    return {{s("id"), id},
            {s("host_id"), hostId},
            {s("session_id"), sessionId},
            {s("workload_key"), workloadKey},
            {s("config_id"), configId},
            {s("state"), toWire(state)},
            {s("created_at"), createdAt},
            {s("paused_at"), pausedAt},
            {s("labels"), labels},
            {s("proxy_addr"), proxyAddr},
            {s("ca_cert_port"), caCertPort},
            {s("tenant_id"), tenantId},
            {s("ca_cert_status"), caCertStatus},
            {s("network_policy_preset"), networkPolicyPreset},
            {s("network_policy_json"), networkPolicyJson},
            {s("network"), network},
            {s("ttl"), ttl},
            {s("auto_pause"), autoPause},
            {s("tier"), tier},
            {s("state_dir"), stateDir},
            {s("layer"), layer},
            {s("snapshot_size"), snapshotSize},
            {s("pause_count"), pauseCount},
            {s("resumed"), resumed},
            {s("quarantine_reason"), quarantineReason},
            {s("lower_layers"), QJsonArray::fromStringList(lowerLayers)},
            {s("base_root"), baseRoot},
            {s("runner_user"), runnerUser},
            {s("start_command"), startCommand},
            {s("env"), stringMap(host.env)}};
}

Runner Runner::fromJson(const QJsonObject &o)
{
    Runner r;
    r.id = o.value(s("id")).toString();
    r.hostId = o.value(s("host_id")).toString();
    r.sessionId = o.value(s("session_id")).toString();
    r.workloadKey = o.value(s("workload_key")).toString();
    r.configId = o.value(s("config_id")).toString();
    r.state = runnerStateFromWire(o.value(s("state")).toString()).value_or(RunnerState::Terminated);
    r.createdAt = o.value(s("created_at")).toString();
    r.pausedAt = o.value(s("paused_at")).toString();
    r.labels = o.value(s("labels")).toObject();
    r.proxyAddr = o.value(s("proxy_addr")).toString();
    r.caCertPort = o.value(s("ca_cert_port")).toInt();
    r.tenantId = o.value(s("tenant_id")).toString();
    r.caCertStatus = o.value(s("ca_cert_status")).toString();
    r.networkPolicyPreset = o.value(s("network_policy_preset")).toString();
    r.networkPolicyJson = o.value(s("network_policy_json")).toString();
    r.network = o.value(s("network")).toBool(true);
    r.ttl = o.value(s("ttl")).toInt();
    r.autoPause = o.value(s("auto_pause")).toBool();
    r.tier = o.value(s("tier")).toString();
    r.stateDir = o.value(s("state_dir")).toString();
    r.layer = o.value(s("layer")).toString();
    r.snapshotSize = o.value(s("snapshot_size")).toInteger();
    r.pauseCount = o.value(s("pause_count")).toInt();
    r.resumed = o.value(s("resumed")).toBool();
    r.quarantineReason = o.value(s("quarantine_reason")).toString();
    for (const QJsonValue &v : o.value(s("lower_layers")).toArray())
        r.lowerLayers << v.toString();
    r.baseRoot = o.value(s("base_root")).toString(s("/"));
    r.runnerUser = o.value(s("runner_user")).toString(s("runner"));
    r.startCommand = o.value(s("start_command")).toObject();
    const QJsonObject env = o.value(s("env")).toObject();
    for (auto it = env.begin(); it != env.end(); ++it)
        r.host.env.insert(it.key(), it.value().toString());
    r.host.id = r.id;
    r.host.runnerUser = r.runnerUser;
    r.host.startCommand = r.startCommand;
    return r;
}

// ---------------------------------------------------------------- registry

RunnerRegistry::RunnerRegistry(Store *store, ConfigService *configs, const ServerOptions &options,
                               QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_configs(configs)
    , m_options(options)
    , m_nam(new QNetworkAccessManager(this))
{
    // The upstream CP checks idle runners every 5 s; a finer tick keeps short TTLs accurate.
    m_ttlTimer.setInterval(250);
    connect(&m_ttlTimer, &QTimer::timeout, this, &RunnerRegistry::tick);
    m_ttlTimer.start();
}

RunnerRegistry::~RunnerRegistry()
{
    stopAll();
    qDeleteAll(m_runners);
}

void RunnerRegistry::addHost(const QString &id, const QString &address)
{
    m_hosts.append(HostSlot{id, address, false});
}

void RunnerRegistry::load()
{
    qCInfo(lcRunners).noquote() << "capsule-local: disk sizes of configs are" << kDiskQuotaNotice;
    for (const QJsonObject &o : m_store->all(s("runners"))) {
        auto run = std::make_unique<Runner>(Runner::fromJson(o));
        if (run->id.isEmpty())
            continue;
        cgroups::removeLegacy(run->id, run->stateDir); // named before the data dir key
        // A runner's processes die with the server; only sessions can come back. A session that
        // was paused once and then resumed (pauseCount > 0) is a session like a suspended one:
        // its state dir holds its files, so it comes back suspended (as after a pause now) and
        // the next allocate with its session id boots it again on that state dir. A runner
        // that was never paused, or is quarantined, is terminated.
        if (run->state != RunnerState::Suspended && run->state != RunnerState::Terminated) {
            if (run->pauseCount > 0 && run->state != RunnerState::Quarantined &&
                QFileInfo(run->stateDir).isDir()) {
                run->pauseCount++;
                run->pausedAt = nowRfc3339();
                run->snapshotSize = diskUsage(run->stateDir + s("/upper"));
                run->layer = QStringLiteral("session/%1/snapshot-%2")
                                 .arg(run->sessionId)
                                 .arg(run->pauseCount);
                run->state = RunnerState::Suspended;
                qCInfo(lcRunners).noquote()
                    << "runner" << run->id << "of session" << run->sessionId
                    << "was live when the server stopped: kept as suspended";
            } else {
                run->state = RunnerState::Terminated;
            }
            save(*run);
        }
        if (!host(run->hostId) && !m_hosts.isEmpty())
            run->hostId = m_hosts.first().id;
        const QString id = run->id;
        m_runners.insert(id, run.release()); // the registry owns its records (qDeleteAll)
    }
}

void RunnerRegistry::stopAll()
{
    for (Runner *run : std::as_const(m_runners)) {
        if (!run->sandbox && !run->starting)
            continue;
        stopSandbox(run, false, true);
        if (run->state != RunnerState::Suspended) {
            run->state = RunnerState::Terminated;
            save(*run);
        }
    }
    Sandbox::waitForTeardowns(); // no worker thread outlives the registry
}

Runner *RunnerRegistry::find(const QString &id) const
{
    return m_runners.value(id, nullptr);
}

Runner *RunnerRegistry::findSession(const QString &sessionId) const
{
    Runner *best = nullptr;
    for (Runner *run : m_runners) {
        if (run->sessionId != sessionId || run->state == RunnerState::Terminated)
            continue;
        best = run;
        if (run->state != RunnerState::Suspended)
            return run; // a live runner bound to the session wins
    }
    return best;
}

const HostSlot *RunnerRegistry::host(const QString &id) const
{
    for (const HostSlot &h : m_hosts)
        if (h.id == id)
            return &h;
    return nullptr;
}

QString RunnerRegistry::hostAddress(const QString &hostId) const
{
    const HostSlot *h = host(hostId);
    return h ? h->address : QString();
}

void RunnerRegistry::save(const Runner &run)
{
    m_store->put(s("runners"), run.id, run.toJson());
}

void RunnerRegistry::forget(const QString &id)
{
    const std::unique_ptr<Runner> run(m_runners.take(id));
    m_store->remove(s("runners"), id);
    if (!run)
        return;
    for (const auto &w : std::as_const(run->readyWaiters))
        w(s("runner was released"));
}

AllocateReply RunnerRegistry::allocateReply(const Runner &run) const
{
    AllocateReply reply;
    reply.runnerId = run.id;
    reply.hostId = run.hostId;
    reply.hostAddress = hostAddress(run.hostId);
    reply.sessionId = run.sessionId;
    reply.resumed = run.resumed;
    reply.proxyAddr = run.proxyAddr;
    reply.caCertPort = run.caCertPort;
    reply.tenantId = run.tenantId;
    return reply;
}

QString RunnerRegistry::pickHost(const QString &preferred, QString *error) const
{
    QList<const HostSlot *> ready;
    for (const HostSlot &h : m_hosts)
        if (!h.draining)
            ready << &h;
    if (ready.isEmpty()) {
        *error = s("no available hosts");
        return {};
    }
    QHash<QString, int> load;
    for (const Runner *run : m_runners)
        if (run->state != RunnerState::Terminated && run->state != RunnerState::Suspended)
            load[run->hostId]++;
    for (const HostSlot *h : ready)
        if (h->id == preferred && load.value(h->id) < m_options.maxRunnersPerHost)
            return h->id;
    const HostSlot *best = nullptr;
    for (const HostSlot *h : ready)
        if (load.value(h->id) < m_options.maxRunnersPerHost &&
            (!best || load.value(h->id) < load.value(best->id)))
            best = h;
    if (!best) {
        *error = s("no host with sufficient capacity");
        return {};
    }
    return best->id;
}

// ---------------------------------------------------------------- status / list / release

Result<RunnerStatus> RunnerRegistry::status(const QString &runnerId) const
{
    const Runner *run = find(runnerId);
    if (!run || run->state == RunnerState::Terminated)
        return ServiceError::notFound(s("runner not found"));
    if (run->state == RunnerState::Booting || run->state == RunnerState::Pausing)
        return RunnerStatus{runnerId, RunnerStatus::Phase::Pending, {}};
    if (run->state == RunnerState::Suspended)
        return RunnerStatus{runnerId, RunnerStatus::Phase::Suspended, {}};
    // busy and (upstream quirk, 2.2) quarantined both read as ready.
    return RunnerStatus{runnerId, RunnerStatus::Phase::Ready, hostAddress(run->hostId)};
}

QList<const Runner *> RunnerRegistry::runners() const
{
    QList<const Runner *> runs(m_runners.begin(), m_runners.end());
    std::sort(runs.begin(), runs.end(), [](const Runner *a, const Runner *b) {
        return a->createdAt == b->createdAt ? a->id < b->id : a->createdAt < b->createdAt;
    });
    return runs;
}

void RunnerRegistry::release(const QString &runnerId)
{
    if (Runner *run = find(runnerId)) {
        // Release does not delete a suspended session: it resumes from its state dir.
        const bool keep = run->state == RunnerState::Suspended;
        stopSandbox(run, !keep);
        if (keep)
            save(*run);
        else
            forget(runnerId);
    }
    Metrics::instance().runnerOperation(s("release"), true);
}

// ---------------------------------------------------------------- pause / connect / quarantine

void RunnerRegistry::pause(const QString &runnerId, bool syncFs, ResultCallback<PauseReply> done)
{
    Runner *run = find(runnerId);
    if (!run || run->state == RunnerState::Terminated)
        return done(ServiceError::notFound(s("runner not found")));
    if (run->state == RunnerState::Suspended)
        return done(pauseReply(*run));
    if (run->state != RunnerState::Busy)
        return done(ServiceError::failed(QStringLiteral("cannot pause runner %1: runner is %2")
                                             .arg(runnerId, toWire(run->state))));
    pauseRunner(run, syncFs, [this, runnerId, done](const QString &error) {
        const Runner *run = find(runnerId);
        if (!error.isEmpty() || !run)
            return done(ServiceError::failed(QStringLiteral("pause failed: %1").arg(error)));
        done(pauseReply(*run));
    });
}

PauseReply RunnerRegistry::pauseReply(const Runner &run)
{
    // The number of the session's snapshot layer this pause wrote (an int, as the host agent
    // and the SDK's PauseResult.layer have it).
    return {run.sessionId, run.snapshotSize, run.pauseCount};
}

void RunnerRegistry::connectRunner(const QString &runnerId, ResultCallback<AllocateReply> done)
{
    Runner *run = find(runnerId);
    if (!run || run->state == RunnerState::Terminated)
        return done(ServiceError::notFound(s("runner not found")));
    if (run->state == RunnerState::Suspended)
        return resumeSession(run, std::move(done));
    if (run->state == RunnerState::Booting) {
        bringUp(run, [this, runnerId, done](const QString &error) {
            const Runner *run = find(runnerId);
            if (!error.isEmpty() || !run)
                return done(
                    ServiceError::unavailable(error.isEmpty() ? s("runner was released") : error));
            done(allocateReply(*run));
        });
        return;
    }
    AllocateReply reply = allocateReply(*run);
    reply.resumed = false;
    done(reply);
}

Result<QuarantineReply> RunnerRegistry::quarantine(const QuarantineRequest &request)
{
    Runner *run = find(request.runnerId);
    if (!run || run->state == RunnerState::Terminated)
        return ServiceError::notFound(QStringLiteral("runner not found: %1").arg(request.runnerId));
    if (run->state == RunnerState::Suspended || run->state == RunnerState::Booting ||
        run->state == RunnerState::Pausing)
        return QuarantineReply{
            false, QStringLiteral("runner is %1").arg(toWire(run->state)), {}, {}};
    return request.on ? quarantineOn(run, request) : quarantineOff(run, request);
}

Result<QuarantineReply> RunnerRegistry::quarantineOn(Runner *run, const QuarantineRequest &request)
{
    run->quarantineReason = request.reason;
    run->state = RunnerState::Quarantined;
    if (m_closeSessions)
        m_closeSessions(run->hostId, run->id);
    if (request.blockEgress) {
        run->egressBlocked = true;
        QString netError;
        if (run->sandbox && !run->sandbox->setEgressRuleset(egressRuleset(*run), &netError))
            return QuarantineReply{false, netError, {}, {}};
    }
    QString error;
    if (request.pauseVm && run->sandbox && !run->frozen) {
        if (run->sandbox->freeze(&error))
            run->frozen = true;
    }
    const QString dir = run->stateDir + s("/quarantine");
    QDir().mkpath(dir);
    save(*run);
    return QuarantineReply{true,
                           {},
                           dir,
                           error.isEmpty() ? QString()
                                           : QStringLiteral("freeze failed: %1").arg(error)};
}

Result<QuarantineReply> RunnerRegistry::quarantineOff(Runner *run, const QuarantineRequest &request)
{
    if (run->state != RunnerState::Quarantined)
        return QuarantineReply{};
    QString error;
    if (request.resumeVm && run->sandbox && run->frozen) {
        if (!run->sandbox->thaw(&error))
            return QuarantineReply{false, QStringLiteral("thaw failed: %1").arg(error), {}, {}};
        run->frozen = false;
    }
    if (run->egressBlocked && request.unblockEgress) {
        run->egressBlocked = false;
        if (run->sandbox && !run->sandbox->setEgressRuleset(egressRuleset(*run), &error))
            return QuarantineReply{false, error, {}, {}};
    }
    run->quarantineReason = QString();
    run->state = RunnerState::Busy;
    run->lastActivityMs = nowMs();
    save(*run);
    return QuarantineReply{};
}

// ---------------------------------------------------------------- TTL

void RunnerRegistry::tick()
{
    const qint64 now = nowMs();
    for (Runner *run : std::as_const(m_runners)) {
        if (run->state != RunnerState::Busy || !run->autoPause || run->ttl <= 0)
            continue;
        if (now - run->lastActivityMs < qint64(run->ttl) * 1000)
            continue;
        const QString id = run->id;
        const int ttl = run->ttl;
        pauseRunner(run, false, [id, ttl](const QString &error) {
            if (error.isEmpty())
                qCInfo(lcRunners).noquote() << "runner" << id << "idle for" << ttl << "s: paused";
            else
                qCWarning(lcRunners).noquote() << "runner" << id << "auto-pause failed:" << error;
        });
    }
}

// ---------------------------------------------------------------- RunnerAccess

void RunnerRegistry::acquireRunner(const QString &hostId, const QString &id, AcquireCallback done)
{
    Runner *run = find(id);
    if (!run || (run->hostId != hostId && run->state != RunnerState::Terminated))
        return done(ServiceError::notFound(QStringLiteral("runner not found: %1").arg(id)));
    if (run->state == RunnerState::Quarantined || run->state == RunnerState::Terminated)
        return done(ServiceError::conflict(QStringLiteral("runner is %1").arg(toWire(run->state))));
    if (run->state == RunnerState::Pausing)
        return done(ServiceError::conflict(s("runner unavailable: runner is pausing")));
    run->lastActivityMs = nowMs();
    if (run->state == RunnerState::Busy && run->sandbox)
        return done(&run->host);
    const bool resuming = run->state == RunnerState::Suspended;
    bringUp(run, [this, id, resuming, done](const QString &error) {
        Runner *run = find(id);
        if (!error.isEmpty() || !run)
            return done(ServiceError::unavailable(
                (resuming ? s("auto-resume failed: ") : s("runner unavailable: ")) +
                (error.isEmpty() ? s("runner was released") : error)));
        if (resuming)
            run->resumed = true;
        done(&run->host);
    });
}

void RunnerRegistry::noteActivity(const QString &id)
{
    if (Runner *run = find(id))
        run->lastActivityMs = nowMs();
}

bool RunnerRegistry::isHostDraining(const QString &hostId) const
{
    const HostSlot *h = host(hostId);
    return h && h->draining;
}

int RunnerRegistry::runnersOnHost(const QString &hostId) const
{
    int n = 0;
    for (const Runner *run : m_runners) {
        if (run->hostId == hostId &&
            (run->state == RunnerState::Booting || run->state == RunnerState::Busy ||
             run->state == RunnerState::Quarantined))
            ++n;
    }
    return n;
}

} // namespace capsule::local
