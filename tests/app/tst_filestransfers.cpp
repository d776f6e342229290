// The transfer queue panel against a real capsule-local: the concurrency setting (kept in
// QSettings), pause/resume of a queued item, retry of a failed one, the totals footer, and the
// notice when a batch finishes while the window is inactive.
#include "app/files/transferspanel.h"
#include "core/transfer.h"
#include "filesfixture.h"

#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

using namespace capsule;
using namespace capsule::app;

class TestFilesTransfers : public QObject
{
    Q_OBJECT

    capsule::test::FilesFixture m_fx;
    QTemporaryDir m_dir;

    QString local(const QString &name) const { return m_dir.filePath(name); }

    static void select(TransfersPanel *panel, int id)
    {
        panel->list()->clearSelection();
        QTreeWidget *list = panel->list();
        for (int i = 0; i < list->topLevelItemCount(); ++i)
            if (list->topLevelItem(i)->data(0, Qt::UserRole).toInt() == id)
                list->topLevelItem(i)->setSelected(true);
    }

    static TransferQueue::State state(const TransferQueue &q, int id)
    {
        return q.item(id) ? q.item(id)->state : TransferQueue::State::Cancelled;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove(QStringLiteral("transfers/concurrency"));
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_fx.start(1, &error), qPrintable(error));
        QVERIFY(m_fx.sh("mkdir -p /workspace/q"));
    }

    void concurrencyIsKept()
    {
        TransferQueue queue;
        {
            TransfersPanel panel(&queue);
            QCOMPARE(panel.concurrency()->value(), queue.maxConcurrent());
            panel.concurrency()->setValue(3);
            QCOMPARE(queue.maxConcurrent(), 3);
            QCOMPARE(QSettings().value("transfers/concurrency").toInt(), 3);
        }
        TransferQueue other;
        TransfersPanel again(&other); // a later run of the app
        QCOMPARE(other.maxConcurrent(), 3);
        QCOMPARE(again.concurrency()->value(), 3);
    }

    void pauseResumeRetryTotalsAndNotice()
    {
        TransferQueue queue;
        TransfersPanel panel(&queue);
        panel.concurrency()->setValue(1);
        // Not shown yet: a window that is not active (offscreen activates shown windows).
        QSignalSpy batches(&panel, &TransfersPanel::batchFinished);

        for (const char *name : {"a.bin", "b.bin", "c.bin"})
            QVERIFY(capsule::test::writeLocal(local(name), QByteArray(256 * 1024, name[0])));
        // One at a time: the first runs, b and c wait; b is paused from the panel.
        const int a = queue.enqueueUpload(m_fx.session(), local("a.bin"), "/workspace/q/a.bin");
        const int b = queue.enqueueUpload(m_fx.session(), local("b.bin"), "/workspace/q/b.bin");
        const int c = queue.enqueueUpload(m_fx.session(), local("c.bin"), "/workspace/q/c.bin");
        // d fails: its source does not exist yet.
        const int d = queue.enqueueUpload(m_fx.session(), local("d.bin"), "/workspace/q/d.bin");
        QCOMPARE(state(queue, b), TransferQueue::State::Queued);
        select(&panel, b);
        panel.pauseSelected();
        QCOMPARE(state(queue, b), TransferQueue::State::Paused);

        // The batch ends with b still held back; the window was never activated.
        QTRY_VERIFY_WITH_TIMEOUT(queue.isIdle(), 120000);
        QCOMPARE(state(queue, a), TransferQueue::State::Finished);
        QCOMPARE(state(queue, c), TransferQueue::State::Finished);
        QCOMPARE(state(queue, d), TransferQueue::State::Failed);
        QCOMPARE(state(queue, b), TransferQueue::State::Paused);
        QCOMPARE(m_fx.sh("test -e /workspace/q/b.bin && echo there || echo absent")->trimmed(),
                 QString("absent"));
        QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 1, 10000);
        QCOMPARE(batches.at(0).at(0).toString(), QString("Transfers finished: 2 done, 1 failed"));
        QVERIFY(!panel.isActiveWindow());
        QCOMPARE(batches.at(0).at(1).toBool(), true); // inactive: the window's Notifier speaks
        QVERIFY2(panel.totalsText().startsWith("0 running, 1 queued, 2 done, 1 failed"),
                 qPrintable(panel.totalsText()));
        QCOMPARE(panel.findChild<QLabel *>("transferTotals")->text(), panel.totalsText());

        // Now active: the second batch is told as such (no alert, no tray message).
        panel.resize(900, 300);
        panel.show();
        panel.activateWindow();
        const bool active = QTest::qWaitForWindowActive(&panel);

        // Resume b, and retry d once its source exists: both complete, one more batch notice.
        select(&panel, b);
        panel.resumeSelected();
        QVERIFY(capsule::test::writeLocal(local("d.bin"), "ddd"));
        select(&panel, d);
        panel.retrySelected();
        QTRY_VERIFY_WITH_TIMEOUT(state(queue, b) == TransferQueue::State::Finished &&
                                     state(queue, d) == TransferQueue::State::Finished,
                                 120000);
        QCOMPARE(m_fx.read("/workspace/q/b.bin"), QByteArray(256 * 1024, 'b'));
        QCOMPARE(m_fx.read("/workspace/q/d.bin"), QByteArray("ddd"));
        QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 2, 10000);
        QCOMPARE(batches.at(1).at(0).toString(), QString("Transfers finished: 2 done"));
        if (active)
            QCOMPARE(batches.at(1).at(1).toBool(), false);
        QVERIFY(panel.totalsText().startsWith("0 running, 0 queued, 4 done, 0 failed"));
    }
};

QTEST_MAIN(TestFilesTransfers)
#include "tst_filestransfers.moc"
