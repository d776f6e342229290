// Replies of an unexpected shape (issue 8): a 200 whose body is not JSON, a list that is a string,
// null or numeric entries, missing identifiers. Every list/get call of the library fails with
// Error::unexpectedReply naming what was wrong, instead of succeeding with an empty or bogus
// result. Numbers and booleans stay lenient (contract 7).
#include "core/blocking.h"
#include "core/client.h"
#include "support/faultserver.h"

#include <QtTest>
#include <functional>

using namespace capsule;
using capsule::test::FaultServer;

namespace {

// One library call against the fault server; returns the finished job's error (kind Generic and
// empty message on success).
using Call = std::function<Error(Client *)>;

template<class J>
Error outcome(J *job)
{
    waitFor(job);
    const Error e = job->hasError() ? job->error() : Error();
    job->deleteLater();
    return e;
}

Call configsList()
{
    return [](Client *c) {
        return outcome(c->configs()->list());
    };
}
Call configGet()
{
    return [](Client *c) {
        return outcome(c->configs()->get(QStringLiteral("cfg")));
    };
}
Call configCreate()
{
    return [](Client *c) {
        return outcome(c->configs()->create(
            QJsonObject{{QStringLiteral("display_name"), QStringLiteral("cfg")},
                        {QStringLiteral("layers"), QJsonArray()}}));
    };
}
Call configBuild()
{
    return [](Client *c) {
        return outcome(c->configs()->build(QStringLiteral("cfg")));
    };
}
Call configBuilds()
{
    return [](Client *c) {
        return outcome(c->configs()->builds(QStringLiteral("cfg")));
    };
}
Call workloadsList()
{
    return [](Client *c) {
        return outcome(c->workloads()->list());
    };
}
Call runnersList()
{
    return [](Client *c) {
        return outcome(c->runners()->list());
    };
}
Call runnerStatus()
{
    return [](Client *c) {
        return outcome(c->runners()->status(QStringLiteral("r-1")));
    };
}
Call runnerAllocate()
{
    return [](Client *c) {
        return outcome(c->runners()->allocate(QStringLiteral("0123456789abcdef")));
    };
}
Call runnerPause()
{
    return [](Client *c) {
        return outcome(c->runners()->pause(QStringLiteral("r-1")));
    };
}
Call hostsList()
{
    return [](Client *c) {
        return outcome(c->hosts()->list());
    };
}
Call snapshotsList()
{
    return [](Client *c) {
        return outcome(c->snapshots()->list());
    };
}

} // namespace

Q_DECLARE_METATYPE(Call)

class TestReplyShapes final : public QObject
{
    Q_OBJECT

private slots:
    void unexpectedShapes_data();
    void unexpectedShapes();
    void goodShapesStillLenient_data();
    void goodShapesStillLenient();
};

void TestReplyShapes::unexpectedShapes_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Call>("call");
    QTest::addColumn<QString>("problem");

    const QString configs = QStringLiteral("/api/v1/layered-configs");
    const QString config = QStringLiteral("/api/v1/layered-configs/cfg");
    QTest::newRow("configs: not json") << QByteArray("GET") << configs << QByteArray("not json!")
                                       << configsList() << "the body is not JSON";
    QTest::newRow("configs: empty body") << QByteArray("GET") << configs << QByteArray()
                                         << configsList() << "the body is empty, not a JSON object";
    QTest::newRow("configs: a list body")
        << QByteArray("GET") << configs << QByteArray("[]") << configsList()
        << "the body is a list, not a JSON "
           "object";
    QTest::newRow("configs: a string")
        << QByteArray("GET") << configs << QByteArray(R"({"configs":"not-a-list"})")
        << configsList() << "configs is a string, not a list";
    QTest::newRow("configs: missing") << QByteArray("GET") << configs << QByteArray(R"({})")
                                      << configsList() << "configs is missing";
    QTest::newRow("configs: null entry")
        << QByteArray("GET") << configs << QByteArray(R"({"configs":[null],"count":1})")
        << configsList() << "configs[0] is null, not an object";
    QTest::newRow("configs: numeric entry")
        << QByteArray("GET") << configs
        << QByteArray(R"({"configs":[{"config_id":"a"},42],"count":2})") << configsList()
        << "configs[1] is a number, not an object";
    QTest::newRow("configs: entry without id")
        << QByteArray("GET") << configs << QByteArray(R"({"configs":[{"tier":"m"}]})")
        << configsList() << "configs[0].config_id is missing";
    QTest::newRow("configs: id is a list")
        << QByteArray("GET") << configs << QByteArray(R"({"configs":[{"config_id":["a"]}]})")
        << configsList() << "configs[0].config_id is a list, not a scalar";
    QTest::newRow("workloads: a string")
        << QByteArray("GET") << configs << QByteArray(R"({"configs":"x"})") << workloadsList()
        << "configs is a string, not a list";
    QTest::newRow("config get: config is a list")
        << QByteArray("GET") << config << QByteArray(R"({"config":[],"layers":[]})") << configGet()
        << "config is a list, not an object";
    QTest::newRow("config get: no config")
        << QByteArray("GET") << config << QByteArray(R"({"layers":[]})") << configGet()
        << "config is missing, not an object";
    QTest::newRow("config get: layers an object")
        << QByteArray("GET") << config
        << QByteArray(R"({"config":{"config_id":"cfg"},"layers":{"a":1}})") << configGet()
        << "layers is an object, not a list";
    QTest::newRow("config get: start_command a string")
        << QByteArray("GET") << config
        << QByteArray(R"({"config":{"config_id":"cfg","start_command":"x"}})") << configGet()
        << "config.start_command is a string, not an object";
    QTest::newRow("create: not json") << QByteArray("POST") << configs << QByteArray("<html>")
                                      << configCreate() << "the body is not JSON";
    QTest::newRow("create: layers a number")
        << QByteArray("POST") << configs << QByteArray(R"({"config_id":"cfg","layers":3})")
        << configCreate() << "layers is a number, not a list";
    QTest::newRow("build: no status")
        << QByteArray("POST") << config + QStringLiteral("/build")
        << QByteArray(R"({"config_id":"cfg"})") << configBuild() << "status is missing";
    QTest::newRow("builds: a string")
        << QByteArray("GET") << config + QStringLiteral("/builds")
        << QByteArray(R"({"builds":"none"})") << configBuilds() << "builds is a string, not a list";
    QTest::newRow("runners: entries are strings")
        << QByteArray("GET") << QStringLiteral("/api/v1/runners")
        << QByteArray(R"({"runners":["r-1"],"count":1})") << runnersList()
        << "runners[0] is a string, not an object";
    QTest::newRow("status: not json")
        << QByteArray("GET") << QStringLiteral("/api/v1/runners/status") << QByteArray("ok")
        << runnerStatus() << "the body is not JSON";
    QTest::newRow("status: no status")
        << QByteArray("GET") << QStringLiteral("/api/v1/runners/status")
        << QByteArray(R"({"runner_id":"r-1"})") << runnerStatus() << "status is missing";
    QTest::newRow("allocate: no runner id")
        << QByteArray("POST") << QStringLiteral("/api/v1/runners/allocate")
        << QByteArray(R"({"host_address":"127.0.0.1:1"})") << runnerAllocate()
        << "runner_id is missing";
    QTest::newRow("allocate: not json")
        << QByteArray("POST") << QStringLiteral("/api/v1/runners/allocate")
        << QByteArray("not json!") << runnerAllocate() << "the body is not JSON";
    QTest::newRow("pause: a list")
        << QByteArray("POST") << QStringLiteral("/api/v1/runners/pause") << QByteArray("[true]")
        << runnerPause() << "the body is a list, not a JSON object";
    QTest::newRow("hosts: null entry")
        << QByteArray("GET") << QStringLiteral("/api/v1/hosts") << QByteArray(R"({"hosts":[null]})")
        << hostsList() << "hosts[0] is null, not an object";
    QTest::newRow("snapshots: metrics a list")
        << QByteArray("GET") << QStringLiteral("/api/v1/snapshots")
        << QByteArray(R"({"snapshots":[{"Version":"v1","Metrics":[]}]})") << snapshotsList()
        << "snapshots[0].Metrics is a list, not an object";
}

void TestReplyShapes::unexpectedShapes()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(Call, call);
    QFETCH(QString, problem);

    FaultServer server;
    QVERIFY(server.listen());
    FaultServer::Reply reply;
    reply.status = 200;
    reply.body = body;
    server.setDefault(method, path, reply);
    // A name lookup (workloads) reads the config list first.
    Settings s;
    s.baseUrl = server.baseUrl();
    s.backoffBase = 0.01;
    s.backoffJitter = 0;
    Client client(s);
    const Error e = call(&client);
    QVERIFY2(e.kind == ErrorKind::Protocol, qPrintable(Error::kindName(e.kind) + ": " + e.message));
    QVERIFY2(e.message.startsWith(QStringLiteral("unexpected answer from the server: ")),
             qPrintable(e.message));
    QVERIFY2(e.message.contains(problem), qPrintable(e.message));
    QVERIFY(!e.requestId.isEmpty());
    // A 200 with a bad shape is not retried: the same request gets the same answer.
    QCOMPARE(server.count(method, path), 1);
}

// The lenient parts of contract 7 are kept: numeric strings, "true", null lists.
void TestReplyShapes::goodShapesStillLenient_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Call>("call");
    QTest::newRow("configs null") << QByteArray("GET") << QStringLiteral("/api/v1/layered-configs")
                                  << QByteArray(R"({"configs":null,"count":0})") << configsList();
    QTest::newRow("numbers as strings")
        << QByteArray("GET") << QStringLiteral("/api/v1/layered-configs")
        << QByteArray(
               R"({"configs":[{"config_id":"a","runner_ttl_seconds":"60","auto_pause":"true"}],"count":"1"})")
        << configsList();
    QTest::newRow("layers null") << QByteArray("GET")
                                 << QStringLiteral("/api/v1/layered-configs/cfg")
                                 << QByteArray(R"({"config":{"config_id":"cfg"},"layers":null})")
                                 << configGet();
    QTest::newRow("status pending")
        << QByteArray("GET") << QStringLiteral("/api/v1/runners/status")
        << QByteArray(R"({"runner_id":"r-1","status":"pending"})") << runnerStatus();
    QTest::newRow("runners null") << QByteArray("GET") << QStringLiteral("/api/v1/runners")
                                  << QByteArray(R"({"runners":null,"count":0})") << runnersList();
    QTest::newRow("pause layer as integer")
        << QByteArray("POST") << QStringLiteral("/api/v1/runners/pause")
        << QByteArray(R"({"success":true,"session_id":"s","snapshot_size_bytes":5,"layer":1})")
        << runnerPause();
}

void TestReplyShapes::goodShapesStillLenient()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(Call, call);
    FaultServer server;
    QVERIFY(server.listen());
    FaultServer::Reply reply;
    reply.status = 200;
    reply.body = body;
    server.setDefault(method, path, reply);
    Settings s;
    s.baseUrl = server.baseUrl();
    Client client(s);
    const Error e = call(&client);
    QVERIFY2(e.message.isEmpty(), qPrintable(e.message));
}

QTEST_GUILESS_MAIN(TestReplyShapes)
#include "tst_replyshapes.moc"
