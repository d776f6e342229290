// Security suite, client side (issue 8): a hostile or broken server must not take the client's
// memory. A 500 MB JSON reply (announced, or sent without a length) is refused at 64 MiB, by the
// library and by the `capsule` command; onboard.yaml alias bombs and recursive aliases fail fast.
#include "cli/cliharness.h"
#include "support/faultserver.h"

#include "core/blocking.h"
#include "core/client.h"
#include "core/onboard.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace capsule;
using namespace capsule::test;

namespace {

constexpr qint64 kHugeBody = 500LL * 1024 * 1024;
// Generous for a loaded machine, yet far below what buffering 500 MB takes (over 1 GB before).
constexpr qint64 kMaxGrowthKb = 250 * 1024;

qint64 selfPeakKb()
{
    return peakRssKb(QCoreApplication::applicationPid());
}

qint64 selfRssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

FaultServer::Reply hugeConfigList(bool announceLength)
{
    FaultServer::Reply r;
    r.action = FaultServer::Reply::Action::Generate;
    r.status = 200;
    r.body = "{\"configs\":[";
    r.generatedBytes = kHugeBody;
    r.announceLength = announceLength;
    return r;
}

} // namespace

class TestSecClient final : public QObject
{
    Q_OBJECT

private slots:
    void hugeReplyLibrary_data();
    void hugeReplyLibrary();
    void hugeErrorReplyLibrary();
    void hugeReplyCli();
    void yamlAliasBomb();
    void yamlRecursiveAlias();
};

void TestSecClient::hugeReplyLibrary_data()
{
    QTest::addColumn<bool>("announceLength");
    QTest::newRow("Content-Length 500 MB") << true;
    QTest::newRow("no length, 500 MB until close") << false;
}

void TestSecClient::hugeReplyLibrary()
{
    QFETCH(bool, announceLength);
    FaultServer server;
    QVERIFY(server.listen());
    server.setDefault("GET", QStringLiteral("/api/v1/layered-configs"),
                      hugeConfigList(announceLength));
    Settings s;
    s.baseUrl = server.baseUrl();
    Client client(s);
    const qint64 before = selfRssKb();
    QElapsedTimer clock;
    clock.start();
    auto *job = client.configs()->list();
    QVERIFY(waitFor(job, 120000));
    const qint64 growth = selfPeakKb() - before;
    QVERIFY(job->hasError());
    QCOMPARE(job->error().kind, ErrorKind::Protocol);
    QVERIFY2(job->error().message.startsWith(
                 QStringLiteral("unexpected answer from the server: the reply is too large")),
             qPrintable(job->error().message));
    QVERIFY2(job->error().message.contains(QStringLiteral("64 MiB")),
             qPrintable(job->error().message));
    qInfo("peak RSS growth %lld KiB, %lld ms", growth, qint64(clock.elapsed()));
    QVERIFY2(growth < kMaxGrowthKb, qPrintable(QStringLiteral("grew by %1 KiB").arg(growth)));
    // Not retried although a GET: the same request would get the same answer.
    QCOMPARE(server.count("GET", QStringLiteral("/api/v1/layered-configs")), 1);
}

// Error replies are buffered too (to read their message): the cap applies to them as well.
void TestSecClient::hugeErrorReplyLibrary()
{
    FaultServer server;
    QVERIFY(server.listen());
    FaultServer::Reply r = hugeConfigList(false);
    r.status = 500;
    server.setDefault("POST", QStringLiteral("/api/v1/runners/release"), r);
    Settings s;
    s.baseUrl = server.baseUrl();
    Client client(s);
    const qint64 before = selfRssKb();
    auto *job = client.runners()->release(QStringLiteral("r-1"));
    QVERIFY(waitFor(job, 120000));
    const qint64 growth = selfPeakKb() - before;
    QVERIFY(job->hasError());
    QVERIFY2(job->error().message.contains(QStringLiteral("the reply is too large")),
             qPrintable(job->error().message));
    QVERIFY2(growth < kMaxGrowthKb, qPrintable(QStringLiteral("grew by %1 KiB").arg(growth)));
}

void TestSecClient::hugeReplyCli()
{
    QVERIFY2(!qEnvironmentVariable("CAPSULE_CLI_BIN").isEmpty(), "CAPSULE_CLI_BIN is not set");
    FaultServer server;
    QVERIFY(server.listen());
    server.setDefault("GET", QStringLiteral("/api/v1/layered-configs"), hugeConfigList(false));
    qint64 peakKb = 0;
    const CliResult r = runCliServed({QStringLiteral("configs")}, server.baseUrl(), &peakKb);
    const QString err = QString::fromUtf8(r.err);
    QVERIFY2(r.finished, qPrintable(err));
    QCOMPARE(r.code, 12);
    QVERIFY2(err.startsWith(QStringLiteral("error: unexpected answer from the server: the reply "
                                           "is too large")),
             qPrintable(err));
    QVERIFY(r.out.isEmpty());
    qInfo("capsule configs: peak RSS %lld KiB", peakKb);
    QVERIFY2(peakKb > 0 && peakKb < kMaxGrowthKb + 100 * 1024,
             qPrintable(QStringLiteral("peak RSS %1 KiB").arg(peakKb)));
}

// "Billion laughs": nine levels of nine aliases would expand to 387 million values.
void TestSecClient::yamlAliasBomb()
{
    QByteArray yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 9; ++i) {
        yaml += QStringLiteral("a%1: &a%1 [").arg(i).toUtf8();
        for (int j = 0; j < 9; ++j)
            yaml += QStringLiteral("%1*a%2")
                        .arg(j ? QStringLiteral(", ") : QString())
                        .arg(i - 1)
                        .toUtf8();
        yaml += "]\n";
    }
    yaml += "workload:\n  display_name: bomb\n  layers: *a9\n";
    const qint64 before = selfRssKb();
    QElapsedTimer clock;
    clock.start();
    Error error;
    QVERIFY(parseOnboard(QString::fromUtf8(yaml), {}, &error).isEmpty());
    QVERIFY2(error.message.contains(QStringLiteral("expands to more than")),
             qPrintable(error.message));
    QVERIFY2(clock.elapsed() < 20000, "took too long");
    QVERIFY(selfPeakKb() - before < kMaxGrowthKb);
}

void TestSecClient::yamlRecursiveAlias()
{
    for (const char *text : {"workload: &w\n  display_name: loop\n  layers: [*w]\n",
                             "x: &x\n  <<: *x\n  a: 1\nworkload: {display_name: loop}\n"}) {
        Error error;
        QVERIFY(parseOnboard(QString::fromUtf8(text), {}, &error).isEmpty());
        QVERIFY2(error.message.contains(QStringLiteral("contains it")), qPrintable(error.message));
    }
}

QTEST_GUILESS_MAIN(TestSecClient)
#include "tst_sec_client.moc"
