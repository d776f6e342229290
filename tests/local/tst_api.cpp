// capsule-local's API layer (src/local/api/) without a server: request parsing and validation
// (wrong types named by field, required fields, limits), the route table (methods, 405 styles,
// parameters), the ServiceError -> HTTP status mapping and the JSON of typed replies.
#include "local/api/allocatebody.h"
#include "local/api/configbody.h"
#include "local/api/configsapi.h"
#include "local/api/fleetapi.h"
#include "local/api/router.h"
#include "local/api/runnerrequests.h"
#include "local/api/runnersapi.h"
#include "local/api/status.h"
#include "local/common.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace capsule::local;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QUrlQuery query(const char *q)
{
    return formQuery(QUrl(s("http://127.0.0.1/x?") + s(q)));
}

// A route table as ControlPlane builds it. The handlers are never run here, so the services
// behind them are not needed.
struct Routes
{
    api::Router router;
    api::ConfigsApi configs{nullptr};
    api::RunnersApi runners{nullptr};
    api::FleetApi fleet{nullptr, QString()};
    Routes()
    {
        configs.addRoutes(router);
        runners.addRoutes(router);
        fleet.addRoutes(router);
    }
    api::Router::Match match(const char *method, const char *path) const
    {
        return router.match(s(method), s(path).split(QLatin1Char('/')));
    }
};

} // namespace

class TestApi : public QObject
{
    Q_OBJECT
private slots:
    void allocateFieldTypes_data();
    void allocateFieldTypes();
    void allocateRequestId();
    void allocateBodyLimits();
    void runnerIdBodies();
    void pauseSync();
    void statusAndQuarantineQueries();
    void configCreateTypes_data();
    void configCreateTypes();
    void canaryAndHeartbeat_data();
    void canaryAndHeartbeat();
    void serviceErrorStatus();
    void resultType();
    void routeTable();
    void replyJson();
};

void TestApi::allocateFieldTypes_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("error");
    const QJsonObject key{{s("workload_key"), s("k")}};
    auto with = [&key](const char *field, const QJsonValue &v) {
        QJsonObject o = key;
        o[s(field)] = v;
        return o;
    };
    QTest::newRow("workload_key number") << QJsonObject{{s("workload_key"), 5}}
                                         << s("invalid request body: workload_key must be a "
                                              "string, got 5");
    QTest::newRow("labels value") << with("labels", QJsonObject{{s("team"), 1}})
                                  << s("invalid request body: labels.team must be a string, got 1");
    QTest::newRow("labels array") << with("labels", QJsonArray{s("a")})
                                  << s("invalid request body: labels must be an object of "
                                       "strings, got an array");
    QTest::newRow("ca_cert_port fraction")
        << with("ca_cert_port", 1.5)
        << s("invalid request body: ca_cert_port must be an integer, got 1.5");
    QTest::newRow("ca_cert_port string")
        << with("ca_cert_port", s("5"))
        << s("invalid request body: ca_cert_port must be an integer, got \"5\"");
    QTest::newRow("ca_cert_port negative")
        << with("ca_cert_port", -1) << s("invalid request body: ca_cert_port must be >= 0, got -1");
    QTest::newRow("ca_cert_port too big")
        << with("ca_cert_port", 65536)
        << s("invalid request body: ca_cert_port must be <= 65535, got 65536");
    QTest::newRow("session_id bool")
        << with("session_id", true)
        << s("invalid request body: session_id must be a string, got true");
    QTest::newRow("missing key") << QJsonObject{{s("session_id"), s("x")}}
                                 << s("workload_key is required");
    QTest::newRow("empty key") << QJsonObject{{s("workload_key"), s("")}}
                               << s("workload_key is required");
}

void TestApi::allocateFieldTypes()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, error);
    AllocateRequest req;
    req.workloadKey = s("untouched");
    QString message;
    QVERIFY(!api::parseAllocateRequest(json(body), QByteArray(), &req, &message));
    QCOMPARE(message, error);
}

void TestApi::allocateRequestId()
{
    const QJsonObject body{{s("workload_key"), s("k")},
                           {s("labels"), QJsonObject{{s("team"), s("a")}}},
                           {s("ca_cert_port"), 9443},
                           {s("proxy_addr"), s("127.0.0.1:3128")}};
    AllocateRequest req;
    QString error;
    QVERIFY2(api::parseAllocateRequest(json(body), "from-header", &req, &error), qPrintable(error));
    QCOMPARE(req.workloadKey, s("k"));
    QCOMPARE(req.requestId, s("from-header")); // X-Request-Id when the body has none
    QCOMPARE(req.labels.value(s("team")), s("a"));
    QCOMPARE(req.caCertPort, 9443);
    QCOMPARE(req.proxyAddr, s("127.0.0.1:3128"));

    QJsonObject withId = body;
    withId[s("request_id")] = s("from-body");
    QVERIFY(api::parseAllocateRequest(json(withId), "from-header", &req, &error));
    QCOMPARE(req.requestId, s("from-body")); // the body's wins

    QVERIFY(api::parseAllocateRequest(json(body), QByteArray(), &req, &error));
    QVERIFY(req.requestId.isEmpty()); // the registry makes one
}

void TestApi::allocateBodyLimits()
{
    AllocateRequest req;
    QString error;
    QVERIFY(!api::parseAllocateRequest("[1]", QByteArray(), &req, &error));
    QCOMPARE(error, s("invalid request body: expected a JSON object"));
    QVERIFY(!api::parseAllocateRequest("{\"workload_key\":", QByteArray(), &req, &error));
    QVERIFY2(error.startsWith(s("invalid request body: ")) &&
                 error != s("invalid request body: expected a JSON object"),
             qPrintable(error));
    // Over 1 MiB: refused before parsing, whatever it holds.
    const QByteArray big =
        "{\"workload_key\":\"k\",\"pad\":\"" + QByteArray(int(api::kRunnerBodyLimit), 'x') + "\"}";
    QVERIFY(!api::parseAllocateRequest(big, QByteArray(), &req, &error));
    QCOMPARE(error, s("invalid request body: body too large"));
}

void TestApi::runnerIdBodies()
{
    QString id, error;
    QVERIFY(api::parseRunnerId(R"({"runner_id":"r-1"})", &id, &error));
    QCOMPARE(id, s("r-1"));
    // As upstream: a runner_id that is not a string counts as missing.
    QVERIFY(!api::parseRunnerId(R"({"runner_id":5})", &id, &error));
    QCOMPARE(error, s("runner_id is required"));
    QVERIFY(!api::parseRunnerId("{}", &id, &error));
    QCOMPARE(error, s("runner_id is required"));
    QVERIFY(!api::parseRunnerId(R"(["r-1"])", &id, &error));
    QCOMPARE(error, s("invalid request body: expected a JSON object"));
    QVERIFY(!api::parseRunnerId(R"({"runner_id":)", &id, &error));
    QVERIFY2(error.startsWith(s("invalid request body: ")) && error.size() > 22,
             qPrintable(error)); // the parser's reason
}

void TestApi::pauseSync()
{
    api::PauseRequest req;
    QString error;
    QVERIFY(api::parsePause(R"({"runner_id":"r"})", QUrlQuery(), &req, &error));
    QCOMPARE(req.runnerId, s("r"));
    QVERIFY(!req.syncFs);
    QVERIFY(api::parsePause(R"({"runner_id":"r","sync_fs":true})", QUrlQuery(), &req, &error));
    QVERIFY(req.syncFs);
    QVERIFY(api::parsePause(R"({"runner_id":"r"})", query("sync=true"), &req, &error));
    QVERIFY(req.syncFs);
    QVERIFY(api::parsePause(R"({"runner_id":"r","sync_fs":"yes"})", QUrlQuery(), &req, &error));
    QVERIFY(!req.syncFs); // lenient, as upstream: only a JSON true counts
    QVERIFY(!api::parsePause(R"({"sync_fs":true})", QUrlQuery(), &req, &error));
    QCOMPARE(error, s("runner_id is required"));
}

void TestApi::statusAndQuarantineQueries()
{
    QString id, error;
    QVERIFY(!api::parseStatusQuery(query("runner=x"), &id, &error));
    QCOMPARE(error, s("runner_id is required"));
    QVERIFY(api::parseStatusQuery(query("runner_id=abc"), &id, &error));
    QCOMPARE(id, s("abc"));

    QuarantineRequest q;
    QVERIFY(!api::parseQuarantineQuery(query("reason=x"), true, &q, &error));
    QCOMPARE(error, s("missing runner_id"));
    QVERIFY(api::parseQuarantineQuery(query("runner_id=r&reason=a+b%2Bc&pause_vm=false"), true, &q,
                                      &error));
    QCOMPARE(q.runnerId, s("r"));
    QVERIFY(q.on);
    QCOMPARE(q.reason, s("a b+c")); // form-decoded as Go's url.ParseQuery does
    QVERIFY(!q.pauseVm);
    QVERIFY(q.blockEgress); // flags default to true, unreadable ones too
    QVERIFY(api::parseQuarantineQuery(query("runner_id=r&unblock_egress=0&resume_vm=maybe"), false,
                                      &q, &error));
    QVERIFY(!q.on);
    QVERIFY(!q.unblockEgress);
    QVERIFY(q.resumeVm);
    QCOMPARE(q.reason, s("")); // absent: empty, not null
    QVERIFY(!q.reason.isNull());
}

void TestApi::configCreateTypes_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("detail");
    const QJsonArray layers{QJsonObject{
        {s("name"), s("main")},
        {s("init_commands"),
         QJsonArray{QJsonObject{{s("type"), s("shell")}, {s("args"), QJsonArray{s("true")}}}}}}};
    auto body = [&layers](const QJsonObject &config) {
        return QJsonObject{
            {s("display_name"), s("typed")}, {s("layers"), layers}, {s("config"), config}};
    };
    QTest::newRow("ttl fraction") << body({{s("ttl"), 1.5}}) << s("invalid request body")
                                  << s("config.ttl must be an integer, got 1.5");
    QTest::newRow("ttl negative") << body({{s("ttl"), -1}})
                                  << s("invalid config: config.ttl must be >= 0, got -1")
                                  << QString();
    QTest::newRow("display_name number")
        << QJsonObject{{s("display_name"), 5}, {s("layers"), layers}} << s("invalid request body")
        << s("display_name must be a string, got 5");
    QTest::newRow("runner_user injection")
        << body({{s("runner_user"), s("a:b")}})
        << s("invalid config: config.runner_user must be a POSIX user name "
             "([a-z_][a-z0-9_-]{0,31}), got \"a:b\"")
        << QString();
    QTest::newRow("unknown tier") << body({{s("tier"), s("xxl")}})
                                  << s("invalid tier: unknown tier \"xxl\"") << QString();
}

void TestApi::configCreateTypes()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, error);
    QFETCH(QString, detail);
    ConfigCreate req;
    api::ApiError e;
    QVERIFY(!api::parseConfigCreate(json(body), &req, &e));
    QCOMPARE(e.status, 400);
    QCOMPARE(e.error, error);
    QCOMPARE(e.detail, detail);
    QCOMPARE(e.toJson().contains(s("detail")), !detail.isEmpty());

    // The same body with the field fixed is accepted: the tenant qualifies the id, tier defaults.
    QJsonObject fixed = body;
    fixed[s("display_name")] = s("typed");
    fixed[s("config")] = QJsonObject{{s("ttl"), 60}, {s("tenant_gcp_project"), s("proj")}};
    QVERIFY2(api::parseConfigCreate(json(fixed), &req, &e), qPrintable(e.error + e.detail));
    QCOMPARE(req.id, s("proj--typed"));
    QCOMPARE(req.displayName, s("typed"));
    QCOMPARE(req.tier, s("m"));
    QCOMPARE(req.definition.value(s("config")).toObject().value(s("ttl")), QJsonValue(60));
}

void TestApi::canaryAndHeartbeat_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    QTest::newRow("runner number") << QByteArray(R"({"status":"success","runner":5})")
                                   << s("invalid request body: runner must be a string");
    QTest::newRow("no status") << QByteArray(R"({"runner":"r"})") << s("status is required");
    QTest::newRow("bad status") << QByteArray(R"({"status":"ok","runner":"r"})")
                                << s("invalid status \"ok\": expected success or failure");
    QTest::newRow("no runner") << QByteArray(R"({"status":"failure"})") << s("runner is required");
    QTest::newRow("bad timestamp")
        << QByteArray(R"({"status":"success","runner":"r","timestamp":"yesterday"})")
        << s("invalid timestamp \"yesterday\": expected RFC 3339");
    QTest::newRow("not an object")
        << QByteArray("[]") << s("invalid request body: expected a JSON object");
    QTest::newRow("ok") << QByteArray(R"({"status":"success","runner":"r",)"
                                      R"("timestamp":"2026-01-02T03:04:05.123456789+01:00"})")
                        << QString();
}

void TestApi::canaryAndHeartbeat()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    CanaryReport report;
    QString message;
    QCOMPARE(api::parseCanaryReport(body, &report, &message), error.isEmpty());
    QCOMPARE(message, error);
    if (error.isEmpty()) {
        QCOMPARE(report.status, s("success"));
        QCOMPARE(report.runner, s("r"));
    }

    QString name;
    QVERIFY(!api::parseHeartbeat(R"({"instance_name":1})", &name, &message));
    QCOMPARE(message, s("invalid request body: instance_name must be a string"));
    QVERIFY(!api::parseHeartbeat(R"({"instance_name":null})", &name, &message));
    QCOMPARE(message, s("instance_name is required"));
    QVERIFY(api::parseHeartbeat(R"({"instance_name":"capsule-local-0"})", &name, &message));
    QCOMPARE(name, s("capsule-local-0"));
}

void TestApi::serviceErrorStatus()
{
    using K = ServiceError::Kind;
    QCOMPARE(api::httpStatus(K::Invalid), 400);
    QCOMPARE(api::httpStatus(K::NotFound), 404);
    QCOMPARE(api::httpStatus(K::Conflict), 409);
    QCOMPARE(api::httpStatus(K::Failed), 500);
    QCOMPARE(api::httpStatus(K::Unavailable), 503);
    QCOMPARE(api::httpStatus(K::NoCapacity), 429);
    // Only "no capacity" tells the client when to come back (contract 2.2: Retry-After: 2).
    const Headers retry = api::errorHeaders(K::NoCapacity);
    QCOMPARE(retry.size(), 1);
    QCOMPARE(retry.first().first, QByteArray("Retry-After"));
    QCOMPARE(retry.first().second, QByteArray("2"));
    for (K k : {K::Invalid, K::NotFound, K::Conflict, K::Failed, K::Unavailable})
        QVERIFY(api::errorHeaders(k).isEmpty());
    const ServiceError e = ServiceError::unavailable(s("still building"));
    QCOMPARE(e.kind, K::Unavailable);
    QCOMPARE(e.message, s("still building"));
}

void TestApi::resultType()
{
    const Result<int> ok = 3;
    QVERIFY(ok.ok());
    QCOMPARE(ok.value(), 3);
    const Result<int> bad = ServiceError::notFound(s("config not found"));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().kind, ServiceError::Kind::NotFound);
    QCOMPARE(bad.error().message, s("config not found"));
    const Result<void> done;
    QVERIFY(done.ok());
    const Result<void> failed = ServiceError::failed(s("x"));
    QVERIFY(!failed.ok());
    QCOMPARE(api::httpStatus(failed.error().kind), 500);
}

void TestApi::routeTable()
{
    const Routes routes;
    using api::ErrorStyle;
    // Served, with the path's parameters.
    api::Router::Match m = routes.match("POST", "layered-configs/cfg/layers/base/refresh");
    QVERIFY(m.found && m.methodAllowed);
    QCOMPARE(m.params, (QStringList{s("cfg"), s("base")}));
    m = routes.match("GET", "layered-configs/cfg/builds/v1/log");
    QVERIFY(m.found && m.methodAllowed);
    QCOMPARE(m.params, (QStringList{s("cfg"), s("v1")}));
    QVERIFY(routes.match("DELETE", "layered-configs/cfg").methodAllowed);
    QVERIFY(routes.match("PATCH", "runners").methodAllowed); // the listing takes any method
    QVERIFY(routes.match("PUT", "snapshots").methodAllowed);
    m = routes.match("POST", "hosts/local-1/drain");
    QVERIFY(m.methodAllowed);
    QCOMPARE(m.params, QStringList{s("local-1")});

    // A path served with other methods: 405, text or JSON as upstream has it per route.
    m = routes.match("GET", "runners/allocate");
    QVERIFY(m.found && !m.methodAllowed);
    QCOMPARE(m.notAllowed, ErrorStyle::Text);
    m = routes.match("GET", "runners/connect");
    QVERIFY(m.found && !m.methodAllowed);
    QCOMPARE(m.notAllowed, ErrorStyle::Json);
    m = routes.match("GET", "hosts/local-0/undrain");
    QVERIFY(!m.methodAllowed);
    QCOMPARE(m.notAllowed, ErrorStyle::Json);
    m = routes.match("POST", "hosts");
    QVERIFY(!m.methodAllowed);
    QCOMPARE(m.notAllowed, ErrorStyle::Text);
    m = routes.match("PUT", "layered-configs");
    QVERIFY(!m.methodAllowed);
    QCOMPARE(m.notAllowed, ErrorStyle::Json);
    m = routes.match("POST", "versions/fleet");
    QVERIFY(!m.methodAllowed);
    QCOMPARE(m.notAllowed, ErrorStyle::Text);
    // Any other path under a config is answered (405 json) by the collection's catch-all.
    QVERIFY(routes.match("GET", "layered-configs/cfg/unknown/deeper").methodAllowed);

    // Not routed: the control plane answers 404 text.
    QVERIFY(!routes.match("POST", "runners/unknown").found);
    QVERIFY(!routes.match("GET", "runners/status/extra").found);
    QVERIFY(!routes.match("GET", "hosts/local-0").found);
    QVERIFY(!routes.match("GET", "snapshots/x").found);
    QVERIFY(!routes.match("POST", "hosts/heartbeat").found); // only with a host token, by CP
}

void TestApi::replyJson()
{
    AllocateReply a;
    a.runnerId = s("r");
    a.hostId = s("local-0");
    a.hostAddress = s("127.0.0.1:9");
    a.sessionId = s("sess");
    QJsonObject o = api::allocateReplyJson(a);
    QCOMPARE(o.value(s("internal_ip")).toString(), s("127.0.0.1"));
    QCOMPARE(o.value(s("resumed")), QJsonValue(false));
    QVERIFY(!o.contains(s("proxy_addr")) && !o.contains(s("ca_cert_port")) &&
            !o.contains(s("tenant_id")));
    a.proxyAddr = s("127.0.0.1:3128");
    a.caCertPort = 8443;
    a.tenantId = s("t");
    o = api::allocateReplyJson(a);
    QCOMPARE(o.value(s("ca_cert_port")), QJsonValue(8443)); // a number, not a string
    QCOMPARE(o.value(s("tenant_id")).toString(), s("t"));

    QCOMPARE(api::runnerStatusJson({s("r"), RunnerStatus::Phase::Pending, {}}),
             (QJsonObject{{s("runner_id"), s("r")}, {s("status"), s("pending")}}));
    QCOMPARE(api::runnerStatusJson({s("r"), RunnerStatus::Phase::Ready, s("127.0.0.1:9")})
                 .value(s("host_address"))
                 .toString(),
             s("127.0.0.1:9"));

    // Quarantine refusals are answers (200) with success false and the reason.
    QCOMPARE(
        api::quarantineReplyJson(s("r"), QuarantineReply{false, s("runner is booting"), {}, {}}),
        (QJsonObject{{s("success"), false},
                     {s("runner_id"), s("r")},
                     {s("error"), s("runner is booting")}}));
    QCOMPARE(api::quarantineReplyJson(s("r"), QuarantineReply{}),
             (QJsonObject{{s("success"), true}, {s("runner_id"), s("r")}}));

    const QJsonObject pause = api::pauseReplyJson({s("sess"), 4096, 2});
    QCOMPARE(pause.value(s("layer")), QJsonValue(2)); // an integer (the SDK's PauseResult)
    QCOMPARE(pause.value(s("snapshot_size_bytes")), QJsonValue(4096));

    DesiredVersions d{s("capsule-local-0"), s("local-0"), {{s("k1"), s("v1")}}};
    QCOMPARE(api::desiredVersionsJson(d).value(s("count")), QJsonValue(1));
    QCOMPARE(api::desiredVersionsJson(d).value(s("desired_versions")).toObject(),
             (QJsonObject{{s("k1"), s("v1")}}));
}

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"
