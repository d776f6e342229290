// BuildWatchJob against a real capsule-local: a build that succeeds (log streamed, progress to
// the leaf), a failing init command (the message is the server's log of that build), cancel,
// a never-built config, and the layers-only fallback when the build routes are absent.
#include "core/blocking.h"
#include "core/buildwatch.h"
#include "core/client.h"
#include "core/runnerconfig.h"
#include "support/faultserver.h"
#include "support/localserver.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QtTest>

using namespace capsule;
using capsule::test::FaultServer;
using capsule::test::LocalServer;

class TestBuildWatch final : public QObject
{
    Q_OBJECT

private:
    LocalServer m_local;
    std::unique_ptr<Client> m_client;

    LayeredConfigs *configs() { return m_client->configs(); }

    // Creates the config and requests its build (no waiting).
    void createAndRequest(const RunnerConfig &config)
    {
        auto *created = configs()->create(config);
        QVERIFY(waitFor(created, 30000));
        QVERIFY2(!created->hasError(), qPrintable(created->error().toString()));
        created->deleteLater();
        auto *build = configs()->build(config.id());
        QVERIFY(waitFor(build, 30000));
        QVERIFY2(!build->hasError(), qPrintable(build->error().toString()));
        build->deleteLater();
    }

    static BuildWatchOptions fast()
    {
        BuildWatchOptions o;
        o.intervalMs = 200;
        o.timeoutMs = 120000; // a loaded CI machine
        return o;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_local.start({}, &error), qPrintable(error));
        m_client = std::make_unique<Client>(m_local.clientSettings());
    }

    void succeedsWithTheLogStreamed()
    {
        const RunnerConfig config =
            RunnerConfig(QStringLiteral("watch-ok"))
                .withLayers(QJsonArray{
                    QJsonObject{{"name", "deps"},
                                {"init_commands", QJsonArray{"echo deps-layer-says-hello"}}},
                    QJsonObject{{"name", "app"},
                                {"init_commands", QJsonArray{"echo app-layer-says-hi"}}}});
        createAndRequest(config);
        BuildWatchJob watch(configs(), config.id(), fast());
        QSignalSpy started(&watch, &BuildWatchJob::logStarted);
        QSignalSpy progress(&watch, &Job::progress);
        QByteArray log;
        connect(&watch, &BuildWatchJob::logText, this, [&log](const QByteArray &t) { log += t; });
        QVERIFY(waitFor(&watch, 150000));
        QVERIFY2(!watch.hasError(), qPrintable(watch.error().toString()));
        QVERIFY(watch.detail().buildFinished());
        // Both layers' logs, root first, each announced before its text.
        QVERIFY2(log.contains("deps-layer-says-hello"), log.constData());
        QVERIFY2(log.contains("app-layer-says-hi"), log.constData());
        QVERIFY(log.indexOf("deps-layer-says-hello") < log.indexOf("app-layer-says-hi"));
        QVERIFY(started.size() >= 2);
        QCOMPARE(started.first().at(0).toString(), QStringLiteral("deps"));
        // The last progress says every layer is active.
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), progress.last().at(1).toLongLong());
        QCOMPARE(progress.last().at(1).toLongLong(), qint64(2));
    }

    void failingInitCommandCarriesTheServerLog()
    {
        const RunnerConfig config =
            RunnerConfig(QStringLiteral("watch-fail"))
                .withLayers(QJsonArray{
                    QJsonObject{
                        {"name", "base"},
                        {"init_commands", QJsonArray{"echo about-to-fail-loudly >&2; exit 7"}}},
                    QJsonObject{{"name", "top"}, {"init_commands", QJsonArray{"echo never"}}}});
        createAndRequest(config);
        BuildWatchOptions options = fast();
        options.followLogs = false; // the message must come from the server, not a stream
        BuildWatchJob watch(configs(), config.id(), options);
        QVERIFY(waitFor(&watch, 150000));
        QVERIFY(watch.hasError());
        const QString message = watch.error().message;
        // The root-most failure (not the child's "parent not built"), its exit code and log.
        QVERIFY2(message.contains(QStringLiteral("(layer base) failed (exit 7)")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("about-to-fail-loudly")), qPrintable(message));
    }

    void cancelStopsWatching()
    {
        const RunnerConfig config = RunnerConfig(QStringLiteral("watch-cancel"))
                                        .withCommands(QStringList{QStringLiteral("sleep 30")});
        createAndRequest(config);
        BuildWatchJob watch(configs(), config.id(), fast());
        QSignalSpy started(&watch, &BuildWatchJob::logStarted);
        QVERIFY(started.wait(60000)); // the stream of the running build is open
        QElapsedTimer clock;
        clock.start();
        watch.cancel();
        QVERIFY(watch.isFinished());
        QCOMPARE(watch.error().kind, ErrorKind::Cancelled);
        QVERIFY(clock.elapsed() < 5000);
        // Nothing fires after cancel.
        QSignalSpy finished(&watch, &Job::finished);
        QTest::qWait(600);
        QCOMPARE(finished.size(), 0);
        // Clean up the sleeping build.
        auto *del = configs()->remove(config.id());
        QVERIFY(waitFor(del, 30000));
        del->deleteLater();
    }

    void neverBuiltConfigFailsAfterQuietPolls()
    {
        const RunnerConfig config = RunnerConfig(QStringLiteral("watch-idle"))
                                        .withCommands(QStringList{QStringLiteral("true")});
        auto *created = configs()->create(config);
        QVERIFY(waitFor(created, 30000));
        created->deleteLater();
        BuildWatchJob watch(configs(), config.id(), fast());
        QVERIFY(waitFor(&watch, 60000));
        QVERIFY(watch.hasError());
        QVERIFY2(watch.error().message.contains(QStringLiteral("no build is in flight")),
                 qPrintable(watch.error().message));
    }

    void unknownConfigFailsWithNotFound()
    {
        BuildWatchJob watch(configs(), QStringLiteral("no-such-config"), fast());
        QVERIFY(waitFor(&watch, 60000));
        QCOMPARE(watch.error().kind, ErrorKind::NotFound);
    }

    // A server without the section-10 routes: a pending leaf with nothing in flight for
    // quietPolls polls is a failure; an active leaf is success.
    void layersOnlyFallback()
    {
        FaultServer cp;
        QVERIFY(cp.listen());
        Settings s = m_local.clientSettings();
        s.baseUrl = cp.baseUrl();
        Client client(s);
        const auto detail = [](const QString &status, const QString &version) {
            QJsonObject layer{{"name", "main"},
                              {"layer_hash", QString(64, QLatin1Char('a'))},
                              {"status", status},
                              {"depth", 0}};
            if (!version.isEmpty())
                layer.insert("current_version", version);
            return QJsonObject{
                {"config", QJsonObject{{"config_id", "legacy"},
                                       {"display_name", "legacy"},
                                       {"leaf_layer_hash", QString(64, QLatin1Char('a'))},
                                       {"leaf_workload_key", QString(16, QLatin1Char('b'))},
                                       {"tier", "m"}}},
                {"layers", QJsonArray{layer}},
                {"definition", QJsonObject{}}};
        };
        cp.setDefault("GET", "/api/v1/layered-configs/legacy",
                      FaultServer::json(200, detail("pending", {})));
        BuildWatchJob failing(client.configs(), QStringLiteral("legacy"), fast());
        QVERIFY(waitFor(&failing, 60000));
        QVERIFY(failing.hasError());
        QVERIFY2(failing.error().message.contains(QStringLiteral("no build is in flight")),
                 qPrintable(failing.error().message));

        cp.setDefault("GET", "/api/v1/layered-configs/legacy",
                      FaultServer::json(200, detail("active", QStringLiteral("v1"))));
        BuildWatchJob ok(client.configs(), QStringLiteral("legacy"), fast());
        QVERIFY(waitFor(&ok, 60000));
        QVERIFY2(!ok.hasError(), qPrintable(ok.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestBuildWatch)
#include "tst_buildwatch.moc"
