// The typed states of capsule-local and their wire strings (src/local/states.h): every value maps
// to exactly the contract's string and back; unknown strings map to nothing.
#include "local/states.h"

#include <QtTest>

using namespace capsule::local;

class TestStates : public QObject
{
    Q_OBJECT
private slots:
    void runnerStates();
    void layerStatuses();
    void buildStatuses();
    void predicates();
};

void TestStates::runnerStates()
{
    const QList<std::pair<RunnerState, QString>> expected{
        {RunnerState::Booting, QStringLiteral("booting")},
        {RunnerState::Busy, QStringLiteral("busy")},
        {RunnerState::Pausing, QStringLiteral("pausing")},
        {RunnerState::Suspended, QStringLiteral("suspended")},
        {RunnerState::Quarantined, QStringLiteral("quarantined")},
        {RunnerState::Terminated, QStringLiteral("terminated")}};
    for (const auto &[state, text] : expected) {
        QCOMPARE(toWire(state), text);
        QCOMPARE(runnerStateFromWire(text), std::optional<RunnerState>(state));
    }
    QVERIFY(!runnerStateFromWire(QStringLiteral("ready")).has_value()); // a status, not a state
    QVERIFY(!runnerStateFromWire(QStringLiteral("Busy")).has_value());  // exact, case-sensitive
    QVERIFY(!runnerStateFromWire(QString()).has_value());
}

void TestStates::layerStatuses()
{
    const QList<std::pair<LayerStatus, QString>> expected{
        {LayerStatus::Pending, QStringLiteral("pending")},
        {LayerStatus::Active, QStringLiteral("active")},
        {LayerStatus::Inactive, QStringLiteral("inactive")}};
    for (const auto &[status, text] : expected) {
        QCOMPARE(toWire(status), text);
        QCOMPARE(layerStatusFromWire(text), std::optional<LayerStatus>(status));
    }
    QVERIFY(!layerStatusFromWire(QStringLiteral("unknown")).has_value());
}

void TestStates::buildStatuses()
{
    const QList<std::pair<BuildStatus, QString>> expected{
        {BuildStatus::Queued, QStringLiteral("queued")},
        {BuildStatus::WaitingParent, QStringLiteral("waiting_parent")},
        {BuildStatus::Running, QStringLiteral("running")},
        {BuildStatus::Succeeded, QStringLiteral("succeeded")},
        {BuildStatus::Failed, QStringLiteral("failed")},
        {BuildStatus::Cancelled, QStringLiteral("cancelled")}};
    for (const auto &[status, text] : expected) {
        QCOMPARE(toWire(status), text);
        QCOMPARE(buildStatusFromWire(text), std::optional<BuildStatus>(status));
    }
    QVERIFY(!buildStatusFromWire(QStringLiteral("waiting-parent")).has_value());
    QVERIFY(!buildStatusFromWire(QStringLiteral("canceled")).has_value());
}

void TestStates::predicates()
{
    QVERIFY(isLive(RunnerState::Booting));
    QVERIFY(isLive(RunnerState::Busy));
    QVERIFY(isLive(RunnerState::Pausing));
    QVERIFY(isLive(RunnerState::Quarantined));
    QVERIFY(!isLive(RunnerState::Suspended));
    QVERIFY(!isLive(RunnerState::Terminated));
    QVERIFY(isInFlight(BuildStatus::Queued));
    QVERIFY(isInFlight(BuildStatus::WaitingParent));
    QVERIFY(isInFlight(BuildStatus::Running));
    QVERIFY(!isInFlight(BuildStatus::Succeeded));
    QVERIFY(!isInFlight(BuildStatus::Failed));
    QVERIFY(!isInFlight(BuildStatus::Cancelled));
}

QTEST_GUILESS_MAIN(TestStates)
#include "tst_states.moc"
