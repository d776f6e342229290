// Runner to runner against a real capsule-local with two runners: a folder tree dragged from one
// runner's list onto the other's arrives byte-identical (nested folders, an empty folder, an
// empty file, a multi-chunk binary file, odd names), an existing name is not overwritten, and a
// move removes the source only after the copy is complete.
#include "app/files/filebrowser.h"
#include "app/files/peerpane.h"
#include "app/files/remotefilesmodel.h"
#include "core/transfer.h"
#include "filesfixture.h"

#include <QMimeData>
#include <QSignalSpy>
#include <QtTest>

using namespace capsule;
using namespace capsule::app;

class TestFilesRelay : public QObject
{
    Q_OBJECT

    capsule::test::FilesFixture m_fx;
    std::unique_ptr<TransferQueue> m_queue;
    std::unique_ptr<FileBrowser> m_browser;

    // Every file's sha256 and every folder under `root`, sorted.
    QString manifest(const QString &root, int runner)
    {
        return m_fx
            .sh(QString("cd '%1' && find . -type d | sort && find . -type f -exec sha256sum {} + "
                        "| sort")
                    .arg(root),
                runner)
            .value_or("<failed>");
    }

    int rowOf(RemoteFilesModel *model, const QString &name)
    {
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data().toString() == name)
                return row;
        }
        return -1;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_fx.start(2, &error), qPrintable(error));
        m_queue = std::make_unique<TransferQueue>();
        m_browser = std::make_unique<FileBrowser>(m_queue.get());
        m_browser->setSession(m_fx.session(0), "/workspace");
        m_browser->setPeerSession(m_fx.session(1), "/workspace");
        QVERIFY(m_fx.sh("mkdir -p /workspace/tree/a/b/c /workspace/tree/empty && "
                        "cd /workspace/tree && head -c 20000000 /dev/urandom > a/big.bin && "
                        "printf 'hello' > 'a/b/with space.txt' && : > a/b/c/zero && "
                        "head -c 4097 /dev/urandom > top.bin",
                        0));
    }

    void cleanupTestCase()
    {
        m_browser.reset();
        m_queue.reset();
    }

    void dragTreeToTheOtherRunner()
    {
        QVERIFY(!m_browser->peerPane()->isHidden());
        RemoteFilesModel *mine = m_browser->model();
        RemoteFilesModel *peer = m_browser->peerPane()->model();
        mine->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(mine, "tree") >= 0, 30000);
        capsule::test::screenshot(m_browser.get(), "files-two-runners");
        std::unique_ptr<QMimeData> mime(mine->mimeData({mine->index(rowOf(mine, "tree"), 0)}));
        QVERIFY(mime);
        // Not onto its own runner's list; onto the other one.
        QVERIFY(!mine->canDropMimeData(mime.get(), Qt::CopyAction, -1, -1, {}));
        QVERIFY(peer->canDropMimeData(mime.get(), Qt::CopyAction, -1, -1, {}));
        QSignalSpy done(m_queue.get(), &TransferQueue::finished);
        QSignalSpy failed(m_queue.get(), &TransferQueue::failed);
        QVERIFY(peer->dropMimeData(mime.get(), Qt::CopyAction, -1, -1, {}));
        QTRY_COMPARE_WITH_TIMEOUT(done.size() + failed.size(), 1, 120000);
        QCOMPARE(failed.size(), 0);
        const TransferResult r = done.first().at(1).value<TransferResult>();
        QVERIFY(r.contentVerified);
        QCOMPARE(r.files, 4);
        const QString before = manifest("/workspace/tree", 0);
        QVERIFY(before.contains("big.bin"));
        QCOMPARE(manifest("/workspace/tree", 1), before);
        QCOMPARE(m_fx.sh("test ! -e /workspace/tree.capsule-part && echo gone", 1).value_or(""),
                 QString("gone\n"));
        const auto item = m_queue->item(done.first().first().toInt());
        QCOMPARE(item->direction, TransferDirection::Relay);
        QCOMPARE(item->sourceRunnerId, m_fx.session(0)->runnerId());

        // Again: the name exists on the other runner now, and nothing is overwritten silently.
        QVERIFY(m_fx.write("/workspace/tree/top.bin", "changed", 1));
        QSignalSpy failed2(m_queue.get(), &TransferQueue::failed);
        QVERIFY(peer->dropMimeData(mime.get(), Qt::CopyAction, -1, -1, {}));
        QTRY_COMPARE_WITH_TIMEOUT(failed2.size(), 1, 60000);
        QVERIFY(failed2.first().at(1).value<Error>().message.contains("already exists"));
        QCOMPARE(m_fx.read("/workspace/tree/top.bin", 1), QByteArray("changed"));
    }

    void moveAFile()
    {
        QVERIFY(m_fx.write("/workspace/moving.txt", "moved bytes", 0));
        RelayOptions options;
        options.move = true;
        QSignalSpy done(m_queue.get(), &TransferQueue::finished);
        m_queue->enqueueRelay(m_fx.session(0), "/workspace/moving.txt", m_fx.session(1),
                              "/workspace/moved.txt", options);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
        QCOMPARE(m_fx.read("/workspace/moved.txt", 1), QByteArray("moved bytes"));
        QCOMPARE(m_fx.sh("test ! -e /workspace/moving.txt && echo gone", 0).value_or(""),
                 QString("gone\n"));
    }
};

QTEST_MAIN(TestFilesRelay)
#include "tst_filesrelay.moc"
