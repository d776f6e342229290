// Tests of onboard.yaml reading (contract 5.3/5.4, 9.24) and writing (round trip).
#include "core/onboard.h"
#include "core/workloadkey.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule;

namespace {

QJsonObject obj(const char *text)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad test JSON: %s", text);
    return doc.object();
}

QString fixture(const QString &name)
{
    return qEnvironmentVariable("CAPSULE_SOURCE_DIR") + QStringLiteral("/tests/data/onboard/") +
           name;
}

} // namespace

class TestOnboard final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void examples_data();
    void examples();
    void legacyBodyIsSentVerbatim();
    void yamlTextWithPlatform();
    void nameRules();
    void scalarTypes();
    void errors_data();
    void errors();
    void syntaxErrorPosition();
    void missingFile();
    void roundTrip_data();
    void roundTrip();
    void roundTripRandom();
};

void TestOnboard::initTestCase()
{
    QVERIFY2(QFile::exists(fixture("minimal.yaml")),
             "CAPSULE_SOURCE_DIR must point at the sources");
}

void TestOnboard::examples_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QJsonObject>("body");
    QTest::newRow("minimal") << "minimal.yaml" << obj(R"({"display_name":"hello-sandbox",
        "layers":[{"name":"main","init_commands":[{"type":"shell",
        "args":["bash","-lc","echo ready > /workspace/ready.txt"]}]}]})");
    QTest::newRow("full") << "full.yaml" << obj(R"({"display_name":"notebook-env",
        "base_image":"python:3.12-slim",
        "layers":[{"name":"deps","init_commands":[{"type":"shell","args":["pip","install","numpy"],
                   "run_as_root":true}]},
                  {"name":"data","refresh_interval":"12h","init_commands":[{"type":"shell",
                   "args":["bash","-c","mkdir -p /mnt/scratch/cache"]}],
                   "drives":[{"drive_id":"scratch","label":"SCRATCH","size_gb":20,
                   "mount_path":"/mnt/scratch"}]}],
        "start_command":{"command":["python3","-m","http.server","9000"],"port":9000,
                         "health_path":"/"},
        "config":{"tier":"s","ttl":900,"auto_pause":true,"auto_rollout":true,
                  "network_policy_preset":"restricted-egress"}})");
    QTest::newRow("legacy") << "legacy.yaml" << obj(R"({"display_name":"legacy",
        "snapshot_commands":[{"type":"shell","args":["git","clone","--depth=1",
        "https://example.invalid/r.git","/workspace/r"]}]})");
    QTest::newRow("nameless onboard.yaml") << "onboard.yaml" << obj(R"({"display_name":"onboard",
        "layers":[{"name":"main","init_commands":[{"type":"shell","args":["true"]}]}]})");
}

void TestOnboard::examples()
{
    QFETCH(QString, file);
    QFETCH(QJsonObject, body);
    Error error;
    const QJsonObject parsed = parseOnboard(fixture(file), QString(), &error);
    QVERIFY2(!parsed.isEmpty(), qPrintable(error.message));
    QCOMPARE(parsed, body);
    // The same content given as text (it contains newlines) parses alike, minus the file stem.
    QFile f(fixture(file));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject fromText =
        parseOnboard(QString::fromUtf8(f.readAll()), body["display_name"].toString(), &error);
    QCOMPARE(fromText, body);
}

void TestOnboard::legacyBodyIsSentVerbatim()
{
    // snapshot_commands is not converted (5.3.4): the body has no layers, so the server would
    // answer 400 "at least one layer is required when no base_image is set".
    const QJsonObject body = parseOnboard(fixture("legacy.yaml"));
    QVERIFY(!body.contains("layers"));
    QVERIFY(!body.contains("base_image"));
    QVERIFY(!body.contains("platform"));
    QCOMPARE(body["snapshot_commands"].toArray().size(), 1);
    QVERIFY(materializeLayers(body).isEmpty());
}

void TestOnboard::yamlTextWithPlatform()
{
    const QString text = "platform: {gcp_project: acme}\nmicrovm: {vcpus: 2}\n"
                         "workload:\n  display_name: from-yaml\n  layers: []\n"
                         "  base_image: alpine\n";
    Error error;
    const QJsonObject body = parseOnboard(text, QStringLiteral("ignored-name"), &error);
    QCOMPARE(body, obj(R"({"display_name":"from-yaml","layers":[],"base_image":"alpine"})"));
}

void TestOnboard::nameRules()
{
    // name= is used for a file without a name (9.24) but never overrides a YAML name.
    QCOMPARE(parseOnboard(fixture("legacy.yaml"), "given-name")["display_name"].toString(),
             QStringLiteral("given-name"));
    QCOMPARE(parseOnboard(fixture("minimal.yaml"), "given-name")["display_name"].toString(),
             QStringLiteral("hello-sandbox"));
    // `name` is a fallback for display_name and is removed.
    const QJsonObject byName = parseOnboard("name: bare-config\nlayers: []\n");
    QCOMPARE(byName, obj(R"({"display_name":"bare-config","layers":[]})"));
    const QJsonObject both = parseOnboard("name: other\ndisplay_name: wins\nlayers: []\n");
    QCOMPARE(both["display_name"].toString(), QStringLiteral("wins"));
    QVERIFY(!both.contains("name"));
    // No name at all in text: a clear error.
    Error error;
    QVERIFY(parseOnboard("layers: []\nbase_image: x\n", QString(), &error).isEmpty());
    QCOMPARE(error.kind, ErrorKind::Value);
    QVERIFY2(error.message.contains("name"), qPrintable(error.message));
    // Names must be slugs.
    QVERIFY(parseOnboard("display_name: My Sandbox\n", QString(), &error).isEmpty());
    QVERIFY2(error.message.contains("config_id"), qPrintable(error.message));
    QVERIFY(parseOnboard("layers: []\n", QStringLiteral("ab"), &error).isEmpty());
    QVERIFY2(error.message.contains("config_id"), qPrintable(error.message));
}

void TestOnboard::scalarTypes()
{
    const QString text = "display_name: types-ok\n"
                         "config:\n"
                         "  ttl: 900\n  auto_pause: yes\n  auto_rollout: false\n"
                         "  tier: \"1\"\n  rootfs_size_gb: 0x10\n"
                         "extra:\n  f: 1.5\n  n: ~\n  e:\n  s: 'true'\n  o: 0755\n  big: 1_000\n"
                         "  text: 12h\n  neg: -3\n  exp: 1.5e3\n  block: |\n    two\n    lines\n";
    Error error;
    const QJsonObject body = parseOnboard(text, QString(), &error);
    QVERIFY2(!body.isEmpty(), qPrintable(error.message));
    QCOMPARE(body["config"].toObject(), obj(R"({"ttl":900,"auto_pause":true,"auto_rollout":false,
        "tier":"1","rootfs_size_gb":16})"));
    // 1.5e3 stays a string: YAML 1.1 floats need a signed exponent (PyYAML), unlike YAML 1.2.
    QCOMPARE(body["extra"].toObject(), obj(R"({"f":1.5,"n":null,"e":null,"s":"true","o":493,
        "big":1000,"text":"12h","neg":-3,"exp":"1.5e3","block":"two\nlines\n"})"));
}

void TestOnboard::errors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("layers not a list") << fixture("layers-not-list.yaml")
                                       << "layers-not-list.yaml:4:5: workload.layers must be a "
                                          "list, not a mapping";
    QTest::newRow("init_commands not a list")
        << fixture("init-not-list.yaml")
        << "init-not-list.yaml:5:22: workload.layers[0].init_commands must be a list, not a string";
    QTest::newRow("tier not a string") << fixture("tier-not-string.yaml")
                                       << "tier-not-string.yaml:7:11: workload.config.tier must be "
                                          "a string, not a number";
    QTest::newRow("not a mapping") << fixture("not-mapping.yaml")
                                   << "not-mapping.yaml:1:1: the document must be a mapping, not a "
                                      "list";
    QTest::newRow("empty file") << fixture("empty.yaml")
                                << "empty.yaml: the document is empty; expected a mapping";
    QTest::newRow("workload not a mapping") << QString("workload: [1, 2]\n")
                                            << "<yaml text>:1:11: workload must be a mapping, not "
                                               "a list";
    QTest::newRow("command not a mapping")
        << QString("display_name: abc\nlayers:\n  - name: x\n    init_commands: [[a]]\n")
        << "<yaml text>:4:21: layers[0].init_commands[0] must be a mapping";
    QTest::newRow("arg not a string")
        << QString("display_name: abc\nlayers:\n  - name: x\n    init_commands:\n"
                   "      - {type: shell, args: [echo, 1]}\n")
        << "layers[0].init_commands[0].args[1] must be a string (quote it), not a number";
    QTest::newRow("run_as_root not a bool")
        << QString("display_name: abc\nlayers:\n  - name: x\n    init_commands:\n"
                   "      - {type: shell, args: [echo], run_as_root: maybe}\n")
        << "<yaml text>:5:50: layers[0].init_commands[0].run_as_root must be true or false, not "
           "a string";
    QTest::newRow("drive size not an integer")
        << QString("display_name: abc\nlayers:\n  - name: x\n    init_commands: [\"true\"]\n"
                   "    drives: [{drive_id: d, label: D, size_gb: big}]\n")
        << "layers[0].drives[0].size_gb must be an integer, not a string";
    QTest::newRow("scalar document")
        << QString("just a line\nmore\n") << "the document must be a mapping, not a string";
    QTest::newRow("directory") << fixture(".") << "is a directory";
}

void TestOnboard::errors()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    Error error;
    const QJsonObject body = parseOnboard(input, QStringLiteral("fallback-name"), &error);
    QVERIFY(body.isEmpty());
    QVERIFY(error.kind == ErrorKind::Value || error.kind == ErrorKind::Io);
    QVERIFY2(error.message.contains(expected), qPrintable(error.message));
}

void TestOnboard::syntaxErrorPosition()
{
    Error error;
    QVERIFY(parseOnboard(fixture("syntax-error.yaml"), QString(), &error).isEmpty());
    QCOMPARE(error.kind, ErrorKind::Value);
    // yaml-cpp marks are 0-based; the message is 1-based like an editor's.
    QVERIFY2(error.message.contains(fixture("syntax-error.yaml") + ":6:3: YAML syntax error: "),
             qPrintable(error.message));
    Error textError;
    QVERIFY(parseOnboard("a: b\nc: [\n", QString(), &textError).isEmpty());
    QVERIFY2(textError.message.startsWith("<yaml text>:"), qPrintable(textError.message));
    QVERIFY2(textError.message.contains("YAML syntax error"), qPrintable(textError.message));
}

void TestOnboard::missingFile()
{
    Error error;
    QVERIFY(parseOnboard(fixture("does-not-exist.yaml"), QString(), &error).isEmpty());
    QCOMPARE(error.kind, ErrorKind::Io);
    QVERIFY2(error.message.contains("no such file"), qPrintable(error.message));
}

void TestOnboard::roundTrip_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::newRow("minimal") << obj(R"({"display_name":"abc","layers":[]})");
    QTest::newRow("full example") << parseOnboard(fixture("full.yaml"));
    QTest::newRow("tricky strings") << obj(R"({"display_name":"tricky","base_image":"yes",
        "layers":[{"name":"true","init_commands":[{"type":"shell","args":["bash","-lc",
        "echo 'a: b' # not a comment\n\techo \"q\" \\ done","","~","null","123","0755","1.5",
        "-lc","- item","[x]","{y}","key: value","héllo ☃","\u0001ctl","  padded  ","@at","`tick",
        "%pct","!tag","*alias","&anchor","|pipe",">gt","?q",",comma","0x1f","1e3",".5","NO",
        "Off","on","plain/path\n","trailing/newline\n\n"]}]}]})");
    QTest::newRow("numbers and nesting") << obj(R"({"display_name":"nums","config":{"ttl":0,
        "workspace_size_gb":123456789012,"network_policy":{"rate_limit":{"egress_bandwidth_mbps":
        1.25,"max_new_connections_per_sec":-1},"allowed_egress":[{"ports":[{"start":1,"end":2}],
        "domains":[]}],"dns":{}},"auto_pause":false},"nested":[[1,[2,[]]],[{"a":[{}]}],[]],
        "layers":[]})");
    QTest::newRow("odd keys") << obj(R"({"display_name":"keys","config":{"with space":1,
        "123":"numeric key","true":false,"":"empty key","a:b":null}})");
}

void TestOnboard::roundTrip()
{
    QFETCH(QJsonObject, body);
    QVERIFY(!body.isEmpty());
    const QByteArray yaml = writeOnboard(body);
    QVERIFY(yaml.contains("workload:"));
    Error error;
    const QJsonObject back = parseOnboard(QString::fromUtf8(yaml), QString(), &error);
    QVERIFY2(!back.isEmpty(), qPrintable(error.message + "\n" + QString::fromUtf8(yaml)));
    QVERIFY2(back == body, yaml.constData());
}

namespace {

QJsonValue randomValue(QRandomGenerator &rng, int depth)
{
    static const QStringList words{"a",   "yes",         "No",  "~",    "12",     "-x",
                                   "x y", "#c",          "q\"", "b\\s", "",       "1.0",
                                   "ü",   "line\nbreak", "[",   "}",    "key: v", "0o17"};
    const int kind = int(rng.bounded(depth > 2 ? 4 : 6));
    switch (kind) {
    case 0:
        return rng.bounded(2) == 1;
    case 1:
        return qint64(rng.bounded(2000000)) - 1000000;
    case 2:
        return words.at(int(rng.bounded(words.size()))) +
               (rng.bounded(2) ? QString::number(rng.bounded(100)) : QString());
    case 3:
        return rng.bounded(2) ? QJsonValue(QJsonValue::Null) : QJsonValue(rng.bounded(1000) / 8.0);
    case 4: {
        QJsonArray a;
        const int n = int(rng.bounded(4));
        for (int i = 0; i < n; ++i)
            a.append(randomValue(rng, depth + 1));
        return a;
    }
    default: {
        QJsonObject o;
        const int n = int(rng.bounded(4));
        for (int i = 0; i < n; ++i)
            o.insert(words.at(int(rng.bounded(words.size()))), randomValue(rng, depth + 1));
        return o;
    }
    }
}

} // namespace

void TestOnboard::roundTripRandom()
{
    QRandomGenerator rng(20260402);
    for (int i = 0; i < 300; ++i) {
        QJsonObject body;
        body.insert("display_name", QStringLiteral("random-%1").arg(i));
        for (int k = 0; k < 4; ++k)
            body.insert(QStringLiteral("field%1").arg(k), randomValue(rng, 0));
        const QByteArray yaml = writeOnboard(body);
        Error error;
        const QJsonObject back = parseOnboard(QString::fromUtf8(yaml), QString(), &error);
        QVERIFY2(back == body,
                 qPrintable(QStringLiteral("%1\n%2\n%3")
                                .arg(error.message, QString::fromUtf8(yaml),
                                     QString::fromUtf8(QJsonDocument(back).toJson()))));
    }
}

QTEST_GUILESS_MAIN(TestOnboard)
#include "tst_onboard.moc"
