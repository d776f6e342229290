// WorkloadsModel / RunnersModel without a server: row sync signals, status text, model sanity;
// the layer progress bar of a building workload; the Snapshots view's per-workload filter.
#include "app/runners/runnersmodel.h"
#include "app/snapshots/snapshotsview.h"
#include "app/workloads/layerprogressdelegate.h"
#include "app/workloads/workloadsmodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QImage>
#include <QJsonArray>
#include <QPainter>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTest>

using namespace capsule::app;

namespace {

WorkloadRow makeRow(const QString &id, const QString &tier = QStringLiteral("m"))
{
    WorkloadRow r;
    r.key = id;
    r.name = id;
    r.workloadKey = QStringLiteral("k-") + id;
    r.tier = tier;
    r.status = QStringLiteral("not built");
    return r;
}

QJsonObject layer(const QString &name, const QString &status, const QString &version = {},
                  const QString &build = {})
{
    QJsonObject o{{QStringLiteral("name"), name}, {QStringLiteral("status"), status}};
    if (!version.isEmpty())
        o.insert(QStringLiteral("current_version"), version);
    if (!build.isEmpty())
        o.insert(QStringLiteral("build_status"), build);
    return o;
}

} // namespace

class TestWorkloadsModel final : public QObject
{
    Q_OBJECT
private slots:
    void changedCellOnlyEmitsDataChanged()
    {
        WorkloadsModel model;
        model.setRefreshInterval(0);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows({makeRow("alpha"), makeRow("beta"), makeRow("gamma")});
        QCOMPARE(model.rowCount(), 3);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setRows({makeRow("alpha"), makeRow("beta", QStringLiteral("xl")), makeRow("gamma")});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(removed.size(), 0);
        QCOMPARE(reset.size(), 0);
        const QModelIndex topLeft = changed.at(0).at(0).value<QModelIndex>();
        const QModelIndex bottomRight = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(topLeft.row(), 1);
        QCOMPARE(bottomRight.row(), 1);
        QCOMPARE(topLeft.column(), int(WorkloadsModel::TierColumn));
        QCOMPARE(bottomRight.column(), int(WorkloadsModel::TierColumn));
        QCOMPARE(model.index(1, WorkloadsModel::TierColumn).data().toString(),
                 QStringLiteral("xl"));

        // Identical data: no signal at all.
        changed.clear();
        model.setRows({makeRow("alpha"), makeRow("beta", QStringLiteral("xl")), makeRow("gamma")});
        QCOMPARE(changed.size(), 0);
    }

    void insertAndRemoveInPlace()
    {
        WorkloadsModel model;
        model.setRefreshInterval(0);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setRows({makeRow("alpha"), makeRow("gamma")});
        QPersistentModelIndex gamma = model.index(1, 0);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.setRows({makeRow("beta"), makeRow("gamma"), makeRow("zeta")});
        QCOMPARE(removed.size(), 1);
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(gamma.isValid());
        QCOMPARE(gamma.data().toString(), QStringLiteral("gamma"));
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("beta"));
        QCOMPARE(model.index(2, 0).data().toString(), QStringLiteral("zeta"));
        model.setRows({});
        QCOMPARE(model.rowCount(), 0);
    }

    void statusText_data()
    {
        QTest::addColumn<QJsonArray>("layers");
        QTest::addColumn<QString>("status");
        QTest::addColumn<bool>("building");
        QTest::newRow("no layers") << QJsonArray{} << "no layers" << false;
        QTest::newRow("pending") << QJsonArray{layer("_platform", "active", "v1"),
                                               layer("main", "pending")}
                                 << "not built, 1/2 layers active" << false;
        QTest::newRow("building") << QJsonArray{layer("_platform", "active", "v1"),
                                                layer("main", "pending", {}, "running")}
                                  << "building, 1/2 layers active" << true;
        QTest::newRow("ready") << QJsonArray{layer("main", "active", "v20260402-1")}
                               << "ready, v20260402-1" << false;
    }

    void statusText()
    {
        QFETCH(QJsonArray, layers);
        QFETCH(QString, status);
        QFETCH(bool, building);
        const QJsonObject stored{
            {QStringLiteral("config_id"), QStringLiteral("web")},
            {QStringLiteral("display_name"), QStringLiteral("web")},
            {QStringLiteral("leaf_workload_key"), QStringLiteral("abcd")},
            {QStringLiteral("tier"), QStringLiteral("s")},
            {QStringLiteral("updated_at"), QStringLiteral("2026-04-02T10:15:30.123456789Z")}};
        // Through the core parsers, as the model gets them from configs()->get().
        QList<capsule::LayerStatus> typed;
        for (const QJsonValue &v : layers)
            typed.append(capsule::LayerStatus::fromJson(v.toObject()));
        const WorkloadRow row =
            WorkloadsModel::rowFrom(capsule::StoredConfig::fromJson(stored), typed, true);
        QCOMPARE(row.status, status);
        QCOMPARE(row.building, building);
        QCOMPARE(row.workloadKey, QStringLiteral("abcd"));
        QVERIFY(row.updated.isValid());
    }

    void runnersKeepPausedSessions()
    {
        RunnersModel model;
        model.setRefreshInterval(0);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.noteAllocated(capsule::AllocateReply::fromJson(
                                {{QStringLiteral("runner_id"), QStringLiteral("r-1")},
                                 {QStringLiteral("session_id"), QStringLiteral("s-1")},
                                 {QStringLiteral("host_address"), QStringLiteral("127.0.0.1:1")}}),
                            QStringLiteral("key1"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, RunnersModel::SessionColumn).data().toString(),
                 QStringLiteral("s-1"));
        model.notePaused(QStringLiteral("r-1"), QStringLiteral("s-2"));
        model.noteReleased(QStringLiteral("r-1-other"));
        // The server no longer lists it, but the paused session stays resumable.
        QCOMPARE(model.rowCount(), 1);
        QVERIFY(model.index(0, 0).data(RunnersModel::SuspendedRole).toBool());
        QCOMPARE(model.index(0, 0).data(RunnersModel::SessionRole).toString(),
                 QStringLiteral("s-2"));
        model.noteReleased(QStringLiteral("r-1"));
        QCOMPARE(model.rowCount(), 0);
    }

    void layerProgressBarWhileBuilding()
    {
        QList<capsule::LayerStatus> layers;
        for (const QJsonObject &o : {layer("_platform", "active", "v1"), layer("deps", "pending"),
                                     layer("main", "pending", {}, "waiting_parent")})
            layers.append(capsule::LayerStatus::fromJson(o));
        const capsule::StoredConfig stored = capsule::StoredConfig::fromJson(
            {{QStringLiteral("config_id"), QStringLiteral("web")},
             {QStringLiteral("display_name"), QStringLiteral("web")}});
        WorkloadsModel model;
        model.setRefreshInterval(0);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        WorkloadRow building = WorkloadsModel::rowFrom(stored, layers, true);
        WorkloadRow ready = makeRow(QStringLiteral("ready"));
        ready.layersActive = ready.layersTotal = 2;
        model.setRows({building, ready});
        const QModelIndex cell = model.index(0, WorkloadsModel::StatusColumn);
        QCOMPARE(cell.data(WorkloadsModel::LayerProgressRole).toPoint(), QPoint(1, 3));
        QString text;
        int percent = -1;
        QVERIFY(LayerProgressDelegate::progressFor(cell, &text, &percent));
        QCOMPARE(text, QStringLiteral("building: 1/3 layers"));
        QCOMPARE(percent, 50); // one of three done, the second half way
        QVERIFY(!LayerProgressDelegate::progressFor(model.index(1, WorkloadsModel::StatusColumn),
                                                    &text, &percent));

        // Drawn: the bar's filled start differs from its empty end; a ready row has no bar.
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        LayerProgressDelegate delegate;
        auto render = [&delegate](const QModelIndex &index) {
            QImage image(300, 24, QImage::Format_ARGB32);
            image.fill(Qt::white);
            QPainter painter(&image);
            QStyleOptionViewItem option;
            option.rect = image.rect();
            option.palette = QApplication::palette();
            option.fontMetrics = QFontMetrics(QApplication::font());
            option.state = QStyle::State_Enabled;
            delegate.paint(&painter, option, index);
            return image;
        };
        const QImage bar = render(cell);
        QVERIFY(bar.pixel(12, 12) != bar.pixel(288, 12));
        const QImage plain = render(model.index(1, WorkloadsModel::StatusColumn));
        QCOMPARE(plain.pixel(12, 12), plain.pixel(288, 12));
    }

    void snapshotsGroupedByWorkload()
    {
        auto snap = [](const QString &version, const QString &key) {
            return QJsonObject{{QStringLiteral("Version"), version},
                               {QStringLiteral("Status"), QStringLiteral("ready")},
                               {QStringLiteral("SizeBytes"), 1024},
                               {QStringLiteral("WorkloadKey"), key}};
        };
        const capsule::SnapshotList list = capsule::SnapshotList::fromJson(
            {{QStringLiteral("snapshots"),
              QJsonArray{snap(QStringLiteral("s1"), QStringLiteral("key-a")),
                         snap(QStringLiteral("s2"), QStringLiteral("key-b")),
                         snap(QStringLiteral("s3"), QStringLiteral("key-a"))}},
             {QStringLiteral("count"), 3}});
        QCOMPARE(list.snapshots.value(1).workloadKey, QStringLiteral("key-b"));
        SnapshotsView view(nullptr);
        QAbstractItemModelTester tester(view.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.model()->setList(list);
        view.setNameLookup([](const QString &key) {
            return key == QLatin1String("key-a") ? QStringLiteral("alpha") : QString();
        });
        QCOMPARE(view.model()->index(0, SnapshotsModel::WorkloadColumn).data().toString(),
                 QStringLiteral("alpha (key-a)"));
        QCOMPARE(view.model()->index(1, SnapshotsModel::WorkloadColumn).data().toString(),
                 QStringLiteral("key-b"));
        auto *combo = view.findChild<QComboBox *>(QStringLiteral("snapshotsWorkloadFilter"));
        QVERIFY(combo);
        QCOMPARE(combo->count(), 3); // All workloads, key-a, key-b
        QCOMPARE(combo->itemText(1), QStringLiteral("alpha (key-a)"));
        QCOMPARE(view.visibleRows(), 3);
        QVERIFY(view.setWorkloadFilter(QStringLiteral("key-a")));
        QCOMPARE(view.visibleRows(), 2);
        QVERIFY(view.setWorkloadFilter(QStringLiteral("key-b")));
        QCOMPARE(view.visibleRows(), 1);
        QVERIFY(!view.setWorkloadFilter(QStringLiteral("key-c")));
        QCOMPARE(view.workloadFilter(), QStringLiteral("key-b"));
        // A refresh without that workload's snapshots keeps the choice (and shows nothing).
        capsule::SnapshotList fewer = list;
        fewer.snapshots.removeAt(1);
        view.model()->setList(fewer);
        view.setNameLookup({});
        QCOMPARE(view.workloadFilter(), QStringLiteral("key-b"));
        QCOMPARE(view.visibleRows(), 0);
        QVERIFY(view.setWorkloadFilter(QString()));
        QCOMPARE(view.visibleRows(), 2);
    }

    void ageText()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QCOMPARE(RunnersModel::ageText(now.addSecs(-10), now), QStringLiteral("< 1 min"));
        QCOMPARE(RunnersModel::ageText(now.addSecs(-5 * 60 - 3), now), QStringLiteral("5 min"));
        QCOMPARE(RunnersModel::ageText(now.addSecs(-(2 * 3600 + 60)), now),
                 QStringLiteral("2 h 1 min"));
    }
};

QTEST_MAIN(TestWorkloadsModel)
#include "tst_workloadsmodel.moc"
