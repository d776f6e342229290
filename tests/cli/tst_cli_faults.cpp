// The `capsule` command against a misbehaving server (issue 8): replies of an unexpected shape
// and broken exec streams exit 12 with "unexpected answer from the server: <what>" on stderr,
// never 0 with an empty table or 255 with nothing said.
#include "cliharness.h"
#include "support/faultserver.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule::test;

class TestCliFaults final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void listings_data();
    void listings();
    void execStreams_data();
    void execStreams();
    void execStreamWithJunkLinesStillExits();
    void onboardDryRunShowsResolvedYaml();
};

void TestCliFaults::initTestCase()
{
    QVERIFY2(!qEnvironmentVariable("CAPSULE_CLI_BIN").isEmpty(), "CAPSULE_CLI_BIN is not set");
}

void TestCliFaults::listings_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    const QString configs = QStringLiteral("/api/v1/layered-configs");
    QTest::newRow("configs: not json")
        << QStringList{"configs"} << configs << QByteArray("not json!") << "the body is not JSON";
    QTest::newRow("configs: not a list")
        << QStringList{"configs"} << configs << QByteArray(R"({"configs":"not-a-list"})")
        << "configs is a string, not a list";
    QTest::newRow("configs: null entry")
        << QStringList{"configs"} << configs << QByteArray(R"({"configs":[null]})")
        << "configs[0] is null, not an object";
    QTest::newRow("workloads: numeric entry")
        << QStringList{"workloads"} << configs << QByteArray(R"({"configs":[7]})")
        << "configs[0] is a number, not an object";
    QTest::newRow("workloads json: not json")
        << QStringList{"workloads", "--output", "json"} << configs << QByteArray("<html></html>")
        << "the body is not JSON";
    QTest::newRow("runners: a string")
        << QStringList{"runners"} << QStringLiteral("/api/v1/runners")
        << QByteArray(R"({"runners":"r-1"})") << "runners is a string, not a list";
    QTest::newRow("hosts: null entry")
        << QStringList{"hosts"} << QStringLiteral("/api/v1/hosts")
        << QByteArray(R"({"hosts":[null],"count":1})") << "hosts[0] is null, not an object";
    QTest::newRow("status: not json")
        << QStringList{"status", "r-1"} << QStringLiteral("/api/v1/runners/status")
        << QByteArray("ready") << "the body is not JSON";
}

void TestCliFaults::listings()
{
    QFETCH(QStringList, args);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    FaultServer server;
    QVERIFY(server.listen());
    FaultServer::Reply reply;
    reply.body = body;
    server.setDefault("GET", path, reply);
    const CliResult r = runCliServed(args, server.baseUrl());
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(r.finished, qPrintable(err));
    QCOMPARE(r.code, 12);
    QVERIFY2(err.startsWith(QStringLiteral("error: unexpected answer from the server: ")),
             qPrintable(err));
    QVERIFY2(err.contains(message), qPrintable(err));
    QVERIFY2(r.out.isEmpty(), r.out.constData()); // no table, no bogus row
}

void TestCliFaults::execStreams_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("message");
    QTest::newRow("code is a string")
        << QByteArray(
               "{\"type\":\"stdout\",\"data\":\"hi\\n\"}\n{\"type\":\"exit\",\"code\":\"zero\"}\n")
        << "the exit event's code is \"zero\", not an integer";
    QTest::newRow("code is a fraction") << QByteArray("{\"type\":\"exit\",\"code\":1.5}\n")
                                        << "the exit event's code is 1.5, not an integer";
    QTest::newRow("exit without code")
        << QByteArray("{\"type\":\"exit\"}\n") << "the exit event has no code";
    QTest::newRow("no exit event")
        << QByteArray("{\"type\":\"stdout\",\"data\":\"hi\\n\"}\n")
        << "the exec stream ended without an exit event after 1 event(s)";
    QTest::newRow("empty body") << QByteArray()
                                << "the exec stream ended without an exit event; the body was "
                                   "empty";
    QTest::newRow("nothing but junk")
        << QByteArray("garbage\n[1,2]\n")
        << "the exec stream ended without an exit event (2 malformed line(s), the first: line 1 "
           "is not JSON: \"garbage\")";
}

void TestCliFaults::execStreams()
{
    QFETCH(QByteArray, stream);
    QFETCH(QString, message);
    FaultServer server;
    QVERIFY(server.listen());
    server.setDefault(
        "POST", QStringLiteral("/api/v1/runners/connect"),
        FaultServer::json(200, {{"runner_id", "r-1"}, {"host_address", server.hostAddress()}}));
    FaultServer::Reply reply;
    reply.body = stream;
    reply.contentType = "application/x-ndjson";
    server.setDefault("POST", QStringLiteral("/api/v1/runners/r-1/exec"), reply);
    const CliResult r = runCliServed({"exec", "r-1", "--", "true"}, server.baseUrl());
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(r.finished, qPrintable(err));
    QCOMPARE(r.code, 12);
    QVERIFY2(err.contains(QStringLiteral("error: unexpected answer from the server: ") + message),
             qPrintable(err));
}

// Junk lines are skipped as the SDK does, but said on stderr; a good exit still counts.
void TestCliFaults::execStreamWithJunkLinesStillExits()
{
    FaultServer server;
    QVERIFY(server.listen());
    server.setDefault(
        "POST", QStringLiteral("/api/v1/runners/connect"),
        FaultServer::json(200, {{"runner_id", "r-1"}, {"host_address", server.hostAddress()}}));
    FaultServer::Reply reply;
    reply.body =
        "{\"type\":\"stdout\",\"data\":\"out\\n\"}\n\nnot json\n{\"type\":\"exit\",\"code\":3}\n";
    reply.contentType = "application/x-ndjson";
    server.setDefault("POST", QStringLiteral("/api/v1/runners/r-1/exec"), reply);
    const CliResult r = runCliServed({"exec", "r-1", "--", "true"}, server.baseUrl());
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(r.finished, qPrintable(err));
    QCOMPARE(r.code, 3);
    QCOMPARE(r.out, QByteArray("out\n"));
    QVERIFY2(err.contains(QStringLiteral("skipped a malformed line of the exec stream (line 3 is "
                                         "not JSON: \"not json\")")),
             qPrintable(err));
}

// Issue 12: --dry-run shows the body as the SDK derives it from YAML 1.1 (merge keys resolved,
// 0x10 an integer, yes a boolean), and the workload key of that body.
void TestCliFaults::onboardDryRunShowsResolvedYaml()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("onboard.yaml"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("defaults: &defaults\n  type: shell\n  run_as_root: yes\n"
            "workload:\n  display_name: merged\n  config: {ttl: 0x10}\n  layers:\n"
            "    - name: main\n      init_commands:\n        - <<: *defaults\n"
            "          args: [id]\n");
    f.close();
    const CliResult r = runCli({"onboard", path, "--dry-run", "--output", "json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QJsonObject out = QJsonDocument::fromJson(r.out).object();
    const QJsonObject body = out.value("body").toObject();
    QCOMPARE(
        QJsonDocument(body).toJson(QJsonDocument::Compact),
        QByteArray(R"({"config":{"ttl":16},"display_name":"merged","layers":[{"init_commands":)"
                   R"([{"args":["id"],"run_as_root":true,"type":"shell"}],"name":"main"}]})"));
    QVERIFY(!r.out.contains("<<"));
    QCOMPARE(out.value("workload_key").toString().size(), 16);
}

QTEST_GUILESS_MAIN(TestCliFaults)
#include "tst_cli_faults.moc"
