// Every JSON reply capsule-local produces for contract sections 2, 3 and 10, decoded with a strict
// decoder: a per-reply schema table (field -> JSON type), wrong types, missing required fields and
// undeclared fields all fail. The client library's models parse leniently on purpose, so they are
// not used here.
#include "tst_cp_util.h"
#include "tst_wire_types_strict.h"

#include <QSet>
#include <QtTest>

using namespace capsule::test;
using namespace capsule::test::strict;

namespace {

// Contract references: 2.1 configs, 2.2 runners, 2.3 snapshots, 2.4 hosts/fleet, 3.x host
// routes, 10 builds and allocate extras. "+" fields are local extensions documented in
// docs/local.md.
SchemaTable schemaTable()
{
    SchemaTable t;
    t[QStringLiteral("error")] = {
        {"error", "string"}, {"runner_id", "?string"}, {"code", "?string"}, {"success", "?bool"}};
    // 2.1
    t[QStringLiteral("created_layer")] = {{"name", "string"},
                                          {"hash", "string"},
                                          {"depth", "int"},
                                          {"status", "string"},
                                          {"current_version", "?string"}};
    t[QStringLiteral("create")] = {
        {"config_id", "string"}, {"leaf_workload_key", "string"}, {"layers", "arr:created_layer"}};
    t[QStringLiteral("stored")] = {{"config_id", "string"},
                                   {"display_name", "string"},
                                   {"leaf_layer_hash", "string"},
                                   {"leaf_workload_key", "string"},
                                   {"tier", "string"},
                                   {"start_command", "?object"},
                                   {"runner_ttl_seconds", "int"},
                                   {"session_max_age_seconds", "int"},
                                   {"auto_pause", "bool"},
                                   {"auto_rollout", "bool"},
                                   {"max_concurrent_runners", "int"},
                                   {"build_schedule", "string"},
                                   {"network_policy_preset", "?string"},
                                   {"network_policy", "?object"},
                                   {"created_at", "time"},
                                   {"updated_at", "time"},
                                   {"tenant_gcp_project", "+string"}};
    t[QStringLiteral("config_list")] = {{"configs", "arr:stored|null"}, {"count", "int"}};
    t[QStringLiteral("layer_status")] = {{"name", "string"},
                                         {"layer_hash", "string"},
                                         {"status", "string"},
                                         {"current_version", "?string"},
                                         {"depth", "int"},
                                         {"build_status", "?string"},
                                         {"build_version", "?string"},
                                         {"build_instance_name", "?string"}};
    t[QStringLiteral("detail")] = {
        {"config", "obj:stored"}, {"layers", "arr:layer_status|null"}, {"definition", "object"}};
    t[QStringLiteral("build")] = {{"config_id", "string"},
                                  {"status", "string"},
                                  {"enqueued", "int"},
                                  {"force", "bool"},
                                  {"clean", "bool"}};
    t[QStringLiteral("refresh")] = {{"config_id", "string"},
                                    {"layer_name", "string"},
                                    {"status", "string"},
                                    {"enqueued", "int"}};
    // 10
    t[QStringLiteral("build_info")] = {{"layer_name", "string"},     {"version", "string"},
                                       {"status", "string"},         {"started_at", "time|null"},
                                       {"finished_at", "time|null"}, {"exit_code", "int|null"}};
    t[QStringLiteral("build_list")] = {{"builds", "arr:build_info"}, {"count", "+int"}};
    // 2.2 (+ 10)
    t[QStringLiteral("allocate")] = {
        {"runner_id", "string"},   {"host_id", "string"},    {"host_address", "string"},
        {"internal_ip", "string"}, {"session_id", "string"}, {"resumed", "bool"},
        {"proxy_addr", "+string"}, {"ca_cert_port", "+int"}, {"tenant_id", "+string"}};
    t[QStringLiteral("status")] = {{"runner_id", "string"},
                                   {"status", "string"},
                                   {"host_address", "?string"},
                                   {"error", "?string"}};
    t[QStringLiteral("runner_item")] = {{"runner_id", "string"},
                                        {"host_id", "string"},
                                        {"host_name", "string"},
                                        {"workload_key", "string"},
                                        {"status", "string"},
                                        {"host_address", "+string"},
                                        {"session_id", "+string"},
                                        {"internal_ip", "+string"},
                                        {"resumed", "+bool"},
                                        {"config_id", "+string"},
                                        {"created_at", "+time"},
                                        {"labels", "+map<string>"},
                                        {"proxy_addr", "+string"},
                                        {"ca_cert_port", "+int"},
                                        {"ca_cert_status", "+string"},
                                        {"tenant_id", "+string"},
                                        {"network_policy_preset", "+string"},
                                        {"quarantine_reason", "+string"}};
    t[QStringLiteral("runner_list")] = {{"runners", "arr:runner_item"}, {"count", "int"}};
    t[QStringLiteral("release")] = {{"success", "bool"}};
    t[QStringLiteral("pause")] = {{"success", "bool"},
                                  {"session_id", "string"},
                                  {"snapshot_size_bytes", "int"},
                                  {"layer", "int"}};
    t[QStringLiteral("quarantine")] = {{"success", "bool"},
                                       {"runner_id", "string"},
                                       {"quarantine_dir", "?string"},
                                       {"error", "?string"},
                                       {"warning", "+string"}};
    // 2.3
    t[QStringLiteral("snapshot_metrics")] = {
        {"avg_analysis_time_ms", "number"}, {"cache_hit_ratio", "number"}, {"sample_count", "int"}};
    t[QStringLiteral("snapshot")] = {{"Version", "string"},
                                     {"Status", "string"},
                                     {"GCSPath", "string"},
                                     {"RepoCommit", "string"},
                                     {"SizeBytes", "int"},
                                     {"CreatedAt", "time"},
                                     {"Metrics", "obj:snapshot_metrics"},
                                     {"SessionID", "+string"},
                                     {"RunnerID", "+string"},
                                     {"WorkloadKey", "+string"}};
    t[QStringLiteral("snapshots")] = {
        {"snapshots", "arr:snapshot"}, {"count", "int"}, {"current_version", "string"}};
    // 2.4
    t[QStringLiteral("host_local")] = {{"sandbox", "string"},
                                       {"filesystem", "string"},
                                       {"base_image", "string"},
                                       {"disk_quota", "string"},
                                       {"network", "string"},
                                       {"limits", "string"},
                                       {"pids_per_runner", "int"}};
    t[QStringLiteral("host")] = {{"id", "string"},
                                 {"instance_name", "string"},
                                 {"zone", "string"},
                                 {"status", "string"},
                                 {"idle_runners", "int"},
                                 {"busy_runners", "int"},
                                 {"snapshot_version", "string"},
                                 {"last_heartbeat", "time"},
                                 {"grpc_address", "string"},
                                 {"total_cpu_millicores", "int"},
                                 {"used_cpu_millicores", "int"},
                                 {"total_memory_mb", "int"},
                                 {"used_memory_mb", "int"},
                                 {"address", "+string"},
                                 {"local", "+obj:host_local"}};
    t[QStringLiteral("hosts")] = {{"hosts", "arr:host"}, {"count", "int"}};
    t[QStringLiteral("drain")] = {
        {"success", "+bool"}, {"host_id", "+string"}, {"status", "+string"}, {"moved", "+int"}};
    t[QStringLiteral("fleet_host")] = {{"host_id", "string"},
                                       {"instance_name", "string"},
                                       {"desired_version", "string"},
                                       {"current_version", "string"},
                                       {"converged", "bool"}};
    t[QStringLiteral("fleet")] = {
        {"workload_key", "string"}, {"hosts", "arr:fleet_host"}, {"count", "int"}};
    // The contract names the route but not its shape: every field is ours (docs/local.md).
    t[QStringLiteral("desired")] = {{"instance_name", "+string"},
                                    {"host_id", "+string"},
                                    {"desired_versions", "+map<string>"},
                                    {"count", "+int"}};
    t[QStringLiteral("canary_ok")] = {{"status", "string"}};
    t[QStringLiteral("canary_item")] = {{"status", "+string"},
                                        {"runner", "+string"},
                                        {"timestamp", "+string"},
                                        {"received_at", "+time"}};
    t[QStringLiteral("canary_reports")] = {{"reports", "+arr:canary_item"},
                                           {"count", "+int"},
                                           {"successes", "+int"},
                                           {"failures", "+int"}};
    t[QStringLiteral("heartbeat")] = {
        {"status", "+string"}, {"host_id", "+string"}, {"desired_versions", "+map<string>"}};
    // 3.2 exec events
    t[QStringLiteral("exec_output")] = {{"type", "string"}, {"data", "string"}, {"ts", "time"}};
    t[QStringLiteral("exec_exit")] = {{"type", "string"}, {"code", "int"}, {"ts", "time"}};
    t[QStringLiteral("exec_error")] = {{"type", "string"}, {"message", "string"}, {"ts", "time"}};
    // 3.3 files
    t[QStringLiteral("file_read")] = {
        {"path", "string"}, {"size", "int"}, {"content", "string"}, {"base64", "bool"}};
    t[QStringLiteral("file_written")] = {{"path", "string"}, {"bytes_written", "int"}};
    t[QStringLiteral("file_entry")] = {{"name", "string"},   {"path", "string"},
                                       {"size", "int"},      {"mode", "string"},
                                       {"mod_time", "time"}, {"is_dir", "bool"}};
    t[QStringLiteral("file_list")] = {{"path", "string"}, {"entries", "arr:file_entry"}};
    t[QStringLiteral("file_stat")] = {{"name", "string"}, {"path", "string"},   {"size", "int"},
                                      {"mode", "string"}, {"mod_time", "time"}, {"is_dir", "bool"},
                                      {"exists", "bool"}};
    // A missing path: the contract gives 200 exists:false and no other field's value.
    t[QStringLiteral("file_stat_missing")] = {
        {"name", "?string"},   {"path", "string"},  {"size", "?int"},  {"mode", "?string"},
        {"mod_time", "?time"}, {"is_dir", "?bool"}, {"exists", "bool"}};
    t[QStringLiteral("file_removed")] = {{"path", "string"}, {"removed", "bool"}};
    t[QStringLiteral("file_created")] = {{"path", "string"}, {"created", "bool"}};
    return t;
}

// Schemas used only inside others.
const QSet<QString> kNestedOnly{QStringLiteral("created_layer"), QStringLiteral("stored"),
                                QStringLiteral("layer_status"),  QStringLiteral("build_info"),
                                QStringLiteral("runner_item"),   QStringLiteral("snapshot_metrics"),
                                QStringLiteral("snapshot"),      QStringLiteral("host_local"),
                                QStringLiteral("host"),          QStringLiteral("fleet_host"),
                                QStringLiteral("canary_item"),   QStringLiteral("file_entry")};

const QByteArray kHostToken = "host-bootstrap-secret";

} // namespace

class TestWireTypes final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void decoderRejectsWrongShapes_data();
    void decoderRejectsWrongShapes();
    void pauseLayersAreIntegersPerSession();
    void everyReplyDecodesStrictly();
    void keepsUpstreamBehaviours();

private:
    // Decodes r strictly against `schema` (status first); problems are collected, not fatal, so
    // one run lists every mismatch.
    void expect(const HttpReply &r, int status, const QString &schema, const QString &what);
    void expectText(const HttpReply &r, int status, const QString &what);
    void expectExec(const QString &runnerId, const QStringList &argv, bool wantError);
    HttpReply host(const QByteArray &method, const QString &runnerId, const QString &op,
                   const QByteArray &body) const;
    HttpReply pause(const QString &runnerId) const;

    LocalServer m_server;
    QString m_key;
    QString m_hostAddress;
    SchemaTable m_table = schemaTable();
    QStringList m_problems;
    QSet<QString> m_used;
};

void TestWireTypes::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({QStringLiteral("--hosts"), QStringLiteral("2"),
                             QStringLiteral("--host-token"), QString::fromLatin1(kHostToken)},
                            &error),
             qPrintable(error));
    m_key = m_server.createAndBuild(
        oneLayerConfig(QStringLiteral("wire-types"), QStringLiteral("echo built > /opt/wire")),
        &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error + m_server.stderrText()));
}

void TestWireTypes::expect(const HttpReply &r, int status, const QString &schema,
                           const QString &what)
{
    m_used.insert(schema);
    if (r.status != status) {
        m_problems << QStringLiteral("%1: status %2, expected %3: %4")
                          .arg(what)
                          .arg(r.status)
                          .arg(status)
                          .arg(QString::fromUtf8(r.body.left(300)));
        return;
    }
    if (!r.headers.value("content-type").startsWith("application/json"))
        m_problems
            << QStringLiteral("%1: content type %2").arg(what, r.headers.value("content-type"));
    Node node;
    QString error;
    if (!Parser(r.body).parse(&node, &error)) {
        m_problems << QStringLiteral("%1: not strict JSON: %2").arg(what, error);
        return;
    }
    m_problems << Checker(m_table).check(node, schema, what);
}

void TestWireTypes::expectText(const HttpReply &r, int status, const QString &what)
{
    if (r.status != status || r.headers.value("content-type").startsWith("application/json") ||
        !r.body.endsWith('\n'))
        m_problems << QStringLiteral("%1: expected a %2 text reply, got %3 %4: %5")
                          .arg(what)
                          .arg(status)
                          .arg(r.status)
                          .arg(QString::fromLatin1(r.headers.value("content-type")),
                               QString::fromUtf8(r.body.left(200)));
}

HttpReply TestWireTypes::host(const QByteArray &method, const QString &runnerId, const QString &op,
                              const QByteArray &body) const
{
    return m_server.request(
        method, QStringLiteral("http://%1/api/v1/runners/%2/%3").arg(m_hostAddress, runnerId, op),
        body);
}

HttpReply TestWireTypes::pause(const QString &runnerId) const
{
    return m_server.post(QStringLiteral("/api/v1/runners/pause"),
                         {{QStringLiteral("runner_id"), runnerId}});
}

void TestWireTypes::expectExec(const QString &runnerId, const QStringList &argv, bool wantError)
{
    const QJsonObject body{{QStringLiteral("command"), QJsonArray::fromStringList(argv)}};
    const HttpReply r = host("POST", runnerId, QStringLiteral("exec"),
                             QJsonDocument(body).toJson(QJsonDocument::Compact));
    m_used << QStringLiteral("exec_output") << QStringLiteral("exec_exit")
           << QStringLiteral("exec_error");
    if (r.status != 200) {
        m_problems << QStringLiteral("exec %1: status %2").arg(argv.join(u' ')).arg(r.status);
        return;
    }
    bool sawError = false, sawExit = false;
    for (const QByteArray &line : r.body.split('\n')) {
        if (line.isEmpty())
            continue;
        Node node;
        QString error;
        if (!Parser(line).parse(&node, &error)) {
            m_problems << QStringLiteral("exec line not strict JSON: %1").arg(error);
            continue;
        }
        const Node *type = node.member(QStringLiteral("type"));
        const QString t = type ? type->text : QString();
        const QString schema = t == QLatin1String("exit")    ? QStringLiteral("exec_exit")
                               : t == QLatin1String("error") ? QStringLiteral("exec_error")
                                                             : QStringLiteral("exec_output");
        sawError |= t == QLatin1String("error");
        sawExit |= t == QLatin1String("exit");
        m_problems << Checker(m_table).check(node, schema, QStringLiteral("exec ") + t);
    }
    if (sawError != wantError || sawExit == wantError)
        m_problems << QStringLiteral("exec %1: error=%2 exit=%3")
                          .arg(argv.join(u' '))
                          .arg(sawError)
                          .arg(sawExit);
}

void TestWireTypes::decoderRejectsWrongShapes_data()
{
    // The decoder must be able to fail: each row is a reply with one mistake.
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("schema");
    QTest::addColumn<QString>("problem");
    QTest::newRow("layer as string (the old reply)")
        << QByteArray(R"({"success":true,"session_id":"s","snapshot_size_bytes":1,)"
                      R"("layer":"session/s/snapshot-1"})")
        << QStringLiteral("pause") << QStringLiteral("pause.layer: expected int, got string");
    QTest::newRow("int written as float")
        << QByteArray(R"({"success":true,"session_id":"s","snapshot_size_bytes":1.0,"layer":1})")
        << QStringLiteral("pause")
        << QStringLiteral("pause.snapshot_size_bytes: expected int, got float");
    QTest::newRow("missing field")
        << QByteArray(R"({"success":true,"session_id":"s","layer":1})") << QStringLiteral("pause")
        << QStringLiteral("pause.snapshot_size_bytes: required field "
                          "missing");
    QTest::newRow("unexpected field")
        << QByteArray(R"({"success":true,"extra":null})") << QStringLiteral("release")
        << QStringLiteral("release.extra: unexpected field (null)");
    QTest::newRow("bool as string")
        << QByteArray(R"({"success":"true"})") << QStringLiteral("release")
        << QStringLiteral("release.success: expected bool, got string");
    QTest::newRow("null where a string is required")
        << QByteArray(R"({"runner_id":null,"status":"ready"})") << QStringLiteral("status")
        << QStringLiteral("status.runner_id: expected string, got null");
    QTest::newRow("nested type") << QByteArray(R"({"runners":[{"runner_id":"r","host_id":"h",)"
                                               R"("host_name":"n","workload_key":"k",)"
                                               R"("status":"busy","resumed":1}],"count":1})")
                                 << QStringLiteral("runner_list")
                                 << QStringLiteral("runner_list.runners[0].resumed: expected bool, "
                                                   "got int");
    QTest::newRow("time that is not RFC 3339")
        << QByteArray(R"({"builds":[{"layer_name":"m","version":"v","status":"running",)"
                      R"("started_at":"yesterday","finished_at":null,"exit_code":null}]})")
        << QStringLiteral("build_list") << QStringLiteral("is not RFC 3339");
}

void TestWireTypes::decoderRejectsWrongShapes()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, schema);
    QFETCH(QString, problem);
    Node node;
    QString error;
    QVERIFY2(Parser(body).parse(&node, &error), qPrintable(error));
    const QStringList problems = Checker(m_table).check(node, schema);
    QVERIFY2(problems.size() == 1 && problems.first().contains(problem),
             qPrintable(problems.join(u'\n')));

    // The parser itself: duplicate keys and trailing garbage are not JSON a Go server sends.
    QVERIFY(!Parser(R"({"a":1,"a":2})").parse(&node, &error));
    QVERIFY2(error.contains(QLatin1String("duplicate key")), qPrintable(error));
    QVERIFY(!Parser(R"({"a":1}x)").parse(&node, &error));
    QVERIFY(!Parser(R"({"a":01})").parse(&node, &error));
}

void TestWireTypes::pauseLayersAreIntegersPerSession()
{
    // Pause -> resume (same session) -> pause: layers 1 then 2, integers on the wire.
    const HttpReply a =
        m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(m_key));
    QCOMPARE(a.status, 200);
    const QString id = a.json().value(QStringLiteral("runner_id")).toString();
    const QString session = a.json().value(QStringLiteral("session_id")).toString();

    for (int expected : {1, 2}) {
        const HttpReply p = pause(id);
        QCOMPARE(p.status, 200);
        Node node;
        QString error;
        QVERIFY2(Parser(p.body).parse(&node, &error), qPrintable(error));
        const QStringList problems = Checker(m_table).check(node, QStringLiteral("pause"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(node.member(QStringLiteral("layer"))->text, QString::number(expected));
        QCOMPARE(node.member(QStringLiteral("session_id"))->text, session);
        QVERIFY(node.member(QStringLiteral("snapshot_size_bytes"))->text.toLongLong() >= 0);

        // Pausing a suspended runner writes no new layer: the same number comes back.
        QCOMPARE(pause(id).json().value(QStringLiteral("layer")).toInteger(), qint64(expected));

        const HttpReply resumed =
            m_server.post(QStringLiteral("/api/v1/runners/allocate"),
                          allocateBody(m_key, {{QStringLiteral("session_id"), session}}));
        QCOMPARE(resumed.status, 200);
        QCOMPARE(resumed.json().value(QStringLiteral("runner_id")).toString(), id);
        QCOMPARE(resumed.json().value(QStringLiteral("resumed")).toBool(), true);
    }
    // A new session starts again at 1.
    const HttpReply b =
        m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(m_key));
    QCOMPARE(b.status, 200);
    const QString other = b.json().value(QStringLiteral("runner_id")).toString();
    QCOMPARE(pause(other).body.contains("\"layer\":1"), true);
    for (const QString &r : {id, other})
        QCOMPARE(
            m_server
                .post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), r}})
                .status,
            200);
}

void TestWireTypes::everyReplyDecodesStrictly()
{
    const QString cp = QStringLiteral("/api/v1");
    // ---- 2.1 configs and 10 builds
    expect(m_server.get(cp + QStringLiteral("/layered-configs")), 200,
           QStringLiteral("config_list"), QStringLiteral("config list"));
    QJsonObject body = oneLayerConfig(
        QStringLiteral("wire-second"), QStringLiteral("true"),
        {{QStringLiteral("tier"), QStringLiteral("s")},
         {QStringLiteral("ttl"), 600},
         {QStringLiteral("auto_pause"), true},
         {QStringLiteral("network_policy_preset"), QStringLiteral("restricted-egress")},
         {QStringLiteral("tenant_gcp_project"), QStringLiteral("acme")}});
    body[QStringLiteral("start_command")] =
        QJsonObject{{QStringLiteral("command"), QJsonArray{QStringLiteral("true")}},
                    {QStringLiteral("port"), 9000}};
    HttpReply r = m_server.post(cp + QStringLiteral("/layered-configs"), body);
    expect(r, 201, QStringLiteral("create"), QStringLiteral("create"));
    const QString second = r.json().value(QStringLiteral("config_id")).toString();
    expect(m_server.request("POST", cp + QStringLiteral("/layered-configs"), "{"), 400,
           QStringLiteral("error"), QStringLiteral("create bad body"));
    expect(m_server.get(cp + QStringLiteral("/layered-configs/") + second), 200,
           QStringLiteral("detail"), QStringLiteral("detail"));
    expect(m_server.get(cp + QStringLiteral("/layered-configs/nope-nope")), 404,
           QStringLiteral("error"), QStringLiteral("detail 404"));
    r = m_server.request("POST", cp + QStringLiteral("/layered-configs/%1/build").arg(second));
    expect(r, 202, QStringLiteral("build"), QStringLiteral("build"));
    // While the build runs the layers carry build_status/build_version.
    expect(m_server.get(cp + QStringLiteral("/layered-configs/") + second), 200,
           QStringLiteral("detail"), QStringLiteral("detail while building"));
    expect(m_server.get(cp + QStringLiteral("/layered-configs/%1/builds").arg(second)), 200,
           QStringLiteral("build_list"), QStringLiteral("build list while building"));
    expect(m_server.request("POST", cp + QStringLiteral("/layered-configs/%1/build").arg(second)),
           200, QStringLiteral("build"), QStringLiteral("no build needed"));
    QTRY_COMPARE_WITH_TIMEOUT(m_server.get(cp + QStringLiteral("/layered-configs/") + second)
                                  .json()
                                  .value(QStringLiteral("layers"))
                                  .toArray()
                                  .last()
                                  .toObject()
                                  .value(QStringLiteral("status"))
                                  .toString(),
                              QStringLiteral("active"), 120000);
    expect(m_server.get(cp + QStringLiteral("/layered-configs")), 200,
           QStringLiteral("config_list"), QStringLiteral("config list"));
    expect(m_server.get(cp + QStringLiteral("/layered-configs/%1/builds").arg(second)), 200,
           QStringLiteral("build_list"), QStringLiteral("build list"));
    expect(m_server.request(
               "POST", cp + QStringLiteral("/layered-configs/%1/layers/main/refresh").arg(second)),
           202, QStringLiteral("refresh"), QStringLiteral("refresh"));
    expect(m_server.request("POST", cp + QStringLiteral("/layered-configs/%1/build").arg(second)),
           200, QStringLiteral("build"), QStringLiteral("build during refresh"));
    expect(m_server.request("PUT", cp + QStringLiteral("/layered-configs/") + second), 405,
           QStringLiteral("error"), QStringLiteral("config 405"));

    // ---- 2.2 runners
    r = m_server.post(
        cp + QStringLiteral("/runners/allocate"),
        allocateBody(m_key, {{QStringLiteral("labels"),
                              QJsonObject{{QStringLiteral("team"), QStringLiteral("qa")}}},
                             {QStringLiteral("proxy_addr"), QStringLiteral("127.0.0.1:1")},
                             {QStringLiteral("tenant_id"), QStringLiteral("t-1")},
                             {QStringLiteral("network_policy_preset"),
                              QStringLiteral("restricted-egress")}}));
    expect(r, 200, QStringLiteral("allocate"), QStringLiteral("allocate with section 10 fields"));
    const QString id = r.json().value(QStringLiteral("runner_id")).toString();
    m_hostAddress = r.json().value(QStringLiteral("host_address")).toString();
    expect(m_server.post(cp + QStringLiteral("/runners/allocate"),
                         allocateBody(QStringLiteral("0123456789abcdef"))),
           404, QStringLiteral("error"), QStringLiteral("allocate unknown key"));
    expectText(m_server.post(cp + QStringLiteral("/runners/allocate"), {}), 400,
               QStringLiteral("allocate without key"));
    expect(m_server.get(cp + QStringLiteral("/runners/status?runner_id=") + id), 200,
           QStringLiteral("status"), QStringLiteral("status ready"));
    expect(m_server.get(cp + QStringLiteral("/runners/status?runner_id=gone")), 404,
           QStringLiteral("error"), QStringLiteral("status 404"));
    expect(m_server.get(cp + QStringLiteral("/runners")), 200, QStringLiteral("runner_list"),
           QStringLiteral("runner list"));
    expect(
        m_server.post(cp + QStringLiteral("/runners/connect"), {{QStringLiteral("runner_id"), id}}),
        200, QStringLiteral("allocate"), QStringLiteral("connect"));

    // ---- 3 host routes
    expectExec(id,
               {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo o; echo e >&2")},
               false);
    expectExec(id, {QStringLiteral("/nonexistent/binary")}, true);
    auto file = [&](const QString &op, const QJsonObject &b) {
        return host("POST", id, QStringLiteral("files/") + op,
                    QJsonDocument(b).toJson(QJsonDocument::Compact));
    };
    const QString dir = QStringLiteral("/workspace/wire");
    expect(file(QStringLiteral("mkdir"), {{QStringLiteral("path"), dir}}), 200,
           QStringLiteral("file_created"), QStringLiteral("mkdir"));
    expect(file(QStringLiteral("write"), {{QStringLiteral("path"), dir + QStringLiteral("/a")},
                                          {QStringLiteral("content"), QStringLiteral("hello")}}),
           200, QStringLiteral("file_written"), QStringLiteral("write"));
    expect(host("POST", id, QStringLiteral("files/upload?path=") + dir + QStringLiteral("/b"),
                QByteArray("\x00\x01", 2)),
           200, QStringLiteral("file_written"), QStringLiteral("upload"));
    expect(file(QStringLiteral("read"), {{QStringLiteral("path"), dir + QStringLiteral("/a")}}),
           200, QStringLiteral("file_read"), QStringLiteral("read"));
    expect(file(QStringLiteral("read"), {{QStringLiteral("path"), dir + QStringLiteral("/b")},
                                         {QStringLiteral("base64"), true}}),
           200, QStringLiteral("file_read"), QStringLiteral("read base64"));
    expect(file(QStringLiteral("list"), {{QStringLiteral("path"), dir}}), 200,
           QStringLiteral("file_list"), QStringLiteral("list"));
    expect(file(QStringLiteral("list"),
                {{QStringLiteral("path"), dir}, {QStringLiteral("recursive"), true}}),
           200, QStringLiteral("file_list"), QStringLiteral("list recursive"));
    expect(file(QStringLiteral("stat"), {{QStringLiteral("path"), dir + QStringLiteral("/a")}}),
           200, QStringLiteral("file_stat"), QStringLiteral("stat"));
    expect(file(QStringLiteral("stat"), {{QStringLiteral("path"), dir + QStringLiteral("/zz")}}),
           200, QStringLiteral("file_stat_missing"), QStringLiteral("stat missing"));
    expect(file(QStringLiteral("read"), {{QStringLiteral("path"), dir + QStringLiteral("/zz")}}),
           404, QStringLiteral("error"), QStringLiteral("read missing"));
    expect(file(QStringLiteral("stat"), {{QStringLiteral("path"), QStringLiteral("/etc/passwd")}}),
           403, QStringLiteral("error"), QStringLiteral("stat outside roots"));
    expect(file(QStringLiteral("remove"),
                {{QStringLiteral("path"), dir}, {QStringLiteral("recursive"), true}}),
           200, QStringLiteral("file_removed"), QStringLiteral("remove"));

    // ---- quarantine, pause, snapshots, resume
    r = m_server.request("POST", cp + QStringLiteral("/runners/quarantine?runner_id=%1&reason=t&"
                                                     "pause_vm=false")
                                          .arg(id));
    expect(r, 200, QStringLiteral("quarantine"), QStringLiteral("quarantine"));
    expect(
        m_server.request("POST", cp + QStringLiteral("/runners/unquarantine?runner_id=%1").arg(id)),
        200, QStringLiteral("quarantine"), QStringLiteral("unquarantine"));
    expect(pause(id), 200, QStringLiteral("pause"), QStringLiteral("pause"));
    expect(
        m_server.request("POST", cp + QStringLiteral("/runners/quarantine?runner_id=%1").arg(id)),
        200, QStringLiteral("quarantine"), QStringLiteral("quarantine of a suspended runner"));
    expect(m_server.get(cp + QStringLiteral("/runners/status?runner_id=") + id), 200,
           QStringLiteral("status"), QStringLiteral("status suspended"));
    expect(m_server.get(cp + QStringLiteral("/snapshots")), 200, QStringLiteral("snapshots"),
           QStringLiteral("snapshots"));
    expect(m_server.get(cp + QStringLiteral("/runners")), 200, QStringLiteral("runner_list"),
           QStringLiteral("runner list with a suspended runner"));
    expect(
        m_server.post(cp + QStringLiteral("/runners/connect"), {{QStringLiteral("runner_id"), id}}),
        200, QStringLiteral("allocate"), QStringLiteral("connect resumes"));
    expect(m_server.post(cp + QStringLiteral("/runners/connect"),
                         {{QStringLiteral("runner_id"), QStringLiteral("gone")}}),
           404, QStringLiteral("error"), QStringLiteral("connect 404"));

    // ---- 2.4 hosts, drain, fleet, canary, heartbeat
    expect(m_server.get(cp + QStringLiteral("/hosts")), 200, QStringLiteral("hosts"),
           QStringLiteral("hosts"));
    expect(m_server.request("POST", cp + QStringLiteral("/hosts/local-1/drain")), 200,
           QStringLiteral("drain"), QStringLiteral("drain"));
    expect(m_server.request("POST", cp + QStringLiteral("/hosts/local-1/undrain")), 200,
           QStringLiteral("drain"), QStringLiteral("undrain"));
    expect(m_server.request("POST", cp + QStringLiteral("/hosts/nope/drain")), 404,
           QStringLiteral("error"), QStringLiteral("drain 404"));
    expect(m_server.get(cp + QStringLiteral("/versions/fleet?workload_key=") + m_key), 200,
           QStringLiteral("fleet"), QStringLiteral("fleet"));
    expect(m_server.get(cp + QStringLiteral("/versions/fleet?workload_key=0123456789abcdef")), 404,
           QStringLiteral("error"), QStringLiteral("fleet 404"));
    expect(m_server.get(cp + QStringLiteral("/versions/desired?instance_name=capsule-local-0")),
           200, QStringLiteral("desired"), QStringLiteral("desired"));
    expect(m_server.get(cp + QStringLiteral("/versions/desired?instance_name=nope")), 404,
           QStringLiteral("error"), QStringLiteral("desired 404"));
    expect(m_server.post(cp + QStringLiteral("/canary/report"),
                         {{QStringLiteral("status"), QStringLiteral("success")},
                          {QStringLiteral("runner"), id},
                          {QStringLiteral("timestamp"), QStringLiteral("2026-12-05T10:00:00Z")}}),
           200, QStringLiteral("canary_ok"), QStringLiteral("canary report"));
    expect(m_server.get(cp + QStringLiteral("/canary/reports")), 200,
           QStringLiteral("canary_reports"), QStringLiteral("canary reports"));
    expect(m_server.request("POST", cp + QStringLiteral("/hosts/heartbeat"),
                            R"({"instance_name":"capsule-local-1"})", false,
                            {{"Authorization", "Bearer " + kHostToken}}),
           200, QStringLiteral("heartbeat"), QStringLiteral("heartbeat"));
    expect(m_server.request("POST", cp + QStringLiteral("/hosts/heartbeat"),
                            R"({"instance_name":"capsule-local-1"})", false),
           401, QStringLiteral("error"), QStringLiteral("heartbeat without token"));
    expect(m_server.request("GET", cp + QStringLiteral("/runners"), {}, false), 401,
           QStringLiteral("error"), QStringLiteral("401"));

    // ---- release (known, suspended and unknown ids), delete
    expect(
        m_server.post(cp + QStringLiteral("/runners/release"), {{QStringLiteral("runner_id"), id}}),
        200, QStringLiteral("release"), QStringLiteral("release"));
    expect(m_server.post(cp + QStringLiteral("/runners/release"),
                         {{QStringLiteral("runner_id"), QStringLiteral("never-existed")}}),
           200, QStringLiteral("release"), QStringLiteral("release unknown"));
    r = m_server.request("DELETE", cp + QStringLiteral("/layered-configs/") + second);
    QCOMPARE(r.status, 204);
    QVERIFY(r.body.isEmpty());

    // Every top-level schema of the table was exercised (the table and this test stay in sync).
    for (auto it = m_table.cbegin(); it != m_table.cend(); ++it)
        if (!kNestedOnly.contains(it.key()) && !m_used.contains(it.key()))
            m_problems << QStringLiteral("schema %1 was never exercised").arg(it.key());
    QVERIFY2(m_problems.isEmpty(), qPrintable(m_problems.join(u'\n')));
}

void TestWireTypes::keepsUpstreamBehaviours()
{
    // Release of an unknown runner succeeds (idempotent, 2.2).
    HttpReply r = m_server.post(QStringLiteral("/api/v1/runners/release"),
                                {{QStringLiteral("runner_id"), QStringLiteral("no-such-runner")}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("{\"success\":true}\n"));
    // Allocate of an unknown workload key is 404 json, not 503 (no retry loop in the SDK).
    r = m_server.post(QStringLiteral("/api/v1/runners/allocate"),
                      allocateBody(QStringLiteral("fedcba9876543210")));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.body, QByteArray("{\"error\":\"workload_key fedcba9876543210 not found\"}\n"));
}

QTEST_GUILESS_MAIN(TestWireTypes)
#include "tst_wire_types.moc"
