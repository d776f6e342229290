// Fleet, canary and heartbeat routes of capsule-local (contract 2.4) against a real server:
// missing parameters, unknown ids, wrong methods, malformed bodies and the happy paths, each with
// its exact status code and message.
#include "tst_cp_util.h"

#include <QtTest>

using namespace capsule::test;

namespace {

const QByteArray kHostToken = "fleet-host-token";

QJsonObject hostEntry(const QJsonObject &fleet, const QString &hostId)
{
    for (const QJsonValue &v : fleet.value(QStringLiteral("hosts")).toArray())
        if (v.toObject().value(QStringLiteral("host_id")).toString() == hostId)
            return v.toObject();
    return {};
}

} // namespace

class TestCpFleet final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void routeErrors_data();
    void routeErrors();
    void fleetConvergesAfterRebuildAndRelease();
    void desiredVersionsPerWorkload();
    void canaryReportsAreKeptAndCounted();
    void heartbeatUsesTheHostToken();
    void heartbeatIsNotServedWithoutHostToken();

private:
    QString leafVersion(const QString &configId) const;
    LocalServer m_server;
    QString m_key;
    QString m_configId;
};

void TestCpFleet::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({QStringLiteral("--hosts"), QStringLiteral("2"),
                             QStringLiteral("--host-token"), QString::fromLatin1(kHostToken)},
                            &error),
             qPrintable(error));
    m_configId = QStringLiteral("fleet-base");
    m_key = m_server.createAndBuild(oneLayerConfig(m_configId, QStringLiteral("true")), &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error + m_server.stderrText()));
}

QString TestCpFleet::leafVersion(const QString &configId) const
{
    const HttpReply r = m_server.get(QStringLiteral("/api/v1/layered-configs/") + configId);
    const QJsonObject leaf = r.json().value(QStringLiteral("layers")).toArray().last().toObject();
    if (leaf.value(QStringLiteral("status")).toString() != QLatin1String("active") ||
        leaf.contains(QStringLiteral("build_status")))
        return {};
    return leaf.value(QStringLiteral("current_version")).toString();
}

void TestCpFleet::routeErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reply"); // the exact body
    const QByteArray bad405 = "method not allowed\n";
    // versions/fleet
    QTest::newRow("fleet: missing key")
        << QByteArray("GET") << QStringLiteral("/api/v1/versions/fleet") << QByteArray() << 400
        << QByteArray("workload_key is required\n");
    QTest::newRow("fleet: empty key")
        << QByteArray("GET") << QStringLiteral("/api/v1/versions/fleet?workload_key=")
        << QByteArray() << 400 << QByteArray("workload_key is required\n");
    QTest::newRow("fleet: unknown key")
        << QByteArray("GET")
        << QStringLiteral("/api/v1/versions/fleet?workload_key=00000000deadbeef") << QByteArray()
        << 404 << QByteArray("{\"error\":\"workload_key 00000000deadbeef not found\"}\n");
    QTest::newRow("fleet: POST") << QByteArray("POST")
                                 << QStringLiteral("/api/v1/versions/fleet?workload_key=x")
                                 << QByteArray("{}") << 405 << bad405;
    // versions/desired
    QTest::newRow("desired: missing name")
        << QByteArray("GET") << QStringLiteral("/api/v1/versions/desired") << QByteArray() << 400
        << QByteArray("instance_name is required\n");
    QTest::newRow("desired: unknown host")
        << QByteArray("GET")
        << QStringLiteral("/api/v1/versions/desired?instance_name=capsule-local-9") << QByteArray()
        << 404 << QByteArray("{\"error\":\"host not found: capsule-local-9\"}\n");
    QTest::newRow("desired: host id is not an instance name")
        << QByteArray("GET") << QStringLiteral("/api/v1/versions/desired?instance_name=local-0")
        << QByteArray() << 404 << QByteArray("{\"error\":\"host not found: local-0\"}\n");
    QTest::newRow("desired: DELETE")
        << QByteArray("DELETE")
        << QStringLiteral("/api/v1/versions/desired?instance_name=capsule-local-0") << QByteArray()
        << 405 << bad405;
    // canary/report
    const QString canary = QStringLiteral("/api/v1/canary/report");
    QTest::newRow("canary: GET") << QByteArray("GET") << canary << QByteArray() << 405 << bad405;
    QTest::newRow("canary: PUT") << QByteArray("PUT") << canary << QByteArray("{}") << 405
                                 << bad405;
    QTest::newRow("canary: not JSON") << QByteArray("POST") << canary << QByteArray("{status")
                                      << 400 << QByteArray("invalid request body: ");
    QTest::newRow("canary: array") << QByteArray("POST") << canary << QByteArray("[]") << 400
                                   << QByteArray("invalid request body: expected a JSON object\n");
    QTest::newRow("canary: status not a string")
        << QByteArray("POST") << canary << QByteArray(R"({"status":1,"runner":"r"})") << 400
        << QByteArray("invalid request body: status must be a string\n");
    QTest::newRow("canary: missing status")
        << QByteArray("POST") << canary << QByteArray(R"({"runner":"r"})") << 400
        << QByteArray("status is required\n");
    QTest::newRow("canary: unknown status")
        << QByteArray("POST") << canary << QByteArray(R"({"status":"meh","runner":"r"})") << 400
        << QByteArray("invalid status \"meh\": expected success or failure\n");
    QTest::newRow("canary: missing runner")
        << QByteArray("POST") << canary << QByteArray(R"({"status":"success"})") << 400
        << QByteArray("runner is required\n");
    QTest::newRow("canary: bad timestamp")
        << QByteArray("POST") << canary
        << QByteArray(R"({"status":"success","runner":"r","timestamp":"5 Dec 2026"})") << 400
        << QByteArray("invalid timestamp \"5 Dec 2026\": expected RFC 3339\n");
    QTest::newRow("canary: timestamp not a string")
        << QByteArray("POST") << canary
        << QByteArray(R"({"status":"success","runner":"r","timestamp":17})") << 400
        << QByteArray("invalid request body: timestamp must be a string\n");
    QTest::newRow("canary: happy")
        << QByteArray("POST") << canary
        << QByteArray(
               R"({"status":"failure","runner":"r-9","timestamp":"2026-12-05T10:00:00.123456789Z"})")
        << 200 << QByteArray("{\"status\":\"ok\"}\n");
    // Unknown paths next to the new routes stay 404 text.
    QTest::newRow("versions: unknown")
        << QByteArray("GET") << QStringLiteral("/api/v1/versions/other") << QByteArray() << 404
        << QByteArray("404 page not found\n");
}

void TestCpFleet::routeErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, reply);
    const HttpReply r = m_server.request(method, path, body);
    QCOMPARE(r.status, status);
    if (reply.endsWith('\n'))
        QCOMPARE(r.body, reply);
    else
        QVERIFY2(r.body.startsWith(reply) && r.body.endsWith('\n'), r.body.constData());
    // Every one of these routes needs the API token, checked before routing (1.4).
    const HttpReply anonymous = m_server.request(method, path, body, false);
    QCOMPARE(anonymous.status, 401);
    QCOMPARE(anonymous.body, QByteArray("{\"error\":\"unauthorized\"}\n"));
}

void TestCpFleet::fleetConvergesAfterRebuildAndRelease()
{
    const QString fleetPath = QStringLiteral("/api/v1/versions/fleet?workload_key=") + m_key;
    const QString v1 = leafVersion(m_configId);
    QVERIFY(!v1.isEmpty());
    HttpReply r = m_server.get(fleetPath);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("workload_key")).toString(), m_key);
    QCOMPARE(r.json().value(QStringLiteral("count")).toInt(), 2);
    for (const QString &h : {QStringLiteral("local-0"), QStringLiteral("local-1")}) {
        const QJsonObject e = hostEntry(r.json(), h);
        QCOMPARE(e.value(QStringLiteral("instance_name")).toString(),
                 QStringLiteral("capsule-") + h);
        QCOMPARE(e.value(QStringLiteral("desired_version")).toString(), v1);
        QCOMPARE(e.value(QStringLiteral("current_version")).toString(), v1);
        QCOMPARE(e.value(QStringLiteral("converged")), QJsonValue(true));
    }

    // A runner keeps serving v1 while a forced rebuild makes v2 the desired version.
    r = m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(m_key));
    QCOMPARE(r.status, 200);
    const QString runnerId = r.json().value(QStringLiteral("runner_id")).toString();
    const QString runnerHost = r.json().value(QStringLiteral("host_id")).toString();
    const QString otherHost = runnerHost == QLatin1String("local-0") ? QStringLiteral("local-1")
                                                                     : QStringLiteral("local-0");
    QCOMPARE(
        m_server
            .request("POST",
                     QStringLiteral("/api/v1/layered-configs/%1/build?force=true").arg(m_configId))
            .status,
        202);
    QTRY_VERIFY_WITH_TIMEOUT(!leafVersion(m_configId).isEmpty() && leafVersion(m_configId) != v1,
                             120000);
    const QString v2 = leafVersion(m_configId);
    r = m_server.get(fleetPath);
    QCOMPARE(r.status, 200);
    QJsonObject e = hostEntry(r.json(), runnerHost);
    QCOMPARE(e.value(QStringLiteral("desired_version")).toString(), v2);
    QCOMPARE(e.value(QStringLiteral("current_version")).toString(), v1);
    QCOMPARE(e.value(QStringLiteral("converged")), QJsonValue(false));
    e = hostEntry(r.json(), otherHost);
    QCOMPARE(e.value(QStringLiteral("current_version")).toString(), v2);
    QCOMPARE(e.value(QStringLiteral("converged")), QJsonValue(true));

    // Once the old runner is gone the host serves v2 only.
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/runners/release"),
                       {{QStringLiteral("runner_id"), runnerId}})
                 .status,
             200);
    e = hostEntry(m_server.get(fleetPath).json(), runnerHost);
    QCOMPARE(e.value(QStringLiteral("current_version")).toString(), v2);
    QCOMPARE(e.value(QStringLiteral("converged")), QJsonValue(true));

    // A workload that was never built has nothing to converge to.
    r = m_server.post(QStringLiteral("/api/v1/layered-configs"),
                      oneLayerConfig(QStringLiteral("fleet-unbuilt"), QStringLiteral("echo x")));
    QCOMPARE(r.status, 201);
    const QString unbuiltKey = r.json().value(QStringLiteral("leaf_workload_key")).toString();
    r = m_server.get(QStringLiteral("/api/v1/versions/fleet?workload_key=") + unbuiltKey);
    QCOMPARE(r.status, 200);
    e = hostEntry(r.json(), QStringLiteral("local-0"));
    QCOMPARE(e.value(QStringLiteral("desired_version")).toString(), QString());
    QCOMPARE(e.value(QStringLiteral("converged")), QJsonValue(false));
}

void TestCpFleet::desiredVersionsPerWorkload()
{
    const HttpReply r =
        m_server.get(QStringLiteral("/api/v1/versions/desired?instance_name=capsule-local-1"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("instance_name")).toString(),
             QStringLiteral("capsule-local-1"));
    QCOMPARE(r.json().value(QStringLiteral("host_id")).toString(), QStringLiteral("local-1"));
    const QJsonObject versions = r.json().value(QStringLiteral("desired_versions")).toObject();
    QCOMPARE(versions.value(m_key).toString(), leafVersion(m_configId));
    // Unbuilt workloads have no desired version yet.
    QCOMPARE(r.json().value(QStringLiteral("count")).toInt(), versions.size());
    for (auto it = versions.begin(); it != versions.end(); ++it)
        QVERIFY2(it.value().toString().startsWith(QLatin1Char('v')), qPrintable(it.key()));
}

void TestCpFleet::canaryReportsAreKeptAndCounted()
{
    const auto before = m_server.get(QStringLiteral("/api/v1/canary/reports")).json();
    const int successes0 = before.value(QStringLiteral("successes")).toInt();
    const int failures0 = before.value(QStringLiteral("failures")).toInt();
    // More reports than are kept: the counts see them all, the list only the newest 100.
    for (int i = 0; i < 104; ++i) {
        const HttpReply r = m_server.post(
            QStringLiteral("/api/v1/canary/report"),
            {{QStringLiteral("status"),
              i % 4 == 0 ? QStringLiteral("failure") : QStringLiteral("success")},
             {QStringLiteral("runner"), QStringLiteral("runner-%1").arg(i)},
             {QStringLiteral("timestamp"),
              QStringLiteral("2026-12-05T10:00:%1Z").arg(i % 60, 2, 10, QLatin1Char('0'))}});
        QCOMPARE(r.status, 200);
    }
    const HttpReply r = m_server.get(QStringLiteral("/api/v1/canary/reports"));
    QCOMPARE(r.status, 200);
    const QJsonArray reports = r.json().value(QStringLiteral("reports")).toArray();
    QCOMPARE(reports.size(), 100);
    QCOMPARE(r.json().value(QStringLiteral("count")).toInt(), 100);
    QCOMPARE(reports.last().toObject().value(QStringLiteral("runner")).toString(),
             QStringLiteral("runner-103"));
    QCOMPARE(reports.first().toObject().value(QStringLiteral("runner")).toString(),
             QStringLiteral("runner-4"));
    QCOMPARE(r.json().value(QStringLiteral("successes")).toInt(), successes0 + 78);
    QCOMPARE(r.json().value(QStringLiteral("failures")).toInt(), failures0 + 26);
    QCOMPARE(m_server.request("POST", QStringLiteral("/api/v1/canary/reports"), "{}").status, 405);
}

void TestCpFleet::heartbeatUsesTheHostToken()
{
    const QString path = QStringLiteral("/api/v1/hosts/heartbeat");
    const QByteArray body = R"({"instance_name":"capsule-local-0"})";
    const QList<QPair<QByteArray, QByteArray>> hostAuth{{"Authorization", "Bearer " + kHostToken}};
    // No token, and the API token, are both refused: heartbeats use the host bootstrap token.
    HttpReply r = m_server.request("POST", path, body, false);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.body, QByteArray("{\"error\":\"unauthorized\"}\n"));
    r = m_server.request("POST", path, body, true);
    QCOMPARE(r.status, 401);
    r = m_server.request("POST", path, body, false,
                         {{"Authorization", "Bearer " + kHostToken + "x"}});
    QCOMPARE(r.status, 401);

    r = m_server.request("GET", path, {}, false, hostAuth);
    QCOMPARE(r.status, 405);
    QCOMPARE(r.body, QByteArray("method not allowed\n"));
    r = m_server.request("POST", path, "{", false, hostAuth);
    QCOMPARE(r.status, 400);
    QVERIFY2(r.body.startsWith("invalid request body: "), r.body.constData());
    r = m_server.request("POST", path, R"({"instance_name":7})", false, hostAuth);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.body, QByteArray("invalid request body: instance_name must be a string\n"));
    r = m_server.request("POST", path, "{}", false, hostAuth);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.body, QByteArray("instance_name is required\n"));
    r = m_server.request("POST", path, R"({"instance_name":"capsule-elsewhere"})", false, hostAuth);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.body, QByteArray("{\"error\":\"host not found: capsule-elsewhere\"}\n"));

    r = m_server.request("POST", path, body, false, hostAuth);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(r.json().value(QStringLiteral("host_id")).toString(), QStringLiteral("local-0"));
    QCOMPARE(r.json().value(QStringLiteral("desired_versions")).toObject().value(m_key).toString(),
             leafVersion(m_configId));
}

void TestCpFleet::heartbeatIsNotServedWithoutHostToken()
{
    LocalServer plain;
    QString error;
    QVERIFY2(plain.start({}, &error), qPrintable(error));
    const QString path = QStringLiteral("/api/v1/hosts/heartbeat");
    const QByteArray body = R"({"instance_name":"capsule-local-0"})";
    HttpReply r = plain.request("POST", path, body, false);
    QCOMPARE(r.status, 401); // an ordinary /api/v1 path: auth first
    r = plain.request("POST", path, body, true);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.body, QByteArray("404 page not found\n"));
}

QTEST_GUILESS_MAIN(TestCpFleet)
#include "tst_cp_fleet.moc"
