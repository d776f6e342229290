// Durability of capsule-local: after kill -9 and a restart on the same data dir, configs, layer
// results and suspended sessions survive; runners whose processes died are terminated.
#include "tst_cp_util.h"

#include <QtTest>

using namespace capsule::test;

class TestCpDurability final : public QObject
{
    Q_OBJECT

private slots:
    void survivesKill9();
    void cleanShutdownStopsRunners();
};

void TestCpDurability::survivesKill9()
{
    LocalServer server;
    QString error;
    QVERIFY2(server.start({}, &error), qPrintable(error));
    const QString key = server.createAndBuild(
        oneLayerConfig(QStringLiteral("durable"), QStringLiteral("echo durable > /opt/durable")),
        &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));

    HttpReply live = server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(key));
    QCOMPARE(live.status, 200);
    const QString liveId = live.json().value(QStringLiteral("runner_id")).toString();
    HttpReply paused = server.post(
        QStringLiteral("/api/v1/runners/allocate"),
        allocateBody(key, {{QStringLiteral("session_id"), QStringLiteral("durable-sess")}}));
    QCOMPARE(paused.status, 200);
    const QString pausedId = paused.json().value(QStringLiteral("runner_id")).toString();
    const ExecResult w =
        hostExec(server, paused.json().value(QStringLiteral("host_address")).toString(), pausedId,
                 {QStringLiteral("sh"), QStringLiteral("-c"),
                  QStringLiteral("echo survived > /workspace/s.txt")});
    QCOMPARE(w.code, 0);
    QCOMPARE(server
                 .post(QStringLiteral("/api/v1/runners/pause"),
                       {{QStringLiteral("runner_id"), pausedId}})
                 .status,
             200);

    server.kill9();
    QVERIFY2(server.restart(&error), qPrintable(error));

    // Configs and built layers survive.
    HttpReply r = server.get(QStringLiteral("/api/v1/layered-configs/durable"));
    QCOMPARE(r.status, 200);
    const QJsonObject layer = r.json().value(QStringLiteral("layers")).toArray().first().toObject();
    QCOMPARE(layer.value(QStringLiteral("status")).toString(), QStringLiteral("active"));
    QVERIFY(!layer.value(QStringLiteral("current_version")).toString().isEmpty());
    QCOMPARE(server.get(QStringLiteral("/api/v1/layered-configs/durable/builds"))
                 .json()
                 .value(QStringLiteral("builds"))
                 .toArray()
                 .size(),
             1);

    // The live runner died with the server.
    r = server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + liveId);
    QCOMPARE(r.status, 404);
    QString listedState;
    for (const QJsonValue &v : server.get(QStringLiteral("/api/v1/runners"))
                                   .json()
                                   .value(QStringLiteral("runners"))
                                   .toArray())
        if (v.toObject().value(QStringLiteral("runner_id")).toString() == liveId)
            listedState = v.toObject().value(QStringLiteral("status")).toString();
    QCOMPARE(listedState, QStringLiteral("terminated"));

    // The suspended session resumes with its runner id and its files.
    r = server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + pausedId);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("suspended"));
    r = server.post(
        QStringLiteral("/api/v1/runners/allocate"),
        allocateBody(key, {{QStringLiteral("session_id"), QStringLiteral("durable-sess")}}));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("runner_id")).toString(), pausedId);
    QCOMPARE(r.json().value(QStringLiteral("resumed")).toBool(), true);
    const ExecResult e =
        hostExec(server, r.json().value(QStringLiteral("host_address")).toString(), pausedId,
                 {QStringLiteral("cat"), QStringLiteral("/workspace/s.txt"),
                  QStringLiteral("/opt/durable")});
    QCOMPARE(e.out, QStringLiteral("survived\ndurable\n"));

    // New runners work after the restart too.
    r = server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(key));
    QCOMPARE(r.status, 200);
}

void TestCpDurability::cleanShutdownStopsRunners()
{
    LocalServer server;
    QString error;
    QVERIFY2(server.start({}, &error), qPrintable(error));
    const QString key = server.createAndBuild(
        oneLayerConfig(QStringLiteral("shutdown"), QStringLiteral("true")), &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const HttpReply a = server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(key));
    QCOMPARE(a.status, 200);
    const QString id = a.json().value(QStringLiteral("runner_id")).toString();
    // A long-running process inside the runner, identified by a unique argument.
    const QString marker =
        QStringLiteral("capsule-shutdown-marker-%1").arg(QCoreApplication::applicationPid());
    const HttpReply started = server.request(
        "POST",
        QStringLiteral("http://%1/api/v1/runners/%2/exec")
            .arg(a.json().value(QStringLiteral("host_address")).toString(), id),
        QJsonDocument(
            QJsonObject{
                {QStringLiteral("command"),
                 QJsonArray{
                     QStringLiteral("sh"), QStringLiteral("-c"),
                     QStringLiteral(
                         "sh -c 'while :; do sleep 1; done' %1 >/dev/null 2>&1 & echo started")
                         .arg(marker)}}})
            .toJson(QJsonDocument::Compact));
    QCOMPARE(started.status, 200);
    auto running = [&] {
        QProcess pgrep;
        pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-f"), marker});
        pgrep.waitForFinished(5000);
        return pgrep.exitCode() == 0;
    };
    QVERIFY(running());
    server.stop(); // SIGTERM
    QVERIFY2(server.stderrText().contains(QStringLiteral("stopping")),
             qPrintable(server.stderrText()));
    QTRY_VERIFY_WITH_TIMEOUT(!running(), 5000);
}

QTEST_GUILESS_MAIN(TestCpDurability)
#include "tst_cp_durability.moc"
