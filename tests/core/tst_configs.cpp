// Layered configs: reply parsing and request shapes against a scripted server, CRUD, validation
// and auth against a real capsule-local (contract 2.1, 9 items 23, 26, 28-30, section 10).
#include "core/blocking.h"
#include "core/client.h"
#include "core/runnerconfig.h"
#include "support/faultserver.h"
#include "support/localserver.h"

#include <QJsonArray>
#include <QtTest>
#include <memory>

using namespace capsule;
using capsule::test::FaultServer;
using capsule::test::LocalServer;

class TestConfigs final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<FaultServer> m_cp;
    std::unique_ptr<Client> m_client;
    LocalServer m_local;

    static Settings fastSettings(const QString &baseUrl, std::optional<QString> token)
    {
        Settings s;
        s.baseUrl = baseUrl;
        s.token = token;
        s.requestTimeout = 10;
        s.backoffBase = 0.01;
        s.backoffJitter = 0.01;
        return s;
    }
    LayeredConfigs *configs() { return m_client->configs(); }
    template<class J>
    static bool finish(J *job)
    {
        return waitFor(job, 15000);
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_local.start({}, &error), qPrintable(error));
    }

    void init()
    {
        m_cp = std::make_unique<FaultServer>();
        QVERIFY(m_cp->listen());
        m_client = std::make_unique<Client>(fastSettings(m_cp->baseUrl(), QStringLiteral("tok")));
    }
    void cleanup()
    {
        m_client.reset();
        m_cp.reset();
    }

    // Item 23: apply parses 201.
    void createParsesReply()
    {
        m_cp->setDefault(
            "POST", "/api/v1/layered-configs",
            FaultServer::json(201, {{"config_id", "sandbox"},
                                    {"leaf_workload_key", "0123456789abcdef"},
                                    {"layers", QJsonArray{QJsonObject{{"name", "_platform"},
                                                                      {"hash", "aa"},
                                                                      {"depth", 0},
                                                                      {"status", "active"},
                                                                      {"current_version", "v1"}},
                                                          QJsonObject{{"name", "main"},
                                                                      {"hash", "bb"},
                                                                      {"depth", 1},
                                                                      {"status", "pending"}}}}}));
        const RunnerConfig config = RunnerConfig(QStringLiteral("sandbox"))
                                        .withBaseImage(QStringLiteral("ubuntu:22.04"))
                                        .withCommands(QStringList{QStringLiteral("echo hi")});
        auto *job = configs()->create(config);
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        const CreateConfigReply r = job->result();
        QCOMPARE(r.configId, QStringLiteral("sandbox"));
        QCOMPARE(r.leafWorkloadKey, QStringLiteral("0123456789abcdef"));
        QCOMPARE(r.layers.size(), 2);
        QCOMPARE(r.layers.at(0).name, QStringLiteral("_platform"));
        QCOMPARE(r.layers.at(0).currentVersion, QStringLiteral("v1"));
        QCOMPARE(r.layers.at(1).hash, QStringLiteral("bb"));
        QCOMPARE(r.layers.at(1).depth, 1);
        QVERIFY(!r.requestId.isEmpty());
        const auto req = m_cp->requests().first();
        QCOMPARE(req.json(), config.toBody());
        QCOMPARE(req.header("Content-Type"), QByteArray("application/json"));
    }

    void createRejectsBadIdsClientSide_data()
    {
        QTest::addColumn<QString>("id");
        QTest::newRow("space") << "My Sandbox";
        QTest::newRow("short") << "ab";
        QTest::newRow("upper") << "MyWorkload";
    }
    void createRejectsBadIdsClientSide()
    {
        QFETCH(QString, id);
        auto *job = configs()->create(QJsonObject{{"display_name", id}, {"layers", QJsonArray{}}});
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Value);
        QVERIFY2(job->error().message.contains(QStringLiteral("config_id")),
                 qPrintable(job->error().message));
        auto *viaBuilder = configs()->create(RunnerConfig(id));
        QVERIFY(finish(viaBuilder));
        QCOMPARE(viaBuilder->error().kind, ErrorKind::Value);
        QCOMPARE(m_cp->requests().size(), 0);
    }

    // Item 26.
    void listAcceptsNullAndGetParsesDetail()
    {
        m_cp->setDefault("GET", "/api/v1/layered-configs",
                         FaultServer::json(200, {{"configs", QJsonValue::Null}, {"count", 0}}));
        auto *list = configs()->list();
        QVERIFY(finish(list));
        QVERIFY(!list->hasError());
        QVERIFY(list->result().configs.isEmpty());

        m_cp->setDefault(
            "GET", "/api/v1/layered-configs/sandbox",
            FaultServer::json(
                200, {{"config", QJsonObject{{"config_id", "sandbox"},
                                             {"display_name", "sandbox"},
                                             {"leaf_workload_key", "0123456789abcdef"},
                                             {"tier", "m"},
                                             {"auto_pause", "true"},
                                             {"runner_ttl_seconds", 1800},
                                             {"created_at", "2026-04-02T10:15:30.123456789Z"}}},
                      {"layers", QJsonArray{QJsonObject{{"name", "main"},
                                                        {"layer_hash", "cc"},
                                                        {"status", "pending"},
                                                        {"depth", 0},
                                                        {"build_status", "running"},
                                                        {"build_version", "v2"}}}},
                      {"definition", QJsonObject{{"display_name", "sandbox"}}}}));
        auto *get = configs()->get(QStringLiteral("sandbox"));
        QVERIFY(finish(get));
        QVERIFY2(!get->hasError(), qPrintable(get->error().toString()));
        const ConfigDetail d = get->result();
        QCOMPARE(d.config.tier, QStringLiteral("m"));
        QVERIFY(d.config.autoPause); // "true" tolerated
        QCOMPARE(d.config.runnerTtlSeconds, 1800);
        QCOMPARE(d.config.createdAt, QDateTime(QDate(2026, 4, 2), QTime(10, 15, 30, 123), Qt::UTC));
        QCOMPARE(d.layers.size(), 1);
        QCOMPARE(d.layers.first().layerHash, QStringLiteral("cc"));
        QCOMPARE(d.layers.first().buildStatus, QStringLiteral("running"));
        QVERIFY(d.buildInFlight());
        QVERIFY(!d.buildFinished());
        QCOMPARE(d.definition.value("display_name").toString(), QStringLiteral("sandbox"));
    }

    void deleteAccepts204()
    {
        FaultServer::Reply noContent;
        noContent.status = 204;
        m_cp->setDefault("DELETE", "/api/v1/layered-configs/sandbox", noContent);
        auto *job = configs()->remove(QStringLiteral("sandbox"));
        QVERIFY(finish(job));
        QVERIFY(!job->hasError());
        QCOMPARE(job->result().value("_raw").toString(), QString());
        QVERIFY(job->result().contains("_raw"));
    }

    void buildSendsFlagsOnlyWhenTrue_data()
    {
        QTest::addColumn<bool>("force");
        QTest::addColumn<bool>("clean");
        QTest::addColumn<QString>("query");
        QTest::newRow("none") << false << false << "";
        QTest::newRow("force") << true << false << "force=true";
        QTest::newRow("clean") << false << true << "clean=true";
        QTest::newRow("both") << true << true << "force=true&clean=true";
    }
    void buildSendsFlagsOnlyWhenTrue()
    {
        QFETCH(bool, force);
        QFETCH(bool, clean);
        QFETCH(QString, query);
        // Upstream mocks send the flags as strings: parse them leniently (contract 7).
        m_cp->setDefault("POST", "/api/v1/layered-configs/sandbox/build",
                         FaultServer::json(202, {{"config_id", "sandbox"},
                                                 {"status", "build_enqueued"},
                                                 {"enqueued", 2},
                                                 {"force", force ? "true" : "false"},
                                                 {"clean", clean}}));
        auto *job = configs()->build(QStringLiteral("sandbox"), force, clean);
        QVERIFY(finish(job));
        QVERIFY(!job->hasError());
        QCOMPARE(job->result().status, QStringLiteral("build_enqueued"));
        QCOMPARE(job->result().enqueued, 2);
        QCOMPARE(job->result().force, force);
        QCOMPARE(job->result().clean, clean);
        const auto req = m_cp->requests().first();
        QCOMPARE(req.query.toString(), query);
        QVERIFY(req.body.isEmpty());
        QVERIFY(!req.hasHeader("Content-Type"));
    }

    void refreshParsesReply()
    {
        m_cp->setDefault("POST", "/api/v1/layered-configs/sandbox/layers/main/refresh",
                         FaultServer::json(202, {{"config_id", "sandbox"},
                                                 {"layer_name", "main"},
                                                 {"status", "refresh_enqueued"},
                                                 {"enqueued", 1}}));
        auto *job = configs()->refreshLayer(QStringLiteral("sandbox"), QStringLiteral("main"));
        QVERIFY(finish(job));
        QVERIFY(!job->hasError());
        QCOMPARE(job->result().layerName, QStringLiteral("main"));
        QCOMPARE(job->result().status, QStringLiteral("refresh_enqueued"));
    }

    void buildListAndLogAreOptional()
    {
        // Not offered (404): a distinct result, not a failure.
        auto *none = configs()->builds(QStringLiteral("sandbox"));
        QVERIFY(finish(none));
        QVERIFY(!none->hasError());
        QVERIFY(!none->result().offered);
        auto *noLog = configs()->buildLog(QStringLiteral("sandbox"), QStringLiteral("v1"));
        QVERIFY(finish(noLog));
        QVERIFY(!noLog->hasError());
        QVERIFY(!noLog->result().offered);

        m_cp->setDefault(
            "GET", "/api/v1/layered-configs/sandbox/builds",
            FaultServer::json(200, {{"builds", QJsonArray{QJsonObject{{"layer_name", "main"},
                                                                      {"version", "v1"},
                                                                      {"status", "failed"},
                                                                      {"exit_code", 2}}}}}));
        m_cp->setDefault("GET", "/api/v1/layered-configs/sandbox/builds/v1/log",
                         FaultServer::text(200, "step 1\nstep 2\n"));
        auto *list = configs()->builds(QStringLiteral("sandbox"));
        QVERIFY(finish(list));
        QVERIFY(list->result().offered);
        QCOMPARE(list->result().builds.size(), 1);
        QCOMPARE(list->result().builds.first().status, QStringLiteral("failed"));
        QCOMPARE(list->result().builds.first().exitCode.value_or(-1), 2);
        auto *log = configs()->buildLog(QStringLiteral("sandbox"), QStringLiteral("v1"));
        QVERIFY(finish(log));
        QCOMPARE(log->result().text, QByteArray("step 1\nstep 2\n"));

        // Other errors still fail.
        m_cp->setDefault("GET", "/api/v1/layered-configs/sandbox/builds",
                         FaultServer::json(500, {{"error", "db down"}}));
        auto *broken = configs()->builds(QStringLiteral("sandbox"));
        QVERIFY(finish(broken));
        QCOMPARE(broken->error().status, 500);
    }

    // Item 29 against a real server: create (no build) -> listed; get; delete -> NotFound.
    void crudAgainstLocal()
    {
        Client client(fastSettings(m_local.baseUrl(), m_local.token()));
        const RunnerConfig config = RunnerConfig(QStringLiteral("crud-test"))
                                        .withCommands(QStringList{QStringLiteral("echo hi")})
                                        .withTier(QStringLiteral("s"));
        auto *created = client.configs()->create(config);
        QVERIFY(finish(created));
        QVERIFY2(!created->hasError(), qPrintable(created->error().toString()));
        QCOMPARE(created->result().configId, QStringLiteral("crud-test"));
        QCOMPARE(created->result().leafWorkloadKey.size(), 16);

        auto *list = client.configs()->list();
        QVERIFY(finish(list));
        QVERIFY(!list->hasError());
        bool listed = false;
        for (const StoredConfig &c : list->result().configs)
            listed = listed || c.configId == QStringLiteral("crud-test");
        QVERIFY(listed);

        auto *get = client.configs()->get(QStringLiteral("crud-test"));
        QVERIFY(finish(get));
        QVERIFY2(!get->hasError(), qPrintable(get->error().toString()));
        QCOMPARE(get->result().config.displayName, QStringLiteral("crud-test"));
        QCOMPARE(get->result().config.tier, QStringLiteral("s"));
        QCOMPARE(get->result().config.leafWorkloadKey, created->result().leafWorkloadKey);
        QVERIFY(!get->result().layers.isEmpty());

        auto *del = client.configs()->remove(QStringLiteral("crud-test"));
        QVERIFY(finish(del));
        QVERIFY2(!del->hasError(), qPrintable(del->error().toString()));
        auto *gone = client.configs()->get(QStringLiteral("crud-test"));
        QVERIFY(finish(gone));
        QCOMPARE(gone->error().kind, ErrorKind::NotFound);
        QCOMPARE(gone->error().message, QStringLiteral("layered config not found: crud-test"));
    }

    // Item 30: the server's validation message reaches the caller.
    void validationErrorCarriesServerMessage()
    {
        Client client(fastSettings(m_local.baseUrl(), m_local.token()));
        auto *job = client.configs()->create(QJsonObject{
            {"display_name", "invalid"},
            {"layers", QJsonArray{QJsonObject{{"name", ""}, {"init_commands", QJsonArray{}}}}}});
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Http);
        QCOMPARE(job->error().status, 400);
        QVERIFY2(job->error().message.contains(QStringLiteral("layer name must not be empty")),
                 qPrintable(job->error().message));

        auto *badTier = client.configs()->create(RunnerConfig(QStringLiteral("tier-test"))
                                                     .withCommands(QStringList{"true"})
                                                     .withTier("huge"));
        QVERIFY(finish(badTier));
        QCOMPARE(badTier->error().status, 400);
        QVERIFY2(badTier->error().message.contains(QStringLiteral("invalid tier")),
                 qPrintable(badTier->error().message));
    }

    // Item 28.
    void tokenIsRequired()
    {
        Client anonymous(fastSettings(m_local.baseUrl(), std::nullopt));
        auto *denied = anonymous.runners()->list();
        QVERIFY(finish(denied));
        QCOMPARE(denied->error().kind, ErrorKind::Auth);
        QCOMPARE(denied->error().status, 401);
        QCOMPARE(denied->error().message, QStringLiteral("unauthorized"));

        Client wrong(fastSettings(m_local.baseUrl(), QStringLiteral("not-the-token")));
        auto *wrongList = wrong.configs()->list();
        QVERIFY(finish(wrongList));
        QCOMPARE(wrongList->error().kind, ErrorKind::Auth);

        Client authorised(fastSettings(m_local.baseUrl(), m_local.token()));
        auto *ok = authorised.runners()->list();
        QVERIFY(finish(ok));
        QVERIFY2(!ok->hasError(), qPrintable(ok->error().toString()));

        auto *health = anonymous.health();
        QVERIFY(finish(health));
        QVERIFY2(!health->hasError(), qPrintable(health->error().toString()));
        QCOMPARE(health->result(), QStringLiteral("OK"));

        auto *hosts = authorised.hosts()->list();
        QVERIFY(finish(hosts));
        QVERIFY2(!hosts->hasError(), qPrintable(hosts->error().toString()));
        QVERIFY(!hosts->result().hosts.isEmpty());
        QVERIFY(!hosts->result().hosts.first().id.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestConfigs)
#include "tst_configs.moc"
