// Session file operations and control-plane helpers at the wire level (contract 3.3, 9.13, 9.16).
#include "core/hostresolver.h"
#include "core/http.h"
#include "core/runnersession.h"
#include "support/faultserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace capsule;
using capsule::test::FaultServer;

namespace {

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
        session = std::make_unique<RunnerSession>(resolver.get(), QStringLiteral("r-1"),
                                                  QStringLiteral("sess-1"), QStringLiteral("req-1"),
                                                  server.hostAddress());
    }
};

QString op(const char *name)
{
    return QStringLiteral("/api/v1/runners/r-1/files/") + QLatin1String(name);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

template<class J>
void finish(J *job)
{
    QTRY_VERIFY_WITH_TIMEOUT(job->isFinished(), 10000);
}

} // namespace

class TestFiles final : public QObject
{
    Q_OBJECT

private slots:
    // 9.16: download is GET .../files/download with params {path}, on the session's host.
    void downloadRequest()
    {
        Rig rig;
        FaultServer::Reply r;
        r.body = QByteArray("\x00\x01sdk-e2e", 9);
        r.contentType = "application/octet-stream";
        rig.server.enqueue("GET", op("download"), r);
        auto *job = rig.session->download("/workspace/a b+c&d.bin");
        finish(job);
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->result(), QByteArray("\x00\x01sdk-e2e", 9));
        const auto &req = rig.server.requests().first();
        QCOMPARE(req.method, QByteArray("GET"));
        // '+' must travel as %2B (a bare '+' reads as a space); a space as %20.
        QCOMPARE(req.query.toString(QUrl::FullyEncoded),
                 QStringLiteral("path=/workspace/a%20b%2Bc%26d.bin"));
    }

    // 9.16: upload params {path, mode="overwrite"[, perm]} with a raw body; perm only when given.
    void uploadRequest_data()
    {
        QTest::addColumn<int>("perm");
        QTest::addColumn<bool>("append");
        QTest::addColumn<QString>("expectedQuery");
        QTest::newRow("default") << -1 << false << "path=/workspace/u.txt&mode=overwrite";
        QTest::newRow("perm") << 0755 << false << "path=/workspace/u.txt&mode=overwrite&perm=0755";
        QTest::newRow("append") << -1 << true << "path=/workspace/u.txt&mode=append";
    }
    void uploadRequest()
    {
        QFETCH(int, perm);
        QFETCH(bool, append);
        QFETCH(QString, expectedQuery);
        Rig rig;
        rig.server.enqueue(
            "POST", op("upload"),
            FaultServer::json(200, {{"path", "/workspace/u.txt"}, {"bytes_written", 5}}));
        auto *job = rig.session->uploadText("/workspace/u.txt", QStringLiteral("héllo").left(5),
                                            append ? WriteMode::Append : WriteMode::Overwrite,
                                            perm >= 0 ? std::optional<int>(perm) : std::nullopt);
        finish(job);
        QVERIFY(!job->hasError());
        QCOMPARE(job->result().bytesWritten, 5);
        const auto &req = rig.server.requests().first();
        QCOMPARE(req.query.toString(QUrl::FullyDecoded), expectedQuery);
        QCOMPARE(req.header("Content-Type"), QByteArray("application/octet-stream"));
        QCOMPARE(req.body, QStringLiteral("héllo").toUtf8());
    }

    // 9.16: read body {path, offset=0[, limit]}; read_text gives `content` or "".
    void readRequest()
    {
        Rig rig;
        rig.server.enqueue(
            "POST", op("read"),
            FaultServer::json(200, {{"path", "/workspace/r"}, {"size", 11}, {"content", "hello"}}));
        rig.server.enqueue("POST", op("read"),
                           FaultServer::json(200, {{"path", "/workspace/r"}, {"size", 0}}));
        auto *a = rig.session->readText("/workspace/r");
        finish(a);
        QCOMPARE(a->result(), QStringLiteral("hello"));
        auto *b = rig.session->readText("/workspace/r", 6, 5);
        finish(b);
        QCOMPARE(b->result(), QString());
        QCOMPARE(rig.server.requests().at(0).body,
                 QByteArray(R"({"offset":0,"path":"/workspace/r"})"));
        QCOMPARE(rig.server.requests().at(1).body,
                 QByteArray(R"({"limit":5,"offset":6,"path":"/workspace/r"})"));
    }

    void readBytesDecodesBase64()
    {
        Rig rig;
        const QByteArray bytes("\x00\xff\x10", 3);
        rig.server.enqueue("POST", op("read"),
                           FaultServer::json(200, {{"path", "/workspace/b"},
                                                   {"size", 3},
                                                   {"base64", true},
                                                   {"content", QString(bytes.toBase64())}}));
        auto *job = rig.session->readBytes("/workspace/b");
        finish(job);
        QCOMPARE(job->result(), bytes);
        QCOMPARE(rig.server.requests().first().json().value("base64").toBool(), true);
    }

    // 9.16: write defaults to overwrite; list and remove default to recursive=false.
    void writeListRemoveDefaults()
    {
        Rig rig;
        rig.server.setDefault(
            "POST", op("write"),
            FaultServer::json(200, {{"path", "/workspace/w"}, {"bytes_written", 2}}));
        rig.server.setDefault(
            "POST", op("list"),
            FaultServer::json(200, {{"path", "/workspace"}, {"entries", QJsonArray()}}));
        rig.server.setDefault(
            "POST", op("remove"),
            FaultServer::json(200, {{"path", "/workspace/w"}, {"removed", true}}));
        auto *w = rig.session->writeText("/workspace/w", "hi");
        finish(w);
        QCOMPARE(w->result().bytesWritten, 2);
        auto *w2 = rig.session->writeText("/workspace/w", "hi", WriteMode::Append);
        finish(w2);
        auto *l = rig.session->list("/workspace");
        finish(l);
        auto *rm = rig.session->remove("/workspace/w");
        finish(rm);
        QCOMPARE(rm->result(), true);
        const auto reqs = rig.server.requests();
        QCOMPARE(reqs.at(0).body,
                 QByteArray(R"({"content":"hi","mode":"overwrite","path":"/workspace/w"})"));
        QCOMPARE(reqs.at(1).json().value("mode").toString(), QStringLiteral("append"));
        QCOMPARE(reqs.at(2).body, QByteArray(R"({"path":"/workspace","recursive":false})"));
        QCOMPARE(reqs.at(3).body, QByteArray(R"({"path":"/workspace/w","recursive":false})"));
    }

    // 3.3: the real fields: mode text, mod_time, is_dir, exists.
    void statAndListFields()
    {
        Rig rig;
        rig.server.enqueue("POST", op("stat"),
                           FaultServer::json(200, {{"name", "x"},
                                                   {"path", "/workspace/x"},
                                                   {"size", 0},
                                                   {"mode", "----------"},
                                                   {"mod_time", "0001-01-01T00:00:00Z"},
                                                   {"is_dir", false},
                                                   {"exists", false}}));
        QJsonArray entries{QJsonObject{{"name", "d"},
                                       {"path", "/workspace/d"},
                                       {"size", 4096},
                                       {"mode", "drwxr-xr-x"},
                                       {"mod_time", "2026-04-02T10:00:00Z"},
                                       {"is_dir", true}},
                           QJsonObject{{"path", "/workspace/f.txt"},
                                       {"size", 12},
                                       {"mode", "-rw-r--r--"},
                                       {"mod_time", "2026-04-02T10:00:01Z"},
                                       {"is_dir", false}}};
        rig.server.enqueue("POST", op("list"),
                           FaultServer::json(200, {{"path", "/workspace"}, {"entries", entries}}));
        auto *st = rig.session->stat("/workspace/x");
        finish(st);
        QVERIFY(!st->hasError());
        QCOMPARE(st->result().exists, false);
        auto *ls = rig.session->list("/workspace");
        finish(ls);
        const ListResult l = ls->result();
        QCOMPARE(l.entries.size(), 2);
        QVERIFY(l.entries.at(0).isDir);
        QCOMPARE(l.entries.at(0).mode, QStringLiteral("drwxr-xr-x"));
        QCOMPARE(l.entries.at(1).name, QStringLiteral("f.txt")); // derived from the path
        QCOMPARE(l.entries.at(1).size, 12);
        QCOMPARE(l.entries.at(1).modTime, QDateTime(QDate(2026, 4, 2), QTime(10, 0, 1), Qt::UTC));
    }

    // 1.6: a host read is retried once on 503 after re-resolving; a write is never retried.
    void readRetriedWriteNot()
    {
        Rig rig;
        FaultServer second;
        QVERIFY(second.listen());
        rig.server.enqueue(
            "POST", op("stat"),
            FaultServer::json(503, {{"error", "host is draining"}}, {{"Retry-After", "0"}}));
        rig.server.setDefault(
            "POST", "/api/v1/runners/connect",
            FaultServer::json(200, {{"runner_id", "r-1"}, {"host_address", second.hostAddress()}}));
        second.enqueue(
            "POST", op("stat"),
            FaultServer::json(200, {{"path", "/workspace"}, {"exists", true}, {"is_dir", true}}));
        auto *st = rig.session->stat("/workspace");
        finish(st);
        QVERIFY2(!st->hasError(), qPrintable(st->error().toString()));
        QVERIFY(st->result().isDir);
        QCOMPARE(second.count("POST", op("stat")), 1);

        second.enqueue("POST", op("write"),
                       FaultServer::json(503, {{"error", "host is draining"}}));
        auto *w = rig.session->writeText("/workspace/x", "x");
        finish(w);
        QCOMPARE(w->error().kind, ErrorKind::ServiceUnavailable);
        QCOMPARE(second.count("POST", op("write")), 1);
        QCOMPARE(rig.server.count("POST", "/api/v1/runners/connect"), 1);
    }

    // 9.13: a session with an address seeds the cache; two releases -> one call, both true;
    // release evicts the host; pause adopts the new session id.
    void releaseAndPause()
    {
        Rig rig;
        QCOMPARE(rig.resolver->cachedHost("r-1"), rig.server.hostAddress());
        rig.server.enqueue("POST", "/api/v1/runners/pause",
                           FaultServer::json(200, {{"success", true},
                                                   {"session_id", "sess-2"},
                                                   {"snapshot_size_bytes", 1234},
                                                   {"layer", "l1"}}));
        rig.server.setDefault("POST", "/api/v1/runners/release",
                              FaultServer::json(200, {{"success", true}}));
        auto *p = rig.session->pause();
        finish(p);
        QVERIFY(p->result().success);
        QCOMPARE(p->result().snapshotSizeBytes, 1234);
        QCOMPARE(rig.session->sessionId(), QStringLiteral("sess-2"));
        QCOMPARE(rig.server.requests().first().body, QByteArray(R"({"runner_id":"r-1"})"));

        auto *r1 = rig.session->release();
        finish(r1);
        auto *r2 = rig.session->release();
        finish(r2);
        QCOMPARE(r1->result(), true);
        QCOMPARE(r2->result(), true);
        QCOMPARE(rig.server.count("POST", "/api/v1/runners/release"), 1);
        QCOMPARE(rig.server.requestsTo("POST", "/api/v1/runners/release").first().body,
                 QByteArray(R"({"runner_id":"r-1"})"));
        QCOMPARE(rig.resolver->cachedHost("r-1"), QString());
    }

    void queryEncoding()
    {
        QCOMPARE(files::formEncode({{"path", "/a b+c"}}), QStringLiteral("path=/a%20b%2Bc"));
        QCOMPARE(files::formEncode({{"path", "/a b+c"}}, true), QStringLiteral("path=/a+b%2Bc"));
        QCOMPARE(files::permText(0755), QStringLiteral("0755"));
        QCOMPARE(files::permText(0644), QStringLiteral("0644"));
        QCOMPARE(files::permText(-1), QString());
        QCOMPARE(compact(files::removeBody("/x", true)),
                 QByteArray(R"({"path":"/x","recursive":true})"));
    }
};

QTEST_GUILESS_MAIN(TestFiles)
#include "tst_files.moc"
