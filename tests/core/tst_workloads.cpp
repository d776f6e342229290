// Workloads: onboarding flows and reference resolution (contract 4.3, 4.4, 9 items 23-27), against
// a scripted server and a real capsule-local.
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

namespace {

QJsonObject stored(const QString &id, const QString &name, const QString &key)
{
    return {{"config_id", id}, {"display_name", name}, {"leaf_workload_key", key}};
}

} // namespace

class TestWorkloads final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<FaultServer> m_cp;
    std::unique_ptr<Client> m_client;

    static Settings fastSettings(const QString &baseUrl, const QString &token)
    {
        Settings s;
        s.baseUrl = baseUrl;
        s.token = token;
        s.requestTimeout = 10;
        s.backoffBase = 0.01;
        s.backoffJitter = 0.01;
        return s;
    }
    Workloads *workloads() { return m_client->workloads(); }
    template<class J>
    static bool finish(J *job)
    {
        return waitFor(job, 15000);
    }
    void serveList()
    {
        m_cp->setDefault(
            "GET", "/api/v1/layered-configs",
            FaultServer::json(
                200, {{"configs", QJsonArray{stored("acme--sandbox", "sandbox", "1111111111111111"),
                                             stored("other", "Other Box", "2222222222222222"),
                                             stored("dup-1", "dup", "3333333333333333"),
                                             stored("dup-2", "dup", "4444444444444444"),
                                             stored("nokey", "nokey", "")}},
                      {"count", 5}}));
    }

private slots:
    void init()
    {
        m_cp = std::make_unique<FaultServer>();
        QVERIFY(m_cp->listen());
        m_client = std::make_unique<Client>(fastSettings(m_cp->baseUrl(), QStringLiteral("tok")));
        m_cp->setDefault("POST", "/api/v1/layered-configs",
                         FaultServer::json(201, {{"config_id", "sandbox"},
                                                 {"leaf_workload_key", "abcdefabcdefabcd"},
                                                 {"layers", QJsonArray{}}}));
        m_cp->setDefault(
            "POST", "/api/v1/layered-configs/sandbox/build",
            FaultServer::json(
                202, {{"config_id", "sandbox"}, {"status", "build_enqueued"}, {"enqueued", 1}}));
    }
    void cleanup()
    {
        m_client.reset();
        m_cp.reset();
    }

    // Item 23: one create + one build(force=false, clean=false); summary = name, id, key.
    void onboardCreatesThenBuilds()
    {
        const RunnerConfig config = RunnerConfig(QStringLiteral("sandbox"))
                                        .withCommands(QStringList{QStringLiteral("echo hi")});
        auto *job = workloads()->onboard(config);
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->result().displayName, QStringLiteral("sandbox"));
        QCOMPARE(job->result().configId, QStringLiteral("sandbox"));
        QCOMPARE(job->result().workloadKey, QStringLiteral("abcdefabcdefabcd"));
        QCOMPARE(m_cp->requests().size(), 2);
        QCOMPARE(m_cp->requests().at(0).path, QStringLiteral("/api/v1/layered-configs"));
        QCOMPARE(m_cp->requests().at(1).path,
                 QStringLiteral("/api/v1/layered-configs/sandbox/build"));
        QVERIFY(m_cp->requests().at(1).query.isEmpty());

        m_cp->clearRequests();
        auto *noBuild = workloads()->onboard(config, false);
        QVERIFY(finish(noBuild));
        QCOMPARE(m_cp->requests().size(), 1);

        m_cp->clearRequests();
        auto *clean = workloads()->onboard(config, true, false, true);
        QVERIFY(finish(clean));
        QCOMPARE(m_cp->requests().at(1).query.toString(), QStringLiteral("clean=true"));

        // A failing build fails the onboard (the create happened).
        m_cp->setDefault("POST", "/api/v1/layered-configs/sandbox/build",
                         FaultServer::json(404, {{"error", "config not found"}}));
        auto *broken = workloads()->onboard(config);
        QVERIFY(finish(broken));
        QCOMPARE(broken->error().kind, ErrorKind::NotFound);
    }

    // Item 24: YAML text with platform + workload.display_name.
    void onboardYamlText()
    {
        const QString yaml =
            QStringLiteral("platform:\n  project: p\nworkload:\n  display_name: sandbox\n"
                           "  layers:\n    - name: main\n      init_commands:\n"
                           "        - type: shell\n          args: [\"true\"]\n");
        auto *job = workloads()->onboardYaml(yaml, QStringLiteral("ignored-name"), false);
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        const QJsonObject body = m_cp->requests().first().json();
        QVERIFY(!body.contains("platform"));
        QCOMPARE(body.value("display_name").toString(), QStringLiteral("sandbox"));

        auto *bad = workloads()->onboardYaml(QStringLiteral("workload: [unclosed\n"), {}, false);
        QVERIFY(finish(bad));
        QCOMPARE(bad->error().kind, ErrorKind::Value);
        QCOMPARE(m_cp->requests().size(), 1);
    }

    // Items 25/26: names resolve through the list; duplicates conflict; none -> NotFound.
    void resolution_data()
    {
        QTest::addColumn<QString>("ref");
        QTest::addColumn<QString>("configId");
        QTest::newRow("display name") << "sandbox"
                                      << "acme--sandbox";
        QTest::newRow("config id") << "acme--sandbox"
                                   << "acme--sandbox";
        QTest::newRow("leaf key") << "2222222222222222"
                                  << "other";
        QTest::newRow("name with space") << "Other Box"
                                         << "other";
    }
    void resolution()
    {
        QFETCH(QString, ref);
        QFETCH(QString, configId);
        serveList();
        auto *job = workloads()->resolveConfig(ref);
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->result().configId, configId);
        QCOMPARE(m_cp->count("GET", "/api/v1/layered-configs"), 1);
    }

    void resolutionFailures()
    {
        serveList();
        auto *dup = workloads()->get(QStringLiteral("dup"));
        QVERIFY(finish(dup));
        QCOMPARE(dup->error().kind, ErrorKind::Conflict);
        auto *none = workloads()->get(QStringLiteral("missing"));
        QVERIFY(finish(none));
        QCOMPARE(none->error().kind, ErrorKind::NotFound);
        QVERIFY(none->error().message.contains(QStringLiteral("missing")));
        // A match without a key is completed from the detail; still none -> NotFound.
        m_cp->setDefault("GET", "/api/v1/layered-configs/nokey",
                         FaultServer::json(200, {{"config", stored("nokey", "nokey", "")}}));
        auto *noKey = workloads()->resolveConfig(QStringLiteral("nokey"));
        QVERIFY(finish(noKey));
        QCOMPARE(noKey->error().kind, ErrorKind::NotFound);
        // At runner level a string that resolves to nothing is sent as the raw key.
        auto *raw = workloads()->resolveKey(QStringLiteral("nokey"));
        QVERIFY(finish(raw));
        QCOMPARE(raw->result(), QStringLiteral("nokey"));
        QCOMPARE(m_cp->count("GET", "/api/v1/layered-configs/nokey"), 2);
        QCOMPARE(m_cp->count("GET", "/api/v1/layered-configs/dup-1"), 0);
    }

    void objectsNeedNoLookup()
    {
        CreateConfigReply created;
        created.configId = QStringLiteral("sandbox");
        created.leafWorkloadKey = QStringLiteral("abcdefabcdefabcd");
        auto *key = workloads()->resolveKey(WorkloadRef::fromCreateReply(created));
        QVERIFY(finish(key));
        QCOMPARE(key->result(), QStringLiteral("abcdefabcdefabcd"));
        WorkloadSummary summary{QStringLiteral("sandbox"), QStringLiteral("sandbox"),
                                QStringLiteral("abcdefabcdefabcd")};
        auto *cfg = workloads()->resolveConfig(WorkloadRef::fromSummary(summary));
        QVERIFY(finish(cfg));
        QCOMPARE(cfg->result().configId, QStringLiteral("sandbox"));
        QCOMPARE(m_cp->requests().size(), 0);

        // A RunnerConfig names its workload by id: through the list.
        serveList();
        auto *byConfig = workloads()->resolveConfig(
            WorkloadRef::fromRunnerConfig(RunnerConfig(QStringLiteral("sandbox"))));
        QVERIFY(finish(byConfig));
        QCOMPARE(byConfig->result().configId, QStringLiteral("acme--sandbox"));
        QCOMPARE(m_cp->count("GET", "/api/v1/layered-configs"), 1);
    }

    // Item 25: build forwards clean; delete uses config_id.
    void buildAndDeleteUseConfigId()
    {
        serveList();
        m_cp->setDefault(
            "POST", "/api/v1/layered-configs/acme--sandbox/build",
            FaultServer::json(202, {{"config_id", "acme--sandbox"}, {"status", "build_enqueued"}}));
        FaultServer::Reply noContent;
        noContent.status = 204;
        m_cp->setDefault("DELETE", "/api/v1/layered-configs/acme--sandbox", noContent);
        auto *build = workloads()->build(QStringLiteral("sandbox"), false, true);
        QVERIFY(finish(build));
        QVERIFY2(!build->hasError(), qPrintable(build->error().toString()));
        QCOMPARE(m_cp->requestsTo("POST", "/api/v1/layered-configs/acme--sandbox/build")
                     .first()
                     .query.toString(),
                 QStringLiteral("clean=true"));
        auto *del = workloads()->remove(QStringLiteral("sandbox"));
        QVERIFY(finish(del));
        QVERIFY(!del->hasError());
        QCOMPARE(m_cp->count("DELETE", "/api/v1/layered-configs/acme--sandbox"), 1);

        auto *list = workloads()->list();
        QVERIFY(finish(list));
        QCOMPARE(list->result().size(), 5);
        QCOMPARE(list->result().at(1).displayName, QStringLiteral("Other Box"));
        QCOMPARE(list->result().at(1).workloadKey, QStringLiteral("2222222222222222"));
    }

    // Item 27.
    void snapshotsParseBothKeyStyles()
    {
        m_cp->setDefault(
            "GET", "/api/v1/snapshots",
            FaultServer::json(
                200, {{"snapshots",
                       QJsonArray{QJsonObject{{"Version", "v1"},
                                              {"Status", "active"},
                                              {"GCSPath", "gs://b/v1"},
                                              {"SizeBytes", 42},
                                              {"Metrics", QJsonObject{{"sample_count", 3}}}},
                                  QJsonObject{{"version", "v2"},
                                              {"status", "ready"},
                                              {"gcs_path", "gs://b/v2"},
                                              {"repo_commit", "abc"}}}},
                      {"count", 2},
                      {"current_version", "v1"}}));
        auto *job = m_client->snapshots()->list();
        QVERIFY(finish(job));
        QVERIFY(!job->hasError());
        const SnapshotList l = job->result();
        QCOMPARE(l.snapshots.size(), 2);
        QCOMPARE(l.currentVersion, QStringLiteral("v1"));
        QCOMPARE(l.snapshots.at(0).version, QStringLiteral("v1"));
        QCOMPARE(l.snapshots.at(0).gcsPath, QStringLiteral("gs://b/v1"));
        QCOMPARE(l.snapshots.at(0).sizeBytes, 42);
        QCOMPARE(l.snapshots.at(0).metrics.sampleCount, 3);
        QCOMPARE(l.snapshots.at(1).status, QStringLiteral("ready"));
        QCOMPARE(l.snapshots.at(1).repoCommit, QStringLiteral("abc"));
    }

    // The same flows against a real capsule-local: onboard without a build, resolve by each
    // kind of reference, delete.
    void resolutionAgainstLocal()
    {
        LocalServer local;
        QString error;
        QVERIFY2(local.start({}, &error), qPrintable(error));
        Client client(fastSettings(local.baseUrl(), local.token()));
        const RunnerConfig config = RunnerConfig(QStringLiteral("wl-resolve"))
                                        .withCommands(QStringList{QStringLiteral("true")});
        auto *onboard = client.workloads()->onboard(config, false);
        QVERIFY(finish(onboard));
        QVERIFY2(!onboard->hasError(), qPrintable(onboard->error().toString()));
        const WorkloadSummary summary = onboard->result();
        QCOMPARE(summary.configId, QStringLiteral("wl-resolve"));
        for (const QString &ref : {summary.workloadKey, summary.configId}) {
            auto *get = client.workloads()->get(ref);
            QVERIFY(finish(get));
            QVERIFY2(!get->hasError(), qPrintable(get->error().toString()));
            QCOMPARE(get->result().config.configId, summary.configId);
            QCOMPARE(get->result().config.displayName, QStringLiteral("wl-resolve"));
        }
        auto *key = client.workloads()->resolveKey(WorkloadRef::fromRunnerConfig(config));
        QVERIFY(finish(key));
        QCOMPARE(key->result(), summary.workloadKey);
        auto *del = client.workloads()->remove(QStringLiteral("wl-resolve"));
        QVERIFY(finish(del));
        QVERIFY2(!del->hasError(), qPrintable(del->error().toString()));
        auto *gone = client.workloads()->get(QStringLiteral("wl-resolve"));
        QVERIFY(finish(gone));
        QCOMPARE(gone->error().kind, ErrorKind::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestWorkloads)
#include "tst_workloads.moc"
