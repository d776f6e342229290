// Security suite, runners (issue 8): each test performs the attack or the careless request against
// a real capsule-local and asserts that it fails safely. Covers: a resumed session lost on a
// crash, exec with an argv the kernel refuses (E2BIG), two servers on one data dir, runner_user
// injection into /etc/passwd, a fork bomb against the pids limit, leftover cgroups after kill -9,
// and lenient numbers in request bodies.
#include "local/api/jsonfields.h"
#include "local/sandbox.h"
#include "local/tst_cp_util.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule::test;

namespace {

QString s(const char *t)
{
    return QString::fromLatin1(t);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString execUrl(const QString &host, const QString &runnerId)
{
    return QStringLiteral("http://%1/api/v1/runners/%2/exec").arg(host, runnerId);
}

// The ndjson events of an exec reply.
QList<QJsonObject> events(const QByteArray &body)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : body.split('\n'))
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    return out;
}

// Cgroup folders (any hierarchy) whose name contains `id`.
QStringList cgroupsOf(const QString &id)
{
    QStringList out;
    for (const char *h : {"unified", "freezer", "memory", "cpu", "pids"}) {
        const QDir parent(QStringLiteral("/sys/fs/cgroup/%1/capsule-local").arg(s(h)));
        for (const QString &name : parent.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            if (name.contains(id))
                out << parent.filePath(name);
    }
    return out;
}

QString pidsCgroupOf(const QString &id)
{
    for (const QString &dir : cgroupsOf(id))
        if (dir.startsWith(QLatin1String("/sys/fs/cgroup/pids/")))
            return dir;
    return {};
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Pids of processes whose command line contains `needle` (pgrep -f), excluding pgrep itself.
QStringList pgrep(const QString &needle)
{
    QProcess p;
    p.start(s("pgrep"), {s("-f"), s("--"), needle});
    p.waitForFinished(10000);
    return QString::fromLatin1(p.readAllStandardOutput())
        .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

struct Runner
{
    QString id;
    QString host;
    QString sessionId;
};

Runner allocate(const LocalServer &server, const QString &key, const QJsonObject &extra = {})
{
    const HttpReply r = server.post(s("/api/v1/runners/allocate"), allocateBody(key, extra));
    if (r.status != 200) {
        qWarning() << "allocate:" << r.status << r.body;
        return {};
    }
    const QJsonObject o = r.json();
    return {o.value(s("runner_id")).toString(), o.value(s("host_address")).toString(),
            o.value(s("session_id")).toString()};
}

ExecResult sh(const LocalServer &server, const Runner &run, const QString &script)
{
    return hostExec(server, run.host, run.id, {s("sh"), s("-c"), script});
}

} // namespace

class TestSecRunners final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void resumedSessionSurvivesCrash();
    void longArgvEndsWithError();
    void hugeArgvRefused();
    void secondServerRefused();
    void runnerUserRefused_data();
    void runnerUserRefused();
    void runnerUserGoodNameWorks();
    void sandboxRefusesBadUser();
    void lenientConfigNumbers_data();
    void lenientConfigNumbers();
    void lenientAllocate_data();
    void lenientAllocate();
    void lenientExec_data();
    void lenientExec();
    void forkBombStopsAtPidsLimit();
    void leftoverCgroupsRemoved();

private:
    LocalServer m_server;
    QString m_key;
    Runner m_runner;
};

void TestSecRunners::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    m_key = m_server.createAndBuild(LocalServer::trivialConfig(s("sec-runners")), &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error));
    m_runner = allocate(m_server, m_key);
    QVERIFY(!m_runner.id.isEmpty());
}

void TestSecRunners::cleanupTestCase()
{
    m_server.stop();
}

// Pause a session, resume it, kill -9 the server: the resumed session must come back like a
// paused one (suspended, same runner id, its files) instead of being terminated.
void TestSecRunners::resumedSessionSurvivesCrash()
{
    LocalServer server;
    QString error;
    QVERIFY2(server.start({}, &error), qPrintable(error));
    const QString key =
        server.createAndBuild(LocalServer::trivialConfig(s("crash-resume")), &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const QJsonObject session{{s("session_id"), s("sess-crash")}};
    const Runner run = allocate(server, key, session);
    QVERIFY(!run.id.isEmpty());
    const ExecResult w = sh(server, run,
                            s("head -c 20000000 /dev/urandom > /workspace/big && echo small > "
                              "/workspace/small && sha256sum /workspace/big"));
    QCOMPARE(w.code, 0);
    const QString bigSum = w.out.section(QLatin1Char(' '), 0, 0);
    QCOMPARE(bigSum.size(), 64);

    QCOMPARE(server.post(s("/api/v1/runners/pause"), {{s("runner_id"), run.id}}).status, 200);
    HttpReply r = server.post(s("/api/v1/runners/allocate"), allocateBody(key, session));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(s("runner_id")).toString(), run.id);
    QCOMPARE(r.json().value(s("resumed")).toBool(), true);
    // Something written after the resume must survive too.
    QCOMPARE(sh(server, run, s("echo after > /workspace/after")).code, 0);

    // A never-paused runner beside it: it dies with the server (terminated), as before.
    const Runner plain = allocate(server, key);
    QVERIFY(!plain.id.isEmpty());

    server.kill9();
    QVERIFY2(server.restart(&error), qPrintable(error));

    r = server.get(s("/api/v1/runners/status?runner_id=") + run.id);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(s("status")).toString(), s("suspended"));
    QCOMPARE(server.get(s("/api/v1/runners/status?runner_id=") + plain.id).status, 404);
    bool listed = false;
    for (const QJsonValue &v :
         server.get(s("/api/v1/snapshots")).json().value(s("snapshots")).toArray())
        if (v.toObject().value(s("SessionID")).toString() == s("sess-crash")) {
            listed = true;
            QVERIFY(v.toObject().value(s("SizeBytes")).toInteger() >= 20000000);
        }
    QVERIFY2(listed, "the recovered session is listed as a snapshot");

    r = server.post(s("/api/v1/runners/allocate"), allocateBody(key, session));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(s("runner_id")).toString(), run.id);
    QCOMPARE(r.json().value(s("resumed")).toBool(), true);
    const Runner back{run.id, r.json().value(s("host_address")).toString(), s("sess-crash")};
    const ExecResult check =
        sh(server, back, s("sha256sum /workspace/big && cat /workspace/small /workspace/after"));
    QCOMPARE(check.code, 0);
    QCOMPARE(check.out.section(QLatin1Char(' '), 0, 0), bigSum);
    QVERIFY2(check.out.endsWith(s("small\nafter\n")), qPrintable(check.out));

    // And a second crash while it is live again: still the same session.
    server.kill9();
    QVERIFY2(server.restart(&error), qPrintable(error));
    r = server.post(s("/api/v1/runners/allocate"), allocateBody(key, session));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(s("runner_id")).toString(), run.id);
    QCOMPARE(r.json().value(s("resumed")).toBool(), true);
    const Runner again{run.id, r.json().value(s("host_address")).toString(), s("sess-crash")};
    QCOMPARE(sh(server, again, s("cat /workspace/small /workspace/after")).out,
             s("small\nafter\n"));
}

// One argument of 128 KiB (over MAX_ARG_STRLEN) or 2200 arguments of 1000 bytes (over ARG_MAX,
// 2 MiB): execve fails with E2BIG. The stream must end at once with the start-failure event of
// contract 3.2.
void TestSecRunners::longArgvEndsWithError()
{
    const QList<QStringList> cases{
        {s("echo"), QString(131072, QLatin1Char('a'))},
        [] {
            QStringList argv{s("echo")};
            for (int i = 0; i < 2200; ++i)
                argv << QString(1000, QLatin1Char('b'));
            return argv;
        }(),
    };
    for (const QStringList &argv : cases) {
        QElapsedTimer timer;
        timer.start();
        const HttpReply r = m_server.request(
            "POST", execUrl(m_runner.host, m_runner.id),
            compact({{s("command"), QJsonArray::fromStringList(argv)}}), true, {}, 60000);
        QCOMPARE(r.status, 200);
        QVERIFY2(timer.elapsed() < 30000, "the stream ended quickly");
        const QList<QJsonObject> ev = events(r.body);
        QCOMPARE(ev.size(), 1);
        QCOMPARE(ev.first().value(s("type")).toString(), s("error"));
        QCOMPARE(ev.first().value(s("message")).toString(),
                 s("start failed: fork/exec echo: argument list too long"));
    }
    // The environment counts too: one variable over MAX_ARG_STRLEN.
    const HttpReply env = m_server.request(
        "POST", execUrl(m_runner.host, m_runner.id),
        compact({{s("command"), QJsonArray{s("true")}},
                 {s("env"), QJsonObject{{s("BIG"), QString(140000, QLatin1Char('e'))}}}}),
        true, {}, 60000);
    QCOMPARE(env.status, 200);
    const QList<QJsonObject> envEvents = events(env.body);
    QCOMPARE(envEvents.size(), 1);
    QCOMPARE(envEvents.first().value(s("message")).toString(),
             s("start failed: fork/exec true: argument list too long"));
    // Just below the per-string limit still runs.
    const QString longest(131071, QLatin1Char('c'));
    const ExecResult ok = hostExec(m_server, m_runner.host, m_runner.id,
                                   {s("sh"), s("-c"), s("echo ${#1}"), s("sh"), longest});
    QCOMPARE(ok.code, 0);
    QCOMPARE(ok.out, s("131071\n"));
}

// Argument lists that could never run are refused before anything starts.
void TestSecRunners::hugeArgvRefused()
{
    QJsonArray argv{s("true")};
    for (int i = 0; i < 100001; ++i)
        argv.append(QString());
    const HttpReply r = m_server.request("POST", execUrl(m_runner.host, m_runner.id),
                                         compact({{s("command"), argv}}));
    QCOMPARE(r.status, 400);
    QVERIFY2(r.body.startsWith("invalid request body: command and env are too large"),
             r.body.constData());
}

// A second capsule-local on the same data dir must not start (it used to unmount the first one's
// live runner); it names the first one's pid and the first one's runner keeps working.
void TestSecRunners::secondServerRefused()
{
    const QStringList firstPids = pgrep(s("data-dir ") + m_server.dataDir());
    QCOMPARE(firstPids.size(), 1);
    QProcess second;
    second.start(
        qEnvironmentVariable("CAPSULE_LOCAL_BIN"),
        {s("--port"), s("0"), s("--host-port"), s("0"), s("--data-dir"), m_server.dataDir()});
    QVERIFY(second.waitForStarted(10000));
    const bool exited = second.waitForFinished(30000);
    if (!exited) {
        second.kill();
        second.waitForFinished(5000);
    }
    QVERIFY2(exited, "the second server exits");
    QVERIFY(second.exitCode() != 0);
    const QString err = QString::fromUtf8(second.readAllStandardError());
    QVERIFY2(err.contains(s("in use by another capsule-local (pid %1)").arg(firstPids.first())),
             qPrintable(err));
    QVERIFY(second.readAllStandardOutput().isEmpty()); // no ready line

    const HttpReply st = m_server.get(s("/api/v1/runners/status?runner_id=") + m_runner.id);
    QCOMPARE(st.json().value(s("status")).toString(), s("ready"));
    const ExecResult e =
        sh(m_server, m_runner, s("echo alive > /workspace/alive && cat /workspace/alive"));
    QCOMPARE(e.code, 0);
    QCOMPARE(e.out, s("alive\n"));
}

void TestSecRunners::runnerUserRefused_data()
{
    QTest::addColumn<QJsonValue>("user");
    QTest::addColumn<QString>("error");
    const QString rule = s("invalid config: config.runner_user must be a POSIX user name");
    QTest::newRow("passwd injection") << QJsonValue(s("evil\nroot2:x:0:0::/root:/bin/sh")) << rule;
    QTest::newRow("colon") << QJsonValue(s("a:b")) << rule;
    QTest::newRow("path") << QJsonValue(s("../../etc")) << rule;
    QTest::newRow("slash") << QJsonValue(s("a/b")) << rule;
    QTest::newRow("upper case") << QJsonValue(s("Root")) << rule;
    QTest::newRow("leading digit") << QJsonValue(s("1abc")) << rule;
    QTest::newRow("space") << QJsonValue(s("a b")) << rule;
    QTest::newRow("nul") << QJsonValue(QString::fromLatin1("ab\0c", 4)) << rule;
    QTest::newRow("33 chars") << QJsonValue(QString(33, QLatin1Char('a'))) << rule;
    QTest::newRow("dollar") << QJsonValue(s("machine$")) << rule;
    QTest::newRow("number") << QJsonValue(5) << s("invalid request body");
}

// runner_user ends up as a line of the sandbox's /etc/passwd and in HOME: only a POSIX name.
void TestSecRunners::runnerUserRefused()
{
    QFETCH(QJsonValue, user);
    QFETCH(QString, error);
    QJsonObject body = LocalServer::trivialConfig(s("bad-user"));
    body[s("config")] = QJsonObject{{s("runner_user"), user}};
    const HttpReply r = m_server.post(s("/api/v1/layered-configs"), body);
    QCOMPARE(r.status, 400);
    const QJsonObject o = r.json();
    QVERIFY2(o.value(s("error")).toString().startsWith(error), r.body.constData());
    const QString named = o.value(s("error")).toString() + o.value(s("detail")).toString();
    QVERIFY2(named.contains(s("config.runner_user")), r.body.constData());
    // Nothing was stored.
    QCOMPARE(m_server.get(s("/api/v1/layered-configs/bad-user")).status, 404);
}

void TestSecRunners::runnerUserGoodNameWorks()
{
    QJsonObject body = LocalServer::trivialConfig(s("good-user"));
    body[s("config")] = QJsonObject{{s("runner_user"), s("_dev-user_1")}};
    QString error;
    const QString key = m_server.createAndBuild(body, &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const Runner run = allocate(m_server, key);
    QVERIFY(!run.id.isEmpty());
    const ExecResult e = sh(m_server, run, s("id -un; echo $HOME; grep -c ':x:0:' /etc/passwd"));
    QCOMPARE(e.code, 0);
    QCOMPARE(e.out, s("_dev-user_1\n/home/_dev-user_1\n1\n"));
    m_server.post(s("/api/v1/runners/release"), {{s("runner_id"), run.id}});
}

// Defence in depth: a record stored by an older version with a bad user never reaches passwd.
void TestSecRunners::sandboxRefusesBadUser()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    capsule::local::SandboxSpec spec;
    spec.id = s("bad-user-sandbox");
    spec.stateDir = dir.filePath(s("state"));
    spec.runnerUser = s("evil\nroot2:x:0:0::/root:/bin/sh");
    capsule::local::Sandbox sandbox(spec);
    QString error;
    QVERIFY(!sandbox.start(&error));
    QVERIFY2(error.contains(s("not a POSIX user name")), qPrintable(error));
    QDirIterator it(dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        QVERIFY2(!readAll(it.next()).contains("root2"), qPrintable(it.filePath()));
    QVERIFY(capsule::local::api::isPosixUserName(s("runner")));
    QVERIFY(!capsule::local::api::isPosixUserName(s("a:b")));
}

void TestSecRunners::lenientConfigNumbers_data()
{
    QTest::addColumn<QJsonObject>("config");
    QTest::addColumn<QJsonObject>("startCommand");
    QTest::addColumn<QJsonValue>("driveSize");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("field");
    const QString type = s("invalid request body");
    const QString range = s("invalid config: ");
    auto cfg = [](const char *k, const QJsonValue &v) {
        return QJsonObject{{s(k), v}};
    };
    QTest::newRow("ttl -1") << cfg("ttl", -1) << QJsonObject() << QJsonValue() << range
                            << s("config.ttl must be >= 0, got -1");
    QTest::newRow("ttl 1.5") << cfg("ttl", 1.5) << QJsonObject() << QJsonValue() << type
                             << s("config.ttl must be an integer, got 1.5");
    QTest::newRow("ttl \"5\"") << cfg("ttl", s("5")) << QJsonObject() << QJsonValue() << type
                               << s("config.ttl must be an integer, got \"5\"");
    QTest::newRow("ttl true") << cfg("ttl", true) << QJsonObject() << QJsonValue() << type
                              << s("config.ttl must be an integer, got true");
    QTest::newRow("workspace -1") << cfg("workspace_size_gb", -1) << QJsonObject() << QJsonValue()
                                  << range << s("config.workspace_size_gb must be >= 0, got -1");
    QTest::newRow("rootfs -8") << cfg("rootfs_size_gb", -8) << QJsonObject() << QJsonValue()
                               << range << s("config.rootfs_size_gb must be >= 0, got -8");
    QTest::newRow("max age -1") << cfg("session_max_age_seconds", -1) << QJsonObject()
                                << QJsonValue() << range
                                << s("config.session_max_age_seconds must be >= 0, got -1");
    const QJsonArray cmd{s("true")};
    QTest::newRow("port -1") << QJsonObject() << QJsonObject{{s("command"), cmd}, {s("port"), -1}}
                             << QJsonValue() << range
                             << s("start_command.port must be >= 0, got -1");
    QTest::newRow("port 70000") << QJsonObject()
                                << QJsonObject{{s("command"), cmd}, {s("port"), 70000}}
                                << QJsonValue() << range
                                << s("start_command.port must be <= 65535, got 70000");
    QTest::newRow("port 1.5") << QJsonObject() << QJsonObject{{s("command"), cmd}, {s("port"), 1.5}}
                              << QJsonValue() << type
                              << s("start_command.port must be an integer, got 1.5");
    QTest::newRow("drive -1") << QJsonObject() << QJsonObject() << QJsonValue(-1) << range
                              << s("layers[0].drives[0].size_gb must be >= 0, got -1");
}

void TestSecRunners::lenientConfigNumbers()
{
    QFETCH(QJsonObject, config);
    QFETCH(QJsonObject, startCommand);
    QFETCH(QJsonValue, driveSize);
    QFETCH(QString, error);
    QFETCH(QString, field);
    QJsonObject body = LocalServer::trivialConfig(s("lenient"));
    if (!config.isEmpty())
        body[s("config")] = config;
    if (!startCommand.isEmpty())
        body[s("start_command")] = startCommand;
    if (!driveSize.isUndefined()) {
        QJsonArray layers = body.value(s("layers")).toArray();
        QJsonObject layer = layers.first().toObject();
        layer[s("drives")] = QJsonArray{
            QJsonObject{{s("drive_id"), s("d")}, {s("label"), s("D")}, {s("size_gb"), driveSize}}};
        layers[0] = layer;
        body[s("layers")] = layers;
    }
    const HttpReply r = m_server.post(s("/api/v1/layered-configs"), body);
    QCOMPARE(r.status, 400);
    const QJsonObject o = r.json();
    if (error.endsWith(QLatin1String(": ")))
        QCOMPARE(o.value(s("error")).toString(), error + field);
    else {
        QCOMPARE(o.value(s("error")).toString(), error); // the contract's text (2.1)
        QCOMPARE(o.value(s("detail")).toString(), field);
    }
    QCOMPARE(m_server.get(s("/api/v1/layered-configs/lenient")).status, 404);
}

void TestSecRunners::lenientAllocate_data()
{
    QTest::addColumn<QJsonObject>("extra");
    QTest::addColumn<QString>("message");
    QTest::newRow("ca_cert_port 1.5")
        << QJsonObject{{s("proxy_addr"), s("127.0.0.1:9")}, {s("ca_cert_port"), 1.5}}
        << s("ca_cert_port must be an integer, got 1.5");
    QTest::newRow("ca_cert_port -1")
        << QJsonObject{{s("proxy_addr"), s("127.0.0.1:9")}, {s("ca_cert_port"), -1}}
        << s("ca_cert_port must be >= 0, got -1");
    QTest::newRow("ca_cert_port \"5\"")
        << QJsonObject{{s("proxy_addr"), s("127.0.0.1:9")}, {s("ca_cert_port"), s("5")}}
        << s("ca_cert_port must be an integer, got \"5\"");
    QTest::newRow("labels number") << QJsonObject{{s("labels"), QJsonObject{{s("team"), 1}}}}
                                   << s("labels.team must be a string, got 1");
    QTest::newRow("session_id true")
        << QJsonObject{{s("session_id"), true}} << s("session_id must be a string, got true");
}

void TestSecRunners::lenientAllocate()
{
    QFETCH(QJsonObject, extra);
    QFETCH(QString, message);
    const int before =
        m_server.get(s("/api/v1/runners")).json().value(s("runners")).toArray().size();
    const HttpReply r = m_server.post(s("/api/v1/runners/allocate"), allocateBody(m_key, extra));
    QCOMPARE(r.status, 400);
    QCOMPARE(QString::fromUtf8(r.body), s("invalid request body: ") + message + QLatin1Char('\n'));
    QCOMPARE(m_server.get(s("/api/v1/runners")).json().value(s("runners")).toArray().size(),
             before);
}

void TestSecRunners::lenientExec_data()
{
    QTest::addColumn<QJsonObject>("extra");
    QTest::addColumn<QString>("message");
    QTest::newRow("timeout 1.5") << QJsonObject{{s("timeout_seconds"), 1.5}}
                                 << s("timeout_seconds must be an integer, got 1.5");
    QTest::newRow("timeout \"5\"") << QJsonObject{{s("timeout_seconds"), s("5")}}
                                   << s("timeout_seconds must be an integer, got \"5\"");
    QTest::newRow("timeout true") << QJsonObject{{s("timeout_seconds"), true}}
                                  << s("timeout_seconds must be an integer, got true");
    QTest::newRow("timeout -1") << QJsonObject{{s("timeout_seconds"), -1}}
                                << s("timeout_seconds must be >= 0, got -1");
    QTest::newRow("env list") << QJsonObject{{s("env"), QJsonArray{s("A=1")}}}
                              << s("env must be an object of strings, got an array");
    QTest::newRow("env number") << QJsonObject{{s("env"), QJsonObject{{s("A"), 1}}}}
                                << s("env.A must be a string, got 1");
    QTest::newRow("working_dir 5")
        << QJsonObject{{s("working_dir"), 5}} << s("working_dir must be a string, got 5");
    QTest::newRow("command string") << QJsonObject{{s("command"), s("touch /workspace/ran")}}
                                    << s("command must be an array of strings, got \"touch "
                                         "/workspace/ran\"");
}

// Wrong-typed exec fields used to be ignored (1.5 meant no timeout at all): 400, nothing runs.
void TestSecRunners::lenientExec()
{
    QFETCH(QJsonObject, extra);
    QFETCH(QString, message);
    QJsonObject body{{s("command"), QJsonArray{s("touch"), s("/workspace/ran")}}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body[it.key()] = it.value();
    const HttpReply r =
        m_server.request("POST", execUrl(m_runner.host, m_runner.id), compact(body));
    QCOMPARE(r.status, 400);
    QCOMPARE(QString::fromUtf8(r.body), s("invalid request body: ") + message + QLatin1Char('\n'));
    QCOMPARE(sh(m_server, m_runner, s("test -e /workspace/ran && echo ran || echo no")).out,
             s("no\n"));
}

// A fork bomb inside one runner stops at its pids limit; the host and another runner keep
// working. Bounded: the bomb backs off on EAGAIN, and the runner is released at the end.
void TestSecRunners::forkBombStopsAtPidsLimit()
{
    LocalServer server;
    QString error;
    QVERIFY2(server.start({s("--max-pids-per-runner"), s("64")}, &error), qPrintable(error));
    QJsonObject body = LocalServer::trivialConfig(s("bomb"));
    body[s("config")] = QJsonObject{{s("tier"), s("xs")}}; // one CPU at most
    const QString key = server.createAndBuild(body, &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const Runner bomb = allocate(server, key);
    const Runner other = allocate(server, key);
    QVERIFY(!bomb.id.isEmpty() && !other.id.isEmpty());

    // The limit is in place before anything runs (checked first: no bomb without it).
    const QString cg = pidsCgroupOf(bomb.id);
    QVERIFY2(!cg.isEmpty(), "the runner has a pids cgroup");
    QCOMPARE(readAll(cg + s("/pids.max")).trimmed(), QByteArray("64"));

    const ExecResult launched = sh(
        server, bomb, s("bash -c 'b(){ b | b & }; b' >/dev/null 2>&1 </dev/null & echo launched"));
    QCOMPARE(launched.out, s("launched\n"));
    // The limit is hit (failed forks are counted in pids.events) and never exceeded.
    QElapsedTimer timer;
    timer.start();
    qint64 failedForks = 0;
    while (timer.elapsed() < 60000) {
        failedForks = readAll(cg + s("/pids.events")).split(' ').value(1).trimmed().toLongLong();
        QVERIFY(readAll(cg + s("/pids.current")).trimmed().toInt() <= 64);
        if (failedForks > 0)
            break;
        QTest::qWait(100);
    }
    QVERIFY2(failedForks > 0, "the bomb ran into pids.max");

    // The host can still start processes, and the other runner still runs commands.
    QProcess host;
    host.start(s("true"));
    QVERIFY(host.waitForFinished(10000));
    QCOMPARE(host.exitCode(), 0);
    const ExecResult fine = sh(server, other, s("echo fine"));
    QCOMPARE(fine.code, 0);
    QCOMPARE(fine.out, s("fine\n"));
    QVERIFY(readAll(cg + s("/pids.current")).trimmed().toInt() <= 64);

    // Releasing the runner ends the bomb: its cgroups are gone.
    QCOMPARE(server.post(s("/api/v1/runners/release"), {{s("runner_id"), bomb.id}}).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(cgroupsOf(bomb.id).isEmpty(), 20000);
}

// kill -9 leaves the runners' cgroups behind (frozen ones for paused sessions); the next start on
// the same data dir removes them, and only them (another server's runner keeps its cgroups).
void TestSecRunners::leftoverCgroupsRemoved()
{
    LocalServer server;
    QString error;
    QVERIFY2(server.start({}, &error), qPrintable(error));
    const QString key = server.createAndBuild(LocalServer::trivialConfig(s("leftover")), &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const Runner live = allocate(server, key);
    const Runner paused = allocate(server, key, {{s("session_id"), s("sess-leftover")}});
    QVERIFY(!live.id.isEmpty() && !paused.id.isEmpty());
    QCOMPARE(sh(server, paused, s("echo kept > /workspace/kept")).code, 0);
    QCOMPARE(server.post(s("/api/v1/runners/pause"), {{s("runner_id"), paused.id}}).status, 200);
    QVERIFY(!cgroupsOf(live.id).isEmpty());
    QVERIFY(!cgroupsOf(paused.id).isEmpty());
    // The suite's shared server is another data dir: its runner must keep its cgroups.
    const QStringList others = cgroupsOf(m_runner.id);
    QVERIFY(!others.isEmpty());

    server.kill9();
    QVERIFY(!cgroupsOf(live.id).isEmpty()); // left behind by the crash
    // What an older version (names without the data dir key) left behind is removed too.
    const QString legacy =
        live.id + QLatin1Char('-') +
        QString::fromLatin1(
            QCryptographicHash::hash(QFile::encodeName(server.dataDir() + s("/runners/") + live.id),
                                     QCryptographicHash::Sha1)
                .toHex()
                .left(8));
    for (const char *h : {"unified", "pids"})
        QVERIFY(
            QDir().mkpath(QStringLiteral("/sys/fs/cgroup/%1/capsule-local/%2").arg(s(h), legacy)));
    QVERIFY2(server.restart(&error), qPrintable(error));
    QCOMPARE(cgroupsOf(live.id), QStringList());
    QCOMPARE(cgroupsOf(paused.id), QStringList());
    QCOMPARE(cgroupsOf(m_runner.id), others);
    QCOMPARE(sh(m_server, m_runner, s("echo other")).out, s("other\n"));

    // The paused session still resumes (in fresh cgroups).
    const HttpReply r = server.post(s("/api/v1/runners/allocate"),
                                    allocateBody(key, {{s("session_id"), s("sess-leftover")}}));
    QCOMPARE(r.status, 200);
    const Runner back{paused.id, r.json().value(s("host_address")).toString(), QString()};
    QCOMPARE(sh(server, back, s("cat /workspace/kept")).out, s("kept\n"));
    QVERIFY(!cgroupsOf(paused.id).isEmpty());
}

QTEST_GUILESS_MAIN(TestSecRunners)
#include "tst_sec_runners.moc"
