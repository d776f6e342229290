// Exec on a runner at the wire level (contract 3.2, 9.14, 9.15): body, NDJSON rules, retries.
#include "core/hostresolver.h"
#include "core/http.h"
#include "core/runnersession.h"
#include "support/faultserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QtTest>

using namespace capsule;
using capsule::test::FaultServer;

class TestExec final : public QObject
{
    Q_OBJECT

private:
    struct Rig
    {
        FaultServer server; // control plane and host at once
        std::unique_ptr<Http> http;
        std::unique_ptr<HostResolver> resolver;
        std::unique_ptr<RunnerSession> session;

        Rig()
        {
            if (!server.listen())
                qFatal("cannot listen");
            Settings s;
            s.baseUrl = server.baseUrl();
            s.token = QStringLiteral("tok");
            s.backoffBase = 0.01;
            s.backoffJitter = 0;
            s.operationTimeout = 5;
            http = std::make_unique<Http>(s);
            resolver = std::make_unique<HostResolver>(http.get());
            session = std::make_unique<RunnerSession>(
                resolver.get(), QStringLiteral("r-1"), QStringLiteral("sess-1"),
                QStringLiteral("req-1"), server.hostAddress());
        }
    };

    static FaultServer::Reply ndjson(const QByteArray &body)
    {
        FaultServer::Reply r;
        r.status = 200;
        r.body = body;
        r.contentType = "application/x-ndjson";
        return r;
    }

    static const QString execPath() { return QStringLiteral("/api/v1/runners/r-1/exec"); }

private slots:
    void requestBody_data()
    {
        QTest::addColumn<QStringList>("argv");
        QTest::addColumn<QVariantMap>("env");
        QTest::addColumn<QString>("dir");
        QTest::addColumn<int>("timeout");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("argv only") << QStringList{"echo", "hi"} << QVariantMap() << QString() << 0
                                   << QByteArray(R"({"command":["echo","hi"]})");
        QTest::newRow("all fields")
            << QStringList{"sh", "-c", "x"} << QVariantMap{{"A", "1"}} << QString("/tmp") << 5
            << QByteArray(
                   R"({"command":["sh","-c","x"],"env":{"A":"1"},"timeout_seconds":5,"working_dir":"/tmp"})");
    }

    void requestBody()
    {
        QFETCH(QStringList, argv);
        QFETCH(QVariantMap, env);
        QFETCH(QString, dir);
        QFETCH(int, timeout);
        QFETCH(QByteArray, expected);
        ExecRequest r;
        r.argv = argv;
        for (auto it = env.cbegin(); it != env.cend(); ++it)
            r.env.insert(it.key(), it.value().toString());
        r.workingDir = dir;
        r.timeoutSeconds = timeout;
        QCOMPARE(QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact), expected);
    }

    // 9.15: a blank line between two events yields exactly two events.
    void blankAndJunkLinesSkipped()
    {
        const QByteArray stream = "{\"type\":\"stdout\",\"data\":\"hello\"}\n\n  \nnot json\n[1]\n"
                                  "{\"type\":\"exit\",\"code\":0}\n";
        // Fed split at every byte boundary, the parser sees the same two events.
        for (int cut = 0; cut <= stream.size(); ++cut) {
            ExecStreamParser p;
            QList<ExecEvent> events = p.feed(stream.left(cut));
            events += p.feed(stream.mid(cut));
            events += p.finish();
            QCOMPARE(events.size(), 2);
            QCOMPARE(events.at(0).type, QStringLiteral("stdout"));
            QCOMPARE(events.at(0).data, QStringLiteral("hello"));
            QVERIFY(events.at(1).isExit());
            QCOMPARE(events.at(1).code, std::optional<int>(0));
        }
    }

    void lastLineWithoutNewline()
    {
        ExecStreamParser p;
        QVERIFY(p.feed("{\"type\":\"exit\",\"code\":3}").isEmpty());
        const auto tail = p.finish();
        QCOMPARE(tail.size(), 1);
        QCOMPARE(*tail.first().code, 3);
    }

    // 9.14: exec_collect keeps stdout and stderr apart; the request is what the SDK sends.
    void collect()
    {
        Rig rig;
        rig.server.enqueue("POST", execPath(),
                           ndjson("{\"type\":\"stdout\",\"data\":\"hello\\n\",\"ts\":\"t1\"}\n"
                                  "{\"type\":\"stderr\",\"data\":\"warn\\n\",\"ts\":\"t2\"}\n"
                                  "{\"type\":\"exit\",\"code\":0,\"ts\":\"t3\"}\n"));
        auto *job = rig.session->execCollect({"sh", "-c", "echo hello; echo warn >&2"});
        QTRY_VERIFY(job->isFinished());
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        const ExecResult r = job->result();
        QCOMPARE(r.stdoutText, QStringLiteral("hello\n"));
        QCOMPARE(r.stderrText, QStringLiteral("warn\n"));
        QCOMPARE(r.code, 0);
        QVERIFY(r.durationMs >= 0);
        QCOMPARE(r.combined(), QStringLiteral("hello\nwarn\n"));

        QCOMPARE(rig.server.requests().size(), 1);
        const auto &req = rig.server.requests().first();
        QCOMPARE(req.method, QByteArray("POST"));
        QCOMPARE(req.path, execPath());
        QCOMPARE(req.header("Accept"), QByteArray("application/x-ndjson"));
        QCOMPARE(req.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(req.header("Authorization"), QByteArray("Bearer tok"));
        QVERIFY(!req.header("X-Request-Id").isEmpty());
        QVERIFY(req.header("X-Request-Id") != QByteArray("req-1")); // host calls: a fresh id
        QCOMPARE(req.json().value("command").toArray().size(), 3);
    }

    // 9.14: callbacks fire per type in stream order and every event is still delivered.
    void callbacksInOrder()
    {
        Rig rig;
        rig.server.enqueue("POST", execPath(),
                           ndjson("{\"type\":\"stdout\",\"data\":\"a\\n\"}\n"
                                  "{\"type\":\"stderr\",\"data\":\"b\\n\"}\n"
                                  "{\"type\":\"stdout\",\"data\":\"c\\n\"}\n"
                                  "{\"type\":\"exit\",\"code\":7}\n"));
        ExecJob *job = rig.session->exec({"x"});
        QStringList order;
        int events = 0;
        connect(job, &ExecJob::event, this, [&](const ExecEvent &) { ++events; });
        connect(job, &ExecJob::stdoutData, this, [&](const QString &s) { order << "out:" + s; });
        connect(job, &ExecJob::stderrData, this, [&](const QString &s) { order << "err:" + s; });
        connect(job, &ExecJob::exited, this,
                [&](int c) { order << QStringLiteral("exit:%1").arg(c); });
        QTRY_VERIFY(job->isFinished());
        QCOMPARE(order, (QStringList{"out:a\n", "err:b\n", "out:c\n", "exit:7"}));
        QCOMPARE(events, 4);
        QCOMPARE(job->result(), 7);
    }

    // 3.2: a start failure is one error event and no exit: the code is -1, on_exit never fires.
    void startFailure()
    {
        Rig rig;
        rig.server.enqueue(
            "POST", execPath(),
            ndjson("{\"type\":\"error\",\"message\":\"start failed: exec: \\\"nope\\\": not "
                   "found\"}\n"));
        ExecJob *job = rig.session->exec({"nope"});
        QSignalSpy exited(job, &ExecJob::exited);
        QSignalSpy message(job, &ExecJob::errorMessage);
        QTRY_VERIFY(job->isFinished());
        QVERIFY(!job->hasError());
        QCOMPARE(job->result(), -1);
        QCOMPARE(exited.count(), 0);
        QCOMPARE(message.count(), 1);
        QVERIFY(message.first().first().toString().startsWith("start failed"));
    }

    // 3.2: timeout -> error "timeout" then exit -1.
    void serverTimeout()
    {
        Rig rig;
        rig.server.enqueue("POST", execPath(),
                           ndjson("{\"type\":\"stdout\",\"data\":\"tick\\n\"}\n"
                                  "{\"type\":\"error\",\"message\":\"timeout\"}\n"
                                  "{\"type\":\"exit\",\"code\":-1}\n"));
        auto *job = rig.session->execCollect({"sleep", "10"}, {}, {}, 1);
        QTRY_VERIFY(job->isFinished());
        QCOMPARE(job->result().code, -1);
        QCOMPARE(job->result().stdoutText, QStringLiteral("tick\n"));
        QCOMPARE(rig.server.requests().first().json().value("timeout_seconds").toInt(), 1);
    }

    // 1.6: exec is retried once on a 503 before any event, after re-resolving the host.
    void retryOn503ReResolves()
    {
        Rig rig;
        FaultServer second;
        QVERIFY(second.listen());
        rig.server.enqueue("POST", execPath(),
                           FaultServer::json(503,
                                             {{"error", "host is draining, retry via control "
                                                        "plane"}},
                                             {{"Retry-After", "0"}}));
        rig.server.enqueue(
            "POST", "/api/v1/runners/connect",
            FaultServer::json(200, {{"runner_id", "r-1"}, {"host_address", second.hostAddress()}}));
        second.enqueue("POST", execPath(), ndjson("{\"type\":\"exit\",\"code\":0}\n"));
        auto *job = rig.session->execCollect({"true"});
        QTRY_VERIFY(job->isFinished());
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->result().code, 0);
        QCOMPARE(rig.server.count("POST", execPath()), 1);
        QCOMPARE(rig.server.count("POST", "/api/v1/runners/connect"), 1);
        QCOMPARE(second.count("POST", execPath()), 1);
        QCOMPARE(rig.session->hostAddress(), second.hostAddress());
    }

    // Other pre-stream errors are not retried and carry the server's text.
    void badRequestNotRetried()
    {
        Rig rig;
        rig.server.enqueue("POST", execPath(), FaultServer::text(400, "command is required\n"));
        auto *job = rig.session->exec({"x"});
        QTRY_VERIFY(job->isFinished());
        QVERIFY(job->hasError());
        QCOMPARE(job->error().status, 400);
        QCOMPARE(job->error().message, QStringLiteral("command is required"));
        QCOMPARE(rig.server.requests().size(), 1);
    }

    void emptyCommandRejectedLocally()
    {
        Rig rig;
        auto *job = rig.session->exec(QStringList{});
        QTRY_VERIFY(job->isFinished());
        QCOMPARE(job->error().kind, ErrorKind::Value);
        QVERIFY(job->error().message.contains("must not be empty"));
        QCOMPARE(rig.server.requests().size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestExec)
#include "tst_exec.moc"
