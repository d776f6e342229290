// Runners, files and terminals through the real MainWindow against a real capsule-local.
#include "app/connections/serverconnection.h"
#include "app/files/filebrowser.h"
#include "app/files/localfilesview.h"
#include "app/files/remotefilesmodel.h"
#include "app/mainwindow.h"
#include "app/runners/runnersmodel.h"
#include "app/workloads/workloadsmodel.h"

#include "core/blocking.h"
#include "core/client.h"
#include "core/transfer.h"
#include "support/localserver.h"
#include "terminal/terminalsurface.h"
#include "terminal/terminalview.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QClipboard>
#include <QDir>
#include <QDockWidget>
#include <QJsonArray>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QUrl>

using namespace capsule;
using namespace capsule::app;

class TestRunnersView final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void startRunnerFromWorkload();
    void browseFilesAndUpload();
    void terminalTabEchoes();
    void dragToLocalPaneDownloads();
    void releaseRunner();
    void cancelStartingRunner();
    void buildLogShowsOutput();
    void failedBuildShowsLogTail();
    void cleanupTestCase();

private:
    bool layersBuilt();
    int rowOfName(QTableView *view, const QString &name) const;
    // With CAPSULE_SCREENSHOT_DIR set, saves the window as <dir>/<name>.png (for docs/ and for
    // looking at what the tests drive); otherwise does nothing.
    void snapshot(const QString &name) const;

    test::LocalServer m_server;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<ServerConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
    QString m_runnerId;
};

void TestRunnersView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    SettingsOverrides overrides;
    overrides.baseUrl = m_server.baseUrl();
    overrides.token = m_server.token();
    m_client = std::make_unique<Client>(Settings::resolve(overrides));

    QJsonObject body = test::LocalServer::trivialConfig(QStringLiteral("runner-view"));
    body.insert(QStringLiteral("config"),
                QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")}});
    auto *create = m_client->configs()->create(body);
    QVERIFY(waitFor(create, 20000));
    QVERIFY2(!create->hasError(), qPrintable(create->error().toString()));
    auto *build = m_client->configs()->build(QStringLiteral("runner-view"));
    QVERIFY(waitFor(build, 20000));
    QVERIFY2(!build->hasError(), qPrintable(build->error().toString()));
    QTRY_VERIFY_WITH_TIMEOUT(layersBuilt(), 60000);

    m_connection = std::make_unique<ServerConnection>();
    m_window = std::make_unique<MainWindow>(m_connection.get());
    m_window->setConfirmOverride([](const QString &) { return true; });
    m_window->resize(1100, 700);
    m_window->show();
    m_connection->connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Connected, 15000);
}

bool TestRunnersView::layersBuilt()
{
    auto *detail = m_client->configs()->get(QStringLiteral("runner-view"));
    if (!waitFor(detail, 10000) || detail->hasError())
        return false;
    const WorkloadRow row = WorkloadsModel::rowFrom({}, detail->result().layers, true);
    return row.status.startsWith(QStringLiteral("ready"));
}

void TestRunnersView::snapshot(const QString &name) const
{
    const QString dir = qEnvironmentVariable("CAPSULE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QCoreApplication::processEvents();
    QVERIFY(m_window->grab().save(QDir(dir).filePath(name + QStringLiteral(".png"))));
}

int TestRunnersView::rowOfName(QTableView *view, const QString &name) const
{
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        if (view->model()->index(row, 0).data().toString() == name)
            return row;
    }
    return -1;
}

void TestRunnersView::startRunnerFromWorkload()
{
    QAbstractItemModelTester tester(m_window->runnersModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto *workloads = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName(workloads, QStringLiteral("runner-view")) >= 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(workloads->model()
                                 ->index(rowOfName(workloads, QStringLiteral("runner-view")),
                                         WorkloadsModel::StatusColumn)
                                 .data()
                                 .toString()
                                 .startsWith(QStringLiteral("ready")),
                             15000);
    workloads->selectRow(rowOfName(workloads, QStringLiteral("runner-view")));
    auto *start = m_window->actions().startRunner;
    QVERIFY(start && start->isEnabled());
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    start->trigger();
    QCOMPARE(m_window->busyCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    QCOMPARE(m_window->busyCount(), 0);

    // The new runner is selected in the runners view, with its workload named.
    m_runnerId = m_window->selectedRunnerId();
    QVERIFY(!m_runnerId.isEmpty());
    auto *runners = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    const int row = rowOfName(runners, m_runnerId);
    QVERIFY(row >= 0);
    QCOMPARE(runners->model()->index(row, RunnersModel::WorkloadColumn).data().toString(),
             QStringLiteral("runner-view"));
    QVERIFY(!runners->model()->index(row, RunnersModel::SessionColumn).data().toString().isEmpty());
    // It survives the next refresh from the server's listing.
    QSignalSpy refreshed(m_window->runnersModel(), &RunnersModel::refreshed);
    m_window->refreshAll();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() >= 1, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName(runners, m_runnerId) >= 0, 15000);
    QCOMPARE(m_window->selectedRunnerId(), m_runnerId);

    // Ctrl+C (Copy Runner ID) puts the whole id on the clipboard, however narrow the column.
    auto *copy = m_window->actions().copyRunnerId;
    QVERIFY(copy && copy->isEnabled());
    QCOMPARE(copy->shortcut(), QKeySequence(QKeySequence::Copy));
    QGuiApplication::clipboard()->clear();
    copy->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), m_runnerId);
}

void TestRunnersView::browseFilesAndUpload()
{
    QVERIFY(!m_runnerId.isEmpty());
    auto *browse = m_window->actions().browseFiles;
    QVERIFY(browse && browse->isEnabled());
    FileBrowser *files = m_window->fileBrowser();
    QAbstractItemModelTester tester(files->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy listed(files->model(), &RemoteFilesModel::listed);
    browse->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(listed.size() >= 1, 20000);
    QCOMPARE(files->path(), QStringLiteral("/workspace"));
    QVERIFY(files->view()->uniformRowHeights());

    // Drop a local file onto the view's model: it becomes an upload into /workspace.
    QTemporaryDir local;
    const QString name = QStringLiteral("dropped-%1.txt").arg(QCoreApplication::applicationPid());
    QFile file(local.filePath(name));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hello from the desktop\n");
    file.close();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(file.fileName())});
    QVERIFY(files->model()->canDropMimeData(&mime, Qt::CopyAction, -1, -1, {}));
    QSignalSpy done(m_window->transfers(), &TransferQueue::finished);
    QVERIFY(files->model()->dropMimeData(&mime, Qt::CopyAction, -1, -1, {}));
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
    auto hasFile = [files, &name] {
        for (int i = 0; i < files->model()->totalEntries(); ++i) {
            if (files->model()->entry(i).name == name)
                return files->model()->entry(i).size == 23;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(hasFile(), 20000);
    // The transfers panel says what moved, not a rate and time left of a finished transfer.
    auto *panel = m_window->findChild<QDockWidget *>(QStringLiteral("transfersDock"));
    QVERIFY(panel && panel->isVisible());
    auto *list = panel->findChild<QTreeWidget *>();
    QVERIFY(list && list->topLevelItemCount() == 1);
    QTRY_COMPARE(list->topLevelItem(0)->text(3), QStringLiteral("Done (verified)"));
    QVERIFY2(list->topLevelItem(0)->text(2).startsWith(QStringLiteral("23 bytes in ")),
             qPrintable(list->topLevelItem(0)->text(2)));
    QVERIFY(!list->topLevelItem(0)->text(2).contains(QStringLiteral("left")));
    QVERIFY(panel->height() < m_window->height() / 2);
    snapshot(QStringLiteral("files"));

    // Navigating away and back lists again; a bad path is refused with a message.
    files->navigate(QStringLiteral("/tmp"));
    QTRY_COMPARE_WITH_TIMEOUT(files->path(), QStringLiteral("/tmp"), 5000);
    // /tmp is an allowed root: Up stops there ("/" is refused by the host).
    files->goUp();
    QCOMPARE(files->path(), QStringLiteral("/tmp"));
    files->navigate(QStringLiteral("relative/path"));
    QCOMPARE(files->path(), QStringLiteral("/tmp"));
}

void TestRunnersView::terminalTabEchoes()
{
    auto *runners = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    runners->selectRow(rowOfName(runners, m_runnerId));
    auto *open = m_window->actions().openTerminal;
    QVERIFY(open && open->isEnabled());
    open->trigger();
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("terminalTabs"));
    QCOMPARE(tabs->count(), 1);
    // Titled "workload · short id · n" (the full id is in the tooltip).
    QVERIFY2(
        tabs->tabText(0).startsWith(QStringLiteral("runner-view \u00b7 ") + m_runnerId.left(8)),
        qPrintable(tabs->tabText(0)));
    QVERIFY(tabs->tabToolTip(0).contains(m_runnerId));
    auto *view = qobject_cast<terminal::TerminalView *>(tabs->widget(0));
    QVERIFY(view);
    QTRY_VERIFY_WITH_TIMEOUT(!view->surface()->screenText().trimmed().isEmpty(), 20000);
    view->setFocus();
    QTest::keyClicks(view, QStringLiteral("echo MARK$((6*7))"));
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(view->surface()->screenText().contains(QStringLiteral("MARK42")),
                             20000);
    QTest::keyClicks(view,
                     QStringLiteral("ls --color=always -la / | head -9; echo LS-$((1+1))-DONE"));
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(view->surface()->screenText().contains(QStringLiteral("LS-2-DONE")),
                             20000);
    snapshot(QStringLiteral("terminal"));
    QTest::keyClicks(view, QStringLiteral("exit 3"));
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(tabs->tabText(0).contains(QStringLiteral("exited 3")), 20000);
    auto *close = m_window->actions().closeTerminal;
    close->trigger();
    QCOMPARE(tabs->count(), 0);
}

void TestRunnersView::dragToLocalPaneDownloads()
{
    FileBrowser *files = m_window->fileBrowser();
    QSignalSpy listed(files->model(), &RemoteFilesModel::listed);
    files->navigate(QStringLiteral("/workspace"));
    QTRY_VERIFY_WITH_TIMEOUT(listed.size() >= 1, 20000);
    const QString name = QStringLiteral("dropped-%1.txt").arg(QCoreApplication::applicationPid());
    QModelIndex source;
    for (int i = 0; i < files->model()->rowCount(); ++i) {
        if (files->model()->entry(i).name == name)
            source = files->model()->index(i, RemoteFilesModel::NameColumn);
    }
    QVERIFY(source.isValid());
    QVERIFY(files->model()->flags(source) & Qt::ItemIsDragEnabled);
    // What the view's drag carries: the remote path, under the app's own type.
    std::unique_ptr<QMimeData> mime(files->model()->mimeData({source}));
    QVERIFY(mime);
    QCOMPARE(LocalFilesView::remotePaths(mime.get()),
             QStringList{QStringLiteral("/workspace/") + name});
    // The remote list does not take its own rows back (that would be a no-op upload).
    QVERIFY(!files->model()->canDropMimeData(mime.get(), Qt::CopyAction, -1, -1, {}));

    QTemporaryDir local;
    LocalFilesView *pane = files->localView();
    pane->setRootFolder(local.path());
    QCOMPARE(pane->targetFolder({}), local.path());
    // The pane's header names the folder; Up goes to its parent.
    auto *pathLabel = files->findChild<QLabel *>(QStringLiteral("localPathLabel"));
    QVERIFY(pathLabel);
    QCOMPARE(pathLabel->text(), QDir::toNativeSeparators(local.path()));
    auto *up = files->findChild<QToolButton *>(QStringLiteral("localUpButton"));
    QVERIFY(up);
    up->click();
    QCOMPARE(pane->rootFolder(), QFileInfo(local.path()).absolutePath());
    QCOMPARE(pathLabel->text(), QDir::toNativeSeparators(QFileInfo(local.path()).absolutePath()));
    pane->setRootFolder(local.path());
    QSignalSpy done(m_window->transfers(), &TransferQueue::finished);
    // Dropped onto empty space: lands in the pane's root folder.
    QVERIFY(pane->dropRemote(mime.get(), {}));
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
    QFile file(local.filePath(name));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("hello from the desktop\n"));
    QVERIFY(done.last().at(1).value<TransferResult>().contentVerified);

    // With "Verify file contents" off in the settings, only sizes are checked.
    ServerConnection::saveVerifyTransfers(false);
    QTemporaryDir unverified;
    pane->setRootFolder(unverified.path());
    QVERIFY(pane->dropRemote(mime.get(), {}));
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, 30000);
    ServerConnection::saveVerifyTransfers(true);
    QVERIFY(!done.last().at(1).value<TransferResult>().contentVerified);
    QVERIFY(QFileInfo(unverified.filePath(name)).size() == 23);

    // Something that is not a remote row (a desktop file) is refused by the local pane.
    QMimeData other;
    other.setUrls({QUrl::fromLocalFile(file.fileName())});
    QVERIFY(!pane->dropRemote(&other, {}));
}

void TestRunnersView::releaseRunner()
{
    auto *runners = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    runners->selectRow(rowOfName(runners, m_runnerId));
    auto *release = m_window->actions().releaseRunner;
    QVERIFY(release && release->isEnabled());
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    release->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(rowOfName(runners, m_runnerId) < 0, 15000);
}

void TestRunnersView::cancelStartingRunner()
{
    auto *workloads = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    workloads->selectRow(rowOfName(workloads, QStringLiteral("runner-view")));
    auto *start = m_window->actions().startRunner;
    auto *cancel = m_window->findChild<QToolButton *>(QStringLiteral("cancelStart"));
    QVERIFY(start && cancel);
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    start->trigger();
    // Progress is visible while the runner starts; Cancel ends the wait.
    QVERIFY(!cancel->isHidden());
    auto *operation = m_window->findChild<QLabel *>(QStringLiteral("operationStatus"));
    QVERIFY(operation->text().startsWith(QStringLiteral("Starting runner for runner-view")));
    cancel->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("cancelled"));
    QVERIFY(cancel->isHidden());
    QCOMPARE(m_window->busyCount(), 0);
}

namespace {

QJsonObject shellLayer(const QString &name, const QString &script)
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("init_commands"),
             QJsonArray{
                 QJsonObject{{QStringLiteral("type"), QStringLiteral("shell")},
                             {QStringLiteral("args"),
                              QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"), script}}}}}};
}

QJsonObject shellBuildBody(const QString &name, const QString &script)
{
    return {
        {QStringLiteral("display_name"), name},
        {QStringLiteral("layers"), QJsonArray{shellLayer(QStringLiteral("main"), script)}},
        {QStringLiteral("config"), QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")}}}};
}

} // namespace

void TestRunnersView::buildLogShowsOutput()
{
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    m_window->onboard(
        shellBuildBody(QStringLiteral("log-ok"), QStringLiteral("echo LOG-$((40+2))")), true);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("buildLogDock"));
    QVERIFY(dock && dock->isVisible());
    QVERIFY2(m_window->buildLog()->toPlainText().contains(QStringLiteral("LOG-42")),
             qPrintable(m_window->buildLog()->toPlainText()));
}

void TestRunnersView::failedBuildShowsLogTail()
{
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    // Two layers, the parent fails: its own log is the one that explains it.
    QJsonObject body = shellBuildBody(QStringLiteral("log-fail"), QStringLiteral("echo LEAF-OK"));
    QJsonArray layers = body.value(QStringLiteral("layers")).toArray();
    layers.prepend(shellLayer(QStringLiteral("base"), QStringLiteral("echo WHY-$((6*7)); exit 3")));
    body.insert(QStringLiteral("layers"), layers);
    m_window->onboard(body, true);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    const QString error = finished.first().at(1).toString();
    // The failure names the build and carries the log tail, i.e. why it failed.
    QVERIFY2(error.contains(QStringLiteral("failed")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("WHY-42")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("layer base")), qPrintable(error));
    QVERIFY(!error.contains(QStringLiteral("LEAF-OK")));
}

void TestRunnersView::cleanupTestCase()
{
    m_window.reset();
    m_connection.reset();
}

QTEST_MAIN(TestRunnersView)
#include "tst_runnersview.moc"
