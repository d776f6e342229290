// Tests of the leaf workload key: every vector of contract 6.1 plus the Go JSON encoding rules.
#include "core/runnerconfig.h"
#include "core/workloadkey.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace capsule;

namespace {

QJsonObject obj(const char *json)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json), &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", json);
    return doc.object();
}

} // namespace

class TestWorkloadKey final : public QObject
{
    Q_OBJECT
private slots:
    void leafKey_data();
    void leafKey();
    void secondVectorHashedText();
    void platformLayer();
    void commandAndDriveOrder();
    void implicitWorkspaceSize();
    void goCompactJson_data();
    void goCompactJson();
    void legacyKey();
    void runnerConfigKeyMatchesBody();
};

void TestWorkloadKey::leafKey_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("key");
    QTest::newRow("pinned upstream: base layer, no image, no tier")
        << QByteArray(R"({"display_name":"x","layers":[{"name":"base","init_commands":[
               {"type":"shell","args":["echo","dev-snapshot-ready"]}]}]})")
        << QStringLiteral("356613a133ab095a");
    QTest::newRow("main layer")
        << QByteArray(R"({"display_name":"x","layers":[{"name":"main","init_commands":[
               {"type":"shell","args":["bash","-lc","echo hi"]}]}]})")
        << QStringLiteral("a012721324226beb");
    QTest::newRow("main layer, tier m")
        << QByteArray(R"({"display_name":"x","layers":[{"name":"main","init_commands":[
               {"type":"shell","args":["bash","-lc","echo hi"]}]}],"config":{"tier":"m"}})")
        << QStringLiteral("6c5bed3477fbbefd");
    QTest::newRow("main layer, tier m, base image")
        << QByteArray(R"({"display_name":"x","base_image":"ubuntu:22.04","layers":[{"name":"main",
               "init_commands":[{"type":"shell","args":["bash","-lc","echo hi"]}]}],
               "config":{"tier":"m"}})")
        << QStringLiteral("808cbc6e779028cb");
    QTest::newRow("base image only")
        << QByteArray(R"({"display_name":"x","base_image":"ubuntu:22.04","layers":[]})")
        << QStringLiteral("759883ff3c9bfe9b");
    // Layer names, the display name and non-key config fields do not count.
    QTest::newRow("names and runtime settings do not count")
        << QByteArray(R"({"display_name":"other","layers":[{"name":"renamed","init_commands":[
               {"type":"shell","args":["echo","dev-snapshot-ready"],"run_as_root":false}],
               "refresh_interval":"6h"}],"config":{"ttl":60,"auto_pause":true,
               "tenant_gcp_project":"acme"}})")
        << QStringLiteral("356613a133ab095a");
    QTest::newRow("workspace_size_gb 50 is the default drive")
        << QByteArray(R"({"display_name":"x","layers":[{"name":"main","init_commands":[
               {"type":"shell","args":["bash","-lc","echo hi"]}]}],
               "config":{"workspace_size_gb":50}})")
        << QStringLiteral("a012721324226beb");
    QTest::newRow("explicit workspace drive equals the implicit one")
        << QByteArray(R"({"display_name":"x","layers":[{"name":"main","init_commands":[
               {"type":"shell","args":["bash","-lc","echo hi"]}],"drives":[{"drive_id":"workspace",
               "label":"WORKSPACE","size_gb":50,"mount_path":"/workspace"}]}]})")
        << QStringLiteral("a012721324226beb");
}

void TestWorkloadKey::leafKey()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, key);
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    QVERIFY(!o.isEmpty());
    QCOMPARE(leafWorkloadKey(o), key);
}

void TestWorkloadKey::secondVectorHashedText()
{
    const QJsonObject body = obj(R"({"display_name":"x","layers":[{"name":"main","init_commands":[
        {"type":"shell","args":["bash","-lc","echo hi"]}]}]})");
    const QList<MaterializedLayer> layers = materializeLayers(body);
    QCOMPARE(layers.size(), 1);
    QCOMPARE(layers[0].name, QStringLiteral("main"));
    QCOMPARE(layers[0].depth, 0);
    QCOMPARE(layerHashInput(layers[0].commands, layers[0].drives, QString()),
             QByteArray(R"([{"type":"shell","args":["bash","-lc","echo hi"],"run_as_root":false}])"
                        R"([{"drive_id":"workspace","label":"WORKSPACE","size_gb":50,)"
                        R"("read_only":false,"mount_path":"/workspace"}])"));
    QCOMPARE(layers[0].hash,
             QStringLiteral("4af091df3ab4ece3e7904d897b4fc70dbaeb714b7e8ec87e937a5ea0db28fcdf"));
}

void TestWorkloadKey::platformLayer()
{
    const QJsonObject body = obj(R"({"display_name":"x","base_image":"ubuntu:22.04",
        "config":{"runner_user":"dev"},"layers":[{"name":"a","init_commands":["echo a"]},
        {"name":"b","init_commands":[{"args":["true"]}]}]})");
    const QList<MaterializedLayer> layers = materializeLayers(body);
    QCOMPARE(layers.size(), 3);
    QCOMPARE(layers[0].name, QStringLiteral("_platform"));
    QCOMPARE(layers[1].name, QStringLiteral("a"));
    QCOMPARE(layers[2].name, QStringLiteral("b"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(layers[i].depth, i);
    QVERIFY(layers[0].drives.isEmpty());
    QCOMPARE(layerHashInput(layers[0].commands, layers[0].drives, QString()),
             QByteArray(R"([{"type":"base-image","args":["ubuntu:22.04"],"run_as_root":false},)"
                        R"({"type":"platform-setup","args":["capsule-thaw-agent","systemd",)"
                        R"("networking","docker-env-v2"],"run_as_root":true},)"
                        R"({"type":"platform-user","args":["dev"],"run_as_root":false}][])"));
    // String commands normalise like RunnerConfig's; commands keep the declared order.
    QCOMPARE(layers[1].commands.at(0).toObject().value("args").toArray().last().toString(),
             QStringLiteral("echo a"));
    QCOMPARE(layers[2].commands.at(0).toObject().value("type").toString(), QStringLiteral("shell"));
    // Each hash chains on its parent's: the same user layer under another image differs.
    QJsonObject other = body;
    other.insert("base_image", "debian:12");
    const QList<MaterializedLayer> otherLayers = materializeLayers(other);
    QVERIFY(otherLayers[1].hash != layers[1].hash);
    QVERIFY(leafWorkloadKey(other) != leafWorkloadKey(body));
    // runner_user counts only through the platform marker.
    QJsonObject noImage = body;
    noImage.remove("base_image");
    QJsonObject noImageOtherUser = noImage;
    noImageOtherUser.insert("config", obj(R"({"runner_user":"someone"})"));
    QCOMPARE(leafWorkloadKey(noImage), leafWorkloadKey(noImageOtherUser));
}

void TestWorkloadKey::commandAndDriveOrder()
{
    // Sorted by type, then run_as_root (false first), then J(args) bytewise ('[' < 'n' of
    // null); drives by id.
    const QJsonArray commands = QJsonDocument::fromJson(R"([
        {"type":"shell","args":["b"],"run_as_root":true},
        {"type":"shell","args":["b"]},
        {"type":"shell","args":["a"],"run_as_root":true},
        {"type":"exec","args":["z"]},
        {"type":"shell"}])")
                                    .array();
    const QJsonArray drives = QJsonDocument::fromJson(R"([
        {"drive_id":"zz","label":"Z","size_gb":1,"read_only":true,"commands":[{"type":"shell",
         "args":["x"]}]},
        {"drive_id":"aa","label":"A","size_gb":2}])")
                                  .array();
    QCOMPARE(layerHashInput(commands, drives, QStringLiteral("s")),
             QByteArray(R"([{"type":"exec","args":["z"],"run_as_root":false},)"
                        R"({"type":"shell","args":["b"],"run_as_root":false},)"
                        R"({"type":"shell","args":null,"run_as_root":false},)"
                        R"({"type":"shell","args":["a"],"run_as_root":true},)"
                        R"({"type":"shell","args":["b"],"run_as_root":true}])"
                        R"([{"drive_id":"aa","label":"A","size_gb":2,"read_only":false},)"
                        R"({"drive_id":"zz","label":"Z","size_gb":1,"read_only":true,)"
                        R"("commands":[{"type":"shell","args":["x"],"run_as_root":false}]}]s)"));
    // Order-insensitive key, as the hash sorts.
    QJsonArray reversed;
    for (qsizetype i = commands.size() - 1; i >= 0; --i)
        reversed.append(commands.at(i));
    QCOMPARE(layerHashInput(reversed, drives, "s"), layerHashInput(commands, drives, "s"));
    QCOMPARE(layerHashInput({}, {}, QString()), QByteArray("[][]"));
}

void TestWorkloadKey::implicitWorkspaceSize()
{
    const QJsonObject body = obj(R"({"display_name":"x","config":{"workspace_size_gb":10},
        "layers":[{"name":"main","init_commands":["true"]},{"name":"own","init_commands":["true"],
        "drives":[{"drive_id":"data","label":"DATA","size_gb":5}]}]})");
    const QList<MaterializedLayer> layers = materializeLayers(body);
    QCOMPARE(layers.size(), 2);
    QCOMPARE(layers[0].drives.size(), 1);
    QCOMPARE(layers[0].drives.at(0).toObject().value("size_gb").toInt(), 10);
    QCOMPARE(layers[0].drives.at(0).toObject().value("mount_path").toString(),
             QStringLiteral("/workspace"));
    QCOMPARE(layers[1].drives.size(), 1);
    QCOMPARE(layers[1].drives.at(0).toObject().value("drive_id").toString(),
             QStringLiteral("data"));
}

void TestWorkloadKey::goCompactJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("html escaping")
        << QByteArray(R"(["<a href='x'>&</a>"])")
        << QByteArray(R"(["\u003ca href='x'\u003e\u0026\u003c/a\u003e"])");
    QTest::newRow("line separators")
        << QByteArray("[\"a\u2028b\u2029c\"]") << QByteArray(R"(["a\u2028b\u2029c"])");
    QTest::newRow("control characters") << QByteArray(R"(["\n\r\t\u0001\u001f\"\\\b\f"])")
                                        << QByteArray(R"(["\n\r\t\u0001\u001f\"\\\b\f"])");
    QTest::newRow("unicode stays raw")
        << QByteArray(R"(["héllo ☃"])") << QByteArray("[\"h\xC3\xA9llo \xE2\x98\x83\"]");
    QTest::newRow("numbers") << QByteArray(R"([1,-2,1.5,50,0,1e21,1e-7,123456789012])")
                             << QByteArray(R"([1,-2,1.5,50,0,1e+21,1e-7,123456789012])");
    QTest::newRow("object keys sorted, nested")
        << QByteArray(R"({"b":[true,false,null],"a":{"y":1,"x":"s"}})")
        << QByteArray(R"({"a":{"x":"s","y":1},"b":[true,false,null]})");
    QTest::newRow("empty") << QByteArray(R"({"a":[],"b":{}})") << QByteArray(R"({"a":[],"b":{}})");
}

void TestWorkloadKey::goCompactJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, expected);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    QCOMPARE(err.error, QJsonParseError::NoError);
    const QJsonValue v = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
    QCOMPARE(capsule::goCompactJson(v), expected);
}

void TestWorkloadKey::legacyKey()
{
    const QJsonArray cmds =
        QJsonDocument::fromJson(R"([{"type":"shell","args":["echo","dev-snapshot-ready"]}])")
            .array();
    const QByteArray text = R"([{"type":"shell","args":["echo","dev-snapshot-ready"],)"
                            R"("run_as_root":false}])";
    const QString expected = QString::fromLatin1(
        QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex().left(16));
    QCOMPARE(legacyWorkloadKey(cmds), expected);
    QCOMPARE(legacyWorkloadKey(cmds).size(), 16);
    // --leaf: the leaf key of one layer "base" is the pinned vector.
    QJsonObject base;
    base.insert("name", "base");
    base.insert("init_commands", cmds);
    QJsonObject body;
    body.insert("layers", QJsonArray{base});
    QCOMPARE(leafWorkloadKey(body), QStringLiteral("356613a133ab095a"));
}

void TestWorkloadKey::runnerConfigKeyMatchesBody()
{
    const RunnerConfig c =
        RunnerConfig(QStringLiteral("sandbox")).withCommands(QStringList{"echo hi"});
    QCOMPARE(c.workloadKey(), QStringLiteral("a012721324226beb"));
    QCOMPARE(c.withTier("m").workloadKey(), QStringLiteral("6c5bed3477fbbefd"));
    QCOMPARE(c.withTier("m").withBaseImage("ubuntu:22.04").workloadKey(),
             QStringLiteral("808cbc6e779028cb"));
    // Tenant fields never change the key (section 10).
    QCOMPARE(c.withTenantGceConfig("p", "z", "n", "s", "sa").workloadKey(), c.workloadKey());
    // An invalid id still has a key: the key ignores the name.
    QCOMPARE(
        RunnerConfig(QStringLiteral("Bad Name")).withCommands(QStringList{"echo hi"}).workloadKey(),
        QStringLiteral("a012721324226beb"));
}

QTEST_GUILESS_MAIN(TestWorkloadKey)
#include "tst_workloadkey.moc"
