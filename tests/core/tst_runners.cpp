// Runners against a scripted control plane: allocate body and loops, status, wait-ready rules,
// release/pause/quarantine, and the host cache with its re-resolution (contract 9 items 5-13).
#include "core/blocking.h"
#include "core/client.h"
#include "support/faultserver.h"

#include <QJsonArray>
#include <QtTest>
#include <memory>

using namespace capsule;
using capsule::test::FaultServer;
using Action = FaultServer::Reply::Action;

namespace {

const QString kKey = QStringLiteral("0123456789abcdef");

QJsonObject allocated(const QString &runnerId, const QString &host)
{
    return {{"runner_id", runnerId},     {"host_id", "h-1"},    {"host_address", host},
            {"internal_ip", "10.1.0.2"}, {"session_id", "s-1"}, {"resumed", false}};
}

QJsonObject storedConfig(const QString &id, const QString &name, const QString &key)
{
    return {{"config_id", id}, {"display_name", name}, {"leaf_workload_key", key}};
}

WorkloadRef keyRef()
{
    WorkloadSummary s;
    s.configId = QStringLiteral("sandbox");
    s.displayName = QStringLiteral("sandbox");
    s.workloadKey = kKey;
    return WorkloadRef::fromSummary(s);
}

} // namespace

class TestRunners final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<FaultServer> m_cp;
    std::unique_ptr<Client> m_client;

    Runners *runners() { return m_client->runners(); }
    AllocateOptions fast()
    {
        AllocateOptions o;
        o.retryPollInterval = 0.01;
        o.pollInterval = 0.02;
        return o;
    }
    template<class J>
    bool finish(J *job)
    {
        return waitFor(job, 10000);
    }

private slots:
    void init()
    {
        m_cp = std::make_unique<FaultServer>();
        QVERIFY(m_cp->listen());
        Settings s;
        s.baseUrl = m_cp->baseUrl();
        s.token = QStringLiteral("tok");
        s.requestTimeout = 0.5;
        s.operationTimeout = 0.5;
        s.startupTimeout = 2;
        s.backoffBase = 0.01;
        s.backoffJitter = 0.01;
        s.retryPollInterval = 0.01;
        s.pollInterval = 0.02;
        m_client = std::make_unique<Client>(s);
    }
    void cleanup()
    {
        m_client.reset();
        m_cp.reset();
    }

    // Item 5: 429 then 200 -> two requests with the caller's request id in header and body.
    void allocateRetriesRateLimitWithFixedRequestId()
    {
        m_cp->enqueue(
            "POST", "/api/v1/runners/allocate",
            FaultServer::json(429, {{"error", "no available hosts"}}, {{"Retry-After", "0"}}));
        m_cp->enqueue("POST", "/api/v1/runners/allocate",
                      FaultServer::json(200, allocated("r-1", "10.0.0.1:8080")));
        AllocateOptions o = fast();
        o.requestId = QStringLiteral("req-fixed");
        auto *job = runners()->allocate(keyRef(), o);
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        const auto reqs = m_cp->requestsTo("POST", "/api/v1/runners/allocate");
        QCOMPARE(reqs.size(), 2);
        for (const auto &r : reqs) {
            QCOMPARE(r.header("X-Request-Id"), QByteArray("req-fixed"));
            QCOMPARE(r.json().value("request_id").toString(), QStringLiteral("req-fixed"));
            QCOMPARE(r.json().value("workload_key").toString(), kKey);
        }
        QCOMPARE(job->result().requestId, QStringLiteral("req-fixed"));
        QCOMPARE(job->result().runnerId, QStringLiteral("r-1"));
        QCOMPARE(job->result().sessionId, QStringLiteral("s-1"));
        // Item 6: the host is cached; a create response / summary needs no lookup.
        QCOMPARE(m_client->hostResolver()->cachedHost(QStringLiteral("r-1")),
                 QStringLiteral("10.0.0.1:8080"));
        QCOMPARE(m_cp->count("GET", "/api/v1/layered-configs"), 0);
    }

    void allocateByNameResolvesOnce()
    {
        m_cp->setDefault(
            "GET", "/api/v1/layered-configs",
            FaultServer::json(
                200, {{"configs", QJsonArray{storedConfig("other", "other", "ffffffffffffffff"),
                                             storedConfig("sandbox", "My box", kKey)}},
                      {"count", 2}}));
        m_cp->setDefault("POST", "/api/v1/runners/allocate",
                         FaultServer::json(200, allocated("r-2", "127.0.0.1:1")));
        auto *job = runners()->allocate(QStringLiteral("My box"), fast());
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(m_cp->count("GET", "/api/v1/layered-configs"), 1);
        const auto body = m_cp->requestsTo("POST", "/api/v1/runners/allocate").first().json();
        QCOMPARE(body.value("workload_key").toString(), kKey);
        QVERIFY(!body.value("request_id").toString().isEmpty());
        QCOMPARE(body.value("request_id").toString(), job->result().requestId);
        // Nothing unset is sent.
        QCOMPARE(body.keys(), (QStringList{"request_id", "workload_key"}));
    }

    void allocateUnknownNameSendsRawKey()
    {
        m_cp->setDefault("GET", "/api/v1/layered-configs",
                         FaultServer::json(200, {{"configs", QJsonValue::Null}, {"count", 0}}));
        m_cp->setDefault("POST", "/api/v1/runners/allocate",
                         FaultServer::json(200, allocated("r-3", "127.0.0.1:1")));
        auto *job = runners()->allocate(QStringLiteral("deadbeefdeadbeef"), fast());
        QVERIFY(finish(job));
        QVERIFY(!job->hasError());
        QCOMPARE(m_cp->requestsTo("POST", "/api/v1/runners/allocate")
                     .first()
                     .json()
                     .value("workload_key")
                     .toString(),
                 QStringLiteral("deadbeefdeadbeef"));
    }

    void allocateAmbiguousNameConflicts()
    {
        m_cp->setDefault(
            "GET", "/api/v1/layered-configs",
            FaultServer::json(
                200, {{"configs", QJsonArray{storedConfig("a-1", "dup", "1111111111111111"),
                                             storedConfig("a-2", "dup", "2222222222222222")}}}));
        auto *job = runners()->allocate(QStringLiteral("dup"), fast());
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Conflict);
        QCOMPARE(m_cp->count("POST", "/api/v1/runners/allocate"), 0);
    }

    void allocateSendsEachOptionOnlyWhenSet()
    {
        m_cp->setDefault("POST", "/api/v1/runners/allocate",
                         FaultServer::json(200, allocated("r-4", "127.0.0.1:1")));
        AllocateOptions o = fast();
        o.labels = {{QStringLiteral("team"), QStringLiteral("core")}};
        o.sessionId = QStringLiteral("sess-9");
        o.networkPolicyPreset = QStringLiteral("restricted-egress");
        o.networkPolicy = QJsonObject{{"allowed_hosts", QJsonArray{"example.com"}}};
        o.proxyAddr = QStringLiteral("10.0.0.9:3128");
        o.tenantId = QStringLiteral("t-1");
        auto *job = runners()->allocate(keyRef(), o);
        QVERIFY(finish(job));
        QVERIFY(!job->hasError());
        const QJsonObject body = m_cp->requests().last().json();
        QCOMPARE(body.value("labels").toObject().value("team").toString(), QStringLiteral("core"));
        QCOMPARE(body.value("session_id").toString(), QStringLiteral("sess-9"));
        QCOMPARE(body.value("network_policy_preset").toString(),
                 QStringLiteral("restricted-egress"));
        // A string holding JSON, not an object.
        QVERIFY(body.value("network_policy_json").isString());
        QCOMPARE(QJsonDocument::fromJson(body.value("network_policy_json").toString().toUtf8())
                     .object()
                     .value("allowed_hosts")
                     .toArray()
                     .first()
                     .toString(),
                 QStringLiteral("example.com"));
        QCOMPARE(body.value("proxy_addr").toString(), QStringLiteral("10.0.0.9:3128"));
        QCOMPARE(body.value("ca_cert_port").toInt(), 8443);
        QCOMPARE(body.value("tenant_id").toString(), QStringLiteral("t-1"));
        QCOMPARE(m_cp->requests().last().header("Content-Type"), QByteArray("application/json"));

        // Internal labels and malformed policy JSON are refused before any request.
        const int before = int(m_cp->requests().size());
        AllocateOptions bad = fast();
        bad.labels = {{QStringLiteral("_network_policy_json"), QStringLiteral("{}")}};
        auto *refused = runners()->allocate(keyRef(), bad);
        QVERIFY(finish(refused));
        QCOMPARE(refused->error().kind, ErrorKind::Value);
        QVERIFY(refused->error().message.contains(QStringLiteral("_network_policy_json")));
        AllocateOptions badJson = fast();
        badJson.networkPolicyJson = QStringLiteral("{not json");
        auto *refused2 = runners()->allocate(keyRef(), badJson);
        QVERIFY(finish(refused2));
        QCOMPARE(refused2->error().kind, ErrorKind::Value);
        QVERIFY(refused2->error().message.contains(QStringLiteral("network_policy_json")));
        QCOMPARE(int(m_cp->requests().size()), before);
    }

    void allocateOuterLoopEndsInAllocationTimeout()
    {
        m_cp->setDefault("POST", "/api/v1/runners/allocate",
                         FaultServer::json(503, {{"error", "max concurrent runners"}}));
        AllocateOptions o = fast();
        o.startupTimeout = 0.3;
        o.retryPollInterval = 0.05;
        auto *job = runners()->allocate(keyRef(), o);
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::AllocationTimeout);
        QCOMPARE(job->error().workloadKey, kKey);
        QVERIFY2(job->error().message.contains(QStringLiteral("max concurrent runners")),
                 qPrintable(job->error().message));
        QVERIFY(m_cp->count("POST", "/api/v1/runners/allocate") >= 3);
        // Same request id on every outer attempt: the server's idempotency key.
        const auto reqs = m_cp->requestsTo("POST", "/api/v1/runners/allocate");
        for (const auto &r : reqs)
            QCOMPARE(r.header("X-Request-Id"), reqs.first().header("X-Request-Id"));

        // Other errors propagate at once.
        m_cp->clearRequests();
        m_cp->setDefault("POST", "/api/v1/runners/allocate",
                         FaultServer::text(400, "workload_key is required\n"));
        auto *bad = runners()->allocate(keyRef(), o);
        QVERIFY(finish(bad));
        QCOMPARE(bad->error().kind, ErrorKind::Http);
        QCOMPARE(bad->error().status, 400);
        QCOMPARE(bad->error().message, QStringLiteral("workload_key is required"));
        QCOMPARE(m_cp->requests().size(), 1);
    }

    // Item 7.
    void statusParsesReadyAndPending()
    {
        m_cp->enqueue("GET", "/api/v1/runners/status",
                      FaultServer::json(202, {{"runner_id", "r-1"}, {"status", "pending"}}));
        m_cp->enqueue("GET", "/api/v1/runners/status",
                      FaultServer::json(200, {{"runner_id", "r-1"},
                                              {"status", "ready"},
                                              {"host_address", "cached-host:8080"}}));
        auto *pending = runners()->status(QStringLiteral("r-1"));
        QVERIFY(finish(pending));
        QVERIFY2(!pending->hasError(), qPrintable(pending->error().toString()));
        QCOMPARE(pending->result().status, QStringLiteral("pending"));
        QCOMPARE(pending->result().httpStatus, 202);
        QCOMPARE(m_cp->requests().first().query.queryItemValue("runner_id"), QStringLiteral("r-1"));
        auto *ready = runners()->status(QStringLiteral("r-1"));
        QVERIFY(finish(ready));
        QVERIFY(ready->result().isReady());
        QCOMPARE(m_client->hostResolver()->cachedHost(QStringLiteral("r-1")),
                 QStringLiteral("cached-host:8080"));
        // Item 8.
        QCOMPARE(Http::hostUrl(m_client->hostResolver()->cachedHost(QStringLiteral("r-1")), {})
                     .toString(),
                 QStringLiteral("http://cached-host:8080"));
    }

    void listReleasePauseQuarantine()
    {
        m_cp->setDefault(
            "GET", "/api/v1/runners",
            FaultServer::json(200, {{"runners", QJsonArray{QJsonObject{{"runner_id", "r-1"},
                                                                       {"host_id", "h"},
                                                                       {"host_name", "local-1"},
                                                                       {"workload_key", kKey},
                                                                       {"status", "busy"}}}},
                                    {"count", 1}}));
        m_cp->setDefault("POST", "/api/v1/runners/release",
                         FaultServer::json(200, {{"success", true}}));
        m_cp->setDefault("POST", "/api/v1/runners/pause",
                         FaultServer::json(200, {{"success", true},
                                                 {"session_id", "s-new"},
                                                 {"snapshot_size_bytes", 12345},
                                                 {"layer", 2}}));
        m_cp->setDefault(
            "POST", "/api/v1/runners/quarantine",
            FaultServer::json(200,
                              {{"success", true}, {"runner_id", "r-1"}, {"quarantine_dir", "/q"}}));
        m_cp->setDefault("POST", "/api/v1/runners/unquarantine",
                         FaultServer::json(200, {{"success", "true"}, {"runner_id", "r-1"}}));

        auto *list = runners()->list();
        QVERIFY(finish(list));
        QCOMPARE(list->result().runners.size(), 1);
        QCOMPARE(list->result().runners.first().hostName, QStringLiteral("local-1"));
        QCOMPARE(list->result().runners.first().workloadKey, kKey);

        m_client->hostResolver()->cacheHost(QStringLiteral("r-1"), QStringLiteral("10.0.0.1:8080"));
        auto *rel = runners()->release(QStringLiteral("r-1"));
        QVERIFY(finish(rel));
        QVERIFY(rel->result().success);
        QVERIFY(m_client->hostResolver()->cachedHost(QStringLiteral("r-1")).isEmpty());
        QCOMPARE(m_cp->requestsTo("POST", "/api/v1/runners/release").first().json(),
                 (QJsonObject{{"runner_id", "r-1"}}));

        auto *pause = runners()->pause(QStringLiteral("r-1"));
        QVERIFY(finish(pause));
        QVERIFY(pause->result().success);
        QCOMPARE(pause->result().sessionId, QStringLiteral("s-new"));
        QCOMPARE(pause->result().snapshotSizeBytes, 12345);
        QCOMPARE(pause->result().layer, std::optional<qint64>(2));
        QVERIFY(
            !m_cp->requestsTo("POST", "/api/v1/runners/pause").first().json().contains("sync_fs"));
        auto *pauseSync = runners()->pause(QStringLiteral("r-1"), true);
        QVERIFY(finish(pauseSync));
        QCOMPARE(m_cp->requestsTo("POST", "/api/v1/runners/pause").last().json().value("sync_fs"),
                 QJsonValue(true));

        // Item 11: query parameters in the SDK's order, no body.
        auto *q = runners()->quarantine(QStringLiteral("r-1"), QStringLiteral("test"));
        QVERIFY(finish(q));
        const auto qr = m_cp->requestsTo("POST", "/api/v1/runners/quarantine").first();
        QCOMPARE(qr.query.toString(),
                 QStringLiteral("runner_id=r-1&reason=test&block_egress=true&pause_vm=true"));
        QVERIFY(qr.body.isEmpty());
        QCOMPARE(q->result().raw.value("quarantine_dir").toString(), QStringLiteral("/q"));
        QVERIFY(q->result().success);
        auto *u = runners()->unquarantine(QStringLiteral("r-1"), false);
        QVERIFY(finish(u));
        QCOMPARE(m_cp->requestsTo("POST", "/api/v1/runners/unquarantine").first().query.toString(),
                 QStringLiteral("runner_id=r-1&unblock_egress=false&resume_vm=true"));
        QVERIFY(u->result().success); // "true" as a string is tolerated
    }

    // Item 9.
    void waitReadyPendingThenReady()
    {
        m_cp->enqueue("GET", "/api/v1/runners/status",
                      FaultServer::json(202, {{"runner_id", "r-1"}, {"status", "pending"}}));
        m_cp->enqueue("GET", "/api/v1/runners/status",
                      FaultServer::json(404, {{"error", "runner not found"}}));
        m_cp->enqueue(
            "GET", "/api/v1/runners/status",
            FaultServer::json(
                200, {{"runner_id", "r-1"}, {"status", "ready"}, {"host_address", "h:1"}}));
        auto *job = runners()->waitReady(QStringLiteral("r-1"), 5, 0.02);
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->result().hostAddress, QStringLiteral("h:1"));
        QCOMPARE(m_cp->count("GET", "/api/v1/runners/status"), 3);
    }

    void waitReadyTerminalStatusFailsFast_data()
    {
        QTest::addColumn<QString>("status");
        QTest::newRow("terminated") << "terminated";
        QTest::newRow("suspended") << "suspended";
        QTest::newRow("quarantined") << "quarantined";
    }
    void waitReadyTerminalStatusFailsFast()
    {
        QFETCH(QString, status);
        m_cp->setDefault("GET", "/api/v1/runners/status",
                         FaultServer::json(200, {{"runner_id", "r-1"}, {"status", status}}));
        auto *job = runners()->waitReady(QStringLiteral("r-1"), 5, 0.02);
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::RunnerUnavailable);
        QCOMPARE(job->error().runnerId, QStringLiteral("r-1"));
        QCOMPARE(job->error().runnerStatus, status);
        QCOMPARE(m_cp->requests().size(), 1);
    }

    void waitReadyZeroTimeoutMakesNoCall()
    {
        auto *job = runners()->waitReady(QStringLiteral("r-1"), 0);
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::OperationTimeout);
        QVERIFY(job->error().isTimeout());
        QCOMPARE(m_cp->requests().size(), 0);
    }

    void waitReadyUnknownRunnerTimesOut()
    {
        m_cp->setDefault("GET", "/api/v1/runners/status",
                         FaultServer::json(404, {{"error", "runner not found"}}));
        auto *job = runners()->waitReady(QStringLiteral("gone"), 0.3, 0.05);
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::OperationTimeout);
        QVERIFY(m_cp->requests().size() >= 2);
    }

    // Item 12.
    void allocateReadyTimeoutBecomesAllocationTimeout()
    {
        m_cp->setDefault("POST", "/api/v1/runners/allocate",
                         FaultServer::json(200, allocated("r-7", "127.0.0.1:1")));
        m_cp->setDefault("GET", "/api/v1/runners/status",
                         FaultServer::json(202, {{"runner_id", "r-7"}, {"status", "pending"}}));
        AllocateOptions o = fast();
        o.startupTimeout = 0.3;
        o.labels = {{QStringLiteral("k"), QStringLiteral("v")}};
        auto *job = runners()->allocateReady(keyRef(), o);
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::AllocationTimeout);
        QCOMPARE(job->error().runnerId, QStringLiteral("r-7"));
        QCOMPARE(m_cp->count("POST", "/api/v1/runners/allocate"), 1);
        QVERIFY(m_cp->count("GET", "/api/v1/runners/status") >= 1);
        QCOMPARE(m_cp->count("POST", "/api/v1/runners/release"), 0); // not released
        QCOMPARE(m_cp->requests().first().json().value("labels").toObject().value("k").toString(),
                 QStringLiteral("v"));
    }

    void allocateReadyWithoutBudgetMakesNoCall()
    {
        AllocateOptions o = fast();
        o.startupTimeout = 0;
        auto *job = runners()->allocateReady(keyRef(), o);
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::AllocationTimeout);
        QVERIFY(job->error().isTimeout());
        QCOMPARE(m_cp->requests().size(), 0);
    }

    void cancelStopsTheAllocateLoop()
    {
        m_cp->setDefault(
            "POST", "/api/v1/runners/allocate",
            FaultServer::json(429, {{"error", "no available hosts"}}, {{"Retry-After", "0.2"}}));
        AllocateOptions o = fast();
        o.startupTimeout = 30;
        auto *job = runners()->allocate(keyRef(), o);
        QTRY_COMPARE(m_cp->requests().size(), 1);
        job->cancel();
        QCOMPARE(job->error().kind, ErrorKind::Cancelled);
        QTest::qWait(400); // two Retry-After periods: no further attempt may start
        QCOMPARE(m_cp->requests().size(), 1);
    }

    void allocateReadyAndFromConfig()
    {
        m_cp->setDefault("POST", "/api/v1/runners/allocate",
                         FaultServer::json(200, allocated("r-8", "127.0.0.1:1")));
        m_cp->setDefault(
            "GET", "/api/v1/runners/status",
            FaultServer::json(
                200, {{"runner_id", "r-8"}, {"status", "ready"}, {"host_address", "127.0.0.1:1"}}));
        AllocateOptions o = fast();
        o.requestId = QStringLiteral("rid-8");
        auto *ready = runners()->fromConfig(keyRef(), o);
        QVERIFY(finish(ready));
        QVERIFY(!ready->hasError());
        QCOMPARE(ready->result().runnerId, QStringLiteral("r-8"));
        QCOMPARE(ready->result().requestId, QStringLiteral("rid-8"));
        QCOMPARE(m_cp->count("POST", "/api/v1/runners/allocate"), 1);
        QCOMPARE(m_cp->count("GET", "/api/v1/runners/status"), 1);

        m_cp->clearRequests();
        auto *once = runners()->fromConfig(keyRef(), o, false);
        QVERIFY(finish(once));
        QVERIFY(!once->hasError());
        QCOMPARE(m_cp->count("POST", "/api/v1/runners/allocate"), 1);
        QCOMPARE(m_cp->count("GET", "/api/v1/runners/status"), 0);

        // start() = allocate_ready, allocate() = one allocate, options passed through.
        m_cp->clearRequests();
        auto *started = m_client->workloads()->start(keyRef(), o);
        QVERIFY(finish(started));
        QCOMPARE(m_cp->count("GET", "/api/v1/runners/status"), 1);
        QCOMPARE(m_cp->requests().first().header("X-Request-Id"), QByteArray("rid-8"));
    }

    void resumeSendsTheSession()
    {
        m_cp->setDefault("POST", "/api/v1/runners/allocate",
                         FaultServer::json(200, allocated("r-1", "127.0.0.1:1")));
        auto *job = runners()->resume(keyRef(), QStringLiteral("s-old"), fast());
        QVERIFY(finish(job));
        QCOMPARE(m_cp->requests().first().json().value("session_id").toString(),
                 QStringLiteral("s-old"));
    }

    // Section 10 + 1.7: connect first, status when the route is missing, remembered.
    void resolveHostPrefersConnect()
    {
        m_cp->setDefault("POST", "/api/v1/runners/connect",
                         FaultServer::json(200, allocated("r-1", "10.0.0.5:8080")));
        auto *job = m_client->hostResolver()->resolveHost(QStringLiteral("r-1"));
        QVERIFY(finish(job));
        QCOMPARE(job->result(), QStringLiteral("10.0.0.5:8080"));
        QCOMPARE(m_cp->requests().first().json(), (QJsonObject{{"runner_id", "r-1"}}));
        QCOMPARE(m_client->hostResolver()->cachedHost(QStringLiteral("r-1")),
                 QStringLiteral("10.0.0.5:8080"));
    }

    void resolveHostFallsBackToStatus()
    {
        // Unknown route (Go's text 404): fall back and remember.
        m_cp->setDefault("GET", "/api/v1/runners/status",
                         FaultServer::json(200, {{"runner_id", "r-1"},
                                                 {"status", "ready"},
                                                 {"host_address", "10.0.0.6:8080"}}));
        auto *job = m_client->hostResolver()->resolveHost(QStringLiteral("r-1"));
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->result(), QStringLiteral("10.0.0.6:8080"));
        QVERIFY(m_client->hostResolver()->connectUnsupported());
        auto *again = m_client->hostResolver()->resolveHost(QStringLiteral("r-1"));
        QVERIFY(finish(again));
        QCOMPARE(m_cp->count("POST", "/api/v1/runners/connect"), 1);
        QCOMPARE(m_cp->count("GET", "/api/v1/runners/status"), 2);

        // No address (suspended): ServiceUnavailable naming the runner.
        m_cp->setDefault("GET", "/api/v1/runners/status",
                         FaultServer::json(200, {{"runner_id", "r-1"}, {"status", "suspended"}}));
        auto *none = m_client->hostResolver()->resolveHost(QStringLiteral("r-1"));
        QVERIFY(finish(none));
        QCOMPARE(none->error().kind, ErrorKind::ServiceUnavailable);
        QCOMPARE(none->error().message, QStringLiteral("No host address available for runner r-1"));
        QVERIFY(m_client->hostResolver()->cachedHost(QStringLiteral("r-1")).isEmpty());
    }

    void resolveHostRunnerNotFoundIsNotAFallback()
    {
        m_cp->setDefault("POST", "/api/v1/runners/connect",
                         FaultServer::json(404, {{"error", "runner not found"}}));
        auto *job = m_client->hostResolver()->resolveHost(QStringLiteral("gone"));
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::NotFound);
        QVERIFY(!m_client->hostResolver()->connectUnsupported());
        QCOMPARE(m_cp->count("GET", "/api/v1/runners/status"), 0);
    }

    // A host that drops mid-call: the read is retried once on the re-resolved host.
    void hostDropTriggersReresolution()
    {
        FaultServer oldHost, newHost;
        QVERIFY(oldHost.listen());
        QVERIFY(newHost.listen());
        const QString path = QStringLiteral("/api/v1/runners/r-1/files/download");
        FaultServer::Reply cut = FaultServer::text(200, "partial");
        cut.action = Action::DropMidBody;
        oldHost.setDefault("GET", path, cut);
        newHost.setDefault("GET", path, FaultServer::text(200, "whole file"));
        m_cp->setDefault("POST", "/api/v1/runners/connect",
                         FaultServer::json(200, allocated("r-1", newHost.hostAddress())));
        HostResolver *resolver = m_client->hostResolver();
        resolver->cacheHost(QStringLiteral("r-1"), oldHost.hostAddress());
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("path"), QStringLiteral("/workspace/f"));
        HttpRequest req = resolver->hostRequest(QStringLiteral("r-1"), path, q);
        req.retry = RetryPolicy::HostRead;
        req.accept = "application/octet-stream";
        HttpJob *job = m_client->http()->send(req);
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->response().body, QByteArray("whole file"));
        QCOMPARE(oldHost.count("GET", path), 1);
        QCOMPARE(newHost.count("GET", path), 1);
        QCOMPARE(newHost.requests().first().query.queryItemValue("path"),
                 QStringLiteral("/workspace/f"));
        QCOMPARE(m_cp->count("POST", "/api/v1/runners/connect"), 1);
        QCOMPARE(resolver->cachedHost(QStringLiteral("r-1")), newHost.hostAddress());
        // Host calls carry the token too (hosts ignore it) and their own request id.
        QCOMPARE(newHost.requests().first().header("Authorization"), QByteArray("Bearer tok"));

        // A write is never retried.
        FaultServer::Reply down = FaultServer::json(503, {{"error", "busy"}});
        newHost.setDefault("POST", QStringLiteral("/api/v1/runners/r-1/files/write"), down);
        HttpRequest write = resolver->hostRequest(
            QStringLiteral("r-1"), QStringLiteral("/api/v1/runners/r-1/files/write"));
        write.method = "POST";
        HttpJob *w = m_client->http()->send(write);
        QVERIFY(finish(w));
        QCOMPARE(w->error().kind, ErrorKind::ServiceUnavailable);
        QCOMPARE(newHost.count("POST", QStringLiteral("/api/v1/runners/r-1/files/write")), 1);
    }

    void emptyRunnerIdIsRejected()
    {
        auto *job = runners()->status(QString());
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Value);
        QVERIFY(job->error().message.contains(QStringLiteral("runner_id")));
        QCOMPARE(m_cp->requests().size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRunners)
#include "tst_runners.moc"
