// The client's typed states (core/states.h): every wire word maps to its enum and back, words
// this client does not know map to Unknown (never to a real state), and the groups the app and
// the CLI decide by (up, starting, paused, end of a ready wait, build in flight, failure) hold
// exactly the states the contract puts in them.
#include "core/models.h"
#include "core/states.h"

#include <QMetaEnum>
#include <QtTest>

using namespace capsule;

class TestClientStates : public QObject
{
    Q_OBJECT

    template<typename E>
    static QList<E> all()
    {
        const QMetaEnum meta = QMetaEnum::fromType<E>();
        QList<E> out;
        for (int i = 0; i < meta.keyCount(); ++i)
            out << E(meta.value(i));
        return out;
    }

private slots:
    void runnerWordsRoundTrip()
    {
        for (RunnerState s : all<RunnerState>()) {
            const QString word = toWire(s);
            if (s == RunnerState::Unknown) {
                QVERIFY(word.isEmpty());
                continue;
            }
            QVERIFY2(!word.isEmpty(), QMetaEnum::fromType<RunnerState>().valueToKey(int(s)));
            QCOMPARE(runnerStateFromWire(word), s);
        }
        QCOMPARE(runnerStateFromWire("busy"), RunnerState::Busy);
        QCOMPARE(runnerStateFromWire("suspended"), RunnerState::Suspended);
        QCOMPARE(runnerStateFromWire("hibernating"), RunnerState::Unknown);
        QCOMPARE(runnerStateFromWire("Busy"), RunnerState::Unknown); // the wire is lower case
        QCOMPARE(runnerStateFromWire(""), RunnerState::Unknown);
    }

    void layerAndBuildWordsRoundTrip()
    {
        for (LayerState s : all<LayerState>())
            if (s != LayerState::Unknown)
                QCOMPARE(layerStateFromWire(toWire(s)), s);
        for (BuildState s : all<BuildState>())
            if (s != BuildState::Unknown && s != BuildState::None)
                QCOMPARE(buildStateFromWire(toWire(s)), s);
        QCOMPARE(layerStateFromWire("unknown"), LayerState::Unknown);
        QCOMPARE(buildStateFromWire(""), BuildState::None); // no build in flight
        QCOMPARE(buildStateFromWire("exploded"), BuildState::Unknown);
        QCOMPARE(toWire(BuildState::WaitingParent), QStringLiteral("waiting_parent"));
        QCOMPARE(buildRequestStateFromWire("build_enqueued"), BuildRequestState::Enqueued);
        QCOMPARE(buildRequestStateFromWire("refresh_enqueued"), BuildRequestState::Enqueued);
        QCOMPARE(buildRequestStateFromWire("no_build_needed"), BuildRequestState::NotNeeded);
        QCOMPARE(buildRequestStateFromWire("no_refresh_needed"), BuildRequestState::NotNeeded);
        QCOMPARE(buildRequestStateFromWire("maybe"), BuildRequestState::Unknown);
    }

    void groupsHoldExactlyTheirStates()
    {
        QList<RunnerState> up, starting, paused, endsWait;
        for (RunnerState s : all<RunnerState>()) {
            if (isUp(s))
                up << s;
            if (isStarting(s))
                starting << s;
            if (isPaused(s))
                paused << s;
            if (endsReadyWait(s))
                endsWait << s;
        }
        using R = RunnerState;
        QCOMPARE(up, (QList<R>{R::Ready, R::Idle, R::Busy, R::Running}));
        QCOMPARE(starting, (QList<R>{R::Cold, R::Booting, R::Initializing, R::Pending}));
        QCOMPARE(paused, (QList<R>{R::Paused, R::Suspended}));
        // The SDK's wait_ready stops on exactly these (contract 8).
        QCOMPARE(endsWait, (QList<R>{R::Paused, R::Suspended, R::Quarantined, R::Terminated,
                                     R::Unavailable}));

        QList<BuildState> inFlight, failures;
        for (BuildState s : all<BuildState>()) {
            if (isInFlight(s))
                inFlight << s;
            if (isFailure(s))
                failures << s;
        }
        using B = BuildState;
        QCOMPARE(inFlight, (QList<B>{B::Queued, B::WaitingParent, B::Running}));
        QCOMPARE(failures, (QList<B>{B::Failed, B::Cancelled}));
    }

    // The models answer in enums, computed from the reply's own word.
    void modelsAnswerTyped()
    {
        const RunnerStatus status = RunnerStatus::fromJson(
            QJsonObject{{"runner_id", "r1"}, {"status", "ready"}, {"host_address", "1.2.3.4:5"}});
        QVERIFY(status.isReady());
        QCOMPARE(status.state(), RunnerState::Ready);
        const LayerStatus layer = LayerStatus::fromJson(QJsonObject{{"name", "main"},
                                                                    {"layer_hash", "h"},
                                                                    {"status", "active"},
                                                                    {"build_status", "queued"}});
        QCOMPARE(layer.state(), LayerState::Active);
        QCOMPARE(layer.buildState(), BuildState::Queued);
        const BuildReply reply = BuildReply::fromJson(
            QJsonObject{{"config_id", "c"}, {"status", "no_build_needed"}, {"enqueued", 0}});
        QCOMPARE(reply.state(), BuildRequestState::NotNeeded);
    }
};

QTEST_GUILESS_MAIN(TestClientStates)
#include "tst_clientstates.moc"
