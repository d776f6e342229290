// Runner routes of capsule-local's control plane (contract 2.2 + section 10) against a real server.
#include "tst_cp_util.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QtTest>

using namespace capsule::test;

class TestCpRunners final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void allocateErrors_data();
    void allocateErrors();
    void allocateStatusListRelease();
    void idempotentAllocate();
    void concurrentDuplicatesShareOneRunner();
    void pauseResumeKeepsRunnerId();
    void connectReturnsAllocateShape();
    void quarantineAndUnquarantine();
    void ttlAutoPause();
    void proxyFieldsAreRecorded();
    void drainRehomesRunners();

private:
    QString allocate(const QJsonObject &extra = {}, QJsonObject *reply = nullptr);
    LocalServer m_server;
    QString m_key;
};

void TestCpRunners::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({QStringLiteral("--hosts"), QStringLiteral("2")}, &error),
             qPrintable(error));
    m_key = m_server.createAndBuild(
        oneLayerConfig(QStringLiteral("runner-base"),
                       QStringLiteral("mkdir -p /opt/cp && echo from-layer > /opt/cp/marker")),
        &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error + m_server.stderrText()));
}

QString TestCpRunners::allocate(const QJsonObject &extra, QJsonObject *reply)
{
    const HttpReply r =
        m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(m_key, extra));
    if (reply)
        *reply = r.json();
    if (r.status != 200)
        qWarning() << "allocate:" << r.status << r.body;
    return r.status == 200 ? r.json().value(QStringLiteral("runner_id")).toString() : QString();
}

void TestCpRunners::allocateErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("json");
    QTest::newRow("bad json") << QByteArray("{x") << 400 << QStringLiteral("invalid request body")
                              << false;
    QTest::newRow("no key") << QByteArray("{}") << 400 << QStringLiteral("workload_key is required")
                            << false;
    QTest::newRow("key not string") << QByteArray(R"({"workload_key":5})") << 400
                                    << QStringLiteral("invalid request body") << false;
    QTest::newRow("unknown key") << QByteArray(R"({"workload_key":"0123456789abcdef"})") << 404
                                 << QStringLiteral("workload_key 0123456789abcdef not found")
                                 << true;
}

void TestCpRunners::allocateErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, text);
    QFETCH(bool, json);
    const HttpReply r = m_server.request("POST", QStringLiteral("/api/v1/runners/allocate"), body);
    QCOMPARE(r.status, status);
    if (json)
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), text);
    else
        QVERIFY2(r.body.startsWith(text.toUtf8()) && r.body.endsWith('\n'), r.body.constData());

    // A config that was never built cannot run yet: 503 (the SDK retries it).
    const HttpReply created =
        m_server.post(QStringLiteral("/api/v1/layered-configs"),
                      oneLayerConfig(QStringLiteral("never-built"), QStringLiteral("true")));
    const QString key = created.json().value(QStringLiteral("leaf_workload_key")).toString();
    const HttpReply unbuilt =
        m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(key));
    QCOMPARE(unbuilt.status, 503);
    QVERIFY(unbuilt.json().value(QStringLiteral("error")).toString().contains(key));
}

void TestCpRunners::allocateStatusListRelease()
{
    QJsonObject reply;
    const QString id = allocate(
        {{QStringLiteral("labels"), QJsonObject{{QStringLiteral("team"), QStringLiteral("qa")}}}},
        &reply);
    QVERIFY(!id.isEmpty());
    for (const char *k :
         {"runner_id", "host_id", "host_address", "internal_ip", "session_id", "resumed"})
        QVERIFY2(reply.contains(QLatin1String(k)), k);
    QCOMPARE(reply.value(QStringLiteral("resumed")).toBool(), false);
    const QString host = reply.value(QStringLiteral("host_address")).toString();
    QVERIFY(m_server.hostAddresses().contains(host));
    QVERIFY(!reply.value(QStringLiteral("session_id")).toString().isEmpty());

    HttpReply r = m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("ready"));
    QCOMPARE(r.json().value(QStringLiteral("host_address")).toString(), host);

    // The runner sees the built layer's files.
    const ExecResult e =
        hostExec(m_server, host, id, {QStringLiteral("cat"), QStringLiteral("/opt/cp/marker")});
    QCOMPARE(e.status, 200);
    QCOMPARE(e.out, QStringLiteral("from-layer\n"));
    QCOMPARE(e.code, 0);

    r = m_server.get(QStringLiteral("/api/v1/runners"));
    QCOMPARE(r.status, 200);
    QJsonObject listed;
    for (const QJsonValue &v : r.json().value(QStringLiteral("runners")).toArray())
        if (v.toObject().value(QStringLiteral("runner_id")).toString() == id)
            listed = v.toObject();
    QCOMPARE(listed.value(QStringLiteral("workload_key")).toString(), m_key);
    QCOMPARE(listed.value(QStringLiteral("status")).toString(), QStringLiteral("busy"));
    QCOMPARE(listed.value(QStringLiteral("host_address")).toString(), host);
    QVERIFY(!listed.value(QStringLiteral("host_name")).toString().isEmpty());
    QCOMPARE(listed.value(QStringLiteral("session_id")).toString(),
             reply.value(QStringLiteral("session_id")).toString());

    r = m_server.get(QStringLiteral("/api/v1/runners/status"));
    QCOMPARE(r.status, 400);
    r = m_server.post(QStringLiteral("/api/v1/runners/release"),
                      {{QStringLiteral("runner_id"), id}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("success")).toBool(), true);
    r = m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("runner not found"));
    // Release is idempotent, unknown ids succeed; a missing id is a 400.
    r = m_server.post(QStringLiteral("/api/v1/runners/release"),
                      {{QStringLiteral("runner_id"), id}});
    QCOMPARE(r.status, 200);
    r = m_server.post(QStringLiteral("/api/v1/runners/release"), QJsonObject{});
    QCOMPARE(r.status, 400);
    const ExecResult gone = hostExec(m_server, host, id, {QStringLiteral("true")});
    QCOMPARE(gone.status, 404);
}

void TestCpRunners::idempotentAllocate()
{
    const QJsonObject extra{{QStringLiteral("request_id"), QStringLiteral("req-fixed-1")}};
    const QString a = allocate(extra);
    const QString b = allocate(extra);
    QVERIFY(!a.isEmpty());
    QCOMPARE(b, a);
    // X-Request-Id is the fallback when the body has none.
    const QByteArray body = QJsonDocument(allocateBody(m_key)).toJson();
    const HttpReply x1 = m_server.request("POST", QStringLiteral("/api/v1/runners/allocate"), body,
                                          true, {{"X-Request-Id", "hdr-id-1"}});
    const HttpReply x2 = m_server.request("POST", QStringLiteral("/api/v1/runners/allocate"), body,
                                          true, {{"X-Request-Id", "hdr-id-1"}});
    QCOMPARE(x1.status, 200);
    QCOMPARE(x2.json().value(QStringLiteral("runner_id")),
             x1.json().value(QStringLiteral("runner_id")));
    // A different id gets a different runner.
    const QString c = allocate({{QStringLiteral("request_id"), QStringLiteral("req-fixed-2")}});
    QVERIFY(c != a);
    // After release the id no longer maps to the old runner.
    m_server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), a}});
    const QString d = allocate(extra);
    QVERIFY(!d.isEmpty());
    QVERIFY(d != a);
    for (const QString &id : {c, d, x1.json().value(QStringLiteral("runner_id")).toString()})
        m_server.post(QStringLiteral("/api/v1/runners/release"),
                      {{QStringLiteral("runner_id"), id}});
}

void TestCpRunners::concurrentDuplicatesShareOneRunner()
{
    QNetworkAccessManager nam;
    QNetworkRequest req(QUrl(m_server.baseUrl() + QStringLiteral("/api/v1/runners/allocate")));
    req.setRawHeader("Authorization", "Bearer " + m_server.token().toUtf8());
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    const QByteArray body =
        QJsonDocument(
            allocateBody(m_key, {{QStringLiteral("request_id"), QStringLiteral("concurrent-1")}}))
            .toJson();
    QList<QNetworkReply *> replies;
    for (int i = 0; i < 4; ++i)
        replies << nam.post(req, body);
    for (QNetworkReply *r : replies)
        QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 30000);
    QSet<QString> ids;
    for (QNetworkReply *r : replies) {
        QCOMPARE(r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        ids.insert(QJsonDocument::fromJson(r->readAll())
                       .object()
                       .value(QStringLiteral("runner_id"))
                       .toString());
        r->deleteLater();
    }
    QCOMPARE(ids.size(), 1);
    const HttpReply list = m_server.get(QStringLiteral("/api/v1/runners"));
    int matching = 0;
    for (const QJsonValue &v : list.json().value(QStringLiteral("runners")).toArray())
        matching += ids.contains(v.toObject().value(QStringLiteral("runner_id")).toString());
    QCOMPARE(matching, 1);
    m_server.post(QStringLiteral("/api/v1/runners/release"),
                  {{QStringLiteral("runner_id"), *ids.begin()}});
}

void TestCpRunners::pauseResumeKeepsRunnerId()
{
    QJsonObject reply;
    const QString id =
        allocate({{QStringLiteral("session_id"), QStringLiteral("sess-pause-1")}}, &reply);
    QVERIFY(!id.isEmpty());
    QCOMPARE(reply.value(QStringLiteral("session_id")).toString(), QStringLiteral("sess-pause-1"));
    const QString host = reply.value(QStringLiteral("host_address")).toString();
    QCOMPARE(hostExec(m_server, host, id,
                      {QStringLiteral("sh"), QStringLiteral("-c"),
                       QStringLiteral("echo kept > /workspace/state.txt")})
                 .code,
             0);

    HttpReply r =
        m_server.post(QStringLiteral("/api/v1/runners/pause"), {{QStringLiteral("runner_id"), id}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("success")).toBool(), true);
    QCOMPARE(r.json().value(QStringLiteral("session_id")).toString(),
             QStringLiteral("sess-pause-1"));
    QVERIFY(r.json().value(QStringLiteral("snapshot_size_bytes")).toInteger() > 0);
    QCOMPARE(r.json().value(QStringLiteral("layer")), QJsonValue(1)); // an int, as upstream

    r = m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("suspended"));
    QVERIFY(!r.json().contains(QStringLiteral("host_address")));

    r = m_server.get(QStringLiteral("/api/v1/snapshots"));
    QCOMPARE(r.status, 200);
    bool found = false;
    for (const QJsonValue &v : r.json().value(QStringLiteral("snapshots")).toArray()) {
        const QJsonObject snap = v.toObject();
        if (snap.value(QStringLiteral("SessionID")).toString() == QLatin1String("sess-pause-1")) {
            found = true;
            for (const char *k : {"Version", "Status", "GCSPath", "RepoCommit", "SizeBytes",
                                  "CreatedAt", "Metrics"})
                QVERIFY2(snap.contains(QLatin1String(k)), k);
        }
    }
    QVERIFY(found);
    QCOMPARE(r.json().value(QStringLiteral("count")).toInt(),
             r.json().value(QStringLiteral("snapshots")).toArray().size());

    // Pause errors.
    QCOMPARE(m_server.post(QStringLiteral("/api/v1/runners/pause"), QJsonObject{}).status, 400);
    r = m_server.post(QStringLiteral("/api/v1/runners/pause"),
                      {{QStringLiteral("runner_id"), QStringLiteral("nope")}});
    QCOMPARE(r.status, 404);
    QCOMPARE(r.body, QByteArray("runner not found\n"));

    // Resume by session: same runner id, resumed true, state kept.
    r = m_server.post(
        QStringLiteral("/api/v1/runners/allocate"),
        allocateBody(m_key, {{QStringLiteral("session_id"), QStringLiteral("sess-pause-1")}}));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("runner_id")).toString(), id);
    QCOMPARE(r.json().value(QStringLiteral("resumed")).toBool(), true);
    r = m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("ready"));
    const QString host2 = r.json().value(QStringLiteral("host_address")).toString();
    const ExecResult e = hostExec(m_server, host2, id,
                                  {QStringLiteral("cat"), QStringLiteral("/workspace/state.txt")});
    QCOMPARE(e.out, QStringLiteral("kept\n"));

    // A live runner bound to the session is returned unchanged.
    r = m_server.post(
        QStringLiteral("/api/v1/runners/allocate"),
        allocateBody(m_key, {{QStringLiteral("session_id"), QStringLiteral("sess-pause-1")}}));
    QCOMPARE(r.json().value(QStringLiteral("runner_id")).toString(), id);
    QCOMPARE(r.json().value(QStringLiteral("resumed")).toBool(), false);

    // The host auto-resumes a suspended runner when traffic arrives (3.1).
    QCOMPARE(
        m_server.post(QStringLiteral("/api/v1/runners/pause"), {{QStringLiteral("runner_id"), id}})
            .status,
        200);
    const ExecResult auto1 = hostExec(
        m_server, host2, id, {QStringLiteral("cat"), QStringLiteral("/workspace/state.txt")});
    QCOMPARE(auto1.status, 200);
    QCOMPARE(auto1.out, QStringLiteral("kept\n"));
    m_server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}});
}

void TestCpRunners::connectReturnsAllocateShape()
{
    QJsonObject reply;
    const QString id = allocate({}, &reply);
    QVERIFY(!id.isEmpty());
    HttpReply r = m_server.post(QStringLiteral("/api/v1/runners/connect"),
                                {{QStringLiteral("runner_id"), id}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("runner_id")).toString(), id);
    QCOMPARE(r.json().value(QStringLiteral("host_address")),
             reply.value(QStringLiteral("host_address")));
    QCOMPARE(r.json().value(QStringLiteral("session_id")),
             reply.value(QStringLiteral("session_id")));
    QCOMPARE(
        m_server.post(QStringLiteral("/api/v1/runners/pause"), {{QStringLiteral("runner_id"), id}})
            .status,
        200);
    r = m_server.post(QStringLiteral("/api/v1/runners/connect"),
                      {{QStringLiteral("runner_id"), id}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("runner_id")).toString(), id);
    QCOMPARE(r.json().value(QStringLiteral("resumed")).toBool(), true);
    QCOMPARE(m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id)
                 .json()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("ready"));
    r = m_server.post(QStringLiteral("/api/v1/runners/connect"),
                      {{QStringLiteral("runner_id"), QStringLiteral("nope")}});
    QCOMPARE(r.status, 404);
    QCOMPARE(m_server.post(QStringLiteral("/api/v1/runners/connect"), QJsonObject{}).status, 400);
    m_server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}});
}

void TestCpRunners::quarantineAndUnquarantine()
{
    QJsonObject reply;
    const QString id = allocate({}, &reply);
    QVERIFY(!id.isEmpty());
    const QString host = reply.value(QStringLiteral("host_address")).toString();
    HttpReply r = m_server.request("POST", QStringLiteral("/api/v1/runners/quarantine"));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.body, QByteArray("missing runner_id\n"));
    r = m_server.request("POST", QStringLiteral("/api/v1/runners/quarantine?runner_id=nope"));
    QCOMPARE(r.status, 404);
    r = m_server.request(
        "POST",
        QStringLiteral(
            "/api/v1/runners/quarantine?runner_id=%1&reason=test&block_egress=true&pause_vm=true")
            .arg(id));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("success")).toBool(), true);
    QCOMPARE(r.json().value(QStringLiteral("runner_id")).toString(), id);
    QVERIFY(r.json().contains(QStringLiteral("quarantine_dir")));
    const HttpReply list = m_server.get(QStringLiteral("/api/v1/runners"));
    QString state;
    for (const QJsonValue &v : list.json().value(QStringLiteral("runners")).toArray())
        if (v.toObject().value(QStringLiteral("runner_id")).toString() == id)
            state = v.toObject().value(QStringLiteral("status")).toString();
    QCOMPARE(state, QStringLiteral("quarantined"));
    const ExecResult blocked = hostExec(m_server, host, id, {QStringLiteral("true")});
    QCOMPARE(blocked.status, 409);
    r = m_server.request(
        "POST", QStringLiteral(
                    "/api/v1/runners/unquarantine?runner_id=%1&unblock_egress=true&resume_vm=true")
                    .arg(id));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("success")).toBool(), true);
    QCOMPARE(hostExec(m_server, host, id, {QStringLiteral("true")}).code, 0);
    m_server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}});
}

void TestCpRunners::ttlAutoPause()
{
    QString error;
    const QString key = m_server.createAndBuild(
        oneLayerConfig(QStringLiteral("ttl-short"), QStringLiteral("true ttl-short"),
                       {{QStringLiteral("ttl"), 1}, {QStringLiteral("auto_pause"), true}}),
        &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const HttpReply a =
        m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(key));
    QCOMPARE(a.status, 200);
    const QString id = a.json().value(QStringLiteral("runner_id")).toString();
    QCOMPARE(m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id)
                 .json()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("ready"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id)
                                  .json()
                                  .value(QStringLiteral("status"))
                                  .toString(),
                              QStringLiteral("suspended"), 5000);
    m_server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}});
}

void TestCpRunners::proxyFieldsAreRecorded()
{
    QJsonObject reply;
    const QString id = allocate({{QStringLiteral("session_id"), QStringLiteral("proxy-sess")},
                                 {QStringLiteral("proxy_addr"), QStringLiteral("127.0.0.1:1")},
                                 {QStringLiteral("tenant_id"), QStringLiteral("tenant-a")}},
                                &reply);
    QVERIFY(!id.isEmpty());
    auto listed = [&] {
        for (const QJsonValue &v : m_server.get(QStringLiteral("/api/v1/runners"))
                                       .json()
                                       .value(QStringLiteral("runners"))
                                       .toArray())
            if (v.toObject().value(QStringLiteral("runner_id")).toString() == id)
                return v.toObject();
        return QJsonObject();
    };
    QJsonObject o = listed();
    QCOMPARE(o.value(QStringLiteral("proxy_addr")).toString(), QStringLiteral("127.0.0.1:1"));
    QCOMPARE(o.value(QStringLiteral("ca_cert_port")).toInt(), 8443);
    QCOMPARE(o.value(QStringLiteral("tenant_id")).toString(), QStringLiteral("tenant-a"));
    // Nothing listens on 127.0.0.1:8443: the CA fetch fails, visibly, without failing the runner.
    QTRY_VERIFY_WITH_TIMEOUT(listed()
                                 .value(QStringLiteral("ca_cert_status"))
                                 .toString()
                                 .startsWith(QStringLiteral("failed")),
                             10000);
    const ExecResult e =
        hostExec(m_server, reply.value(QStringLiteral("host_address")).toString(), id,
                 {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo $HTTPS_PROXY")});
    QCOMPARE(e.out, QStringLiteral("http://proxy-sess@127.0.0.1:1\n"));
    m_server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}});
}

void TestCpRunners::drainRehomesRunners()
{
    QCOMPARE(m_server.hostAddresses().size(), 2);
    const HttpReply hosts = m_server.get(QStringLiteral("/api/v1/hosts"));
    QCOMPARE(hosts.json().value(QStringLiteral("count")).toInt(), 2);
    QJsonObject reply;
    const QString id = allocate({}, &reply);
    QVERIFY(!id.isEmpty());
    const QString hostId = reply.value(QStringLiteral("host_id")).toString();
    const QString oldAddress = reply.value(QStringLiteral("host_address")).toString();
    QCOMPARE(m_server.request("POST", QStringLiteral("/api/v1/hosts/nope/drain")).status, 404);
    QCOMPARE(
        m_server.request("POST", QStringLiteral("/api/v1/hosts/%1/drain").arg(hostId), {}, false)
            .status,
        401);
    HttpReply r = m_server.request("POST", QStringLiteral("/api/v1/hosts/%1/drain").arg(hostId));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("moved")).toInt() >= 1, true);
    // The old host answers 503 draining; status and connect name the new host.
    const ExecResult drained = hostExec(m_server, oldAddress, id, {QStringLiteral("true")});
    QCOMPARE(drained.status, 503);
    r = m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id);
    const QString newAddress = r.json().value(QStringLiteral("host_address")).toString();
    QVERIFY(!newAddress.isEmpty());
    QVERIFY(newAddress != oldAddress);
    r = m_server.post(QStringLiteral("/api/v1/runners/connect"),
                      {{QStringLiteral("runner_id"), id}});
    QCOMPARE(r.json().value(QStringLiteral("host_address")).toString(), newAddress);
    QCOMPARE(hostExec(m_server, newAddress, id, {QStringLiteral("true")}).code, 0);
    // New runners avoid the draining host; with every host draining allocate is 429.
    const QString other = r.json().value(QStringLiteral("host_id")).toString();
    QCOMPARE(m_server.request("POST", QStringLiteral("/api/v1/hosts/%1/drain").arg(other)).status,
             200);
    r = m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(m_key));
    QCOMPARE(r.status, 429);
    QCOMPARE(r.headers.value("retry-after"), QByteArray("2"));
    QCOMPARE(r.json()
                 .value(QStringLiteral("error"))
                 .toString()
                 .startsWith(QStringLiteral("no available hosts")),
             true);
    for (const QString &h : {hostId, other})
        QCOMPARE(m_server.request("POST", QStringLiteral("/api/v1/hosts/%1/undrain").arg(h)).status,
                 200);
    QCOMPARE(m_server.get(QStringLiteral("/api/v1/hosts"))
                 .json()
                 .value(QStringLiteral("hosts"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("ready"));
    m_server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}});
}

QTEST_GUILESS_MAIN(TestCpRunners)
#include "tst_cp_runners.moc"
