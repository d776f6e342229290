// Runner registry of capsule-local: the runner routes of contract 2.2 and section 10, sandboxes
// per runner, sessions that survive pause and restarts, and the host agent's RunnerAccess.
#include "local/runners.h"

#include "local/api/jsonfields.h"
#include "local/configs.h"
#include "local/metrics.h"
#include "local/network/policy.h"
#include "local/network/runner_network.h"
#include "local/sandbox.h"
#include "local/sandbox_cgroups.h"
#include "local/store.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSysInfo>
#include <QThread>
#include <QUrlQuery>
#include <QUuid>
#include <QtDebug>

#include <unistd.h>

namespace capsule::local {

namespace {

QString s(const char *t)
{
    return QString::fromLatin1(t);
}

constexpr qint64 kIdempotencyMs = 5 * 60 * 1000;

// Said by GET /api/v1/hosts and logged once at start-up (see docs/sandbox.md, "Disk sizes").
const QString kDiskQuotaNotice =
    QStringLiteral("not enforced: rootfs_size_gb and workspace_size_gb are recorded only; runners "
                   "write to the data dir's filesystem without a quota");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

struct TierLimits
{
    int vcpu;
    int memoryMb;
};

TierLimits tierLimits(const QString &tier)
{
    if (tier == QLatin1String("xs"))
        return {1, 512};
    if (tier == QLatin1String("s"))
        return {1, 1024};
    if (tier == QLatin1String("l"))
        return {8, 8192};
    if (tier == QLatin1String("xl"))
        return {16, 16384};
    return {4, 4096};
}

// The nftables ruleset of a runner's namespace: its policy, or deny-all while quarantined with
// block_egress (local/network/policy.h).
QString egressRuleset(const Runner &run)
{
    if (run.egressBlocked)
        return network::denyAllRuleset();
    return network::compilePolicy(run.networkPolicyPreset, run.networkPolicyJson).ruleset;
}

qint64 diskUsage(const QString &dir)
{
    qint64 total = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        if (!fi.isSymLink())
            total += fi.size();
    }
    return total;
}

// Reads a JSON object body for the runner routes, whose errors are Go http.Error texts.
bool readBody(const HttpRequest &request, QJsonObject *out, const Responder &r)
{
    QJsonParseError err;
    const QByteArray body = request.body();
    if (body.size() > 1024 * 1024) {
        replyText(r, 400, s("invalid request body: body too large"));
        return false;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        replyText(r, 400,
                  QStringLiteral("invalid request body: %1")
                      .arg(err.error != QJsonParseError::NoError ? err.errorString()
                                                                 : s("expected a JSON object")));
        return false;
    }
    *out = doc.object();
    return true;
}

QJsonObject stringMap(const QMap<QString, QString> &m)
{
    QJsonObject o;
    for (auto it = m.begin(); it != m.end(); ++it)
        o[it.key()] = it.value();
    return o;
}

} // namespace

// ---------------------------------------------------------------- record

QJsonObject Runner::toJson() const
{
    return {{s("id"), id},
            {s("host_id"), hostId},
            {s("session_id"), sessionId},
            {s("workload_key"), workloadKey},
            {s("config_id"), configId},
            {s("state"), state},
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
    r.state = o.value(s("state")).toString();
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
    qInfo().noquote() << "capsule-local: disk sizes of configs are" << kDiskQuotaNotice;
    for (const QJsonObject &o : m_store->all(s("runners"))) {
        auto *run = new Runner(Runner::fromJson(o));
        if (run->id.isEmpty()) {
            delete run;
            continue;
        }
        cgroups::removeLegacy(run->id, run->stateDir); // named before the data dir key
        // A runner's processes die with the server; only sessions can come back. A session that
        // was paused once and then resumed (pauseCount > 0) is a session like a suspended one:
        // its state dir holds its files, so it comes back suspended (as after a pause now) and
        // the next allocate with its session id boots it again on that state dir. A runner
        // that was never paused, or is quarantined, is terminated.
        if (run->state != QLatin1String("suspended") && run->state != QLatin1String("terminated")) {
            if (run->pauseCount > 0 && run->state != QLatin1String("quarantined") &&
                QFileInfo(run->stateDir).isDir()) {
                run->pauseCount++;
                run->pausedAt = nowRfc3339();
                run->snapshotSize = diskUsage(run->stateDir + s("/upper"));
                run->layer = QStringLiteral("session/%1/snapshot-%2")
                                 .arg(run->sessionId)
                                 .arg(run->pauseCount);
                run->state = s("suspended");
                qInfo().noquote() << "runner" << run->id << "of session" << run->sessionId
                                  << "was live when the server stopped: kept as suspended";
            } else {
                run->state = s("terminated");
            }
            save(*run);
        }
        if (!host(run->hostId) && !m_hosts.isEmpty())
            run->hostId = m_hosts.first().id;
        m_runners.insert(run->id, run);
    }
}

void RunnerRegistry::stopAll()
{
    for (Runner *run : std::as_const(m_runners)) {
        if (!run->sandbox)
            continue;
        stopSandbox(run);
        if (run->state != QLatin1String("suspended")) {
            run->state = s("terminated");
            save(*run);
        }
    }
}

Runner *RunnerRegistry::find(const QString &id) const
{
    return m_runners.value(id, nullptr);
}

Runner *RunnerRegistry::findSession(const QString &sessionId) const
{
    Runner *best = nullptr;
    for (Runner *run : m_runners) {
        if (run->sessionId != sessionId || run->state == QLatin1String("terminated"))
            continue;
        best = run;
        if (run->state != QLatin1String("suspended"))
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
    Runner *run = m_runners.take(id);
    m_store->remove(s("runners"), id);
    if (!run)
        return;
    for (const auto &w : std::as_const(run->readyWaiters))
        w(s("runner was released"));
    delete run;
}

QJsonObject RunnerRegistry::allocateReply(const Runner &run) const
{
    QJsonObject o{{s("runner_id"), run.id},
                  {s("host_id"), run.hostId},
                  {s("host_address"), hostAddress(run.hostId)},
                  {s("internal_ip"), s("127.0.0.1")},
                  {s("session_id"), run.sessionId},
                  {s("resumed"), run.resumed}};
    if (!run.proxyAddr.isEmpty()) {
        o[s("proxy_addr")] = run.proxyAddr;
        o[s("ca_cert_port")] = run.caCertPort;
    }
    if (!run.tenantId.isEmpty())
        o[s("tenant_id")] = run.tenantId;
    return o;
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
        if (run->state != QLatin1String("terminated") && run->state != QLatin1String("suspended"))
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

// ---------------------------------------------------------------- sandbox lifecycle

void RunnerRegistry::bringUp(Runner *run, std::function<void(const QString &)> done)
{
    run->readyWaiters.append(std::move(done));
    if (run->readyWaiters.size() > 1)
        return; // a bring-up is already under way
    run->state = s("booting");
    const QString id = run->id;
    // Deferred so the event loop can answer other requests (202 pending) before the start.
    QTimer::singleShot(0, this, [this, id] {
        Runner *run = find(id);
        if (!run)
            return;
        QString error;
        if (run->sandbox && run->frozen) {
            if (run->sandbox->thaw(&error))
                run->frozen = false;
            else
                stopSandbox(run); // fall back to a fresh boot on the same state dir
        }
        if (!run->sandbox) {
            if (!Sandbox::bubblewrapAvailable() && !m_options.unsafeNoSandbox) {
                finishBringUp(run, s("bubblewrap (bwrap) is not installed: runners need it "
                                     "(install bubblewrap or start capsule-local with "
                                     "--unsafe-no-sandbox)"));
                return;
            }
            SandboxSpec spec;
            spec.id = run->id;
            spec.stateDir = run->stateDir;
            spec.lowerLayers = run->lowerLayers;
            spec.baseRoot = run->baseRoot;
            spec.runnerUser = run->runnerUser;
            spec.network = run->network;
            spec.egressRuleset = egressRuleset(*run);
            if (const QUrl proxy(s("http://") + run->proxyAddr);
                !run->proxyAddr.isEmpty() && proxy.port() > 0 &&
                (proxy.host() == QLatin1String("localhost") ||
                 QHostAddress(proxy.host()).isLoopback()))
                spec.hostLoopbackPorts << proxy.port(); // the proxy on the host's loopback
            const TierLimits limits = tierLimits(run->tier);
            spec.memoryMb = limits.memoryMb;
            spec.cpuMillis = limits.vcpu * 1000;
            spec.pidsMax = m_options.maxPidsPerRunner;
            spec.env = run->host.env;
            spec.unsafeNoSandbox = m_options.unsafeNoSandbox;
            auto *sandbox = new Sandbox(spec, this);
            if (!sandbox->start(&error)) {
                delete sandbox;
                finishBringUp(run, QStringLiteral("sandbox start failed: %1").arg(error));
                return;
            }
            run->sandbox = sandbox;
            run->frozen = false;
            if (!run->startCommand.value(QStringLiteral("command")).toArray().isEmpty()) {
                // A service that fails to start does not fail the runner (upstream the VM is
                // up either way); its log says why.
                QString serviceError;
                if (!sandbox->startService(run->startCommand, run->host.env, &serviceError))
                    qWarning().noquote()
                        << "runner" << id << "start_command failed:" << serviceError;
            }
            connect(sandbox, &Sandbox::stopped, this, [this, id, sandbox] {
                Runner *run = find(id);
                if (!run || run->sandbox != sandbox)
                    return;
                // The sandbox's init died underneath us: the runner is gone.
                qWarning().noquote() << "runner" << id << "sandbox stopped unexpectedly";
                run->sandbox = nullptr;
                sandbox->deleteLater();
                if (run->state != QLatin1String("suspended")) {
                    run->state = s("terminated");
                    save(*run);
                }
            });
        }
        finishBringUp(run, QString());
    });
}

void RunnerRegistry::finishBringUp(Runner *run, const QString &error)
{
    run->host.sandbox = run->sandbox;
    run->lastActivityMs = nowMs();
    // A runner that was paused before is resuming its session; any other is a new allocation.
    Metrics::instance().runnerOperation(run->pauseCount > 0 ? s("resume") : s("allocate"),
                                        error.isEmpty());
    if (error.isEmpty())
        run->state = s("busy");
    else
        run->state = run->pauseCount > 0 ? s("suspended") : s("terminated");
    const auto waiters = std::exchange(run->readyWaiters, {});
    if (error.isEmpty())
        save(*run);
    for (const auto &w : waiters)
        w(error);
}

void RunnerRegistry::stopSandbox(Runner *run)
{
    if (m_closeSessions)
        m_closeSessions(run->hostId, run->id);
    if (!run->sandbox)
        return;
    Sandbox *sandbox = run->sandbox;
    run->sandbox = nullptr;
    run->host.sandbox = nullptr;
    sandbox->disconnect(this);
    if (run->frozen) {
        QString error;
        sandbox->thaw(&error);
        run->frozen = false;
    }
    sandbox->stop();
    delete sandbox;
}

bool RunnerRegistry::pauseRunner(Runner *run, bool syncFs, QString *error)
{
    run->state = s("pausing");
    if (m_closeSessions)
        m_closeSessions(run->hostId, run->id);
    if (syncFs)
        ::sync();
    if (run->sandbox && !run->frozen) {
        if (!run->sandbox->freeze(error)) {
            run->state = s("busy");
            Metrics::instance().runnerOperation(s("pause"), false);
            return false;
        }
        run->frozen = true;
    }
    run->host.sandbox = nullptr;
    run->pauseCount++;
    run->pausedAt = nowRfc3339();
    QString changes = run->sandbox ? run->sandbox->changesDir() : QString();
    run->snapshotSize = changes.isEmpty() ? diskUsage(run->stateDir) : diskUsage(changes);
    run->layer = QStringLiteral("session/%1/snapshot-%2").arg(run->sessionId).arg(run->pauseCount);
    run->state = s("suspended");
    save(*run);
    Metrics::instance().runnerOperation(s("pause"), true);
    return true;
}

void RunnerRegistry::resumeSession(Runner *run, const Responder &r)
{
    QString error;
    const QString hostId = pickHost(run->hostId, &error);
    if (hostId.isEmpty())
        return replyError(r, 429, error + s(" for tier ") + run->tier, {{"Retry-After", "2"}});
    run->hostId = hostId;
    const QString id = run->id;
    bringUp(run, [this, id, r](const QString &error) {
        Runner *run = find(id);
        if (!error.isEmpty() || !run)
            return replyError(r, 503, error.isEmpty() ? s("runner was released") : error);
        run->resumed = true;
        save(*run);
        replyJson(r, 200, allocateReply(*run));
    });
}

void RunnerRegistry::fetchCaCert(Runner *run)
{
    const int colon = run->proxyAddr.lastIndexOf(QLatin1Char(':'));
    const QString hostPart = colon > 0 ? run->proxyAddr.left(colon) : run->proxyAddr;
    QNetworkRequest req(
        QUrl(QStringLiteral("http://%1:%2/ca.crt").arg(hostPart).arg(run->caCertPort)));
    req.setTransferTimeout(3000);
    QNetworkReply *reply = m_nam->get(req);
    const QString id = run->id;
    connect(reply, &QNetworkReply::finished, this, [this, reply, id] {
        reply->deleteLater();
        Runner *run = find(id);
        if (!run)
            return;
        if (reply->error() != QNetworkReply::NoError) {
            run->caCertStatus = QStringLiteral("failed: %1").arg(reply->errorString());
        } else {
            QFile f(run->stateDir + s("/proxy-ca.crt"));
            if (f.open(QIODevice::WriteOnly))
                f.write(reply->readAll());
            run->caCertStatus = s("fetched");
        }
        save(*run);
    });
}

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
        if (run && run->state != QLatin1String("terminated"))
            return replyJson(r, 200, it->reply);
        m_idem.erase(it);
    }

    if (!sessionId.isEmpty()) {
        if (Runner *run = findSession(sessionId)) {
            if (run->state == QLatin1String("suspended")) {
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
            qWarning().noquote() << "allocate:" << error;
            QDir(run->stateDir).removeRecursively();
            forget(id);
            return finishIdem(requestId, 503, {{s("error"), error}});
        }
        finishIdem(requestId, 200, allocateReply(*run));
    });
}

// ---------------------------------------------------------------- status / list / release

void RunnerRegistry::status(const HttpRequest &request, const Responder &r)
{
    const QString id = formQuery(request.url()).queryItemValue(s("runner_id"));
    if (id.isEmpty())
        return replyText(r, 400, s("runner_id is required"));
    const Runner *run = find(id);
    if (!run || run->state == QLatin1String("terminated"))
        return replyError(r, 404, s("runner not found"));
    if (run->state == QLatin1String("booting") || run->state == QLatin1String("pausing"))
        return replyJson(r, 202, {{s("runner_id"), id}, {s("status"), s("pending")}});
    if (run->state == QLatin1String("suspended"))
        return replyJson(r, 200, {{s("runner_id"), id}, {s("status"), s("suspended")}});
    // busy and (upstream quirk, 2.2) quarantined both read as ready.
    replyJson(r, 200,
              {{s("runner_id"), id},
               {s("status"), s("ready")},
               {s("host_address"), hostAddress(run->hostId)}});
}

void RunnerRegistry::list(const Responder &r)
{
    QList<const Runner *> runs(m_runners.begin(), m_runners.end());
    std::sort(runs.begin(), runs.end(), [](const Runner *a, const Runner *b) {
        return a->createdAt == b->createdAt ? a->id < b->id : a->createdAt < b->createdAt;
    });
    QJsonArray out;
    for (const Runner *run : runs) {
        QJsonObject o{{s("runner_id"), run->id},
                      {s("host_id"), run->hostId},
                      {s("host_name"), QStringLiteral("capsule-") + run->hostId},
                      {s("host_address"), hostAddress(run->hostId)},
                      {s("workload_key"), run->workloadKey},
                      {s("status"), run->state},
                      {s("session_id"), run->sessionId},
                      {s("internal_ip"), s("127.0.0.1")},
                      {s("resumed"), run->resumed},
                      {s("config_id"), run->configId},
                      {s("created_at"), run->createdAt},
                      {s("labels"), run->labels}};
        if (!run->proxyAddr.isEmpty()) {
            o[s("proxy_addr")] = run->proxyAddr;
            o[s("ca_cert_port")] = run->caCertPort;
            o[s("ca_cert_status")] = run->caCertStatus.isEmpty() ? s("pending") : run->caCertStatus;
        }
        if (!run->tenantId.isEmpty())
            o[s("tenant_id")] = run->tenantId;
        if (!run->networkPolicyPreset.isEmpty())
            o[s("network_policy_preset")] = run->networkPolicyPreset;
        if (run->state == QLatin1String("quarantined") && !run->quarantineReason.isEmpty())
            o[s("quarantine_reason")] = run->quarantineReason;
        out.append(o);
    }
    replyJson(r, 200, {{s("runners"), out}, {s("count"), out.size()}});
}

void RunnerRegistry::release(const HttpRequest &request, const Responder &r)
{
    QJsonObject body;
    if (!readBody(request, &body, r))
        return;
    const QString id = body.value(s("runner_id")).toString();
    if (id.isEmpty())
        return replyText(r, 400, s("runner_id is required"));
    Runner *run = find(id);
    if (run) {
        stopSandbox(run);
        if (run->state == QLatin1String("suspended")) {
            // Release does not delete a suspended session: it resumes from its state dir.
            run->frozen = false;
            save(*run);
        } else {
            QDir(run->stateDir).removeRecursively();
            forget(id);
        }
    }
    Metrics::instance().runnerOperation(s("release"), true);
    replyJson(r, 200, {{s("success"), true}});
}

// ---------------------------------------------------------------- pause / connect / quarantine

void RunnerRegistry::pause(const HttpRequest &request, const Responder &r)
{
    QJsonObject body;
    if (!readBody(request, &body, r))
        return;
    const QString id = body.value(s("runner_id")).toString();
    if (id.isEmpty())
        return replyText(r, 400, s("runner_id is required"));
    Runner *run = find(id);
    if (!run || run->state == QLatin1String("terminated"))
        return replyText(r, 404, s("runner not found"));
    if (run->state != QLatin1String("suspended")) {
        if (run->state != QLatin1String("busy"))
            return replyError(
                r, 500, QStringLiteral("cannot pause runner %1: runner is %2").arg(id, run->state));
        const bool syncFs = body.value(s("sync_fs")).toBool() ||
                            queryBool(formQuery(request.url()).queryItemValue(s("sync")), false);
        QString error;
        if (!pauseRunner(run, syncFs, &error))
            return replyError(r, 500, QStringLiteral("pause failed: %1").arg(error));
    }
    replyJson(r, 200,
              {{s("success"), true},
               {s("session_id"), run->sessionId},
               {s("snapshot_size_bytes"), run->snapshotSize},
               // The number of the session's snapshot layer this pause wrote (an int, as the
               // host agent and the SDK's PauseResult.layer have it).
               {s("layer"), run->pauseCount}});
}

void RunnerRegistry::connectRunner(const HttpRequest &request, const Responder &r)
{
    QJsonObject body;
    if (!readBody(request, &body, r))
        return;
    const QString id = body.value(s("runner_id")).toString();
    if (id.isEmpty())
        return replyText(r, 400, s("runner_id is required"));
    Runner *run = find(id);
    if (!run || run->state == QLatin1String("terminated"))
        return replyError(r, 404, s("runner not found"));
    if (run->state == QLatin1String("suspended"))
        return resumeSession(run, r);
    if (run->state == QLatin1String("booting")) {
        bringUp(run, [this, id, r](const QString &error) {
            Runner *run = find(id);
            if (!error.isEmpty() || !run)
                return replyError(r, 503, error.isEmpty() ? s("runner was released") : error);
            replyJson(r, 200, allocateReply(*run));
        });
        return;
    }
    QJsonObject reply = allocateReply(*run);
    reply[s("resumed")] = false;
    replyJson(r, 200, reply);
}

void RunnerRegistry::quarantine(const HttpRequest &request, const Responder &r, bool on)
{
    const QUrlQuery q = formQuery(request.url());
    const QString id = q.queryItemValue(s("runner_id"));
    if (id.isEmpty())
        return replyText(r, 400, s("missing runner_id"));
    Runner *run = find(id);
    if (!run || run->state == QLatin1String("terminated"))
        return replyText(r, 404, QStringLiteral("runner not found: %1").arg(id));
    if (run->state == QLatin1String("suspended") || run->state == QLatin1String("booting") ||
        run->state == QLatin1String("pausing"))
        return replyJson(r, 200,
                         {{s("success"), false},
                          {s("error"), QStringLiteral("runner is %1").arg(run->state)},
                          {s("runner_id"), id}});
    QString error;
    if (on) {
        const bool pauseVm = queryBool(q.queryItemValue(s("pause_vm")), true);
        run->quarantineReason = q.queryItemValue(s("reason"), QUrl::FullyDecoded);
        if (run->quarantineReason.isNull())
            run->quarantineReason = s("");
        run->state = s("quarantined");
        if (m_closeSessions)
            m_closeSessions(run->hostId, run->id);
        if (queryBool(q.queryItemValue(s("block_egress")), true)) {
            run->egressBlocked = true;
            QString netError;
            if (run->sandbox && !run->sandbox->setEgressRuleset(egressRuleset(*run), &netError))
                return replyJson(
                    r, 200, {{s("success"), false}, {s("error"), netError}, {s("runner_id"), id}});
        }
        if (pauseVm && run->sandbox && !run->frozen) {
            if (run->sandbox->freeze(&error))
                run->frozen = true;
        }
        const QString dir = run->stateDir + s("/quarantine");
        QDir().mkpath(dir);
        save(*run);
        QJsonObject reply{{s("success"), true}, {s("runner_id"), id}, {s("quarantine_dir"), dir}};
        if (!error.isEmpty())
            reply[s("warning")] = QStringLiteral("freeze failed: %1").arg(error);
        return replyJson(r, 200, reply);
    }
    if (run->state != QLatin1String("quarantined"))
        return replyJson(r, 200, {{s("success"), true}, {s("runner_id"), id}});
    const bool resumeVm = queryBool(q.queryItemValue(s("resume_vm")), true);
    if (resumeVm && run->sandbox && run->frozen) {
        if (!run->sandbox->thaw(&error))
            return replyJson(r, 200,
                             {{s("success"), false},
                              {s("error"), QStringLiteral("thaw failed: %1").arg(error)},
                              {s("runner_id"), id}});
        run->frozen = false;
    }
    if (run->egressBlocked && queryBool(q.queryItemValue(s("unblock_egress")), true)) {
        run->egressBlocked = false;
        if (run->sandbox && !run->sandbox->setEgressRuleset(egressRuleset(*run), &error))
            return replyJson(r, 200,
                             {{s("success"), false}, {s("error"), error}, {s("runner_id"), id}});
    }
    run->quarantineReason = QString();
    run->state = s("busy");
    run->lastActivityMs = nowMs();
    save(*run);
    replyJson(r, 200, {{s("success"), true}, {s("runner_id"), id}});
}

// ---------------------------------------------------------------- hosts / drain / snapshots

namespace {

struct CpuSample
{
    quint64 busy = 0;
    quint64 total = 0;
};

CpuSample readCpu()
{
    QFile f(s("/proc/stat"));
    CpuSample out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QList<QByteArray> parts = f.readAll().split('\n').value(0).simplified().split(' ');
    for (int i = 1; i < parts.size(); ++i) {
        const quint64 v = parts.at(i).toULongLong();
        out.total += v;
        if (i != 4 && i != 5) // idle, iowait
            out.busy += v;
    }
    return out;
}

qint64 meminfoMb(const QByteArray &field)
{
    QFile f(s("/proc/meminfo"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    // /proc files report size 0, so read them whole instead of testing atEnd().
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).simplified().split(' ').value(0).toLongLong() / 1024;
    }
    return 0;
}

} // namespace

void RunnerRegistry::hosts(const Responder &r)
{
    // CPU use over the interval since the previous call (or since boot on the first).
    static CpuSample previous;
    const CpuSample now = readCpu();
    const quint64 dTotal = now.total - previous.total;
    const quint64 dBusy = now.busy - previous.busy;
    previous = now;
    const int cpus = QThread::idealThreadCount();
    const qint64 totalMilli = qint64(cpus) * 1000;
    const qint64 usedMilli = dTotal ? qint64(double(dBusy) / double(dTotal) * totalMilli) : 0;
    const qint64 memTotal = meminfoMb("MemTotal");
    const qint64 memUsed = memTotal - meminfoMb("MemAvailable");
    const QJsonObject local{
        {s("sandbox"), Sandbox::bubblewrapAvailable()
                           ? s("bubblewrap")
                           : (m_options.unsafeNoSandbox ? s("none (--unsafe-no-sandbox)")
                                                        : s("unavailable (bubblewrap missing)"))},
        {s("filesystem"), Sandbox::fsModeName(Sandbox::fsMode())},
        {s("disk_quota"), kDiskQuotaNotice},
        {s("network"), m_options.unsafeNoSandbox ? s("host network (--unsafe-no-sandbox)")
                                                 : network::support().status()},
        {s("limits"), cgroups::enforcedLimits()},
        {s("pids_per_runner"), m_options.maxPidsPerRunner},
        {s("base_image"), m_options.images.isEmpty()
                              ? s("host root (/)")
                              : QStringLiteral("host root (/) unless mapped by --image (%1)")
                                    .arg(m_options.images.keys().join(s(", ")))}};
    QJsonArray out;
    for (const HostSlot &h : m_hosts) {
        int idle = 0, busy = 0;
        for (const Runner *run : m_runners) {
            if (run->hostId != h.id)
                continue;
            if (run->state == QLatin1String("busy") || run->state == QLatin1String("quarantined"))
                ++busy;
        }
        out.append(QJsonObject{{s("id"), h.id},
                               {s("instance_name"), QStringLiteral("capsule-") + h.id},
                               {s("zone"), s("local")},
                               {s("status"), h.draining ? s("draining") : s("ready")},
                               {s("idle_runners"), idle},
                               {s("busy_runners"), busy},
                               {s("snapshot_version"), QString()},
                               {s("last_heartbeat"), nowRfc3339()},
                               {s("grpc_address"), h.address},
                               {s("address"), h.address},
                               {s("total_cpu_millicores"), totalMilli},
                               {s("used_cpu_millicores"), usedMilli},
                               {s("total_memory_mb"), memTotal},
                               {s("used_memory_mb"), memUsed},
                               {s("local"), local}});
    }
    replyJson(r, 200, {{s("hosts"), out}, {s("count"), out.size()}});
}

void RunnerRegistry::drain(const QString &hostId, bool on, const Responder &r)
{
    HostSlot *slot = nullptr;
    for (HostSlot &h : m_hosts)
        if (h.id == hostId)
            slot = &h;
    if (!slot)
        return replyError(r, 404, QStringLiteral("host not found: %1").arg(hostId));
    slot->draining = on;
    int moved = 0;
    if (on) {
        // Re-home every runner: the sandbox does not depend on the listener, so a move is only
        // bookkeeping plus closing the old host's streams.
        for (Runner *run : std::as_const(m_runners)) {
            if (run->hostId != hostId || run->state == QLatin1String("terminated"))
                continue;
            QString error;
            const QString target = pickHost(QString(), &error);
            if (target.isEmpty())
                continue;
            if (m_closeSessions)
                m_closeSessions(run->hostId, run->id);
            run->hostId = target;
            save(*run);
            ++moved;
        }
    }
    replyJson(r, 200,
              {{s("success"), true},
               {s("host_id"), hostId},
               {s("status"), on ? s("draining") : s("ready")},
               {s("moved"), moved}});
}

void RunnerRegistry::snapshots(const Responder &r)
{
    QJsonArray out;
    for (const Runner *run : std::as_const(m_runners)) {
        if (run->state != QLatin1String("suspended"))
            continue;
        out.append(QJsonObject{{s("Version"), run->layer},
                               {s("Status"), s("ready")},
                               {s("GCSPath"), QStringLiteral("file://") + run->stateDir},
                               {s("RepoCommit"), QString()},
                               {s("SizeBytes"), run->snapshotSize},
                               {s("CreatedAt"), run->pausedAt},
                               {s("Metrics"), QJsonObject{{s("avg_analysis_time_ms"), 0},
                                                          {s("cache_hit_ratio"), 0},
                                                          {s("sample_count"), 0}}},
                               {s("SessionID"), run->sessionId},
                               {s("RunnerID"), run->id},
                               {s("WorkloadKey"), run->workloadKey}});
    }
    replyJson(r, 200,
              {{s("snapshots"), out}, {s("count"), out.size()}, {s("current_version"), QString()}});
}

// ---------------------------------------------------------------- TTL

void RunnerRegistry::tick()
{
    const qint64 now = nowMs();
    for (Runner *run : std::as_const(m_runners)) {
        if (run->state != QLatin1String("busy") || !run->autoPause || run->ttl <= 0)
            continue;
        if (now - run->lastActivityMs < qint64(run->ttl) * 1000)
            continue;
        QString error;
        if (pauseRunner(run, false, &error))
            qInfo().noquote() << "runner" << run->id << "idle for" << run->ttl << "s: paused";
        else
            qWarning().noquote() << "runner" << run->id << "auto-pause failed:" << error;
    }
}

// ---------------------------------------------------------------- RunnerAccess

void RunnerRegistry::acquireRunner(const QString &hostId, const QString &id, AcquireCallback done)
{
    Runner *run = find(id);
    if (!run || (run->hostId != hostId && run->state != QLatin1String("terminated")))
        return done(nullptr, 404, QStringLiteral("runner not found: %1").arg(id));
    if (run->state == QLatin1String("quarantined") || run->state == QLatin1String("terminated"))
        return done(nullptr, 409, QStringLiteral("runner is %1").arg(run->state));
    if (run->state == QLatin1String("pausing"))
        return done(nullptr, 409, s("runner unavailable: runner is pausing"));
    run->lastActivityMs = nowMs();
    if (run->state == QLatin1String("busy") && run->sandbox)
        return done(&run->host, 0, QString());
    const bool resuming = run->state == QLatin1String("suspended");
    bringUp(run, [this, id, resuming, done](const QString &error) {
        Runner *run = find(id);
        if (!error.isEmpty() || !run)
            return done(nullptr, 503,
                        (resuming ? s("auto-resume failed: ") : s("runner unavailable: ")) +
                            (error.isEmpty() ? s("runner was released") : error));
        if (resuming)
            run->resumed = true;
        done(&run->host, 0, QString());
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
            (run->state == QLatin1String("booting") || run->state == QLatin1String("busy") ||
             run->state == QLatin1String("quarantined")))
            ++n;
    }
    return n;
}

} // namespace capsule::local
