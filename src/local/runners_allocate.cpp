// Runner registry, allocate (contract 2.2 + section 10): validation, idempotency by request id,
// session resume, network policy, host choice.
#include "local/api/json.h"
#include "local/network/policy.h"
#include "local/runners.h"
#include "local/runners_p.h"

#include "local/api/jsonfields.h"
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

void RunnerRegistry::finishIdem(const QString &requestId, int status, const QJsonObject &reply,
                                const Headers &headers)
{
    auto it = m_idem.find(requestId);
    if (it == m_idem.end())
        return;
    const QList<Responder> waiters = std::exchange(it->waiters, {});
    if (status == 200) {
        it->pending = false;
        it->reply = reply;
        it->runnerId = reply.value(s("runner_id")).toString();
    } else {
        m_idem.erase(it); // failures are not cached
    }
    for (const Responder &w : waiters)
        replyJson(w, status, reply, headers);
}

void RunnerRegistry::allocate(const HttpRequest &request, const Responder &r)
{
    QJsonObject body;
    if (!readBody(request, &body, r))
        return;
    // Field types of 2.2 + section 10 (labels string->string, ca_cert_port a port number).
    api::JsonFields fields(body);
    const QString key = fields.string(s("workload_key"));
    QString requestId = fields.string(s("request_id"));
    const QString sessionId = fields.string(s("session_id"));
    const QString requestPreset = fields.string(s("network_policy_preset"));
    const QString policyJson = fields.string(s("network_policy_json"));
    const QString proxyAddr = fields.string(s("proxy_addr"));
    const QString tenantId = fields.string(s("tenant_id"));
    const QMap<QString, QString> labels = fields.stringMap(s("labels"));
    const int caPort = int(fields.integer(s("ca_cert_port"), 0, 65535));
    if (!fields.ok())
        return replyText(r, 400, s("invalid request body: ") + fields.error());
    if (key.isEmpty())
        return replyText(r, 400, s("workload_key is required"));

    if (requestId.isEmpty())
        requestId = QString::fromUtf8(request.value("X-Request-Id"));
    if (requestId.isEmpty())
        requestId = newId();

    const qint64 now = nowMs();
    for (auto it = m_idem.begin(); it != m_idem.end();) {
        if (!it->pending && now - it->atMs > kIdempotencyMs)
            it = m_idem.erase(it);
        else
            ++it;
    }
    if (auto it = m_idem.find(requestId); it != m_idem.end()) {
        if (it->pending) {
            it->waiters.append(r); // a concurrent duplicate waits for the first
            return;
        }
        const Runner *run = find(it->runnerId);
        if (run && run->state != RunnerState::Terminated)
            return replyJson(r, 200, it->reply);
        m_idem.erase(it);
    }

    if (!sessionId.isEmpty()) {
        if (Runner *run = findSession(sessionId)) {
            if (run->state == RunnerState::Suspended) {
                m_idem.insert(requestId, Idem{now, run->id, {}, true, {r}});
                const QString id = run->id;
                // Resume: the session's stored key, TTL, policy and runner id win.
                QString error;
                const QString hostId = pickHost(run->hostId, &error);
                if (hostId.isEmpty())
                    return finishIdem(requestId, 429,
                                      {{s("error"), error + s(" for tier ") + run->tier}},
                                      {{"Retry-After", "2"}});
                run->hostId = hostId;
                bringUp(run, [this, id, requestId](const QString &error) {
                    Runner *run = find(id);
                    if (!error.isEmpty() || !run)
                        return finishIdem(
                            requestId, 503,
                            {{s("error"), error.isEmpty() ? s("runner was released") : error}});
                    run->resumed = true;
                    save(*run);
                    finishIdem(requestId, 200, allocateReply(*run));
                });
                return;
            }
            QJsonObject reply = allocateReply(*run);
            reply[s("resumed")] = false;
            return replyJson(r, 200, reply);
        }
    }

    const ConfigRecord *config = m_configs->configForKey(key);
    if (!config)
        return replyError(r, 404, QStringLiteral("workload_key %1 not found").arg(key));
    switch (m_configs->readiness(*config)) {
    case ConfigService::Readiness::Building:
        return replyError(
            r, 503, QStringLiteral("workload_key %1 is still building; retry shortly").arg(key));
    case ConfigService::Readiness::NotBuilt:
        return replyError(r, 503,
                          QStringLiteral("workload_key %1 has no built version; build config %2 "
                                         "first")
                              .arg(key, config->id));
    case ConfigService::Readiness::Ready:
        break;
    }
    if (!Sandbox::bubblewrapAvailable() && !m_options.unsafeNoSandbox)
        return replyError(r, 503,
                          s("bubblewrap (bwrap) is not installed: runners need it (install "
                            "bubblewrap or start capsule-local with --unsafe-no-sandbox)"));

    // Network policy: request JSON beats request preset beats the config's.
    const QJsonObject cfg = config->config();
    QString preset = requestPreset;
    QJsonObject policy;
    if (!policyJson.isEmpty()) {
        QJsonParseError err;
        const QJsonDocument d = QJsonDocument::fromJson(policyJson.toUtf8(), &err);
        if (err.error != QJsonParseError::NoError || !d.isObject())
            return replyError(r, 503,
                              QStringLiteral("invalid network_policy_json: %1")
                                  .arg(err.error != QJsonParseError::NoError
                                           ? err.errorString()
                                           : s("expected a JSON object")));
        policy = d.object();
    } else if (preset.isEmpty()) {
        preset = cfg.value(s("network_policy_preset")).toString();
        if (cfg.value(s("network_policy")).isObject())
            policy = cfg.value(s("network_policy")).toObject();
    }
    // Checked now (503, contract 2.2) and enforced in the runner's namespace (local/network/).
    const network::Policy compiled = network::compilePolicy(preset, policy);
    if (!compiled.error.isEmpty())
        return replyError(r, 503, compiled.error);
    const bool network = compiled.egress;

    QString error;
    const QString hostId = pickHost(QString(), &error);
    if (hostId.isEmpty()) {
        Metrics::instance().runnerOperation(s("allocate"), false); // no capacity
        return replyError(r, 429, error + s(" for tier ") + config->tier, {{"Retry-After", "2"}});
    }

    auto *run = new Runner;
    run->id = newId();
    run->hostId = hostId;
    run->sessionId = sessionId.isEmpty() ? newId() : sessionId;
    run->workloadKey = key;
    run->configId = config->id;
    run->createdAt = nowRfc3339();
    run->labels = stringMap(labels);
    run->networkPolicyPreset = preset;
    run->networkPolicyJson =
        policy.isEmpty() ? QString()
                         : QString::fromUtf8(QJsonDocument(policy).toJson(QJsonDocument::Compact));
    run->network = network;
    run->ttl = int(cfg.value(s("ttl")).toInteger());
    run->autoPause = cfg.value(s("auto_pause")).toBool();
    run->tier = config->tier;
    run->stateDir = m_options.dataDir + s("/runners/") + run->id;
    run->lowerLayers = m_configs->lowerLayers(*config);
    run->baseRoot = m_configs->baseRoot(*config);
    run->runnerUser = cfg.value(s("runner_user")).toString();
    if (run->runnerUser.isEmpty())
        run->runnerUser = s("runner");
    run->startCommand = config->definition.value(s("start_command")).toObject();
    run->proxyAddr = proxyAddr;
    run->tenantId = tenantId;
    if (!run->proxyAddr.isEmpty()) {
        run->caCertPort = caPort > 0 ? caPort : 8443;
        const QString url = QStringLiteral("http://%1@%2").arg(run->sessionId, run->proxyAddr);
        for (const char *k : {"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"})
            run->host.env.insert(s(k), url);
    }
    run->host.id = run->id;
    run->host.runnerUser = run->runnerUser;
    run->host.startCommand = run->startCommand;
    QDir().mkpath(run->stateDir);
    m_runners.insert(run->id, run);
    save(*run);
    m_idem.insert(requestId, Idem{now, run->id, {}, true, {r}});
    if (!run->proxyAddr.isEmpty())
        fetchCaCert(run);

    const QString id = run->id;
    bringUp(run, [this, id, requestId](const QString &error) {
        Runner *run = find(id);
        if (!run)
            return finishIdem(requestId, 503, {{s("error"), s("runner was released")}});
        if (!error.isEmpty()) {
            qCWarning(lcRunners).noquote() << "allocate:" << error;
            Sandbox::removeStateDirAsync(run->stateDir);
            forget(id);
            return finishIdem(requestId, 503, {{s("error"), error}});
        }
        finishIdem(requestId, 200, allocateReply(*run));
    });
}

} // namespace capsule::local
