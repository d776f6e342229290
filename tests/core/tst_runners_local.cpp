// The runner lifecycle through the client against a real capsule-local: onboard and build,
// allocate-ready by name, status/list/connect, pause and resume, quarantine, release.
#include "core/blocking.h"
#include "core/client.h"
#include "core/runnerconfig.h"
#include "support/localserver.h"

#include <QtTest>

using namespace capsule;
using capsule::test::LocalServer;

class TestRunnersLocal final : public QObject
{
    Q_OBJECT

private:
    LocalServer m_local;
    std::unique_ptr<Client> m_client;
    WorkloadSummary m_workload;

    template<class J>
    static bool finish(J *job)
    {
        return waitFor(job, 60000);
    }
    bool buildFinished()
    {
        auto *get = m_client->configs()->get(m_workload.configId);
        return finish(get) && !get->hasError() && get->result().buildFinished();
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_local.start({}, &error), qPrintable(error));
        Settings s = m_local.clientSettings();
        m_client = std::make_unique<Client>(s);
        auto *onboard =
            m_client->workloads()->onboard(RunnerConfig(QStringLiteral("lifecycle"))
                                               .withCommands(QStringList{QStringLiteral("true")}));
        QVERIFY(finish(onboard));
        QVERIFY2(!onboard->hasError(), qPrintable(onboard->error().toString()));
        m_workload = onboard->result();
        QTRY_VERIFY_WITH_TIMEOUT(buildFinished(), 60000);
    }

    void buildListIsOfferedLocally()
    {
        auto *builds = m_client->configs()->builds(m_workload.configId);
        QVERIFY(finish(builds));
        QVERIFY2(!builds->hasError(), qPrintable(builds->error().toString()));
        QVERIFY(builds->result().offered);
        QVERIFY(!builds->result().builds.isEmpty());
        const BuildInfo b = builds->result().builds.last();
        QCOMPARE(b.layerName, QStringLiteral("main"));
        QCOMPARE(b.exitCode.value_or(-1), 0);
        auto *log = m_client->configs()->buildLog(m_workload.configId, b.version);
        QVERIFY(finish(log));
        QVERIFY2(!log->hasError(), qPrintable(log->error().toString()));
        QVERIFY(log->result().offered);
    }

    void lifecycle()
    {
        Runners *runners = m_client->runners();
        AllocateOptions o;
        o.labels = {{QStringLiteral("purpose"), QStringLiteral("test")}};
        o.requestId = QStringLiteral("lifecycle-req-1");
        auto *allocated = runners->allocateReady(QStringLiteral("lifecycle"), o);
        QVERIFY(finish(allocated));
        QVERIFY2(!allocated->hasError(), qPrintable(allocated->error().toString()));
        const AllocateReply a = allocated->result();
        QVERIFY(!a.runnerId.isEmpty());
        QVERIFY(!a.sessionId.isEmpty());
        QCOMPARE(a.requestId, QStringLiteral("lifecycle-req-1"));
        QCOMPARE(m_client->hostResolver()->cachedHost(a.runnerId), a.hostAddress);
        QVERIFY(m_local.hostAddresses().contains(a.hostAddress));

        // Idempotency: the same request id returns the same runner.
        auto *again = runners->allocate(QStringLiteral("lifecycle"), o);
        QVERIFY(finish(again));
        QVERIFY2(!again->hasError(), qPrintable(again->error().toString()));
        QCOMPARE(again->result().runnerId, a.runnerId);

        auto *status = runners->status(a.runnerId);
        QVERIFY(finish(status));
        QVERIFY(status->result().isReady());

        auto *list = runners->list();
        QVERIFY(finish(list));
        bool found = false;
        for (const RunnerInfo &r : list->result().runners) {
            if (r.runnerId == a.runnerId) {
                found = true;
                QCOMPARE(r.workloadKey, m_workload.workloadKey);
                QVERIFY(!r.hostName.isEmpty());
            }
        }
        QVERIFY(found);

        auto *resolved = m_client->hostResolver()->resolveHost(a.runnerId);
        QVERIFY(finish(resolved));
        QVERIFY2(!resolved->hasError(), qPrintable(resolved->error().toString()));
        QCOMPARE(resolved->result(), a.hostAddress);

        auto *q = runners->quarantine(a.runnerId, QStringLiteral("test"), false, false);
        QVERIFY(finish(q));
        QVERIFY2(!q->hasError(), qPrintable(q->error().toString()));
        QVERIFY(q->result().raw.contains(QStringLiteral("success")));
        auto *u = runners->unquarantine(a.runnerId);
        QVERIFY(finish(u));
        QVERIFY2(!u->hasError(), qPrintable(u->error().toString()));

        auto *pause = runners->pause(a.runnerId);
        QVERIFY(finish(pause));
        QVERIFY2(!pause->hasError(), qPrintable(pause->error().toString()));
        QVERIFY(pause->result().success);
        const QString session = pause->result().sessionId;
        QVERIFY(!session.isEmpty());
        auto *suspended = runners->waitReady(a.runnerId, 10);
        QVERIFY(finish(suspended));
        QCOMPARE(suspended->error().kind, ErrorKind::RunnerUnavailable);
        QCOMPARE(suspended->error().runnerStatus, QStringLiteral("suspended"));

        auto *resumed = runners->resume(QStringLiteral("lifecycle"), session);
        QVERIFY(finish(resumed));
        QVERIFY2(!resumed->hasError(), qPrintable(resumed->error().toString()));
        QCOMPARE(resumed->result().runnerId, a.runnerId); // the original runner id
        QVERIFY(resumed->result().resumed);
        auto *ready = runners->waitReady(a.runnerId, 30);
        QVERIFY(finish(ready));
        QVERIFY2(!ready->hasError(), qPrintable(ready->error().toString()));

        auto *release = runners->release(a.runnerId);
        QVERIFY(finish(release));
        QVERIFY(release->result().success);
        QVERIFY(m_client->hostResolver()->cachedHost(a.runnerId).isEmpty());
        auto *releaseAgain = runners->release(a.runnerId);
        QVERIFY(finish(releaseAgain));
        QVERIFY(releaseAgain->result().success);
        auto *gone = runners->status(a.runnerId);
        QVERIFY(finish(gone));
        QCOMPARE(gone->error().kind, ErrorKind::NotFound);
    }

    void unknownWorkloadIsNotFound()
    {
        auto *job = m_client->runners()->allocate(QStringLiteral("no-such-workload"));
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::NotFound);
        QVERIFY2(job->error().message.contains(QStringLiteral("no-such-workload")),
                 qPrintable(job->error().message));
    }
};

QTEST_GUILESS_MAIN(TestRunnersLocal)
#include "tst_runners_local.moc"
