// Tests of RunnerConfig: command normalisation, config_id rules and the create body (4.2, 9.20-22).
#include "core/runnerconfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace capsule;

namespace {

QJsonValue json(const char *text)
{
    const QByteArray wrapped = QByteArray("[") + text + "]";
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(wrapped, &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", text);
    return doc.array().at(0);
}

} // namespace

class TestRunnerConfig final : public QObject
{
    Q_OBJECT
private slots:
    void normalizeCommand_data();
    void normalizeCommand();
    void sandboxBody();
    void noConfigFieldsNoConfigKey();
    void explicitLayersWinAndKeepOrder();
    void configSetters();
    void tenantSetters();
    void immutable();
    void invalidIds_data();
    void invalidIds();
    void validIds_data();
    void validIds();
    void badCommandIsValueError();
    void fromBodyRoundTrip();
};

void TestRunnerConfig::normalizeCommand_data()
{
    QTest::addColumn<QJsonValue>("input");
    QTest::addColumn<QJsonValue>("expected");
    QTest::newRow("string") << json(R"("pip install -e .")")
                            << json(R"({"type":"shell","args":["bash","-lc","pip install -e ."]})");
    QTest::newRow("command with run_as_root")
        << json(R"({"command":"echo hi","run_as_root":true})")
        << json(R"({"type":"shell","args":["bash","-lc","echo hi"],"run_as_root":true})");
    QTest::newRow("command keeps its type")
        << json(R"({"command":"echo hi","type":"exec"})")
        << json(R"({"type":"exec","args":["bash","-lc","echo hi"]})");
    QTest::newRow("type and args unchanged")
        << json(R"({"type":"gcp-auth","args":["x"],"extra":1})")
        << json(R"({"type":"gcp-auth","args":["x"],"extra":1})");
    QTest::newRow("args only gets shell")
        << json(R"({"args":["ls","-l"]})") << json(R"({"type":"shell","args":["ls","-l"]})");
}

void TestRunnerConfig::normalizeCommand()
{
    QFETCH(QJsonValue, input);
    QFETCH(QJsonValue, expected);
    QCOMPARE(QJsonValue(capsule::normalizeCommand(input)), expected);
    // Layer commands normalise the same way.
    QJsonObject layer;
    layer.insert("name", "l");
    layer.insert("init_commands", QJsonArray{input});
    const QJsonObject body = RunnerConfig("abc").withLayers({layer}).toBody();
    QCOMPARE(body["layers"][0]["init_commands"][0], expected);
}

void TestRunnerConfig::sandboxBody()
{
    Error error;
    const QJsonObject body = RunnerConfig("sandbox")
                                 .withBaseImage("ubuntu:22.04")
                                 .withCommands(QStringList{"echo hi"})
                                 .withTier("s")
                                 .withTtl(1800)
                                 .withAutoPause()
                                 .toBody(&error);
    QCOMPARE(QJsonValue(body), json(R"({"display_name":"sandbox","base_image":"ubuntu:22.04",
        "layers":[{"name":"main","init_commands":[{"type":"shell","args":["bash","-lc","echo hi"]}]}],
        "config":{"tier":"s","ttl":1800,"auto_pause":true}})"));
    QCOMPARE(error.kind, ErrorKind::Generic);
}

void TestRunnerConfig::noConfigFieldsNoConfigKey()
{
    const QJsonObject body = RunnerConfig("plain-one").toBody();
    QCOMPARE(QJsonValue(body), json(R"({"display_name":"plain-one","layers":[]})"));
    const QJsonObject started =
        RunnerConfig("plain-one")
            .withStartCommand(json(R"({"command":["x"],"port":9})").toObject())
            .toBody();
    QVERIFY(!started.contains("config"));
    QCOMPARE(started["start_command"], json(R"({"command":["x"],"port":9})"));
}

void TestRunnerConfig::explicitLayersWinAndKeepOrder()
{
    const QJsonArray layers = json(R"([
        {"name":"zeta","init_commands":["echo z"],"refresh_interval":null},
        {"name":"alpha","init_commands":[{"args":["true"]}],"drives":[{"drive_id":"d","label":"D",
         "size_gb":1}],"refresh_commands":["echo r"],"refresh_interval":"6h"}])")
                                  .toArray();
    const QJsonObject body =
        RunnerConfig("ordered").withCommands(QStringList{"ignored"}).withLayers(layers).toBody();
    QCOMPARE(body["layers"], json(R"([
        {"name":"zeta","init_commands":[{"type":"shell","args":["bash","-lc","echo z"]}]},
        {"name":"alpha","init_commands":[{"type":"shell","args":["true"]}],
         "drives":[{"drive_id":"d","label":"D","size_gb":1}],
         "refresh_commands":[{"type":"shell","args":["bash","-lc","echo r"]}],
         "refresh_interval":"6h"}])"));
}

void TestRunnerConfig::configSetters()
{
    const QJsonObject auth = json(R"({"providers":[],"proxy":{"listen_port":3128}})").toObject();
    const QJsonObject policy = json(R"({"default_egress_action":"deny"})").toObject();
    const QJsonObject body = RunnerConfig("cfg")
                                 .withAutoRollout(false)
                                 .withSessionMaxAge(86400)
                                 .withRootfsSizeGb(8)
                                 .withRunnerUser("dev")
                                 .withWorkspaceSizeGb(20)
                                 .withNetworkPolicyPreset("restricted-egress")
                                 .withNetworkPolicy(policy)
                                 .withAuth(auth)
                                 .toBody();
    QCOMPARE(body["config"], json(R"({"auto_rollout":false,"session_max_age_seconds":86400,
        "rootfs_size_gb":8,"runner_user":"dev","workspace_size_gb":20,
        "network_policy_preset":"restricted-egress","network_policy":{"default_egress_action":"deny"},
        "auth":{"providers":[],"proxy":{"listen_port":3128}}})"));
}

void TestRunnerConfig::tenantSetters()
{
    const QJsonObject one = RunnerConfig("ten").withTenantGcpProject("acme").toBody();
    QCOMPARE(one["config"], json(R"({"tenant_gcp_project":"acme"})"));
    const QJsonObject all = RunnerConfig("ten")
                                .withTenantGceConfig("acme", "europe-west4-a", "net", "sub", "sa@x")
                                .toBody();
    QCOMPARE(all["config"], json(R"({"tenant_gcp_project":"acme","tenant_gcp_zone":"europe-west4-a",
        "tenant_network":"net","tenant_subnet":"sub","tenant_service_account":"sa@x"})"));
    const QJsonObject separately = RunnerConfig("ten")
                                       .withTenantGcpProject("acme")
                                       .withTenantGcpZone("europe-west4-a")
                                       .withTenantNetwork("net")
                                       .withTenantSubnet("sub")
                                       .withTenantServiceAccount("sa@x")
                                       .toBody();
    QCOMPARE(separately, all);
}

void TestRunnerConfig::immutable()
{
    const RunnerConfig base("base-cfg");
    const RunnerConfig tiered = base.withTier("l");
    const RunnerConfig renamed = tiered.withDisplayName("other-cfg");
    QVERIFY(!base.toBody().contains("config"));
    QCOMPARE(tiered.id(), QStringLiteral("base-cfg"));
    QCOMPARE(renamed.id(), QStringLiteral("other-cfg"));
    QCOMPARE(tiered.toBody()["config"], json(R"({"tier":"l"})"));
    QVERIFY(!(base == tiered));
    QVERIFY(base.withTier("l") == tiered);
}

void TestRunnerConfig::invalidIds_data()
{
    QTest::addColumn<QString>("id");
    for (const char *id : {"My Sandbox", "ab", "MyWorkload", "", "-abc", "abc-", "a_b_c", "abc.def",
                           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                           // "$" would match before a final newline
                           "abc\n"})
        QTest::newRow(id) << QString::fromUtf8(id);
}

void TestRunnerConfig::invalidIds()
{
    QFETCH(QString, id);
    QString why;
    QVERIFY(!RunnerConfig::isValidConfigId(id, &why));
    QVERIFY2(why.contains("config_id"), qPrintable(why));
    Error error;
    const QJsonObject body = RunnerConfig(id).withCommands(QStringList{"true"}).toBody(&error);
    QVERIFY(body.isEmpty());
    QCOMPARE(error.kind, ErrorKind::Value);
    QVERIFY2(error.message.contains("config_id"), qPrintable(error.message));
}

void TestRunnerConfig::validIds_data()
{
    QTest::addColumn<QString>("id");
    for (const char *id : {"abc", "a-b", "sandbox", "0-9", "hello-sandbox-2",
                           "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
        QTest::newRow(id) << QString::fromUtf8(id);
}

void TestRunnerConfig::validIds()
{
    QFETCH(QString, id);
    QString why = "untouched";
    QVERIFY(RunnerConfig::isValidConfigId(id, &why));
    QVERIFY(why.isEmpty());
    QCOMPARE(RunnerConfig(id).toBody()["display_name"].toString(), id);
}

void TestRunnerConfig::badCommandIsValueError()
{
    Error error;
    const QJsonObject body = RunnerConfig("cmds").withCommands(QJsonArray{"ok", 42}).toBody(&error);
    QVERIFY(body.isEmpty());
    QCOMPARE(error.kind, ErrorKind::Value);
    QVERIFY2(error.message.contains("commands[1]"), qPrintable(error.message));
}

void TestRunnerConfig::fromBodyRoundTrip()
{
    const QJsonObject body = json(R"({"display_name":"round-trip","base_image":"alpine:3",
        "layers":[{"name":"a","init_commands":[{"type":"shell","args":["true"],"run_as_root":true}]}],
        "config":{"tier":"xs","ttl":60},"start_command":{"command":["srv"],"port":8000},
        "snapshot_commands":[{"type":"shell","args":["x"]}]})")
                                 .toObject();
    const RunnerConfig c = RunnerConfig::fromBody(body);
    QCOMPARE(c.id(), QStringLiteral("round-trip"));
    QCOMPARE(c.baseImage(), QStringLiteral("alpine:3"));
    QVERIFY(c.hasExplicitLayers());
    QCOMPARE(c.config()["tier"].toString(), QStringLiteral("xs"));
    QCOMPARE(c.toBody(), body);
    QCOMPARE(c.withTier("m").toBody()["config"], json(R"({"tier":"m","ttl":60})"));
}

QTEST_GUILESS_MAIN(TestRunnerConfig)
#include "tst_runnerconfig.moc"
