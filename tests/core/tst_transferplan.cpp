// The transfer plan without I/O: task lists of files and trees, resume offsets, the folders and
// files the runner's user creates, the remote digest parser, and the stage names.
#include "core/files.h"
#include "core/transfer/remotehasher.h"
#include "core/transfer/transferplan.h"
#include "core/transfer/transfertypes.h"

#include <QMetaEnum>
#include <QtTest>

using namespace capsule;

namespace {

FileInfo entry(const QString &path, bool dir, qint64 size = 0)
{
    FileInfo f;
    f.path = path;
    f.name = path.mid(path.lastIndexOf('/') + 1);
    f.isDir = dir;
    f.size = size;
    f.exists = true;
    return f;
}

} // namespace

class TestTransferPlan : public QObject
{
    Q_OBJECT
private slots:
    void uploadFileIsOneTask()
    {
        const TransferPlan p =
            TransferPlan::uploadFile("/home/u/a.txt", "/workspace/a.txt.part", 7);
        QCOMPARE(p.tasks.size(), 1);
        QCOMPARE(p.tasks[0].rel, QString());
        QCOMPARE(p.tasks[0].local, QString("/home/u/a.txt"));
        QCOMPARE(p.tasks[0].remote, QString("/workspace/a.txt.part"));
        QCOMPARE(p.tasks[0].displayName, QString("a.txt"));
        QCOMPARE(p.totalBytes(), 7);
        QVERIFY(p.emptyFolders().isEmpty());
    }

    void uploadTreeSortsAndFindsEmptyFolders()
    {
        const QList<LocalTreeEntry> tree{{"z.txt", false, 3},   {"sub", true, 0},
                                         {"sub/deep", true, 0}, {"sub/deep/x", false, 5},
                                         {"empty", true, 0},    {"sub/emptier", true, 0},
                                         {".hidden", false, 1}};
        const TransferPlan p = TransferPlan::uploadTree("/l", "/w/t.capsule-part", tree);
        QStringList rels;
        for (const TransferTask &t : p.tasks)
            rels << t.rel;
        QCOMPARE(rels, QStringList({".hidden", "sub/deep/x", "z.txt"}));
        QCOMPARE(p.tasks[1].local, QString("/l/sub/deep/x"));
        QCOMPARE(p.tasks[1].remote, QString("/w/t.capsule-part/sub/deep/x"));
        QCOMPARE(p.totalBytes(), 9);
        QStringList empty = p.emptyFolders();
        empty.sort();
        QCOMPARE(empty, QStringList({"empty", "sub/emptier"}));
    }

    void emptyTreeCreatesTheStagingFolder()
    {
        const TransferPlan p = TransferPlan::uploadTree("/l", "/w/t.capsule-part", {});
        QCOMPARE(p.emptyFolders(), QStringList{QString()});
    }

    void resumeOffsetsFromPartials()
    {
        TransferPlan p = TransferPlan::uploadTree(
            "/l", "/w/p", {{"a", false, 10}, {"b", false, 10}, {"c", false, 10}, {"d", false, 0}});
        // a: half there; b: complete; c: larger than the source (not a partial of it); d: empty.
        const bool resumed = p.applyPartials({{"a", 5}, {"b", 10}, {"c", 11}, {"d", 0}});
        QVERIFY(resumed);
        QCOMPARE(p.tasks[0].offset, 5);
        QVERIFY(p.tasks[0].existed);
        QCOMPARE(p.tasks[1].offset, 10);
        QCOMPARE(p.tasks[2].offset, 0);
        QVERIFY(!p.tasks[2].existed);
        QCOMPARE(p.tasks[3].offset, 0);
        QVERIFY(p.tasks[3].existed);
        // Files already there are not created again by the runner's user.
        QCOMPARE(p.ownedFiles(), QStringList{"/w/p/c"});

        TransferPlan none = TransferPlan::uploadFile("/l/f", "/w/f.part", 4);
        QVERIFY(!none.applyPartials({{QString(), 0}})); // an empty partial is no resume
        QVERIFY(none.tasks[0].existed);
    }

    void ownedFoldersListEachFolderOnce()
    {
        const TransferPlan p = TransferPlan::uploadTree(
            "/l", "/w/t.capsule-part",
            {{"a", true, 0}, {"a/1", false, 1}, {"a/2", false, 1}, {"e", true, 0}});
        QCOMPARE(
            p.ownedFolders("/w/t", "/w/t.capsule-part", true),
            QStringList({"/w", "/w/t.capsule-part", "/w/t.capsule-part/a", "/w/t.capsule-part/e"}));
        const TransferPlan f = TransferPlan::uploadFile("/l/x", "/w/x.capsule-part", 1);
        QCOMPARE(f.ownedFolders("/w/x", "/w/x.capsule-part", false), QStringList{"/w"});
    }

    void downloadTreeFromListing()
    {
        ListResult l;
        l.entries << entry("/workspace/real", true) << entry("/workspace/real/a", false, 3)
                  << entry("/workspace/real/d", true) << entry("/workspace/real/d/b", false, 4)
                  << entry("/elsewhere/x", false, 9) << entry("/workspace/real/../up", false, 1);
        const TransferPlan p = TransferPlan::downloadTree("/workspace/link", "/tmp/x.part", l);
        QCOMPARE(p.tasks.size(), 2);
        QCOMPARE(p.tasks[0].remote, QString("/workspace/link/a"));
        QCOMPARE(p.tasks[0].local, QString("/tmp/x.part/a"));
        QCOMPARE(p.tasks[1].rel, QString("d/b"));
        QCOMPARE(p.folders, QStringList{"d"});
        QCOMPARE(p.totalBytes(), 7);
        QCOMPARE(TransferPlan::relativeSizes(l),
                 (QHash<QString, qint64>{{"a", 3}, {"d/b", 4}, {"../up", 1}}));
        QVERIFY(TransferPlan::downloadTree("/w", "/t", ListResult{}).tasks.isEmpty());
    }

    void remoteDigests()
    {
        const QString a(64, 'A');
        const QString b(64, 'b');
        const auto ok = RemoteHashJob::parseDigests(a + " *x\n\\" + b + "  y\\nz\n", 2);
        QVERIFY(ok);
        QCOMPARE(*ok, QStringList({a.toLower(), b}));
        QVERIFY(!RemoteHashJob::parseDigests(a + " *x\n", 2));
        QVERIFY(RemoteHashJob::needsSha256sum({"/w/a", "/w/new\nline"}));
        QVERIFY(RemoteHashJob::needsSha256sum({"/w/back\\slash"}));
        QVERIFY(!RemoteHashJob::needsSha256sum({"/w/plain name"}));
    }

    void stageNames()
    {
        const QMetaEnum e = QMetaEnum::fromType<TransferStage>();
        QCOMPARE(e.keyCount(), 6);
        for (int i = 0; i < e.keyCount(); ++i) {
            const auto stage = TransferStage(e.value(i));
            QCOMPARE(transferStageName(stage), QString::fromLatin1(e.key(i)).toLower());
        }
    }
};

QTEST_GUILESS_MAIN(TestTransferPlan)
#include "tst_transferplan.moc"
