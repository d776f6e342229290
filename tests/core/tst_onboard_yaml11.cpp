// onboard.yaml read the way the SDK reads it (issue 12): PyYAML's safe_load (YAML 1.1), then the
// body the SDK would send. Every expected body below is what PyYAML + json.dumps give for the same
// text (taken from python3-yaml while writing this table; no Python at run time).
#include "core/onboard.h"
#include "core/workloadkey.h"
#include "core/yaml11.h"

#include <QJsonDocument>
#include <QtTest>

using namespace capsule;

namespace {

QJsonObject obj(const QByteArray &json)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("bad expected JSON %s: %s", json.constData(), qPrintable(err.errorString()));
    return doc.object();
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class TestOnboardYaml11 final : public QObject
{
    Q_OBJECT

private slots:
    void scalarForms_data();
    void scalarForms();
    void documents_data();
    void documents();
    void mergeChangesTheWorkloadKey();
    void errors_data();
    void errors();
    void writerQuotesWhatYaml11WouldResolve();
};

// `extra` is not a key the client checks: its value goes to the server exactly as resolved.
void TestOnboardYaml11::scalarForms_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("extra: yes") << QByteArray("yes") << QByteArray("true");
    QTest::newRow("extra: No") << QByteArray("No") << QByteArray("false");
    QTest::newRow("extra: ON") << QByteArray("ON") << QByteArray("true");
    QTest::newRow("extra: off") << QByteArray("off") << QByteArray("false");
    QTest::newRow("extra: True") << QByteArray("True") << QByteArray("true");
    QTest::newRow("extra: FALSE") << QByteArray("FALSE") << QByteArray("false");
    QTest::newRow("extra: y") << QByteArray("y") << QByteArray("\"y\"");
    QTest::newRow("extra: n") << QByteArray("n") << QByteArray("\"n\"");
    QTest::newRow("extra: ~") << QByteArray("~") << QByteArray("null");
    QTest::newRow("extra: null") << QByteArray("null") << QByteArray("null");
    QTest::newRow("extra: NULL") << QByteArray("NULL") << QByteArray("null");
    QTest::newRow("extra: ") << QByteArray("") << QByteArray("null");
    QTest::newRow("extra: 0x1F") << QByteArray("0x1F") << QByteArray("31");
    QTest::newRow("extra: 0b101") << QByteArray("0b101") << QByteArray("5");
    QTest::newRow("extra: 0755") << QByteArray("0755") << QByteArray("493");
    QTest::newRow("extra: 0o17") << QByteArray("0o17") << QByteArray("\"0o17\"");
    QTest::newRow("extra: 1_000") << QByteArray("1_000") << QByteArray("1000");
    QTest::newRow("extra: 1:30") << QByteArray("1:30") << QByteArray("90");
    QTest::newRow("extra: -1:30") << QByteArray("-1:30") << QByteArray("-90");
    QTest::newRow("extra: 09") << QByteArray("09") << QByteArray("\"09\"");
    QTest::newRow("extra: +12") << QByteArray("+12") << QByteArray("12");
    QTest::newRow("extra: -0") << QByteArray("-0") << QByteArray("0");
    QTest::newRow("extra: 1e3") << QByteArray("1e3") << QByteArray("\"1e3\"");
    QTest::newRow("extra: 1.0e+3") << QByteArray("1.0e+3") << QByteArray("1000.0");
    QTest::newRow("extra: 1.5") << QByteArray("1.5") << QByteArray("1.5");
    QTest::newRow("extra: 1.") << QByteArray("1.") << QByteArray("1.0");
    QTest::newRow("extra: .5") << QByteArray(".5") << QByteArray("0.5");
    QTest::newRow("extra: -.5") << QByteArray("-.5") << QByteArray("\"-.5\"");
    QTest::newRow("extra: 1_0.5") << QByteArray("1_0.5") << QByteArray("10.5");
    QTest::newRow("extra: 1:30.5") << QByteArray("1:30.5") << QByteArray("90.5");
    QTest::newRow("extra: 2024-1-1") << QByteArray("2024-1-1") << QByteArray("\"2024-1-1\"");
    QTest::newRow("extra: '2024-01-01'")
        << QByteArray("'2024-01-01'") << QByteArray("\"2024-01-01\"");
    QTest::newRow("extra: \"0x1F\"") << QByteArray("\"0x1F\"") << QByteArray("\"0x1F\"");
    QTest::newRow("extra: '1:30'") << QByteArray("'1:30'") << QByteArray("\"1:30\"");
    QTest::newRow("extra: \"yes\"") << QByteArray("\"yes\"") << QByteArray("\"yes\"");
    QTest::newRow("extra: '~'") << QByteArray("'~'") << QByteArray("\"~\"");
    QTest::newRow("extra: !!str 0x10") << QByteArray("!!str 0x10") << QByteArray("\"0x10\"");
    QTest::newRow("extra: !!int '0x10'") << QByteArray("!!int '0x10'") << QByteArray("16");
    QTest::newRow("extra: !!float '1'") << QByteArray("!!float '1'") << QByteArray("1.0");
    QTest::newRow("extra: !!bool 'on'") << QByteArray("!!bool 'on'") << QByteArray("true");
    QTest::newRow("extra: !!null x") << QByteArray("!!null x") << QByteArray("null");
    QTest::newRow("extra: 12:30") << QByteArray("12:30") << QByteArray("750");
    QTest::newRow("extra: 1.2.3") << QByteArray("1.2.3") << QByteArray("\"1.2.3\"");
    QTest::newRow("extra: 0x_1") << QByteArray("0x_1") << QByteArray("1");
    QTest::newRow("extra: 012_3") << QByteArray("012_3") << QByteArray("83");
    QTest::newRow("extra: 1__2") << QByteArray("1__2") << QByteArray("12");
}

void TestOnboardYaml11::scalarForms()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QByteArray, json);
    Error error;
    const QJsonObject body =
        parseOnboard(QString::fromUtf8(
                         "workload:\n  display_name: forms\n  layers: []\n  extra: " + yaml + "\n"),
                     {}, &error);
    QVERIFY2(!body.isEmpty(), qPrintable(error.message));
    const QJsonObject expected =
        obj(R"({"display_name":"forms","layers":[],"extra":)" + json + "}");
    QCOMPARE(compact(body), compact(expected));
    // Integers stay integers on the wire (0x1F -> 31, not 31.0).
    if (!json.contains('.') && !json.startsWith('"'))
        QVERIFY(!compact(body).contains(".0"));
}

void TestOnboardYaml11::documents_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("merge single")
        << QByteArray(
               "defaults: &defaults\n  type: shell\n  run_as_root: false\nworkload:\n  "
               "display_name: merged\n  layers:\n    - name: main\n      init_commands:\n        - "
               "<<: *defaults\n          args: [bash, -lc, echo one]\n        - <<: *defaults\n    "
               "      run_as_root: true\n          args: [bash, -lc, echo two]\n")
        << QByteArray(
               R"({"display_name":"merged","layers":[{"init_commands":[{"args":["bash","-lc","echo one"],"run_as_root":false,"type":"shell"},{"args":["bash","-lc","echo two"],"run_as_root":true,"type":"shell"}],"name":"main"}]})");
    QTest::newRow("merge list earlier wins")
        << QByteArray("a: &a {type: shell, run_as_root: true}\nb: &b {type: other, args: [echo, "
                      "b]}\nworkload:\n  display_name: merged\n  layers:\n    - name: main\n      "
                      "init_commands:\n        - <<: [*a, *b]\n")
        << QByteArray(
               R"({"display_name":"merged","layers":[{"init_commands":[{"args":["echo","b"],"run_as_root":true,"type":"shell"}],"name":"main"}]})");
    QTest::newRow("explicit key before merge wins")
        << QByteArray("d: &d {type: shell, args: [echo, d], run_as_root: true}\nworkload:\n  "
                      "display_name: merged\n  layers:\n    - name: main\n      init_commands:\n   "
                      "     - run_as_root: false\n          <<: *d\n")
        << QByteArray(
               R"({"display_name":"merged","layers":[{"init_commands":[{"args":["echo","d"],"run_as_root":false,"type":"shell"}],"name":"main"}]})");
    QTest::newRow("nested merge")
        << QByteArray(
               "base: &base {type: shell, run_as_root: true}\nmid: &mid\n  <<: *base\n  args: "
               "[echo, mid]\nworkload:\n  display_name: merged\n  layers:\n    - name: main\n      "
               "init_commands:\n        - <<: *mid\n          run_as_root: false\n")
        << QByteArray(
               R"({"display_name":"merged","layers":[{"init_commands":[{"args":["echo","mid"],"run_as_root":false,"type":"shell"}],"name":"main"}]})");
    QTest::newRow("merge at config level")
        << QByteArray("cfg: &cfg {tier: s, ttl: 600, auto_pause: yes}\nworkload:\n  display_name: "
                      "merged\n  layers: []\n  config:\n    <<: *cfg\n    ttl: 0x258\n")
        << QByteArray(
               R"({"config":{"auto_pause":true,"tier":"s","ttl":600},"display_name":"merged","layers":[]})");
    QTest::newRow("alias of a list")
        << QByteArray("cmds: &cmds\n  - {type: shell, args: [echo, hi]}\nworkload:\n  "
                      "display_name: aliased\n  layers:\n    - {name: one, init_commands: *cmds}\n "
                      "   - {name: two, init_commands: *cmds}\n")
        << QByteArray(
               R"({"display_name":"aliased","layers":[{"init_commands":[{"args":["echo","hi"],"type":"shell"}],"name":"one"},{"init_commands":[{"args":["echo","hi"],"type":"shell"}],"name":"two"}]})");
    QTest::newRow("merge inline mapping")
        << QByteArray("workload:\n  display_name: inline\n  layers:\n    - name: main\n      "
                      "init_commands:\n        - <<: {type: shell, run_as_root: on}\n          "
                      "args: [echo, x]\n")
        << QByteArray(
               R"({"display_name":"inline","layers":[{"init_commands":[{"args":["echo","x"],"run_as_root":true,"type":"shell"}],"name":"main"}]})");
    QTest::newRow("quoted merge key stays")
        << QByteArray("d: &d {a: 1}\nworkload:\n  display_name: quoted\n  layers: []\n  extra:\n   "
                      " \"<<\": *d\n")
        << QByteArray(R"({"display_name":"quoted","extra":{"<<":{"a":1}},"layers":[]})");
    QTest::newRow("block scalar")
        << QByteArray(
               "workload:\n  display_name: block\n  layers:\n    - name: main\n      "
               "init_commands:\n        - type: shell\n          args:\n            - bash\n       "
               "     - -lc\n            - |\n              echo 1\n              echo 2\n")
        << QByteArray(
               R"({"display_name":"block","layers":[{"init_commands":[{"args":["bash","-lc","echo 1\necho 2\n"],"type":"shell"}],"name":"main"}]})");
    QTest::newRow("run_as_root yes")
        << QByteArray("workload:\n  display_name: bools\n  layers:\n    - name: main\n      "
                      "init_commands:\n        - {type: shell, args: [id], run_as_root: Yes}\n")
        << QByteArray(
               R"({"display_name":"bools","layers":[{"init_commands":[{"args":["id"],"run_as_root":true,"type":"shell"}],"name":"main"}]})");
    QTest::newRow("sexagesimal and octal integers")
        << QByteArray("workload: {display_name: ints, layers: [], config: {ttl: 0755, "
                      "session_max_age_seconds: 1:30}}\n")
        << QByteArray(
               R"({"config":{"session_max_age_seconds":90,"ttl":493},"display_name":"ints","layers":[]})");
    // json.dumps writes keys as text: yes -> "true", 0x10 -> "16", ~ -> "null", 1.0e+3 -> "1000.0".
    QTest::newRow("keys as json.dumps writes them")
        << QByteArray("workload:\n  display_name: keys\n  layers: []\n  extra: {on: 1, off: 2, "
                      "0x10: 3, ~: 4, 1.5: 5, '1': 6, 1.0e+3: 7}\n")
        << QByteArray(
               R"({"display_name":"keys","layers":[],"extra":{"true":1,"false":2,"16":3,"null":4,"1.5":5,"1":6,"1000.0":7}})");
    // A Python dict: True and 1 are the same key; the first spelling stays, the last value wins.
    QTest::newRow("yes and 1 are one key")
        << QByteArray("workload:\n  display_name: keys\n  layers: []\n  extra: {yes: a, 1: b}\n")
        << QByteArray(R"({"display_name":"keys","layers":[],"extra":{"true":"b"}})");
    QTest::newRow("duplicate key: last wins")
        << QByteArray("workload:\n  display_name: dup\n  layers: []\n  extra: {a: 1, a: 2}\n")
        << QByteArray(R"({"display_name":"dup","layers":[],"extra":{"a":2}})");
    QTest::newRow("two merges in one mapping: the later wins")
        << QByteArray("a: &a {k: A}\nb: &b {k: B}\nworkload:\n  display_name: two\n  layers: []\n"
                      "  extra:\n    <<: *a\n    <<: *b\n")
        << QByteArray(R"({"display_name":"two","layers":[],"extra":{"k":"B"}})");
}

void TestOnboardYaml11::documents()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QByteArray, json);
    Error error;
    const QJsonObject body = parseOnboard(QString::fromUtf8(yaml), {}, &error);
    QVERIFY2(!body.isEmpty(), qPrintable(error.message));
    QCOMPARE(compact(body), compact(obj(json)));
}

// The issue's case: with the merge resolved, the commands are complete and the key is the one the
// SDK's body gives; a literal "<<" key (what yaml-cpp alone produced) gave another key.
void TestOnboardYaml11::mergeChangesTheWorkloadKey()
{
    const QString merged = QStringLiteral("defaults: &defaults\n  type: shell\n  run_as_root: "
                                          "true\nworkload:\n  display_name: merged\n  layers:\n"
                                          "    - name: main\n      init_commands:\n"
                                          "        - <<: *defaults\n          args: [id]\n");
    const QString spelled = QStringLiteral("workload:\n  display_name: merged\n  layers:\n"
                                           "    - name: main\n      init_commands:\n"
                                           "        - {type: shell, run_as_root: true, args: "
                                           "[id]}\n");
    const QString literal = QStringLiteral("workload:\n  display_name: merged\n  layers:\n"
                                           "    - name: main\n      init_commands:\n"
                                           "        - {'<<': {type: shell, run_as_root: true}, "
                                           "args: [id]}\n");
    Error error;
    const QJsonObject a = parseOnboard(merged, {}, &error);
    QVERIFY2(!a.isEmpty(), qPrintable(error.message));
    const QJsonObject b = parseOnboard(spelled, {}, &error);
    const QJsonObject c = parseOnboard(literal, {}, &error);
    QVERIFY(!b.isEmpty() && !c.isEmpty());
    QCOMPARE(compact(a), compact(b));
    QCOMPARE(leafWorkloadKey(a), leafWorkloadKey(b));
    QCOMPARE(leafWorkloadKey(a), QStringLiteral("eb1b88008a5f783b"));
    QVERIFY(leafWorkloadKey(c) != leafWorkloadKey(a));
}

// What the SDK cannot send (its json.dumps raises, or PyYAML refuses the file) fails here with
// a message naming the value; what the server would refuse (a float or a string where the Go
// field is an int) fails with the field's name.
void TestOnboardYaml11::errors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");
    const QByteArray head = "workload:\n  display_name: bad\n  layers: []\n";
    QTest::newRow(".inf") << head + "  extra: .inf\n"
                          << "<yaml text>:4:10: \".inf\" is an infinity in YAML 1.1, which JSON "
                             "cannot carry";
    QTest::newRow("-.inf") << head + "  extra: -.inf\n"
                           << "\"-.inf\" is an infinity";
    QTest::newRow(".nan") << head + "  extra: .nan\n"
                          << "\".nan\" is NaN in YAML 1.1";
    QTest::newRow("bare date") << head + "  extra: 2024-01-01\n"
                               << "<yaml text>:4:10: \"2024-01-01\" is a date in YAML 1.1";
    QTest::newRow("bare timestamp") << head + "  extra: 2024-01-01 10:00:00\n"
                                    << "\"2024-01-01 10:00:00\" is a date in YAML 1.1";
    QTest::newRow("date in env")
        << QByteArray("workload:\n  display_name: a\n  layers: []\n  start_command: {command: "
                      "[x], env: {DAY: 2024-01-01}}\n")
        << "<yaml text>:4:44: \"2024-01-01\" is a date in YAML 1.1 (the SDK's PyYAML reads it as "
           "one), which the SDK cannot send as JSON; quote it to send the text";
    QTest::newRow("date as a key")
        << head + "  extra: {2024-01-01: x}\n"
        << "\"2024-01-01\" is a date in YAML 1.1 and cannot be a JSON key";
    QTest::newRow("merge of a scalar") << head + "  extra:\n    <<: 5\n"
                                       << "<yaml text>:5:9: a merge key (<<) takes a mapping or a "
                                          "list of mappings, not a scalar";
    QTest::newRow("merge list with a scalar")
        << head + "  extra:\n    <<: [5]\n"
        << "<yaml text>:5:10: a merge key (<<) takes mappings, but this list holds a scalar";
    QTest::newRow("<< as a value") << head + "  extra: <<\n"
                                   << "\"<<\" is the YAML 1.1 merge key and cannot be a value";
    QTest::newRow("two documents") << head + "---\nb: 1\n"
                                   << "<yaml text>:4:1: expected a single document, but found "
                                      "another one";
    QTest::newRow("unknown tag") << head + "  extra: !foo x\n"
                                 << "unknown tag !foo (PyYAML's safe_load accepts only the "
                                    "standard YAML 1.1 tags)";
    QTest::newRow("python tag") << head + "  extra: !!python/object:os.system x\n"
                                << "unknown tag tag:yaml.org,2002:python/object:os.system";
    QTest::newRow("set") << head + "  extra: !!set {a, b}\n"
                         << "!!set cannot be sent as JSON";
    QTest::newRow("binary") << head + "  extra: !!binary aGk=\n"
                            << "!!binary data cannot be sent as JSON";
    QTest::newRow("bad !!int") << head + "  extra: !!int abc\n"
                               << "\"abc\" is not an integer";
    QTest::newRow("list as a key") << head + "  extra: {[a]: 1}\n"
                                   << "a list cannot be a mapping key";
    // The SDK sends 1000.0 / "1e3" / "0o17"; the server's int field refuses them.
    QTest::newRow("ttl 1.0e+3")
        << QByteArray("workload: {display_name: a, layers: [], config: {ttl: 1.0e+3}}\n")
        << "workload.config.ttl must be an integer, not a float";
    QTest::newRow("ttl 1e3") << QByteArray(
                                    "workload: {display_name: a, layers: [], config: {ttl: 1e3}}\n")
                             << "workload.config.ttl must be an integer, not a string";
    QTest::newRow("ttl 0o17")
        << QByteArray("workload: {display_name: a, layers: [], config: {ttl: 0o17}}\n")
        << "workload.config.ttl must be an integer, not a string";
    QTest::newRow("run_as_root y")
        << QByteArray("workload:\n  display_name: a\n  layers:\n    - name: m\n      "
                      "init_commands:\n        - {type: shell, args: [id], run_as_root: y}\n")
        << "workload.layers[0].init_commands[0].run_as_root must be true or false, not a string";
}

void TestOnboardYaml11::errors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, message);
    Error error;
    QVERIFY(parseOnboard(QString::fromUtf8(yaml), {}, &error).isEmpty());
    QCOMPARE(error.kind, ErrorKind::Value);
    QVERIFY2(error.message.contains(message), qPrintable(error.message));
}

// writeOnboard must quote every string YAML 1.1 would read as something else, so the file it
// writes reads back to the same body.
void TestOnboardYaml11::writerQuotesWhatYaml11WouldResolve()
{
    QJsonObject extra;
    const QStringList tricky{"yes",        "No",   "on",   "OFF",   "~",   "null",
                             "0x1F",       "0755", "1:30", "1_000", "1.5", ".inf",
                             "2024-01-01", "<<",   "=",    "0o17",  "1e3", "y"};
    for (const QString &s : tricky)
        extra.insert(s, s);
    const QJsonObject body{{"display_name", "tricky"}, {"layers", QJsonArray()}, {"extra", extra}};
    Error error;
    const QJsonObject back = parseOnboard(QString::fromUtf8(writeOnboard(body)), {}, &error);
    QVERIFY2(!back.isEmpty(), qPrintable(error.message));
    QCOMPARE(compact(back), compact(body));
    for (const QString &s : tricky)
        QVERIFY2(yaml11::resolvePlain(s) != yaml11::Kind::String || s == "0o17" || s == "1e3" ||
                     s == "y",
                 qPrintable(s));
}

QTEST_GUILESS_MAIN(TestOnboardYaml11)
#include "tst_onboard_yaml11.moc"
