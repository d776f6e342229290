// Runner registry, allocate (contract 2.2 + section 10): validation, idempotency by request id,
// session resume, network policy, host choice.
#include "local/api/json.h"
#include "local/network/policy.h"
#include "local/runners.h"
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

#include <unistd.h>

namespace capsule::local {

// ---------------------------------------------------------------- allocate

void RunnerRegistry::finishIdem(const QString &requestId, const Result<AllocateReply> &result)
{
    auto it = m_idem.find(requestId);
    if (it == m_idem.end())
        return;
    const QList<ResultCallback<AllocateReply>> waiters = std::exchange(it->waiters, {});
    if (result.ok()) {
        it->pending = false;
        it->reply = result.value();
        it->runnerId = result.value().runnerId;
    } else {
        m_idem.erase(it); // failures are not cached
    }
    for (const ResultCallback<AllocateReply> &w : waiters)
        w(result);
}

namespace {

// The network policy a new runner gets: request JSON beats request preset beats the config's.
struct ResolvedPolicy
{
    QString preset;
    QJsonObject policy;
    network::Policy compiled;
};

// False + the Unavailable message (contract 2.2) when the policy JSON does not parse or does not
// compile.
bool resolvePolicy(const AllocateRequest &req, const QJsonObject &cfg, ResolvedPolicy *out,
                   QString *error)
{
    out->preset = req.networkPolicyPreset;
    if (!req.networkPolicyJson.isEmpty()) {
        QJsonParseError err;
        const QJsonDocument d = QJsonDocument::fromJson(req.networkPolicyJson.toUtf8(), &err);
        if (err.error != QJsonParseError::NoError || !d.isObject()) {
            *error = QStringLiteral("invalid network_policy_json: %1")
                         .arg(err.error != QJsonParseError::NoError ? err.errorString()
                                                                    : s("expected a JSON object"));
            return false;
        }
        out->policy = d.object();
    } else if (out->preset.isEmpty()) {
        out->preset = cfg.value(s("network_policy_preset")).toString();
        if (cfg.value(s("network_policy")).isObject())
            out->policy = cfg.value(s("network_policy")).toObject();
    }
    // Checked now and enforced in the runner's namespace (local/network/).
    out->compiled = network::compilePolicy(out->preset, out->policy);
    *error = out->compiled.error;
    return error->isEmpty();
}

} // namespace

void RunnerRegistry::allocate(AllocateRequest req, ResultCallback<AllocateReply> done)
{
    if (req.requestId.isEmpty())
        req.requestId = newId();
    if (answerRepeatedRequest(req.requestId, done) || allocateFromSession(req, done))
        return;

    const ConfigRecord *config = m_configs->configForKey(req.workloadKey);
    if (!config)
        return done(ServiceError::notFound(
            QStringLiteral("workload_key %1 not found").arg(req.workloadKey)));
    if (const QString why = notAllocatable(*config, req.workloadKey); !why.isEmpty())
        return done(ServiceError::unavailable(why));
    ResolvedPolicy policy;
    QString error;
    if (!resolvePolicy(req, config->config(), &policy, &error))
        return done(ServiceError::unavailable(error));
    const QString hostId = pickHost(QString(), &error);
    if (hostId.isEmpty()) {
        Metrics::instance().runnerOperation(s("allocate"), false); // no capacity
        return done(ServiceError::noCapacity(error + s(" for tier ") + config->tier));
    }

    Runner *run = createRunner(req, *config, hostId, policy.preset, policy.policy);
    run->network = policy.compiled.egress;
    m_runners.insert(run->id, run);
    save(*run);
    m_idem.insert(req.requestId, Idem{nowMs(), run->id, {}, true, {std::move(done)}});
    if (!run->proxyAddr.isEmpty())
        fetchCaCert(run);
    bringUpAllocated(run->id, req.requestId);
}

bool RunnerRegistry::answerRepeatedRequest(const QString &requestId,
                                           const ResultCallback<AllocateReply> &done)
{
    const qint64 now = nowMs();
    for (auto it = m_idem.begin(); it != m_idem.end();) {
        if (!it->pending && now - it->atMs > kIdempotencyMs)
            it = m_idem.erase(it);
        else
            ++it;
    }
    auto it = m_idem.find(requestId);
    if (it == m_idem.end())
        return false;
    if (it->pending) {
        it->waiters.append(done); // a concurrent duplicate waits for the first
        return true;
    }
    const Runner *run = find(it->runnerId);
    if (run && run->state != RunnerState::Terminated) {
        done(it->reply);
        return true;
    }
    m_idem.erase(it);
    return false;
}

bool RunnerRegistry::allocateFromSession(const AllocateRequest &req,
                                         const ResultCallback<AllocateReply> &done)
{
    Runner *run = req.sessionId.isEmpty() ? nullptr : findSession(req.sessionId);
    if (!run)
        return false;
    if (run->state != RunnerState::Suspended) {
        AllocateReply reply = allocateReply(*run);
        reply.resumed = false;
        done(reply);
        return true;
    }
    const QString requestId = req.requestId;
    m_idem.insert(requestId, Idem{nowMs(), run->id, {}, true, {done}});
    // Resume: the session's stored key, TTL, policy and runner id win.
    QString error;
    const QString hostId = pickHost(run->hostId, &error);
    if (hostId.isEmpty()) {
        finishIdem(requestId, ServiceError::noCapacity(error + s(" for tier ") + run->tier));
        return true;
    }
    run->hostId = hostId;
    const QString id = run->id;
    bringUp(run, [this, id, requestId](const QString &error) {
        Runner *run = find(id);
        if (!error.isEmpty() || !run)
            return finishIdem(requestId, ServiceError::unavailable(
                                             error.isEmpty() ? s("runner was released") : error));
        run->resumed = true;
        save(*run);
        finishIdem(requestId, allocateReply(*run));
    });
    return true;
}

QString RunnerRegistry::notAllocatable(const ConfigRecord &config, const QString &key) const
{
    switch (m_configs->readiness(config)) {
    case ConfigService::Readiness::Building:
        return QStringLiteral("workload_key %1 is still building; retry shortly").arg(key);
    case ConfigService::Readiness::NotBuilt:
        return QStringLiteral("workload_key %1 has no built version; build config %2 first")
            .arg(key, config.id);
    case ConfigService::Readiness::Ready:
        break;
    }
    if (!Sandbox::bubblewrapAvailable() && !m_options.unsafeNoSandbox)
        return s("bubblewrap (bwrap) is not installed: runners need it (install bubblewrap or "
                 "start capsule-local with --unsafe-no-sandbox)");
    return {};
}

Runner *RunnerRegistry::createRunner(const AllocateRequest &req, const ConfigRecord &config,
                                     const QString &hostId, const QString &preset,
                                     const QJsonObject &policy)
{
    const QJsonObject cfg = config.config();
    auto *run = new Runner;
    run->id = newId();
    run->hostId = hostId;
    run->sessionId = req.sessionId.isEmpty() ? newId() : req.sessionId;
    run->workloadKey = req.workloadKey;
    run->configId = config.id;
    run->createdAt = nowRfc3339();
    run->labels = stringMap(req.labels);
    run->networkPolicyPreset = preset;
    run->networkPolicyJson =
        policy.isEmpty() ? QString()
                         : QString::fromUtf8(QJsonDocument(policy).toJson(QJsonDocument::Compact));
    run->ttl = int(cfg.value(s("ttl")).toInteger());
    run->autoPause = cfg.value(s("auto_pause")).toBool();
    run->tier = config.tier;
    run->stateDir = m_options.dataDir + s("/runners/") + run->id;
    run->lowerLayers = m_configs->lowerLayers(config);
    run->baseRoot = m_configs->baseRoot(config);
    run->runnerUser = cfg.value(s("runner_user")).toString();
    if (run->runnerUser.isEmpty())
        run->runnerUser = s("runner");
    run->startCommand = config.definition.value(s("start_command")).toObject();
    run->proxyAddr = req.proxyAddr;
    run->tenantId = req.tenantId;
    if (!run->proxyAddr.isEmpty()) {
        run->caCertPort = req.caCertPort > 0 ? req.caCertPort : 8443;
        const QString url = QStringLiteral("http://%1@%2").arg(run->sessionId, run->proxyAddr);
        for (const char *k : {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"})
            run->host.env.insert(s(k), url);
    }
    run->host.id = run->id;
    run->host.runnerUser = run->runnerUser;
    run->host.startCommand = run->startCommand;
    QDir().mkpath(run->stateDir);
    return run;
}

void RunnerRegistry::bringUpAllocated(const QString &id, const QString &requestId)
{
    bringUp(find(id), [this, id, requestId](const QString &error) {
        Runner *run = find(id);
        if (!run)
            return finishIdem(requestId, ServiceError::unavailable(s("runner was released")));
        if (!error.isEmpty()) {
            qCWarning(lcRunners).noquote() << "allocate:" << error;
            Sandbox::removeStateDirAsync(run->stateDir);
            forget(id);
            return finishIdem(requestId, ServiceError::unavailable(error));
        }
        finishIdem(requestId, allocateReply(*run));
    });
}

} // namespace capsule::local
