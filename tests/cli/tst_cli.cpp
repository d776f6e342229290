// Tests of the `capsule` command's control-plane side: onboard, listings, errors and exit codes.
#include "cliharness.h"
#include "support/localserver.h"

#include "core/onboard.h"
#include "core/workloadkey.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule;
using namespace capsule::test;

namespace {

QString fixture(const QString &name)
{
    return qEnvironmentVariable("CAPSULE_SOURCE_DIR") + QStringLiteral("/tests/data/onboard/") +
           name;
}

QString describe(const CliResult &r)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
        .arg(r.code)
        .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
}

} // namespace

class TestCli final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void help();
    void dryRunSendsNothing_data();
    void dryRunSendsNothing();
    void dryRunTable();
    void onboardThenList();
    void onboardRejectedLegacy();
    void buildAndConfigs();
    void errors_data();
    void errors();
    void connectionRefused();
    void workloadKey();

private:
    LocalServer m_server;
};

void TestCli::initTestCase()
{
    QVERIFY2(!qEnvironmentVariable("CAPSULE_CLI_BIN").isEmpty(), "CAPSULE_CLI_BIN is not set");
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
}

void TestCli::help()
{
    const CliResult top = runCli({"--help"});
    QCOMPARE(top.code, 0);
    for (const char *cmd : {"workloads", "onboard", "build", "delete", "start", "runners", "exec",
                            "cp", "shell", "pause", "resume", "release", "hosts"}) {
        QVERIFY2(top.out.contains(QByteArray("  ") + cmd + " "), cmd);
        const CliResult one = runCli({cmd, "--help"});
        QCOMPARE(one.code, 0);
        QVERIFY2(one.out.startsWith(QByteArray("usage: capsule ") + cmd), one.out.constData());
    }
    const CliResult none = runCli({});
    QCOMPARE(none.code, 2);
    QVERIFY(none.err.contains("usage: capsule"));
}

void TestCli::dryRunSendsNothing_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("name");
    QTest::newRow("minimal") << "minimal.yaml" << QString();
    QTest::newRow("full") << "full.yaml" << QString();
    QTest::newRow("legacy with --name") << "legacy.yaml"
                                        << "legacy-ci";
}

void TestCli::dryRunSendsNothing()
{
    QFETCH(QString, file);
    QFETCH(QString, name);
    QStringList args{"--output", "json", "onboard", fixture(file), "--dry-run"};
    if (!name.isEmpty())
        args << "--name" << name;
    // Port 1 refuses connections: a dry run that tried to send anything would fail.
    const CliResult r = runCli(args, "http://127.0.0.1:1");
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    const QJsonObject out = QJsonDocument::fromJson(r.out).object();
    Error error;
    const QJsonObject body = parseOnboard(fixture(file), name, &error);
    QCOMPARE(out.value("body").toObject(), body);
    QCOMPARE(out.value("workload_key").toString(), leafWorkloadKey(body));
}

void TestCli::dryRunTable()
{
    const CliResult r =
        runCli({"onboard", fixture("minimal.yaml"), "--dry-run"}, "http://127.0.0.1:1");
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.last(), QByteArray("workload key: ") +
                               leafWorkloadKey(parseOnboard(fixture("minimal.yaml"))).toUtf8());
    const QByteArray json = r.out.left(r.out.lastIndexOf("workload key:"));
    QCOMPARE(QJsonDocument::fromJson(json).object().value("display_name").toString(),
             QStringLiteral("hello-sandbox"));
}

void TestCli::onboardThenList()
{
    const QString url = m_server.baseUrl(), token = m_server.token();
    const CliResult r =
        runCli({"--output", "json", "onboard", fixture("full.yaml"), "--no-build"}, url, token);
    QVERIFY2(r.code == 0, qPrintable(describe(r)));
    const QJsonObject summary = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(summary.value("display_name").toString(), QStringLiteral("notebook-env"));
    QCOMPARE(summary.value("config_id").toString(), QStringLiteral("notebook-env"));
    // The server's leaf key is the one computed client-side.
    const QString key = leafWorkloadKey(parseOnboard(fixture("full.yaml")));
    QCOMPARE(summary.value("workload_key").toString(), key);

    const CliResult list = runCli({"workloads", "--output", "json"}, url, token);
    QVERIFY2(list.code == 0, qPrintable(describe(list)));
    bool found = false;
    for (const QJsonValue &v : QJsonDocument::fromJson(list.out).array()) {
        const QJsonObject o = v.toObject();
        if (o.value("config_id").toString() == QLatin1String("notebook-env")) {
            found = true;
            QCOMPARE(o.value("workload_key").toString(), key);
            QCOMPARE(o.value("display_name").toString(), QStringLiteral("notebook-env"));
        }
    }
    QVERIFY2(found, list.out.constData());

    const CliResult table = runCli({"workloads"}, url, token);
    QCOMPARE(table.code, 0);
    QVERIFY(table.out.startsWith("NAME"));
    QVERIFY(table.out.contains(key.toUtf8()));

    // Delete by display name; afterwards the name is unknown.
    const CliResult del = runCli({"delete", "notebook-env"}, url, token);
    QVERIFY2(del.code == 0, qPrintable(describe(del)));
    const CliResult again = runCli({"delete", "notebook-env"}, url, token);
    QCOMPARE(again.code, 5);
    QVERIFY2(again.err.startsWith("error: HTTP 404: "), again.err.constData());
}

void TestCli::onboardRejectedLegacy()
{
    // The legacy file maps to a body without layers; the server refuses it with its message.
    const CliResult r =
        runCli({"onboard", fixture("legacy.yaml")}, m_server.baseUrl(), m_server.token());
    QCOMPARE(r.code, 7);
    QVERIFY2(r.err.startsWith("error: HTTP 400: "), r.err.constData());
    QVERIFY2(r.err.contains("layer"), r.err.constData());
}

void TestCli::buildAndConfigs()
{
    const QString url = m_server.baseUrl(), token = m_server.token();
    const CliResult onboard = runCli({"onboard", fixture("minimal.yaml")}, url, token);
    QVERIFY2(onboard.code == 0, qPrintable(describe(onboard)));
    QVERIFY(onboard.out.contains("onboarded hello-sandbox"));
    const CliResult build = runCli({"build", "hello-sandbox", "--wait"}, url, token);
    QVERIFY2(build.code == 0, qPrintable(describe(build)));
    QVERIFY2(build.out.contains("build of hello-sandbox finished"), build.out.constData());
    const CliResult detail = runCli({"configs", "hello-sandbox", "--output", "json"}, url, token);
    QVERIFY2(detail.code == 0, qPrintable(describe(detail)));
    const QJsonObject d = QJsonDocument::fromJson(detail.out).object();
    QCOMPARE(d.value("layers").toArray().last().toObject().value("status").toString(),
             QStringLiteral("active"));
    const CliResult list = runCli({"configs"}, url, token);
    QCOMPARE(list.code, 0);
    QVERIFY(list.out.contains("hello-sandbox"));
    const CliResult hosts = runCli({"hosts", "--output", "json"}, url, token);
    QVERIFY2(hosts.code == 0, qPrintable(describe(hosts)));
    QVERIFY(!QJsonDocument::fromJson(hosts.out).array().isEmpty());
    const CliResult runners = runCli({"runners", "--output", "json"}, url, token);
    QVERIFY2(runners.code == 0, qPrintable(describe(runners)));
    QVERIFY(QJsonDocument::fromJson(runners.out).isArray());
}

void TestCli::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("token"); // "<server>" = the right one
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::newRow("bad token") << QStringList{"workloads"} << "wrong-token" << 4
                               << "error: HTTP 401: unauthorized\n";
    QTest::newRow("no token") << QStringList{"runners", "--token", ""} << "<server>" << 4
                              << "error: HTTP 401: unauthorized\n";
    QTest::newRow("missing config") << QStringList{"configs", "x-missing"} << "<server>" << 5
                                    << "error: HTTP 404: layered config not found: x-missing\n";
    QTest::newRow("missing workload")
        << QStringList{"build", "no-such-workload"} << "<server>" << 5 << "error: HTTP 404: ";
    QTest::newRow("malformed yaml")
        << QStringList{"onboard", fixture("syntax-error.yaml")} << "<server>" << 3
        << "error: " + fixture("syntax-error.yaml") + ":6:3: YAML syntax error: ";
    QTest::newRow("wrong type in yaml")
        << QStringList{"onboard", fixture("layers-not-list.yaml"), "--dry-run"} << "<server>" << 3
        << "workload.layers must be a list, not a mapping\n";
    QTest::newRow("missing file") << QStringList{"onboard", "/nonexistent/onboard.yaml"}
                                  << "<server>" << 11 << "error: no such file: ";
    QTest::newRow("bad name") << QStringList{"onboard", fixture("legacy.yaml"), "--name",
                                             "Bad Name"}
                              << "<server>" << 3 << "config_id";
    QTest::newRow("unknown command")
        << QStringList{"frobnicate"} << "<server>" << 2 << "error: unknown command \"frobnicate\"";
    QTest::newRow("unknown option")
        << QStringList{"workloads", "--frob"} << "<server>" << 2 << "error: unknown option --frob";
    QTest::newRow("missing argument")
        << QStringList{"delete"} << "<server>" << 2 << "error: wrong number of arguments";
    QTest::newRow("bad output") << QStringList{"workloads", "--output", "xml"} << "<server>" << 2
                                << "--output must be table or json";
    QTest::newRow("bad timeout") << QStringList{"--request-timeout", "soon", "workloads"}
                                 << "<server>" << 2 << "--request-timeout must be a number";
    QTest::newRow("exec without command")
        << QStringList{"exec", "r-1"} << "<server>" << 2 << "no command given";
    QTest::newRow("cp without a runner side") << QStringList{"cp", "a", "b"} << "<server>" << 2
                                              << "one side must be RUNNER:/absolute/path";
    QTest::newRow("exec on unknown runner") << QStringList{"exec", "no-such-runner", "--", "true"}
                                            << "<server>" << 5 << "error: HTTP 404: ";
}

void TestCli::errors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, token);
    QFETCH(int, code);
    QFETCH(QString, message);
    const CliResult r = runCli(args, m_server.baseUrl(),
                               token == QLatin1String("<server>") ? m_server.token() : token);
    QVERIFY2(r.code == code, qPrintable(describe(r)));
    QVERIFY2(r.err.contains(message.toUtf8()), qPrintable(describe(r)));
    // One clear line (usage errors may add the usage line).
    QVERIFY2(r.err.count('\n') <= 2, qPrintable(describe(r)));
}

void TestCli::connectionRefused()
{
    const CliResult r = runCli({"--request-timeout", "2", "workloads"}, "http://127.0.0.1:1", "t");
    QCOMPARE(r.code, 8);
    QVERIFY2(r.err.startsWith("error: "), r.err.constData());
}

void TestCli::workloadKey()
{
    const CliResult leaf = runCli(
        {"workload-key", R"([{"type":"shell","args":["echo","dev-snapshot-ready"]}])", "--leaf"});
    QCOMPARE(leaf.code, 0);
    QCOMPARE(leaf.out, QByteArray("356613a133ab095a\n"));
    const CliResult bad = runCli({"workload-key", "{not json"});
    QCOMPARE(bad.code, 3);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
