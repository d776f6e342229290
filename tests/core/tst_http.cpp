// The HTTP layer against a scripted server: headers, error mapping, retries, timeouts, streaming.
#include "core/blocking.h"
#include "core/http.h"
#include "support/faultserver.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

using namespace capsule;
using capsule::test::FaultServer;
using Action = FaultServer::Reply::Action;

class TestHttp final : public QObject
{
    Q_OBJECT

private:
    Settings fastSettings(const QString &baseUrl,
                          std::optional<QString> token = QStringLiteral("tok"))
    {
        Settings s;
        s.baseUrl = baseUrl;
        s.token = token;
        s.requestTimeout = 0.3;
        s.operationTimeout = 0.3;
        s.backoffBase = 0.01;
        s.backoffJitter = 0.01;
        return s;
    }
    HttpJob *get(Http &http, const QString &path, RetryPolicy retry = RetryPolicy::ControlPlaneGet)
    {
        HttpRequest req;
        req.url = http.controlPlaneUrl(path);
        req.retry = retry;
        return http.send(req);
    }
    static QString freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return QStringLiteral("http://127.0.0.1:%1").arg(probe.serverPort());
    }

private slots:
    void sendsSdkHeaders()
    {
        FaultServer server;
        QVERIFY(server.listen());
        server.setDefault("POST", "/api/v1/layered-configs", FaultServer::json(201, {}));
        Http http(fastSettings(server.baseUrl()));
        HttpRequest req;
        req.method = "POST";
        req.url = http.controlPlaneUrl(QStringLiteral("/api/v1/layered-configs"));
        req.contentType = "application/json";
        req.body = R"({"display_name":"abc"})";
        HttpJob *job = http.send(req);
        QVERIFY(waitFor(job, 5000));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(server.requests().size(), 1);
        const FaultServer::Request &r = server.requests().first();
        QVERIFY(r.header("User-Agent").contains("capsule-sdk-python"));
        QCOMPARE(r.header("Accept"), QByteArray("application/json"));
        QCOMPARE(r.header("Authorization"), QByteArray("Bearer tok"));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.body, QByteArray(R"({"display_name":"abc"})"));
        static const QRegularExpression uuid4(QStringLiteral(
            "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
        QVERIFY2(uuid4.match(QString::fromLatin1(r.header("X-Request-Id"))).hasMatch(),
                 r.header("X-Request-Id").constData());
        QCOMPARE(job->response().requestId, QString::fromLatin1(r.header("X-Request-Id")));
    }

    void noAuthorizationWithoutToken_data()
    {
        QTest::addColumn<bool>("explicitEmpty");
        QTest::newRow("no token") << false;
        QTest::newRow("explicit empty token") << true;
    }
    void noAuthorizationWithoutToken()
    {
        QFETCH(bool, explicitEmpty);
        FaultServer server;
        QVERIFY(server.listen());
        server.setDefault("GET", "/x", FaultServer::json(200, {}));
        Http http(fastSettings(server.baseUrl(),
                               explicitEmpty ? std::optional<QString>(QString()) : std::nullopt));
        HttpJob *job = get(http, QStringLiteral("/x"));
        QVERIFY(waitFor(job, 5000));
        QVERIFY(!job->hasError());
        QVERIFY(!server.requests().first().hasHeader("Authorization"));
        // A POST without a body carries no Content-Type (build/refresh/quarantine).
        HttpRequest post;
        post.method = "POST";
        post.url = http.controlPlaneUrl(QStringLiteral("/x"));
        HttpJob *p = http.send(post);
        QVERIFY(waitFor(p, 5000));
        QVERIFY(!server.requests().last().hasHeader("Content-Type"));
        QCOMPARE(server.requests().last().header("Content-Length"), QByteArray("0"));
    }

    void getInjectsRequestIdAndDelete204IsRaw()
    {
        FaultServer server;
        QVERIFY(server.listen());
        server.setDefault("GET", "/a", FaultServer::json(200, {{"configs", QJsonValue::Null}}));
        FaultServer::Reply noContent;
        noContent.status = 204;
        server.setDefault("DELETE", "/a", noContent);
        Http http(fastSettings(server.baseUrl()));
        HttpJob *job = get(http, QStringLiteral("/a"));
        QVERIFY(waitFor(job, 5000));
        QJsonObject o = job->response().json();
        QVERIFY(o.value("configs").isNull());
        QVERIFY(!o.value("request_id").toString().isEmpty());

        HttpRequest del;
        del.method = "DELETE";
        del.url = http.controlPlaneUrl(QStringLiteral("/a"));
        HttpJob *d = http.send(del);
        QVERIFY(waitFor(d, 5000));
        QVERIFY(!d->hasError());
        QCOMPARE(d->response().status, 204);
        o = d->response().json();
        QCOMPARE(o.value("_raw").toString(), QString());
        QVERIFY(o.contains("_raw"));
        QCOMPARE(o.value("request_id").toString(), d->response().requestId);
    }

    void errorMapping_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("401") << 401 << QByteArray(R"({"error":"unauthorized"})")
                             << int(ErrorKind::Auth) << "unauthorized";
        QTest::newRow("404 json") << 404 << QByteArray(R"({"error":"layered config not found: x"})")
                                  << int(ErrorKind::NotFound) << "layered config not found: x";
        QTest::newRow("404 text") << 404 << QByteArray("404 page not found\n")
                                  << int(ErrorKind::NotFound) << "404 page not found";
        QTest::newRow("409") << 409 << QByteArray(R"({"error":"busy","code":"X"})")
                             << int(ErrorKind::Conflict) << "busy";
        QTest::newRow("400 text") << 400 << QByteArray("workload_key is required\n")
                                  << int(ErrorKind::Http) << "workload_key is required";
        QTest::newRow("500") << 500 << QByteArray(R"({"error":"boom"})") << int(ErrorKind::Http)
                             << "boom";
    }
    void errorMapping()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, kind);
        QFETCH(QString, message);
        FaultServer server;
        QVERIFY(server.listen());
        FaultServer::Reply r = FaultServer::text(status, body);
        server.setDefault("POST", "/e", r);
        Http http(fastSettings(server.baseUrl()));
        HttpRequest req;
        req.method = "POST";
        req.url = http.controlPlaneUrl(QStringLiteral("/e"));
        HttpJob *job = http.send(req);
        QVERIFY(waitFor(job, 5000));
        QVERIFY(job->hasError());
        QCOMPARE(int(job->error().kind), kind);
        QCOMPARE(job->error().status, status);
        QCOMPARE(job->error().message, message);
        QVERIFY(job->error().isHttp());
        QCOMPARE(job->error().toString(), QStringLiteral("HTTP %1: %2").arg(status).arg(message));
        QCOMPARE(job->error().requestId, job->response().requestId);
        QCOMPARE(server.requests().size(), 1); // POST: one attempt
    }

    void postIsNeverRetried_data()
    {
        QTest::addColumn<int>("action");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("kind");
        QTest::newRow("500") << int(Action::Respond) << 500 << int(ErrorKind::Http);
        QTest::newRow("429") << int(Action::Respond) << 429 << int(ErrorKind::RateLimited);
        QTest::newRow("503") << int(Action::Respond) << 503 << int(ErrorKind::ServiceUnavailable);
        QTest::newRow("timeout") << int(Action::Hang) << 0 << int(ErrorKind::RequestTimeout);
    }
    void postIsNeverRetried()
    {
        QFETCH(int, action);
        QFETCH(int, status);
        QFETCH(int, kind);
        FaultServer server;
        QVERIFY(server.listen());
        FaultServer::Reply r =
            FaultServer::json(status, {{"error", "nope"}}, {{"Retry-After", "0"}});
        r.action = Action(action);
        server.setDefault("POST", "/p", r);
        Http http(fastSettings(server.baseUrl()));
        HttpRequest req;
        req.method = "POST";
        req.url = http.controlPlaneUrl(QStringLiteral("/p"));
        HttpJob *job = http.send(req);
        QVERIFY(waitFor(job, 5000));
        QCOMPARE(int(job->error().kind), kind);
        QCOMPARE(job->attempts(), 1);
        QCOMPARE(server.requests().size(), 1);
    }

    void getRetriesFourTimes_data()
    {
        QTest::addColumn<int>("action");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("kind");
        QTest::newRow("429") << int(Action::Respond) << 429 << int(ErrorKind::RateLimited);
        QTest::newRow("502") << int(Action::Respond) << 502 << int(ErrorKind::Http);
        QTest::newRow("503") << int(Action::Respond) << 503 << int(ErrorKind::ServiceUnavailable);
        QTest::newRow("504") << int(Action::Respond) << 504 << int(ErrorKind::Http);
        QTest::newRow("read timeout") << int(Action::Hang) << 0 << int(ErrorKind::RequestTimeout);
        QTest::newRow("dropped mid-body")
            << int(Action::DropMidBody) << 200 << int(ErrorKind::Connection);
    }
    void getRetriesFourTimes()
    {
        QFETCH(int, action);
        QFETCH(int, status);
        QFETCH(int, kind);
        FaultServer server;
        QVERIFY(server.listen());
        FaultServer::Reply r =
            FaultServer::json(status, {{"error", "busy"}}, {{"Retry-After", "0"}});
        r.action = Action(action);
        server.setDefault("GET", "/g", r);
        Http http(fastSettings(server.baseUrl()));
        HttpJob *job = get(http, QStringLiteral("/g"));
        QVERIFY(waitFor(job, 10000));
        QVERIFY(job->hasError());
        QCOMPARE(int(job->error().kind), kind);
        QCOMPARE(job->attempts(), 4);
        QCOMPARE(server.requests().size(), 4);
        // One call, one id: every retry carries the same X-Request-Id.
        const QByteArray id = server.requests().first().header("X-Request-Id");
        QVERIFY(!id.isEmpty());
        for (const auto &req : server.requests())
            QCOMPARE(req.header("X-Request-Id"), id);
        if (kind == int(ErrorKind::RateLimited)) {
            QVERIFY(job->error().retryAfter.has_value());
            QCOMPARE(*job->error().retryAfter, 0.0);
        }
        if (kind == int(ErrorKind::RequestTimeout))
            QCOMPARE(job->error().operation, QStringLiteral("request"));
    }

    void getConnectErrorRetriesFourTimes()
    {
        Http http(fastSettings(freePort()));
        HttpJob *job = get(http, QStringLiteral("/g"));
        QVERIFY(waitFor(job, 10000));
        QCOMPARE(job->error().kind, ErrorKind::Connection);
        QCOMPARE(job->attempts(), 4);
    }

    void get503Then200Succeeds()
    {
        FaultServer server;
        QVERIFY(server.listen());
        server.enqueue("GET", "/g", FaultServer::json(503, {{"error", "down"}}));
        server.enqueue("GET", "/g", FaultServer::json(200, {{"ok", true}}));
        Http http(fastSettings(server.baseUrl()));
        HttpJob *job = get(http, QStringLiteral("/g"));
        QVERIFY(waitFor(job, 5000));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->response().json().value("ok").toBool(), true);
        QCOMPARE(server.requests().size(), 2);
    }

    void allocateInnerRetriesOnlyGatewayErrors()
    {
        FaultServer server;
        QVERIFY(server.listen());
        server.enqueue("POST", "/alloc", FaultServer::json(502, {{"error", "gw"}}));
        server.enqueue("POST", "/alloc", FaultServer::json(504, {{"error", "gw"}}));
        server.enqueue("POST", "/alloc", FaultServer::json(503, {{"error", "busy"}}));
        Http http(fastSettings(server.baseUrl()));
        HttpRequest req;
        req.method = "POST";
        req.url = http.controlPlaneUrl(QStringLiteral("/alloc"));
        req.retry = RetryPolicy::AllocateInner;
        HttpJob *job = http.send(req);
        QVERIFY(waitFor(job, 5000));
        QCOMPARE(job->error().kind, ErrorKind::ServiceUnavailable);
        QCOMPARE(server.requests().size(), 3);

        // 503 itself is left to the outer loop: one attempt.
        server.clearRequests();
        server.enqueue("POST", "/alloc", FaultServer::json(503, {{"error", "busy"}}));
        HttpJob *again = http.send(req);
        QVERIFY(waitFor(again, 5000));
        QCOMPARE(again->error().kind, ErrorKind::ServiceUnavailable);
        QCOMPARE(server.requests().size(), 1);
    }

    void retryAfterIsHonoured()
    {
        FaultServer server;
        QVERIFY(server.listen());
        server.enqueue("GET", "/g",
                       FaultServer::json(429, {{"error", "slow"}}, {{"Retry-After", "0.4"}}));
        server.enqueue("GET", "/g", FaultServer::json(200, {}));
        Http http(fastSettings(server.baseUrl()));
        QElapsedTimer t;
        t.start();
        HttpJob *job = get(http, QStringLiteral("/g"));
        QVERIFY(waitFor(job, 5000));
        QVERIFY(!job->hasError());
        QVERIFY2(t.elapsed() >= 390, qPrintable(QString::number(t.elapsed())));
    }

    void backoffFormula()
    {
        QCOMPARE(Http::backoffSeconds(3, 2.5), 2.5);
        for (int n = 0; n < 4; ++n) {
            const double base = 0.5 * (1 << n);
            for (int i = 0; i < 20; ++i) {
                const double b = Http::backoffSeconds(n, std::nullopt);
                QVERIFY(b >= base && b <= base + 0.5);
                const double z = Http::backoffSeconds(n, 0.0); // Retry-After 0 -> formula
                QVERIFY(z >= base && z <= base + 0.5);
            }
        }
    }

    void idleTimeoutIsResetByProgress()
    {
        FaultServer server;
        QVERIFY(server.listen());
        FaultServer::Reply slow = FaultServer::json(200, {{"ok", true}});
        slow.delayMs = 100;
        server.setDefault("GET", "/slow", slow);
        FaultServer::Reply slower = slow;
        slower.delayMs = 700;
        server.setDefault("GET", "/slower", slower);
        Settings s = fastSettings(server.baseUrl());
        s.requestTimeout = 0.4;
        Http http(s);
        HttpJob *ok = get(http, QStringLiteral("/slow"), RetryPolicy::None);
        QVERIFY(waitFor(ok, 5000));
        QVERIFY(!ok->hasError());
        // 6 x 150 ms of trickling body: 900 ms in total, but never 400 ms without a byte.
        FaultServer::Reply trickle = FaultServer::text(200, QByteArray(600, 'a'));
        trickle.action = Action::Trickle;
        trickle.trickleChunks = 6;
        trickle.trickleMs = 150;
        server.setDefault("GET", "/trickle", trickle);
        QElapsedTimer t;
        t.start();
        HttpJob *trickled = get(http, QStringLiteral("/trickle"), RetryPolicy::None);
        QVERIFY(waitFor(trickled, 5000));
        QVERIFY2(!trickled->hasError(), qPrintable(trickled->error().toString()));
        QCOMPARE(trickled->response().body.size(), 600);
        QVERIFY(t.elapsed() >= 800);
        HttpJob *late = get(http, QStringLiteral("/slower"), RetryPolicy::None);
        QVERIFY(waitFor(late, 5000));
        QCOMPARE(late->error().kind, ErrorKind::RequestTimeout);
        QVERIFY(late->error().isTimeout());
        // Operation-class requests use the operation timeout and report their operation.
        HttpRequest op;
        op.url = http.controlPlaneUrl(QStringLiteral("/slower"));
        op.timeout = TimeoutClass::Operation;
        op.timeoutOperation = QStringLiteral("download");
        HttpJob *o = http.send(op);
        QVERIFY(waitFor(o, 5000));
        QCOMPARE(o->error().kind, ErrorKind::RequestTimeout);
        QCOMPARE(o->error().operation, QStringLiteral("download"));
    }

    void streamingDeliversChunksAndBuffersErrors()
    {
        FaultServer server;
        QVERIFY(server.listen());
        FaultServer::Reply nd = FaultServer::text(
            200, "{\"type\":\"stdout\",\"data\":\"hi\"}\n{\"type\":\"exit\",\"code\":0}\n");
        nd.contentType = "application/x-ndjson";
        server.setDefault("POST", "/exec", nd);
        server.enqueue("POST", "/fail", FaultServer::json(503, {{"error", "host busy"}}));
        server.enqueue("POST", "/fail", FaultServer::json(200, {}));
        Http http(fastSettings(server.baseUrl()));
        HttpRequest req;
        req.method = "POST";
        req.url = http.controlPlaneUrl(QStringLiteral("/exec"));
        req.stream = true;
        req.accept = "application/x-ndjson";
        HttpJob *job = http.send(req);
        QSignalSpy headers(job, &HttpJob::headersReceived);
        QByteArray streamed;
        connect(job, &HttpJob::chunk, this, [&streamed](const QByteArray &d) { streamed += d; });
        QVERIFY(waitFor(job, 5000));
        QVERIFY(!job->hasError());
        QCOMPARE(headers.size(), 1);
        QCOMPARE(headers.first().first().toInt(), 200);
        QVERIFY(streamed.contains("\"exit\""));
        QVERIFY(job->response().body.isEmpty());
        QCOMPARE(server.requests().first().header("Accept"), QByteArray("application/x-ndjson"));

        // Exec policy: a 503 before any event is retried once; the error body never streams.
        req.url = http.controlPlaneUrl(QStringLiteral("/fail"));
        req.retry = RetryPolicy::Exec;
        HttpJob *retried = http.send(req);
        QByteArray leaked;
        connect(retried, &HttpJob::chunk, this, [&leaked](const QByteArray &d) { leaked += d; });
        QVERIFY(waitFor(retried, 5000));
        QVERIFY(!retried->hasError());
        QCOMPARE(server.count("POST", "/fail"), 2);
        QVERIFY(!leaked.contains("host busy"));

        server.setDefault("POST", "/fail", FaultServer::json(503, {{"error", "host busy"}}));
        HttpJob *failed = http.send(req);
        QSignalSpy chunks(failed, &HttpJob::chunk);
        QVERIFY(waitFor(failed, 5000));
        QCOMPARE(failed->error().kind, ErrorKind::ServiceUnavailable);
        QCOMPARE(failed->error().message, QStringLiteral("host busy"));
        QCOMPARE(chunks.size(), 0);
    }

    void uploadsFromDeviceWithProgress()
    {
        FaultServer server;
        QVERIFY(server.listen());
        server.setDefault("POST", "/up", FaultServer::json(200, {{"bytes_written", 70000}}));
        Http http(fastSettings(server.baseUrl()));
        QByteArray data(70000, 'x');
        data[0] = '\0';
        QBuffer buffer(&data);
        buffer.open(QIODevice::ReadOnly);
        HttpRequest req;
        req.method = "POST";
        req.url = http.controlPlaneUrl(QStringLiteral("/up"));
        req.bodyDevice = &buffer;
        req.bodySize = data.size();
        req.contentType = "application/octet-stream";
        HttpJob *job = http.send(req);
        QSignalSpy progress(job, &HttpJob::uploadProgress);
        QVERIFY(waitFor(job, 5000));
        QVERIFY(!job->hasError());
        QCOMPARE(server.requests().first().body, data);
        QCOMPARE(server.requests().first().header("Content-Type"),
                 QByteArray("application/octet-stream"));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), qint64(data.size()));
    }

    void cancelAbortsTheRequest()
    {
        FaultServer server;
        QVERIFY(server.listen());
        server.setDefault("GET", "/hang", FaultServer::action(Action::Hang));
        Settings s = fastSettings(server.baseUrl());
        s.requestTimeout = 30;
        Http http(s);
        HttpJob *job = get(http, QStringLiteral("/hang"));
        QTRY_COMPARE(server.requests().size(), 1);
        job->cancel();
        QVERIFY(job->isFinished());
        QCOMPARE(job->error().kind, ErrorKind::Cancelled);
        QTest::qWait(100); // nothing else may happen: no retry after a cancel
        QCOMPARE(server.requests().size(), 1);
    }

    void redirectsAreNotFollowed()
    {
        FaultServer server;
        QVERIFY(server.listen());
        FaultServer::Reply moved = FaultServer::text(302, "");
        moved.headers = {{"Location", "/elsewhere"}};
        server.setDefault("GET", "/r", moved);
        Http http(fastSettings(server.baseUrl()));
        HttpJob *cp = get(http, QStringLiteral("/r"), RetryPolicy::None);
        QVERIFY(waitFor(cp, 5000));
        QVERIFY(!cp->hasError());
        QCOMPARE(cp->response().status, 302);
        QCOMPARE(server.count("GET", "/elsewhere"), 0);

        // A host call (not the control plane) fails on a redirect.
        FaultServer host;
        QVERIFY(host.listen());
        host.setDefault("GET", "/r", moved);
        HttpRequest req;
        req.url = Http::hostUrl(host.hostAddress(), QStringLiteral("/r"));
        HttpJob *h = http.send(req);
        QVERIFY(waitFor(h, 5000));
        QVERIFY(h->hasError());
        QCOMPARE(h->error().status, 302);
        QCOMPARE(host.count("GET", "/elsewhere"), 0);
    }

    void badBaseUrlIsAValueError_data()
    {
        QTest::addColumn<QString>("baseUrl");
        QTest::newRow("no scheme") << "localhost:8080";
        QTest::newRow("ftp") << "ftp://example.com";
        QTest::newRow("empty") << "";
    }
    void badBaseUrlIsAValueError()
    {
        QFETCH(QString, baseUrl);
        Http http(fastSettings(baseUrl));
        HttpJob *job = get(http, QStringLiteral("/api/v1/runners"));
        QVERIFY(waitFor(job, 5000));
        QCOMPARE(job->error().kind, ErrorKind::Value);
        QVERIFY2(job->error().message.contains(QStringLiteral("Invalid URL")),
                 qPrintable(job->error().message));
        QCOMPARE(job->attempts(), 0);
    }

    void urlHelpers()
    {
        Settings s;
        s.baseUrl = QStringLiteral("http://cp.example:8080/prefix");
        Http http(s);
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("runner_id"), QStringLiteral("r 1"));
        QCOMPARE(
            http.controlPlaneUrl(QStringLiteral("/api/v1/runners/status"), q).toString(),
            QStringLiteral("http://cp.example:8080/prefix/api/v1/runners/status?runner_id=r 1"));
        QCOMPARE(Http::hostUrl(QStringLiteral("cached-host:8080"), QString()).toString(),
                 QStringLiteral("http://cached-host:8080"));
        QCOMPARE(Http::hostUrl(QStringLiteral("https://h:1"), QStringLiteral("/x")).toString(),
                 QStringLiteral("https://h:1/x"));
        QUrlQuery pty;
        pty.addQueryItem(QStringLiteral("cols"), QStringLiteral("120"));
        pty.addQueryItem(QStringLiteral("rows"), QStringLiteral("40"));
        QCOMPARE(Http::hostWebSocketUrl(QStringLiteral("10.0.0.1:8080"),
                                        QStringLiteral("/api/v1/runners/r-1/pty"), pty)
                     .toString(),
                 QStringLiteral("ws://10.0.0.1:8080/api/v1/runners/r-1/pty?cols=120&rows=40"));
        QCOMPARE(
            Http::hostWebSocketUrl(QStringLiteral("https://h:443"), QStringLiteral("/p")).scheme(),
            QStringLiteral("wss"));
    }
};

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"
