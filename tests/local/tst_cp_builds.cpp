// Layer builds of capsule-local: statuses, versions, failures keeping output, build list and
// followed (streamed) build logs, force/clean/refresh.
#include "tst_cp_util.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QtTest>

using namespace capsule::test;

class TestCpBuilds final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void buildReachesActiveWithVersion();
    void secondBuildIsNotNeededUnlessForced();
    void failingBuildKeepsOutput();
    void unknownCommandTypeFails();
    void childLayerSeesParentResult();
    void followStreamsTheLog();
    void refreshRebuildsLayer();
    void deleteCancelsBuild();

private:
    QJsonObject layers(const QString &id);
    QJsonArray builds(const QString &id);
    LocalServer m_server;
};

void TestCpBuilds::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
}

QJsonObject TestCpBuilds::layers(const QString &id)
{
    return m_server.get(QStringLiteral("/api/v1/layered-configs/") + id).json();
}

QJsonArray TestCpBuilds::builds(const QString &id)
{
    return m_server.get(QStringLiteral("/api/v1/layered-configs/%1/builds").arg(id))
        .json()
        .value(QStringLiteral("builds"))
        .toArray();
}

void TestCpBuilds::buildReachesActiveWithVersion()
{
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/layered-configs"),
                       oneLayerConfig(QStringLiteral("build-ok"), QStringLiteral("echo built-ok")))
                 .status,
             201);
    HttpReply r =
        m_server.request("POST", QStringLiteral("/api/v1/layered-configs/build-ok/build"));
    QCOMPARE(r.status, 202);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("build_enqueued"));
    QCOMPARE(r.json().value(QStringLiteral("enqueued")).toInt(), 1);
    QCOMPARE(r.json().value(QStringLiteral("force")), QJsonValue(false));
    QCOMPARE(r.json().value(QStringLiteral("clean")), QJsonValue(false));
    // While in flight the layer shows build_status; then active + current_version.
    const QJsonObject during = layers(QStringLiteral("build-ok"))
                                   .value(QStringLiteral("layers"))
                                   .toArray()
                                   .first()
                                   .toObject();
    QVERIFY(during.contains(QStringLiteral("build_status")) ||
            during.value(QStringLiteral("status")) == QLatin1String("active"));
    QTRY_COMPARE_WITH_TIMEOUT(layers(QStringLiteral("build-ok"))
                                  .value(QStringLiteral("layers"))
                                  .toArray()
                                  .first()
                                  .toObject()
                                  .value(QStringLiteral("status"))
                                  .toString(),
                              QStringLiteral("active"), 30000);
    const QJsonObject layer = layers(QStringLiteral("build-ok"))
                                  .value(QStringLiteral("layers"))
                                  .toArray()
                                  .first()
                                  .toObject();
    const QString version = layer.value(QStringLiteral("current_version")).toString();
    static const QRegularExpression re(QStringLiteral("^v\\d{8}-\\d{6}-[0-9a-f]{8}-\\d{4}$"));
    QVERIFY2(re.match(version).hasMatch(), qPrintable(version));
    QVERIFY(version.contains(layer.value(QStringLiteral("layer_hash")).toString().left(8)));
    QVERIFY(!layer.contains(QStringLiteral("build_status")));

    const QJsonArray list = builds(QStringLiteral("build-ok"));
    QCOMPARE(list.size(), 1);
    const QJsonObject b = list.first().toObject();
    QCOMPARE(b.value(QStringLiteral("version")).toString(), version);
    QCOMPARE(b.value(QStringLiteral("status")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(b.value(QStringLiteral("layer_name")).toString(), QStringLiteral("main"));
    QCOMPARE(b.value(QStringLiteral("exit_code")).toInt(), 0);
    QVERIFY(!b.value(QStringLiteral("started_at")).toString().isEmpty());
    QVERIFY(!b.value(QStringLiteral("finished_at")).toString().isEmpty());

    r = m_server.get(QStringLiteral("/api/v1/layered-configs/build-ok/builds/%1/log").arg(version));
    QCOMPARE(r.status, 200);
    QVERIFY2(r.body.contains("built-ok\n"), r.body.constData());
    QVERIFY2(r.body.contains("filesystem mode: "), r.body.constData());
    QVERIFY2(r.body.contains("host root"), r.body.constData());

    // A create of the same layer elsewhere reports it active at once.
    r = m_server.post(
        QStringLiteral("/api/v1/layered-configs"),
        oneLayerConfig(QStringLiteral("build-ok-twin"), QStringLiteral("echo built-ok")));
    QCOMPARE(r.json()
                 .value(QStringLiteral("layers"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("active"));
}

void TestCpBuilds::secondBuildIsNotNeededUnlessForced()
{
    QString error;
    QVERIFY2(!m_server
                  .createAndBuild(
                      oneLayerConfig(QStringLiteral("build-twice"), QStringLiteral("echo twice")),
                      &error)
                  .isEmpty(),
             qPrintable(error));
    HttpReply r =
        m_server.request("POST", QStringLiteral("/api/v1/layered-configs/build-twice/build"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(),
             QStringLiteral("no_build_needed"));
    QCOMPARE(r.json().value(QStringLiteral("enqueued")).toInt(), 0);
    r = m_server.request("POST",
                         QStringLiteral("/api/v1/layered-configs/build-twice/build?force=true"));
    QCOMPARE(r.status, 202);
    QCOMPARE(r.json().value(QStringLiteral("force")), QJsonValue(true));
    r = m_server.request("POST",
                         QStringLiteral("/api/v1/layered-configs/build-twice/build?clean=true"));
    QCOMPARE(r.status, 202);
    QCOMPARE(r.json().value(QStringLiteral("force")), QJsonValue(true)); // clean implies force
    QCOMPARE(r.json().value(QStringLiteral("clean")), QJsonValue(true));
    QTRY_VERIFY_WITH_TIMEOUT(!layers(QStringLiteral("build-twice"))
                                  .value(QStringLiteral("layers"))
                                  .toArray()
                                  .first()
                                  .toObject()
                                  .contains(QStringLiteral("build_status")),
                             30000);
    // The forced build that was superseded is cancelled, the last one succeeded.
    const QJsonArray list = builds(QStringLiteral("build-twice"));
    QCOMPARE(list.size(), 3);
    QCOMPARE(list.at(1).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("cancelled"));
    QCOMPARE(list.at(2).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("succeeded"));
}

void TestCpBuilds::failingBuildKeepsOutput()
{
    QCOMPARE(
        m_server
            .post(QStringLiteral("/api/v1/layered-configs"),
                  oneLayerConfig(QStringLiteral("build-fail"),
                                 QStringLiteral("echo before-fail; echo to-stderr >&2; exit 3")))
            .status,
        201);
    QCOMPARE(
        m_server.request("POST", QStringLiteral("/api/v1/layered-configs/build-fail/build")).status,
        202);
    QTRY_COMPARE_WITH_TIMEOUT(builds(QStringLiteral("build-fail"))
                                  .first()
                                  .toObject()
                                  .value(QStringLiteral("status"))
                                  .toString(),
                              QStringLiteral("failed"), 30000);
    const QJsonObject b = builds(QStringLiteral("build-fail")).first().toObject();
    QCOMPARE(b.value(QStringLiteral("exit_code")).toInt(), 3);
    // Failure is invisible in the layers (upstream quirk): pending, no build_status.
    const QJsonObject layer = layers(QStringLiteral("build-fail"))
                                  .value(QStringLiteral("layers"))
                                  .toArray()
                                  .first()
                                  .toObject();
    QCOMPARE(layer.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    QVERIFY(!layer.contains(QStringLiteral("build_status")));
    QVERIFY(!layer.contains(QStringLiteral("current_version")));
    const HttpReply log =
        m_server.get(QStringLiteral("/api/v1/layered-configs/build-fail/builds/%1/log")
                         .arg(b.value(QStringLiteral("version")).toString()));
    QVERIFY2(log.body.contains("before-fail\n"), log.body.constData());
    QVERIFY2(log.body.contains("to-stderr\n"), log.body.constData());
    QVERIFY2(log.body.contains("exited with code 3"), log.body.constData());
}

void TestCpBuilds::unknownCommandTypeFails()
{
    QJsonObject body = oneLayerConfig(QStringLiteral("build-gcp"), QStringLiteral("true"));
    QJsonArray layersArr = body.value(QStringLiteral("layers")).toArray();
    QJsonObject l = layersArr.first().toObject();
    l[QStringLiteral("init_commands")] =
        QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("gcp-auth")},
                               {QStringLiteral("args"), QJsonArray{QStringLiteral("x")}}}};
    layersArr[0] = l;
    body[QStringLiteral("layers")] = layersArr;
    QCOMPARE(m_server.post(QStringLiteral("/api/v1/layered-configs"), body).status, 201);
    QCOMPARE(
        m_server.request("POST", QStringLiteral("/api/v1/layered-configs/build-gcp/build")).status,
        202);
    QTRY_COMPARE_WITH_TIMEOUT(builds(QStringLiteral("build-gcp"))
                                  .first()
                                  .toObject()
                                  .value(QStringLiteral("status"))
                                  .toString(),
                              QStringLiteral("failed"), 30000);
    const QString version = builds(QStringLiteral("build-gcp"))
                                .first()
                                .toObject()
                                .value(QStringLiteral("version"))
                                .toString();
    const HttpReply log = m_server.get(
        QStringLiteral("/api/v1/layered-configs/build-gcp/builds/%1/log").arg(version));
    QVERIFY2(log.body.contains("unknown command type \"gcp-auth\""), log.body.constData());
}

void TestCpBuilds::childLayerSeesParentResult()
{
    const QJsonObject body{
        {QStringLiteral("display_name"), QStringLiteral("build-stack")},
        {QStringLiteral("base_image"), QStringLiteral("local-test-image")},
        {QStringLiteral("layers"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("parent")},
                                {QStringLiteral("init_commands"),
                                 QJsonArray{shellCommand(
                                     QStringLiteral(
                                         "mkdir -p /opt/stack && echo parent-data > /opt/stack/p"),
                                     true)}}},
                    QJsonObject{{QStringLiteral("name"), QStringLiteral("child")},
                                {QStringLiteral("init_commands"),
                                 QJsonArray{shellCommand(
                                     QStringLiteral("cat /opt/stack/p > /opt/stack/c"), true)}}}}}};
    QString error;
    const QString key = m_server.createAndBuild(body, &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const QJsonArray ls =
        layers(QStringLiteral("build-stack")).value(QStringLiteral("layers")).toArray();
    QCOMPARE(ls.size(), 3); // _platform, parent, child
    for (const QJsonValue &v : ls)
        QCOMPARE(v.toObject().value(QStringLiteral("status")).toString(), QStringLiteral("active"));
    const QJsonArray list = builds(QStringLiteral("build-stack"));
    QCOMPARE(list.size(), 3);
    const HttpReply log =
        m_server.get(QStringLiteral("/api/v1/layered-configs/build-stack/builds/%1/log")
                         .arg(list.first().toObject().value(QStringLiteral("version")).toString()));
    QVERIFY2(log.body.contains("local-test-image maps to the host root"), log.body.constData());
    // A runner of the leaf sees both results.
    const HttpReply a =
        m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(key));
    QCOMPARE(a.status, 200);
    const ExecResult e =
        hostExec(m_server, a.json().value(QStringLiteral("host_address")).toString(),
                 a.json().value(QStringLiteral("runner_id")).toString(),
                 {QStringLiteral("cat"), QStringLiteral("/opt/stack/c")});
    QCOMPARE(e.out, QStringLiteral("parent-data\n"));
    m_server.post(QStringLiteral("/api/v1/runners/release"),
                  {{QStringLiteral("runner_id"), a.json().value(QStringLiteral("runner_id"))}});
}

void TestCpBuilds::followStreamsTheLog()
{
    // The command prints, then sleeps: only a streamed log shows the first line before the end.
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/layered-configs"),
                       oneLayerConfig(QStringLiteral("build-follow"),
                                      QStringLiteral("echo first-line; sleep 30; echo last-line")))
                 .status,
             201);
    QCOMPARE(m_server.request("POST", QStringLiteral("/api/v1/layered-configs/build-follow/build"))
                 .status,
             202);
    const QString version = builds(QStringLiteral("build-follow"))
                                .first()
                                .toObject()
                                .value(QStringLiteral("version"))
                                .toString();
    QNetworkAccessManager nam;
    QNetworkRequest req(
        QUrl(m_server.baseUrl() +
             QStringLiteral("/api/v1/layered-configs/build-follow/builds/%1/log?follow=true")
                 .arg(version)));
    req.setRawHeader("Authorization", "Bearer " + m_server.token().toUtf8());
    QNetworkReply *reply = nam.get(req);
    QByteArray seen;
    connect(reply, &QNetworkReply::readyRead, this, [&] { seen += reply->readAll(); });
    QTRY_VERIFY_WITH_TIMEOUT(seen.contains("first-line\n"), 30000);
    QVERIFY(!reply->isFinished());
    QVERIFY2(!seen.contains("\nlast-line\n"), seen.constData()); // the command echo has it too
    // A forced rebuild cancels this build, which ends the stream.
    QCOMPARE(m_server
                 .request("POST",
                          QStringLiteral("/api/v1/layered-configs/build-follow/build?force=true"))
                 .status,
             202);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 30000);
    seen += reply->readAll();
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QVERIFY2(seen.contains("build cancelled"), seen.constData());
    reply->deleteLater();
    // A finished build's log is served whole even with follow=true.
    const HttpReply done = m_server.get(
        QStringLiteral("/api/v1/layered-configs/build-follow/builds/%1/log?follow=true")
            .arg(version));
    QCOMPARE(done.status, 200);
    QVERIFY(done.body.contains("first-line\n"));
}

void TestCpBuilds::refreshRebuildsLayer()
{
    QString error;
    QVERIFY2(!m_server
                  .createAndBuild(
                      oneLayerConfig(QStringLiteral("build-refresh"), QStringLiteral("date +%N")),
                      &error)
                  .isEmpty(),
             qPrintable(error));
    const QString v1 = layers(QStringLiteral("build-refresh"))
                           .value(QStringLiteral("layers"))
                           .toArray()
                           .first()
                           .toObject()
                           .value(QStringLiteral("current_version"))
                           .toString();
    HttpReply r = m_server.request(
        "POST", QStringLiteral("/api/v1/layered-configs/build-refresh/layers/main/refresh"));
    QCOMPARE(r.status, 202);
    QCOMPARE(r.json().value(QStringLiteral("status")).toString(),
             QStringLiteral("refresh_enqueued"));
    QCOMPARE(r.json().value(QStringLiteral("layer_name")).toString(), QStringLiteral("main"));
    QCOMPARE(r.json().value(QStringLiteral("enqueued")).toInt(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(layers(QStringLiteral("build-refresh"))
                                     .value(QStringLiteral("layers"))
                                     .toArray()
                                     .first()
                                     .toObject()
                                     .value(QStringLiteral("current_version"))
                                     .toString() != v1,
                             30000);
}

void TestCpBuilds::deleteCancelsBuild()
{
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/layered-configs"),
                       oneLayerConfig(QStringLiteral("build-delete"),
                                      QStringLiteral("echo started; sleep 20")))
                 .status,
             201);
    QCOMPARE(m_server.request("POST", QStringLiteral("/api/v1/layered-configs/build-delete/build"))
                 .status,
             202);
    const QString version = builds(QStringLiteral("build-delete"))
                                .first()
                                .toObject()
                                .value(QStringLiteral("version"))
                                .toString();
    QTRY_VERIFY_WITH_TIMEOUT(
        m_server
            .get(QStringLiteral("/api/v1/layered-configs/build-delete/builds/%1/log").arg(version))
            .body.contains("started"),
        30000);
    QElapsedTimer t;
    t.start();
    QCOMPARE(
        m_server.request("DELETE", QStringLiteral("/api/v1/layered-configs/build-delete")).status,
        204);
    QVERIFY(t.elapsed() < 10000);
    QCOMPARE(m_server.get(QStringLiteral("/api/v1/layered-configs/build-delete/builds")).status,
             404);
}

QTEST_GUILESS_MAIN(TestCpBuilds)
#include "tst_cp_builds.moc"
