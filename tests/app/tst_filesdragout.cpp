// Dragging remote rows out of the Files tab to a file manager, for real: an X server of the
// test's own (Xvfb) and a session bus of its own, the app's list on the xcb platform, the mouse
// driven with xdotool (XTest), and xdnd-drop-target (xdnd_droptarget.cpp) taking the drop the
// way Nautilus (XDS) and Dolphin (KDE's D-Bus protocol) do. The dropped rows must arrive as
// complete files identical to the runner's, only whole files ever visible under their names,
// existing names go through the conflict question, and a drop the app cannot serve (a remote
// folder) is refused with a message.
#include "app/files/filebrowser.h"
#include "app/files/remotefilesmodel.h"
#include "core/transfer.h"
#include "filesfixture.h"

#include <QApplication>
#include <QDirIterator>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace capsule;
using namespace capsule::app;
using capsule::test::readLocal;
using capsule::test::writeLocal;

namespace {

// Every file under `root` (relative path -> bytes).
QMap<QString, QByteArray> tree(const QString &root)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        out.insert(QDir(root).relativeFilePath(path), readLocal(path));
    }
    return out;
}

QByteArray randomBytes(int size)
{
    QByteArray out(size, Qt::Uninitialized);
    QRandomGenerator gen(size);
    for (char &c : out)
        c = char(gen.generate() & 0xff);
    return out;
}

} // namespace

class TestFilesDragOut : public QObject
{
    Q_OBJECT

    capsule::test::FilesFixture m_fx;
    std::unique_ptr<TransferQueue> m_queue;
    std::unique_ptr<FileBrowser> m_browser;
    QTemporaryDir m_source; // what was uploaded, to compare with
    QStringList m_messages;

    // Drags the rows `names` of /workspace/out onto a drop target speaking `protocol` that
    // saves into `folder`; the target's RESULT line.
    QString dragTo(const QStringList &names, const QString &protocol, const QString &folder,
                   const QString &url = {})
    {
        QTreeView *view = m_browser->view();
        RemoteFilesModel *model = m_browser->model();
        view->clearSelection();
        QModelIndex first;
        for (int row = 0; row < model->rowCount(); ++row) {
            const QModelIndex index = model->index(row, RemoteFilesModel::NameColumn);
            if (!names.contains(index.data().toString()))
                continue;
            view->selectionModel()->select(index,
                                           QItemSelectionModel::Select | QItemSelectionModel::Rows);
            if (!first.isValid())
                first = index;
        }
        if (!first.isValid())
            return QStringLiteral("no such rows");

        QProcess target;
        QStringList args{"--protocol", protocol, "--folder", folder, "--geometry", "700,0,300,300"};
        if (!url.isEmpty())
            args << "--url" << url;
        target.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        target.start(QStringLiteral(XDND_DROP_TARGET_BIN), args);
        if (!target.waitForReadyRead(10000) || target.readLine().trimmed() != "READY")
            return QStringLiteral("the drop target did not start");

        // Press on the first selected row, move past the drag distance, over to the target,
        // and release there: Qt's own drag loop runs in between.
        const QPoint from = view->viewport()->mapToGlobal(view->visualRect(first).center());
        const auto at = [](QPoint p) {
            return QStringList{"mousemove", "--sync", QString::number(p.x()),
                               QString::number(p.y())};
        };
        QStringList script = at(from);
        script << "mousedown"
               << "1"
               << "sleep"
               << "0.3";
        script << at(from + QPoint(30, 5)) << "sleep"
               << "0.3";
        script << at(QPoint(800, 100)) << "sleep"
               << "0.3";
        script << at(QPoint(850, 150)) << "sleep"
               << "0.5"
               << "mouseup"
               << "1";
        QProcess mouse;
        mouse.start(QStringLiteral("xdotool"), script);
        if (!mouse.waitForStarted(5000))
            return QStringLiteral("xdotool (package xdotool) did not start");
        // Both run while this loop (and the drag's) turns.
        QElapsedTimer clock;
        clock.start();
        while ((target.state() != QProcess::NotRunning || mouse.state() != QProcess::NotRunning) &&
               clock.elapsed() < 60000)
            QTest::qWait(20);
        const QByteArray out = target.readAll();
        const qsizetype at0 = out.indexOf("RESULT ");
        return at0 < 0 ? QString::fromUtf8("no result: " + out)
                       : QString::fromUtf8(out.mid(at0 + 7)).trimmed();
    }

    // Waits until the queue has ended `count` transfers since `spy` was made; none failed.
    static bool waitForTransfers(QSignalSpy &done, QSignalSpy &failed, int count)
    {
        QElapsedTimer clock;
        clock.start();
        while (done.size() + failed.size() < count && clock.elapsed() < 120000)
            QTest::qWait(50);
        return done.size() == count && failed.isEmpty();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QGuiApplication::platformName() == QLatin1String("xcb"),
                 "the drag-out test needs the xcb platform (main() starts Xvfb)");
        QString error;
        QVERIFY2(m_fx.start(1, &error), qPrintable(error));
        // /workspace/out: a 3 MiB file, a small text file and a folder tree.
        QVERIFY(writeLocal(m_source.filePath("big.bin"), randomBytes(3 << 20)));
        QVERIFY(writeLocal(m_source.filePath("notes.txt"), "notes\n"));
        QVERIFY(QDir(m_source.path()).mkpath("tree/sub"));
        QVERIFY(writeLocal(m_source.filePath("tree/a.txt"), "a\n"));
        QVERIFY(writeLocal(m_source.filePath("tree/sub/b.bin"), randomBytes(200000)));
        QVERIFY(m_fx.sh("mkdir -p /workspace/out/tree/sub"));
        for (const QString &rel : tree(m_source.path()).keys())
            QVERIFY(m_fx.write("/workspace/out/" + rel, readLocal(m_source.filePath(rel))));

        m_queue = std::make_unique<TransferQueue>();
        m_browser = std::make_unique<FileBrowser>(m_queue.get());
        connect(m_browser.get(), &FileBrowser::message, this,
                [this](const QString &m) { m_messages << m; });
        m_browser->setGeometry(0, 0, 680, 500);
        m_browser->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_browser.get()));
        m_browser->setSession(m_fx.session(), "/workspace/out");
        QTRY_COMPARE_WITH_TIMEOUT(m_browser->model()->rowCount(), 3, 20000);
    }

    void cleanupTestCase()
    {
        m_browser.reset();
        m_queue.reset();
    }

    // Nautilus, Thunar & co.: X Direct Save.
    void xdsDropSavesCompleteFiles()
    {
        QTemporaryDir dest;
        QSignalSpy done(m_queue.get(), &TransferQueue::finished);
        QSignalSpy failed(m_queue.get(), &TransferQueue::failed);
        const QString result = dragTo({"big.bin", "tree"}, "xds", dest.path());
        QCOMPARE(result, QStringLiteral("XDS S tree")); // folders first: the first row offered
        QVERIFY(waitForTransfers(done, failed, 2));
        QMap<QString, QByteArray> expected = tree(m_source.path());
        expected.remove("notes.txt");
        QCOMPARE(tree(dest.path()), expected); // byte-identical, no .part left behind
    }

    // Dolphin and the Plasma desktop: KDE's protocol over the session bus.
    void arkDropSavesCompleteFiles()
    {
        QTemporaryDir dest;
        QSignalSpy done(m_queue.get(), &TransferQueue::finished);
        QSignalSpy failed(m_queue.get(), &TransferQueue::failed);
        const QString result = dragTo({"notes.txt", "big.bin"}, "ark", dest.path());
        QCOMPARE(result, QStringLiteral("ARK ok"));
        QVERIFY(waitForTransfers(done, failed, 2));
        QMap<QString, QByteArray> expected = tree(m_source.path());
        expected.remove("tree/a.txt");
        expected.remove("tree/sub/b.bin");
        QCOMPARE(tree(dest.path()), expected);
    }

    // While a file is on its way only its .part exists: the file manager never sees a partial
    // file under the real name. Sampled all along a drop of the 3 MiB file.
    void onlyWholeFilesAppear()
    {
        QTemporaryDir dest;
        const QByteArray want = readLocal(m_source.filePath("big.bin"));
        QSignalSpy done(m_queue.get(), &TransferQueue::finished);
        QSignalSpy failed(m_queue.get(), &TransferQueue::failed);
        QTimer sampler;
        int partial = 0;
        connect(&sampler, &QTimer::timeout, this, [&] {
            const QString path = dest.filePath("big.bin");
            if (QFileInfo::exists(path) && QFileInfo(path).size() != want.size())
                ++partial;
        });
        sampler.start(1);
        QCOMPARE(dragTo({"big.bin"}, "xds", dest.path()), QStringLiteral("XDS S big.bin"));
        QVERIFY(waitForTransfers(done, failed, 1));
        sampler.stop();
        QCOMPARE(partial, 0);
        QCOMPARE(readLocal(dest.filePath("big.bin")), want);
    }

    // A name that exists in the folder is asked about like any download (skip keeps it).
    void existingNamesAreAsked()
    {
        QTemporaryDir dest;
        QVERIFY(writeLocal(dest.filePath("notes.txt"), "mine\n"));
        QStringList asked;
        m_browser->setConflictOverride([&asked](const ConflictItem &item, int) {
            asked << item.target.section('/', -1);
            return ConflictAnswer{ConflictChoice::Skip, false};
        });
        QSignalSpy done(m_queue.get(), &TransferQueue::finished);
        QSignalSpy failed(m_queue.get(), &TransferQueue::failed);
        QCOMPARE(dragTo({"notes.txt", "big.bin"}, "xds", dest.path()),
                 QStringLiteral("XDS S big.bin"));
        QVERIFY(waitForTransfers(done, failed, 1));
        m_browser->setConflictOverride({});
        QCOMPARE(asked, QStringList{"notes.txt"});
        QCOMPARE(readLocal(dest.filePath("notes.txt")), QByteArray("mine\n"));
        QCOMPARE(readLocal(dest.filePath("big.bin")), readLocal(m_source.filePath("big.bin")));
    }

    // A folder the app cannot write (the file manager shows an sftp:// location) is refused
    // with "E" and a message; nothing is queued.
    void remoteFolderIsRefused()
    {
        QTemporaryDir dest;
        m_messages.clear();
        QSignalSpy queued(m_queue.get(), &TransferQueue::added);
        QCOMPARE(dragTo({"notes.txt"}, "xds", dest.path(), "sftp://elsewhere/home/notes.txt"),
                 QStringLiteral("XDS E notes.txt"));
        QTRY_VERIFY(!m_messages.isEmpty());
        QVERIFY2(m_messages.last().contains("sftp://elsewhere/home/notes.txt"),
                 qPrintable(m_messages.last()));
        QTest::qWait(300);
        QCOMPARE(queued.size(), 0);
        QVERIFY(tree(dest.path()).isEmpty());
    }
};

// An X server and a session bus of the test's own, before the application connects to either.
int main(int argc, char **argv)
{
    QProcess xvfb;
    xvfb.start(QStringLiteral("Xvfb"),
               {"-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"});
    if (!xvfb.waitForStarted(5000) || !xvfb.waitForReadyRead(10000)) {
        qCritical("Xvfb (package xvfb) did not start");
        return 1;
    }
    qputenv("DISPLAY", ":" + xvfb.readLine().trimmed());
    qputenv("QT_QPA_PLATFORM", "xcb");
    QProcess bus;
    bus.start(QStringLiteral("dbus-daemon"), {"--session", "--nofork", "--print-address=1"});
    if (!bus.waitForStarted(5000) || !bus.waitForReadyRead(10000)) {
        qCritical("dbus-daemon (package dbus-daemon) did not start");
        return 1;
    }
    qputenv("DBUS_SESSION_BUS_ADDRESS", bus.readLine().trimmed());
    int rc = 0;
    {
        QApplication app(argc, argv);
        TestFilesDragOut test;
        rc = QTest::qExec(&test, argc, argv);
    }
    bus.kill();
    xvfb.terminate();
    bus.waitForFinished(5000);
    xvfb.waitForFinished(5000);
    return rc;
}

#include "tst_filesdragout.moc"
