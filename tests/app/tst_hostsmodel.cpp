// The Hosts view's model against a real capsule-local with two hosts: structure checked by
// QAbstractItemModelTester, versions and convergence from the fleet route.
#include "app/hosts/hostsmodel.h"
#include "app/hosts/hostsview.h"

#include "core/blocking.h"
#include "core/client.h"
#include "support/localserver.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace capsule;
using namespace capsule::app;

namespace {

QJsonObject oneLayer(const QString &name)
{
    return {
        {QStringLiteral("display_name"), name},
        {QStringLiteral("layers"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("main")},
             {QStringLiteral("init_commands"),
              QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("shell")},
                                     {QStringLiteral("args"), QJsonArray{QStringLiteral("true")}},
                                     {QStringLiteral("run_as_root"), true}}}}}}}};
}

} // namespace

class TestHostsModel final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void hostsWithWorkloadVersions();
    void rebuildShowsConvergingHostWithoutReset();
    void failedRefreshIsReported();

private:
    QString leafVersion() const;
    test::LocalServer m_server;
    std::unique_ptr<Client> m_client;
    QString m_key;
};

void TestHostsModel::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({QStringLiteral("--hosts"), QStringLiteral("2")}, &error),
             qPrintable(error));
    m_key = m_server.createAndBuild(oneLayer(QStringLiteral("hosts-view")), &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error));
    m_client = std::make_unique<Client>(m_server.clientSettings());
}

QString TestHostsModel::leafVersion() const
{
    const auto layers = m_server.get(QStringLiteral("/api/v1/layered-configs/hosts-view"))
                            .json()
                            .value(QStringLiteral("layers"))
                            .toArray();
    const QJsonObject leaf = layers.last().toObject();
    return leaf.contains(QStringLiteral("build_status"))
               ? QString()
               : leaf.value(QStringLiteral("current_version")).toString();
}

void TestHostsModel::hostsWithWorkloadVersions()
{
    HostsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy refreshed(&model, &HostsModel::refreshed);
    model.setClient(m_client.get());
    QVERIFY(refreshed.wait(30000));
    QCOMPARE(model.rowCount(), 2);
    const QString version = leafVersion();
    for (int row = 0; row < 2; ++row) {
        const QModelIndex host = model.index(row, HostsModel::NameColumn);
        QCOMPARE(host.data().toString(), QStringLiteral("capsule-local-%1").arg(row));
        QCOMPARE(model.index(row, HostsModel::StateColumn).data().toString(),
                 QStringLiteral("ready"));
        QVERIFY(m_server.hostAddresses().contains(
            model.index(row, HostsModel::AddressColumn).data().toString()));
        QCOMPARE(model.rowCount(host), 1);
        const QModelIndex workload = model.index(0, HostsModel::NameColumn, host);
        QCOMPARE(workload.data().toString(), QStringLiteral("hosts-view"));
        QCOMPARE(workload.data(HostsModel::WorkloadKeyRole).toString(), m_key);
        QCOMPARE(model.index(0, HostsModel::DesiredColumn, host).data().toString(), version);
        QCOMPARE(model.index(0, HostsModel::CurrentColumn, host).data().toString(), version);
        QCOMPARE(model.index(0, HostsModel::ConvergedColumn, host).data().toString(),
                 QStringLiteral("converged"));
        QCOMPARE(model.index(row, HostsModel::ConvergedColumn).data().toString(),
                 QStringLiteral("1 of 1 workloads"));
    }
}

void TestHostsModel::rebuildShowsConvergingHostWithoutReset()
{
    HostsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy refreshed(&model, &HostsModel::refreshed);
    model.setClient(m_client.get());
    QVERIFY(refreshed.wait(30000));
    const QString v1 = leafVersion();

    // A runner on one host keeps the old build while a forced rebuild makes a new one desired.
    auto *alloc = m_client->runners()->allocate(m_key);
    QVERIFY(waitFor(alloc, 60000));
    QVERIFY2(!alloc->hasError(), qPrintable(alloc->error().toString()));
    const AllocateReply runner = alloc->result();
    QCOMPARE(
        m_server
            .request("POST", QStringLiteral("/api/v1/layered-configs/hosts-view/build?force=true"))
            .status,
        202);
    QTRY_VERIFY_WITH_TIMEOUT(!leafVersion().isEmpty() && leafVersion() != v1, 120000);
    const QString v2 = leafVersion();

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
    refreshed.clear();
    model.refresh();
    QVERIFY(refreshed.wait(30000));
    QCOMPARE(resets.count(), 0); // same hosts and workloads: rows updated in place
    QVERIFY(changes.count() >= 2);
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex host = model.index(row, 0);
        const bool hasRunner = host.data(HostsModel::HostIdRole).toString() == runner.hostId;
        QCOMPARE(model.index(0, HostsModel::DesiredColumn, host).data().toString(), v2);
        QCOMPARE(model.index(0, HostsModel::CurrentColumn, host).data().toString(),
                 hasRunner ? v1 : v2);
        QCOMPARE(model.index(0, HostsModel::ConvergedColumn, host).data().toString(),
                 hasRunner ? QStringLiteral("converging") : QStringLiteral("converged"));
        QCOMPARE(model.index(row, HostsModel::RunnersColumn).data().toInt(), hasRunner ? 1 : 0);
    }
    auto *release = m_client->runners()->release(runner.runnerId);
    QVERIFY(waitFor(release, 30000));
}

void TestHostsModel::failedRefreshIsReported()
{
    Settings settings = m_server.clientSettings();
    settings.token = QStringLiteral("wrong-token");
    Client client(settings);
    HostsModel model;
    QSignalSpy failed(&model, &HostsModel::refreshFailed);
    model.setClient(&client);
    QVERIFY(failed.wait(30000));
    QVERIFY2(failed.first().first().toString().contains(QLatin1String("401")),
             qPrintable(failed.first().first().toString()));
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TestHostsModel)
#include "tst_hostsmodel.moc"
