// Control plane of capsule-local: auth, health, hosts and layered-config CRUD with validation.
#include "support/localserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

using capsule::test::HttpReply;
using capsule::test::LocalServer;

namespace {

QJsonObject shellCmd(const QStringList &args, bool root = false)
{
    return {{QStringLiteral("type"), QStringLiteral("shell")},
            {QStringLiteral("args"), QJsonArray::fromStringList(args)},
            {QStringLiteral("run_as_root"), root}};
}

QJsonObject simpleBody(const QString &name, const QString &echo = QStringLiteral("hi"))
{
    return {
        {QStringLiteral("display_name"), name},
        {QStringLiteral("layers"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("main")},
                                {QStringLiteral("init_commands"),
                                 QJsonArray{shellCmd({QStringLiteral("bash"), QStringLiteral("-lc"),
                                                      QStringLiteral("echo ") + echo})}}}}}};
}

} // namespace

class TestCpConfigs final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void healthAndMetricsAreOpen();
    void authRunsBeforeRouting();
    void authRejectsWrongTokens_data();
    void authRejectsWrongTokens();
    void readyLineAndHosts();
    void createListGetDelete();
    void createKeyMatchesContractVector();
    void validation_data();
    void validation();
    void validationNamesTheField_data();
    void validationNamesTheField();
    void structuralChangeIs500();
    void allowedChangeKeepsIdAndRepostIs201();
    void tenantQualifiesConfigId();
    void buildAndRefreshErrors();
    void methodNotAllowed();
    void deleteKeepsSharedLayers();

private:
    LocalServer m_server;
};

void TestCpConfigs::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
}

void TestCpConfigs::healthAndMetricsAreOpen()
{
    HttpReply r = m_server.request("GET", QStringLiteral("/health"), {}, false);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("OK\n"));
    r = m_server.request("GET", QStringLiteral("/metrics"), {}, false);
    QCOMPARE(r.status, 200);
}

void TestCpConfigs::authRunsBeforeRouting()
{
    HttpReply r = m_server.request("GET", QStringLiteral("/api/v1/runners"), {}, false);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("unauthorized"));
    r = m_server.request("GET", QStringLiteral("/api/v1/no-such-thing"), {}, false);
    QCOMPARE(r.status, 401);
    r = m_server.request("GET", QStringLiteral("/api/v1/no-such-thing"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.body, QByteArray("404 page not found\n"));
    r = m_server.get(QStringLiteral("/api/v1/runners"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.json().value(QStringLiteral("runners")).isArray());
    // The token never reaches the log.
    QVERIFY(!m_server.stderrText().contains(m_server.token()));
}

void TestCpConfigs::authRejectsWrongTokens_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::newRow("no prefix") << m_server.token().toUtf8();
    QTest::newRow("lowercase bearer") << ("bearer " + m_server.token().toUtf8());
    QTest::newRow("prefix of token") << ("Bearer " + m_server.token().toUtf8().chopped(1));
    QTest::newRow("token plus suffix") << ("Bearer " + m_server.token().toUtf8() + "x");
    QTest::newRow("basic") << QByteArray("Basic dXNlcjpwYXNz");
    QTest::newRow("empty bearer") << QByteArray("Bearer ");
}

void TestCpConfigs::authRejectsWrongTokens()
{
    QFETCH(QByteArray, header);
    const HttpReply r = m_server.request("GET", QStringLiteral("/api/v1/layered-configs"), {},
                                         false, {{"Authorization", header}});
    QCOMPARE(r.status, 401);
    // Trailing spaces after the token are trimmed.
    const HttpReply ok =
        m_server.request("GET", QStringLiteral("/api/v1/layered-configs"), {}, false,
                         {{"Authorization", "Bearer " + m_server.token().toUtf8() + "  "}});
    QCOMPARE(ok.status, 200);
}

void TestCpConfigs::readyLineAndHosts()
{
    QVERIFY(m_server.baseUrl().startsWith(QStringLiteral("http://127.0.0.1:")));
    QCOMPARE(m_server.hostAddresses().size(), 1);
    const HttpReply r = m_server.get(QStringLiteral("/api/v1/hosts"));
    QCOMPARE(r.status, 200);
    const QJsonArray hosts = r.json().value(QStringLiteral("hosts")).toArray();
    QCOMPARE(hosts.size(), 1);
    QCOMPARE(r.json().value(QStringLiteral("count")).toInt(), 1);
    const QJsonObject h = hosts.first().toObject();
    QCOMPARE(h.value(QStringLiteral("status")).toString(), QStringLiteral("ready"));
    QCOMPARE(h.value(QStringLiteral("grpc_address")).toString(), m_server.hostAddresses().first());
    QVERIFY(h.value(QStringLiteral("total_cpu_millicores")).toInt() >= 1000);
    QVERIFY(h.value(QStringLiteral("total_memory_mb")).toInt() > 0);
    QVERIFY(h.value(QStringLiteral("used_memory_mb")).toInt() > 0);
    const QJsonObject local = h.value(QStringLiteral("local")).toObject();
    QVERIFY(!local.value(QStringLiteral("filesystem")).toString().isEmpty());
    QVERIFY(!local.value(QStringLiteral("sandbox")).toString().isEmpty());
}

void TestCpConfigs::createListGetDelete()
{
    HttpReply r = m_server.get(QStringLiteral("/api/v1/layered-configs"));
    QCOMPARE(r.status, 200);
    QVERIFY(r.json().value(QStringLiteral("configs")).isArray());

    r = m_server.post(QStringLiteral("/api/v1/layered-configs"),
                      simpleBody(QStringLiteral("zz-crud")));
    QCOMPARE(r.status, 201);
    QJsonObject o = r.json();
    QCOMPARE(o.value(QStringLiteral("config_id")).toString(), QStringLiteral("zz-crud"));
    QCOMPARE(o.value(QStringLiteral("leaf_workload_key")).toString().size(), 16);
    QJsonArray layers = o.value(QStringLiteral("layers")).toArray();
    QCOMPARE(layers.size(), 1);
    QCOMPARE(layers.first().toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("pending"));
    QCOMPARE(layers.first().toObject().value(QStringLiteral("hash")).toString().size(), 64);

    r = m_server.post(QStringLiteral("/api/v1/layered-configs"),
                      simpleBody(QStringLiteral("aa-crud"), QStringLiteral("x")));
    QCOMPARE(r.status, 201);
    r = m_server.get(QStringLiteral("/api/v1/layered-configs"));
    const QJsonArray configs = r.json().value(QStringLiteral("configs")).toArray();
    QStringList names;
    for (const QJsonValue &c : configs)
        names << c.toObject().value(QStringLiteral("display_name")).toString();
    QStringList sorted = names;
    sorted.sort();
    QCOMPARE(names, sorted);
    QVERIFY(names.contains(QStringLiteral("zz-crud")));
    QCOMPARE(r.json().value(QStringLiteral("count")).toInt(), configs.size());

    r = m_server.get(QStringLiteral("/api/v1/layered-configs/zz-crud"));
    QCOMPARE(r.status, 200);
    o = r.json();
    const QJsonObject stored = o.value(QStringLiteral("config")).toObject();
    QCOMPARE(stored.value(QStringLiteral("config_id")).toString(), QStringLiteral("zz-crud"));
    QCOMPARE(stored.value(QStringLiteral("tier")).toString(), QStringLiteral("m"));
    QCOMPARE(stored.value(QStringLiteral("leaf_layer_hash")).toString().size(), 64);
    QCOMPARE(stored.value(QStringLiteral("max_concurrent_runners")).toInt(-1), 0);
    QCOMPARE(stored.value(QStringLiteral("build_schedule")).toString(QStringLiteral("x")),
             QString());
    const QJsonObject def = o.value(QStringLiteral("definition")).toObject();
    QVERIFY(def.value(QStringLiteral("config")).isObject());
    const QJsonObject cmd = def.value(QStringLiteral("layers"))
                                .toArray()
                                .first()
                                .toObject()
                                .value(QStringLiteral("init_commands"))
                                .toArray()
                                .first()
                                .toObject();
    QCOMPARE(cmd.value(QStringLiteral("run_as_root")), QJsonValue(false));
    const QJsonObject layer = o.value(QStringLiteral("layers")).toArray().first().toObject();
    QCOMPARE(layer.value(QStringLiteral("name")).toString(), QStringLiteral("main"));
    QCOMPARE(layer.value(QStringLiteral("layer_hash")).toString(),
             stored.value(QStringLiteral("leaf_layer_hash")).toString());

    r = m_server.request("DELETE", QStringLiteral("/api/v1/layered-configs/zz-crud"));
    QCOMPARE(r.status, 204);
    QVERIFY(r.body.isEmpty());
    r = m_server.get(QStringLiteral("/api/v1/layered-configs/zz-crud"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("layered config not found: zz-crud"));
    r = m_server.request("DELETE", QStringLiteral("/api/v1/layered-configs/zz-crud"));
    QCOMPARE(r.status, 404);
}

void TestCpConfigs::createKeyMatchesContractVector()
{
    QJsonObject body = simpleBody(QStringLiteral("vector-one"));
    HttpReply r = m_server.post(QStringLiteral("/api/v1/layered-configs"), body);
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json().value(QStringLiteral("leaf_workload_key")).toString(),
             QStringLiteral("a012721324226beb"));
    QJsonObject withImage = simpleBody(QStringLiteral("vector-two"));
    withImage[QStringLiteral("base_image")] = QStringLiteral("ubuntu:22.04");
    withImage[QStringLiteral("config")] =
        QJsonObject{{QStringLiteral("tier"), QStringLiteral("m")}};
    r = m_server.post(QStringLiteral("/api/v1/layered-configs"), withImage);
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json().value(QStringLiteral("leaf_workload_key")).toString(),
             QStringLiteral("808cbc6e779028cb"));
    const QJsonArray layers = r.json().value(QStringLiteral("layers")).toArray();
    QCOMPARE(layers.size(), 2);
    QCOMPARE(layers.first().toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("_platform"));
    QCOMPARE(layers.first().toObject().value(QStringLiteral("depth")).toInt(), 0);
    QCOMPARE(layers.last().toObject().value(QStringLiteral("depth")).toInt(), 1);
}

void TestCpConfigs::validation_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    const QByteArray okLayer =
        R"({"name":"main","init_commands":[{"type":"shell","args":["true"]}]})";
    QTest::newRow("not json") << QByteArray("{nope") << QStringLiteral("invalid request body");
    QTest::newRow("array") << QByteArray("[]") << QStringLiteral("invalid request body");
    QTest::newRow("invalid utf8") << QByteArray("{\"display_name\":\"ab\xff\xfe\",\"layers\":[]}")
                                  << QStringLiteral("invalid request body");
    QTest::newRow("wrong type name") << QByteArray(R"({"display_name":5,"layers":[]})")
                                     << QStringLiteral("invalid request body");
    QTest::newRow("wrong type layers") << QByteArray(R"({"display_name":"abc","layers":{}})")
                                       << QStringLiteral("invalid request body");
    QTest::newRow("wrong type args")
        << QByteArray(
               R"({"display_name":"abc","layers":[{"name":"m","init_commands":[{"type":"shell","args":"true"}]}]})")
        << QStringLiteral("invalid request body");
    QTest::newRow("wrong type ttl") << QByteArray(R"({"display_name":"abc","layers":[)" + okLayer +
                                                  R"(],"config":{"ttl":"5"}})")
                                    << QStringLiteral("invalid request body");
    QTest::newRow("fractional ttl") << QByteArray(R"({"display_name":"abc","layers":[)" + okLayer +
                                                  R"(],"config":{"ttl":1.5}})")
                                    << QStringLiteral("invalid request body");
    QTest::newRow("empty layer name (9.30)")
        << QByteArray(R"({"display_name":"invalid","layers":[{"name":"","init_commands":[]}]})")
        << QStringLiteral("invalid config: layer name must not be empty");
    QTest::newRow("no layers")
        << QByteArray(R"({"display_name":"abc","layers":[]})")
        << QStringLiteral(
               "invalid config: at least one layer is required unless base_image is set");
    QTest::newRow("platform name")
        << QByteArray(
               R"({"display_name":"abc","layers":[{"name":"_platform","init_commands":[{"type":"shell","args":["true"]}]}]})")
        << QStringLiteral("invalid config: layer name \"_platform\" is reserved");
    QTest::newRow("duplicate layer")
        << QByteArray(R"({"display_name":"abc","layers":[)" + okLayer + "," + okLayer + "]}")
        << QStringLiteral("invalid config: duplicate layer name \"main\"");
    QTest::newRow("no init commands")
        << QByteArray(R"({"display_name":"abc","layers":[{"name":"m","init_commands":[]}]})")
        << QStringLiteral("invalid config: layer \"m\" must have at least one init command");
    QTest::newRow("on_push refresh")
        << QByteArray(
               R"({"display_name":"abc","layers":[{"name":"m","refresh_interval":"on_push","init_commands":[{"type":"shell","args":["true"]}]}]})")
        << QStringLiteral("invalid config: layer \"m\": invalid refresh_interval \"on_push\" (must "
                          "be a duration such as 30m or 6h)");
    QTest::newRow("daily refresh")
        << QByteArray(
               R"({"display_name":"abc","layers":[{"name":"m","refresh_interval":"daily","init_commands":[{"type":"shell","args":["true"]}]}]})")
        << QStringLiteral("invalid config: layer \"m\": invalid refresh_interval \"daily\" (must "
                          "be a duration such as 30m or 6h)");
    QTest::newRow("duplicate drive")
        << QByteArray(
               R"({"display_name":"abc","layers":[{"name":"m","init_commands":[{"type":"shell","args":["true"]}],"drives":[{"drive_id":"d","label":"D","size_gb":1},{"drive_id":"d","label":"E","size_gb":1}]}]})")
        << QStringLiteral("invalid config: layer \"m\": duplicate drive_id \"d\"");
    QTest::newRow("unknown tier") << QByteArray(R"({"display_name":"abc","layers":[)" + okLayer +
                                                R"(],"config":{"tier":"huge"}})")
                                  << QStringLiteral("invalid tier: unknown tier \"huge\"");
    QTest::newRow("rule before tier")
        << QByteArray(R"({"display_name":"abc","layers":[],"config":{"tier":"huge"}})")
        << QStringLiteral(
               "invalid config: at least one layer is required unless base_image is set");
    QTest::newRow("tier before id") << QByteArray(R"({"display_name":"A B","layers":[)" + okLayer +
                                                  R"(],"config":{"tier":"huge"}})")
                                    << QStringLiteral("invalid tier: unknown tier \"huge\"");
    QTest::newRow("bad id upper") << QByteArray(R"({"display_name":"My Sandbox","layers":[)" +
                                                okLayer + "]}")
                                  << QStringLiteral("invalid config_id:");
    QTest::newRow("bad id short") << QByteArray(R"({"display_name":"ab","layers":[)" + okLayer +
                                                "]}")
                                  << QStringLiteral("invalid config_id:");
    QTest::newRow("bad id dash end")
        << QByteArray(R"({"display_name":"abc-","layers":[)" + okLayer + "]}")
        << QStringLiteral("invalid config_id:");
    QTest::newRow("bad id final newline")
        << QByteArray(R"({"display_name":"abc\n","layers":[)" + okLayer + "]}")
        << QStringLiteral("invalid config_id:");
    QTest::newRow("refresh with final newline")
        << QByteArray(
               R"({"display_name":"abc","layers":[{"name":"m","refresh_interval":"6h\n","init_commands":[{"type":"shell","args":["true"]}]}]})")
        << QStringLiteral("invalid config: layer \"m\": invalid refresh_interval \"6h\n\" (must "
                          "be a duration such as 30m or 6h)");
    QTest::newRow("missing id") << QByteArray(R"({"layers":[)" + okLayer + "]}")
                                << QStringLiteral("invalid config_id:");
    QTest::newRow("huge body") << QByteArray(R"({"display_name":")" +
                                             QByteArray(5 * 1024 * 1024, 'a') + R"("})")
                               << QStringLiteral("invalid request body");
}

void TestCpConfigs::validationNamesTheField_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("detail");
    const QByteArray okLayer =
        R"({"name":"main","init_commands":[{"type":"shell","args":["true"]}]})";
    QTest::newRow("name") << QByteArray(R"({"display_name":5,"layers":[]})")
                          << QStringLiteral("display_name must be a string, got 5");
    QTest::newRow("layers") << QByteArray(R"({"display_name":"abc","layers":{}})")
                            << QStringLiteral("layers must be an array, got an object");
    QTest::newRow("args")
        << QByteArray(
               R"({"display_name":"abc","layers":[{"name":"m","init_commands":[{"type":"shell","args":"true"}]}]})")
        << QStringLiteral(
               "layers[0].init_commands[0].args must be an array of strings, got \"true\"");
    QTest::newRow("auto_pause") << QByteArray(R"({"display_name":"abc","layers":[)" + okLayer +
                                              R"(],"config":{"auto_pause":"yes"}})")
                                << QStringLiteral(
                                       "config.auto_pause must be a boolean, got \"yes\"");
    QTest::newRow("env") << QByteArray(R"({"display_name":"abc","layers":[)" + okLayer +
                                       R"(],"start_command":{"command":["x"],"env":{"A":1}}})")
                         << QStringLiteral("start_command.env must be an object of strings, got an "
                                           "object");
}

// A refused body keeps the contract's error text and says in "detail" which field is wrong.
void TestCpConfigs::validationNamesTheField()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, detail);
    const HttpReply r = m_server.request("POST", QStringLiteral("/api/v1/layered-configs"), body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("invalid request body"));
    const QString got = r.json().value(QStringLiteral("detail")).toString();
    QVERIFY2(got.startsWith(detail), qPrintable(got));
}

void TestCpConfigs::validation()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    const HttpReply r = m_server.request("POST", QStringLiteral("/api/v1/layered-configs"), body);
    QCOMPARE(r.status, 400);
    const QString got = r.json().value(QStringLiteral("error")).toString();
    QVERIFY2(got.startsWith(error), qPrintable(got));
    if (!error.endsWith(QLatin1Char(':')))
        QCOMPARE(got, error);
    // The server is still alive after every bad body.
    QCOMPARE(m_server.request("GET", QStringLiteral("/health"), {}, false).status, 200);
}

void TestCpConfigs::structuralChangeIs500()
{
    QCOMPARE(
        m_server
            .post(QStringLiteral("/api/v1/layered-configs"), simpleBody(QStringLiteral("struct-x")))
            .status,
        201);
    const HttpReply r =
        m_server.post(QStringLiteral("/api/v1/layered-configs"),
                      simpleBody(QStringLiteral("struct-x"), QStringLiteral("changed")));
    QCOMPARE(r.status, 500);
    QVERIFY2(r.json()
                 .value(QStringLiteral("error"))
                 .toString()
                 .startsWith(QStringLiteral("config_id \"struct-x\" already registered; only "
                                            "base_image and runtime settings can change")),
             r.body.constData());
    QJsonObject tiered = simpleBody(QStringLiteral("struct-x"));
    tiered[QStringLiteral("config")] = QJsonObject{{QStringLiteral("tier"), QStringLiteral("s")}};
    QCOMPARE(m_server.post(QStringLiteral("/api/v1/layered-configs"), tiered).status, 500);
}

void TestCpConfigs::allowedChangeKeepsIdAndRepostIs201()
{
    const QJsonObject body = simpleBody(QStringLiteral("allowed-x"));
    HttpReply r = m_server.post(QStringLiteral("/api/v1/layered-configs"), body);
    QCOMPARE(r.status, 201);
    const QString key = r.json().value(QStringLiteral("leaf_workload_key")).toString();
    r = m_server.post(QStringLiteral("/api/v1/layered-configs"), body);
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json().value(QStringLiteral("leaf_workload_key")).toString(), key);
    QJsonObject changed = body;
    changed[QStringLiteral("config")] =
        QJsonObject{{QStringLiteral("ttl"), 60}, {QStringLiteral("auto_pause"), true}};
    changed[QStringLiteral("base_image")] = QStringLiteral("ubuntu:22.04");
    r = m_server.post(QStringLiteral("/api/v1/layered-configs"), changed);
    QCOMPARE(r.status, 201);
    QVERIFY(r.json().value(QStringLiteral("leaf_workload_key")).toString() != key);
    r = m_server.get(QStringLiteral("/api/v1/layered-configs/allowed-x"));
    const QJsonObject stored = r.json().value(QStringLiteral("config")).toObject();
    QCOMPARE(stored.value(QStringLiteral("runner_ttl_seconds")).toInt(), 60);
    QCOMPARE(stored.value(QStringLiteral("auto_pause")).toBool(), true);
}

void TestCpConfigs::tenantQualifiesConfigId()
{
    QJsonObject a = simpleBody(QStringLiteral("shared-name"));
    a[QStringLiteral("config")] =
        QJsonObject{{QStringLiteral("tenant_gcp_project"), QStringLiteral("acme")}};
    QJsonObject b = simpleBody(QStringLiteral("shared-name"), QStringLiteral("other"));
    b[QStringLiteral("config")] =
        QJsonObject{{QStringLiteral("tenant_gcp_project"), QStringLiteral("globex")}};
    HttpReply r = m_server.post(QStringLiteral("/api/v1/layered-configs"), a);
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json().value(QStringLiteral("config_id")).toString(),
             QStringLiteral("acme--shared-name"));
    const QString keyA = r.json().value(QStringLiteral("leaf_workload_key")).toString();
    QCOMPARE(keyA.size(), 16);
    // The tenant does not change the key.
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/layered-configs"),
                       simpleBody(QStringLiteral("plain-name")))
                 .json()
                 .value(QStringLiteral("leaf_workload_key"))
                 .toString(),
             keyA);
    r = m_server.post(QStringLiteral("/api/v1/layered-configs"), b);
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json().value(QStringLiteral("config_id")).toString(),
             QStringLiteral("globex--shared-name"));
    QCOMPARE(m_server.get(QStringLiteral("/api/v1/layered-configs/acme--shared-name")).status, 200);
    QCOMPARE(m_server.get(QStringLiteral("/api/v1/layered-configs/globex--shared-name")).status,
             200);
}

void TestCpConfigs::buildAndRefreshErrors()
{
    HttpReply r =
        m_server.request("POST", QStringLiteral("/api/v1/layered-configs/nope-nope/build"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("config not found"));
    r = m_server.request("GET", QStringLiteral("/api/v1/layered-configs/nope-nope/build"));
    QCOMPARE(r.status, 405);
    QVERIFY(r.json().contains(QStringLiteral("error")));
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/layered-configs"),
                       simpleBody(QStringLiteral("refresh-x")))
                 .status,
             201);
    r = m_server.request("POST",
                         QStringLiteral("/api/v1/layered-configs/refresh-x/layers/nope/refresh"));
    QCOMPARE(r.status, 404);
    QVERIFY(r.json().contains(QStringLiteral("error")));
    r = m_server.request("POST",
                         QStringLiteral("/api/v1/layered-configs/nope-nope/layers/main/refresh"));
    QCOMPARE(r.status, 404);
    r = m_server.get(QStringLiteral("/api/v1/layered-configs/nope-nope/builds"));
    QCOMPARE(r.status, 404);
    r = m_server.get(QStringLiteral("/api/v1/layered-configs/refresh-x/builds"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("builds")).toArray().size(), 0);
    r = m_server.get(QStringLiteral("/api/v1/layered-configs/refresh-x/builds/v1/log"));
    QCOMPARE(r.status, 404);
}

void TestCpConfigs::methodNotAllowed()
{
    QCOMPARE(
        m_server
            .post(QStringLiteral("/api/v1/layered-configs"), simpleBody(QStringLiteral("method-x")))
            .status,
        201);
    HttpReply r = m_server.request("PUT", QStringLiteral("/api/v1/layered-configs/method-x"), "{}");
    QCOMPARE(r.status, 405);
    QVERIFY(r.json().contains(QStringLiteral("error")));
    r = m_server.request("DELETE", QStringLiteral("/api/v1/layered-configs"));
    QCOMPARE(r.status, 405);
    r = m_server.request("GET", QStringLiteral("/api/v1/runners/allocate"));
    QCOMPARE(r.status, 405);
}

void TestCpConfigs::deleteKeepsSharedLayers()
{
    // Two configs share their first layer (same commands, same position).
    const QJsonObject base = shellCmd({QStringLiteral("true")});
    auto body = [&](const QString &name, const QString &second) {
        return QJsonObject{
            {QStringLiteral("display_name"), name},
            {QStringLiteral("layers"),
             QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("base")},
                                    {QStringLiteral("init_commands"), QJsonArray{base}}},
                        QJsonObject{{QStringLiteral("name"), QStringLiteral("top")},
                                    {QStringLiteral("init_commands"),
                                     QJsonArray{shellCmd({QStringLiteral("echo"), second})}}}}}};
    };
    HttpReply a = m_server.post(QStringLiteral("/api/v1/layered-configs"),
                                body(QStringLiteral("share-a"), QStringLiteral("a")));
    HttpReply b = m_server.post(QStringLiteral("/api/v1/layered-configs"),
                                body(QStringLiteral("share-b"), QStringLiteral("b")));
    QCOMPARE(a.status, 201);
    QCOMPARE(b.status, 201);
    const QString shared = a.json()
                               .value(QStringLiteral("layers"))
                               .toArray()
                               .first()
                               .toObject()
                               .value(QStringLiteral("hash"))
                               .toString();
    QCOMPARE(b.json()
                 .value(QStringLiteral("layers"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("hash"))
                 .toString(),
             shared);
    QCOMPARE(m_server.request("DELETE", QStringLiteral("/api/v1/layered-configs/share-a")).status,
             204);
    const HttpReply got = m_server.get(QStringLiteral("/api/v1/layered-configs/share-b"));
    const QJsonArray layers = got.json().value(QStringLiteral("layers")).toArray();
    QCOMPARE(layers.first().toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("pending"));
    // Re-creating the deleted config revives its orphaned (inactive) top layer as pending.
    a = m_server.post(QStringLiteral("/api/v1/layered-configs"),
                      body(QStringLiteral("share-a"), QStringLiteral("a")));
    QCOMPARE(a.json()
                 .value(QStringLiteral("layers"))
                 .toArray()
                 .last()
                 .toObject()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("pending"));
}

QTEST_GUILESS_MAIN(TestCpConfigs)
#include "tst_cp_configs.moc"
