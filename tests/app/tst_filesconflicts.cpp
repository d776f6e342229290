// Conflicts of batch uploads and downloads in the Files tab against a real capsule-local: each
// answer (overwrite / skip / keep both / overwrite if newer / apply to all / cancel) gives the
// expected tree, names without a conflict are copied without a question, nothing is overwritten
// silently, and the dialog answers through signals (no nested event loop).
#include "app/files/conflicts.h"
#include "app/files/filebrowser.h"
#include "core/transfer.h"
#include "filesfixture.h"

#include <QCheckBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule;
using namespace capsule::app;
using capsule::test::readLocal;
using capsule::test::writeLocal;

class TestFilesConflicts : public QObject
{
    Q_OBJECT

    capsule::test::FilesFixture m_fx;
    std::unique_ptr<TransferQueue> m_queue;
    std::unique_ptr<FileBrowser> m_browser;
    QTemporaryDir m_here;
    QStringList m_asked; // names the seam was asked about, in order

    // Uploads `names` from the local folder `dir` to `remoteDir`, answering with `answer`, and
    // waits until `expected` transfers ended.
    void uploadAndWait(const QString &dir, const QStringList &names, const QString &remoteDir,
                       const std::function<ConflictAnswer(const ConflictItem &)> &answer,
                       int expected)
    {
        m_asked.clear();
        m_browser->setConflictOverride([this, answer](const ConflictItem &item, int) {
            m_asked << item.target.section('/', -1);
            return answer(item);
        });
        QSignalSpy done(m_queue.get(), &TransferQueue::finished);
        QSignalSpy failed(m_queue.get(), &TransferQueue::failed);
        QStringList paths;
        for (const QString &n : names)
            paths << dir + "/" + n;
        m_browser->upload(paths, remoteDir);
        QTRY_COMPARE_WITH_TIMEOUT(done.size() + failed.size(), expected, 60000);
        QTest::qWait(300); // nothing more may start
        QCOMPARE(done.size() + failed.size(), expected);
        QCOMPARE(failed.size(), 0);
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fx.start(1, &error), qPrintable(error));
        m_queue = std::make_unique<TransferQueue>();
        m_browser = std::make_unique<FileBrowser>(m_queue.get());
        m_browser->setSession(m_fx.session(), "/workspace");
        QVERIFY(m_fx.sh("mkdir -p /workspace/batch && cd /workspace/batch && "
                        "for n in a b c d; do printf old-$n > $n.txt; done"));
        for (const char *n : {"a", "b", "c", "d", "e"})
            QVERIFY(writeLocal(m_here.filePath(QString("%1.txt").arg(n)), QByteArray("new-") + n));
    }

    void cleanupTestCase()
    {
        m_browser.reset();
        m_queue.reset();
    }

    void eachAnswerPerItem()
    {
        const QStringList names{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt"};
        uploadAndWait(
            m_here.path(), names, "/workspace/batch",
            [](const ConflictItem &item) {
                const QString n = item.target.section('/', -1);
                if (n == "a.txt")
                    return ConflictAnswer{ConflictChoice::Overwrite, false};
                if (n == "c.txt")
                    return ConflictAnswer{ConflictChoice::KeepBoth, false};
                return ConflictAnswer{ConflictChoice::Skip, false};
            },
            3); // a (overwrite), c (as "c (2).txt"), e (new)
        QCOMPARE(m_asked, QStringList({"a.txt", "b.txt", "c.txt", "d.txt"})); // never e.txt
        QCOMPARE(m_fx.read("/workspace/batch/a.txt"), QByteArray("new-a"));
        QCOMPARE(m_fx.read("/workspace/batch/b.txt"), QByteArray("old-b"));
        QCOMPARE(m_fx.read("/workspace/batch/c.txt"), QByteArray("old-c"));
        QCOMPARE(m_fx.read("/workspace/batch/c (2).txt"), QByteArray("new-c"));
        QCOMPARE(m_fx.read("/workspace/batch/d.txt"), QByteArray("old-d"));
        QCOMPARE(m_fx.read("/workspace/batch/e.txt"), QByteArray("new-e"));
    }

    void applyToAllAsksOnce()
    {
        // b, c and d conflict; one answer covers all three.
        uploadAndWait(
            m_here.path(), {"b.txt", "c.txt", "d.txt"}, "/workspace/batch",
            [](const ConflictItem &) {
                return ConflictAnswer{ConflictChoice::KeepBoth, true};
            },
            3);
        QCOMPARE(m_asked.size(), 1);
        QCOMPARE(m_fx.read("/workspace/batch/b (2).txt"), QByteArray("new-b"));
        // "c (2).txt" exists since the first batch: the next free name is taken.
        QCOMPARE(m_fx.read("/workspace/batch/c (3).txt"), QByteArray("new-c"));
        QCOMPARE(m_fx.read("/workspace/batch/d (2).txt"), QByteArray("new-d"));
        QCOMPARE(m_fx.read("/workspace/batch/c.txt"), QByteArray("old-c"));

        uploadAndWait(
            m_here.path(), {"b.txt", "d.txt"}, "/workspace/batch",
            [](const ConflictItem &) {
                return ConflictAnswer{ConflictChoice::Overwrite, true};
            },
            2);
        QCOMPARE(m_asked.size(), 1);
        QCOMPARE(m_fx.read("/workspace/batch/b.txt"), QByteArray("new-b"));
        QCOMPARE(m_fx.read("/workspace/batch/d.txt"), QByteArray("new-d"));
    }

    void overwriteIfNewer()
    {
        QVERIFY(m_fx.sh("cd /workspace/batch && printf old-x > x.txt && printf old-y > y.txt"));
        QTemporaryDir dir;
        QVERIFY(writeLocal(dir.filePath("x.txt"), "new-x"));
        QVERIFY(writeLocal(dir.filePath("y.txt"), "new-y"));
        QFile older(dir.filePath("x.txt"));
        QVERIFY(older.open(QIODevice::ReadWrite));
        QVERIFY(older.setFileTime(QDateTime::currentDateTimeUtc().addDays(-30),
                                  QFileDevice::FileModificationTime));
        older.close();
        QFile newer(dir.filePath("y.txt"));
        QVERIFY(newer.open(QIODevice::ReadWrite));
        QVERIFY(newer.setFileTime(QDateTime::currentDateTimeUtc().addDays(1),
                                  QFileDevice::FileModificationTime));
        newer.close();
        uploadAndWait(
            dir.path(), {"x.txt", "y.txt"}, "/workspace/batch",
            [](const ConflictItem &) {
                return ConflictAnswer{ConflictChoice::OverwriteIfNewer, true};
            },
            1);
        QCOMPARE(m_fx.read("/workspace/batch/x.txt"), QByteArray("old-x"));
        QCOMPARE(m_fx.read("/workspace/batch/y.txt"), QByteArray("new-y"));
    }

    void cancelAllCopiesNothing()
    {
        QVERIFY(writeLocal(m_here.filePath("f.txt"), "new-f"));
        int asked = 0;
        m_browser->setConflictOverride([&asked](const ConflictItem &, int) {
            ++asked;
            return ConflictAnswer{ConflictChoice::CancelBatch, false};
        });
        QSignalSpy added(m_queue.get(), &TransferQueue::added);
        // a conflicts, f does not: the batch waits for the answer, and Cancel stops all of it.
        m_browser->upload({m_here.filePath("a.txt"), m_here.filePath("f.txt")}, "/workspace/batch");
        QTRY_COMPARE_WITH_TIMEOUT(asked, 1, 30000);
        QTest::qWait(500);
        QCOMPARE(added.size(), 0);
        QCOMPARE(m_fx.sh("ls /workspace/batch | grep -c f.txt || true").value_or("?").trimmed(),
                 QString("0"));
    }

    void downloadConflicts()
    {
        QTemporaryDir dest;
        QVERIFY(writeLocal(dest.filePath("a.txt"), "local-a"));
        QVERIFY(writeLocal(dest.filePath("b.txt"), "local-b"));
        m_browser->setConflictOverride([](const ConflictItem &item, int) {
            return item.target.endsWith("a.txt") ? ConflictAnswer{ConflictChoice::Skip, false}
                                                 : ConflictAnswer{ConflictChoice::KeepBoth, false};
        });
        QSignalSpy done(m_queue.get(), &TransferQueue::finished);
        m_browser->download(
            {"/workspace/batch/a.txt", "/workspace/batch/b.txt", "/workspace/batch/e.txt"},
            dest.path());
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, 60000);
        QCOMPARE(readLocal(dest.filePath("a.txt")), QByteArray("local-a"));
        QCOMPARE(readLocal(dest.filePath("b.txt")), QByteArray("local-b"));
        QCOMPARE(readLocal(dest.filePath("b (2).txt")), QByteArray("new-b"));
        QCOMPARE(readLocal(dest.filePath("e.txt")), QByteArray("new-e"));
    }

    // The real dialog: opened with open() (not exec), answers by signal.
    void dialogAnswersBySignal()
    {
        ConflictItem item{"/home/me/a.txt",
                          "/workspace/batch/a.txt",
                          5,
                          QDateTime::currentDateTime(),
                          5,
                          QDateTime::currentDateTime().addSecs(-3600),
                          false};
        auto *dialog = new ConflictDialog(item, 2, true, nullptr);
        QSignalSpy answered(dialog, &ConflictDialog::answered);
        dialog->open();
        QVERIFY(dialog->isVisible());
        capsule::test::screenshot(dialog, "files-conflict", dialog->sizeHint());
        auto *all = dialog->findChild<QCheckBox *>("applyToAll");
        QVERIFY(all);
        all->setChecked(true);
        dialog->findChild<QPushButton *>("keepBoth")->click();
        QCOMPARE(answered.size(), 1);
        const auto a = answered.first().first().value<ConflictAnswer>();
        QCOMPARE(int(a.choice), int(ConflictChoice::KeepBoth));
        QVERIFY(a.applyToAll);
    }

    void keepBothNames()
    {
        QCOMPARE(keepBothName("a.txt", {}), QString("a (2).txt"));
        QCOMPARE(keepBothName("a.tar.gz", {"a (2).tar.gz"}), QString("a (3).tar.gz"));
        QCOMPARE(keepBothName(".bashrc", {}), QString(".bashrc (2)"));
        QCOMPARE(keepBothName("noext", {}), QString("noext (2)"));
    }
};

QTEST_MAIN(TestFilesConflicts)
#include "tst_filesconflicts.moc"
