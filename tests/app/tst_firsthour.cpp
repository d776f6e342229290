// Issue 9, "defects a new user hits in the first hour", through the real window against a real
// capsule-local: runner states in words and resume of a paused runner, ownership of created
// paths, empty views, breadcrumbs at the allowed roots, rename conflicts, terminal titles, drops on
// the runners list, the transfers panel, the Build log, onboarding over an existing workload and
// what Release leaves behind.
#include "app/connections/serverconnection.h"
#include "app/files/filebrowser.h"
#include "app/files/localfilesview.h"
#include "app/files/remotefilesmodel.h"
#include "app/mainwindow.h"
#include "app/runners/runnersmodel.h"
#include "app/terminals/terminaltabs.h"
#include "app/workloads/workloadsmodel.h"

#include "core/blocking.h"
#include "core/client.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "support/localserver.h"
#include "terminal/terminalsurface.h"
#include "terminal/terminalview.h"

#include <QAction>
#include <QDockWidget>
#include <QFileSystemModel>
#include <QJsonArray>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
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

class TestFirstHour final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void emptyViewsSayWhatToDo();
    void runnerStateInWords();
    void pausedRunnerCanBeResumed();
    void breadcrumbsStartAtAllowedRoots();
    void createdPathsBelongToTheRunnerUser();
    void cliCopyOwnershipAndNoChown();
    void renameOntoExistingNameIsReported();
    void localPaneSizesStayCurrent();
    void dropOnRunnerRowUploadsToWorkspace();
    void terminalTabTitles();
    void buildLogCanBeReopened();
    void onboardOverExistingAsksFirst();
    void createSelectsTheNewWorkload();
    void releaseLetsGoOfTheRunner();
    void cleanupTestCase();

private:
    int rowOf(QAbstractItemModel *model, const QString &text, int column = 0) const;
    QString runnerText(int column) const;
    ExecResult runIn(const QStringList &argv);
    void listAndWait(const QString &path);
    QModelIndex selectRunnerRow();

    test::LocalServer m_server;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<ServerConnection> m_connection;
    std::unique_ptr<MainWindow> m_window;
    QString m_runnerId;
    bool m_answer = true;
    QStringList m_questions;
};

void TestFirstHour::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(QStringLiteral("tst_firsthour"));
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    m_client = std::make_unique<Client>(m_server.clientSettings());
    QJsonObject body = test::LocalServer::trivialConfig(QStringLiteral("first-hour"));
    body.insert(QStringLiteral("config"),
                QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")}});
    QVERIFY2(!m_server.createAndBuild(body, &error).isEmpty(), qPrintable(error));

    ServerConnection::saveOwnedByRunner(true);
    ServerConnection::saveVerifyTransfers(true);
    m_connection = std::make_unique<ServerConnection>();
    m_window = std::make_unique<MainWindow>(m_connection.get());
    m_window->setConfirmOverride([this](const QString &question) {
        m_questions << question;
        return m_answer;
    });
    m_window->resize(1200, 760);
    m_window->show();
    m_connection->connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(m_connection->state(), ServerConnection::State::Connected, 15000);
}

int TestFirstHour::rowOf(QAbstractItemModel *model, const QString &text, int column) const
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, column).data().toString() == text)
            return row;
    }
    return -1;
}

QString TestFirstHour::runnerText(int column) const
{
    RunnersModel *model = m_window->runnersModel();
    const int row = model->rowOf(m_runnerId);
    return row < 0 ? QString() : model->index(row, column).data().toString();
}

ExecResult TestFirstHour::runIn(const QStringList &argv)
{
    RunnerSession *session = m_connection->session(m_runnerId);
    auto *job = session->execCollect(argv);
    if (!waitFor(job, 30000) || job->hasError())
        return {};
    return job->result();
}

void TestFirstHour::listAndWait(const QString &path)
{
    FileBrowser *files = m_window->fileBrowser();
    QSignalSpy listed(files->model(), &RemoteFilesModel::listed);
    if (files->path() == path)
        files->refresh();
    else
        files->navigate(path);
    QTRY_VERIFY_WITH_TIMEOUT(listed.size() >= 1, 20000);
}

QModelIndex TestFirstHour::selectRunnerRow()
{
    auto *view = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    const int row = rowOf(view->model(), m_runnerId);
    if (row < 0)
        return {};
    view->selectRow(row);
    return view->model()->index(row, 0);
}

void TestFirstHour::emptyViewsSayWhatToDo()
{
    // No runner yet: the runners list, the Terminals tab and the Files tab each explain
    // themselves instead of being empty grey areas.
    QSignalSpy refreshed(m_window->runnersModel(), &RunnersModel::refreshed);
    m_window->refreshAll();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() >= 1, 15000);
    QCOMPARE(m_window->runnersModel()->rowCount(), 0);
    auto *runnersHint = m_window->findChild<QLabel *>(QStringLiteral("runnersViewHint"));
    QVERIFY(runnersHint && !runnersHint->isHidden());
    QVERIFY(runnersHint->text().contains(QStringLiteral("Start")));
    auto *workloadsHint = m_window->findChild<QLabel *>(QStringLiteral("workloadsViewHint"));
    QVERIFY(workloadsHint);
    QTRY_VERIFY(workloadsHint->isHidden()); // there is a workload
    QLabel *terminals = m_window->terminalTabs()->emptyHint();
    QVERIFY(!terminals->isHidden());
    QVERIFY(terminals->text().contains(QStringLiteral("Open Terminal")));
    FileBrowser *files = m_window->fileBrowser();
    QVERIFY(!files->hint()->isHidden());
    QVERIFY(files->hint()->text().contains(QStringLiteral("Browse Files")));
    QVERIFY(!files->view()->isEnabled());
    QVERIFY(files->localView()->isEnabled()); // this computer's side works without a runner
}

void TestFirstHour::runnerStateInWords()
{
    auto *workloads = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(workloads->model(), QStringLiteral("first-hour")) >= 0, 15000);
    workloads->selectRow(rowOf(workloads->model(), QStringLiteral("first-hour")));
    auto *start = m_window->actions().startRunner;
    QVERIFY(start && start->isEnabled());
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    start->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    m_runnerId = m_window->selectedRunnerId();
    QVERIFY(!m_runnerId.isEmpty());
    // The server lists a fresh runner as "busy"; the app says it is running, the tooltip keeps
    // the server's word.
    QSignalSpy refreshed(m_window->runnersModel(), &RunnersModel::refreshed);
    m_window->refreshAll();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() >= 1, 15000);
    QTRY_COMPARE(runnerText(RunnersModel::StatusColumn), QStringLiteral("Running"));
    RunnersModel *model = m_window->runnersModel();
    const QModelIndex status = model->index(model->rowOf(m_runnerId), RunnersModel::StatusColumn);
    QVERIFY(status.data(Qt::ToolTipRole).toString().contains(QStringLiteral("server state")));
    QVERIFY(!status.data(RunnersModel::RawStatusRole).toString().isEmpty());
    QCOMPARE(RunnersModel::statusText(QStringLiteral("busy")), QStringLiteral("Running"));
    QCOMPARE(RunnersModel::statusText(QStringLiteral("idle")), QStringLiteral("Running"));
    QCOMPARE(RunnersModel::statusText(QStringLiteral("suspended")), QStringLiteral("Paused"));
    QCOMPARE(RunnersModel::statusText(QStringLiteral("booting")), QStringLiteral("Starting"));
    auto *runnersHint = m_window->findChild<QLabel *>(QStringLiteral("runnersViewHint"));
    QTRY_VERIFY(runnersHint->isHidden());
}

void TestFirstHour::pausedRunnerCanBeResumed()
{
    // Paused behind the app's back (as `capsule pause` does): the listing says "suspended".
    auto *pause = m_client->runners()->pause(m_runnerId);
    QVERIFY(waitFor(pause, 120000));
    QVERIFY2(!pause->hasError(), qPrintable(pause->error().toString()));
    QSignalSpy refreshed(m_window->runnersModel(), &RunnersModel::refreshed);
    m_window->refreshAll();
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() >= 1, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(runnerText(RunnersModel::StatusColumn), QStringLiteral("Paused"),
                              15000);
    QVERIFY(selectRunnerRow().isValid());
    auto *resume = m_window->actions().resumeRunner;
    auto *pauseAction = m_window->actions().pauseRunner;
    auto *terminal = m_window->actions().openTerminal;
    QTRY_VERIFY(resume->isEnabled());
    QVERIFY(!pauseAction->isEnabled());
    QVERIFY(!terminal->isEnabled());

    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    resume->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    // Resume keeps the runner id; it runs again and the actions follow.
    QTRY_COMPARE_WITH_TIMEOUT(runnerText(RunnersModel::StatusColumn), QStringLiteral("Running"),
                              15000);
    QVERIFY(selectRunnerRow().isValid());
    QTRY_VERIFY(pauseAction->isEnabled());
    QVERIFY(!resume->isEnabled());
    QVERIFY(terminal->isEnabled());
}

void TestFirstHour::breadcrumbsStartAtAllowedRoots()
{
    QVERIFY(selectRunnerRow().isValid());
    auto *browse = m_window->actions().browseFiles;
    QVERIFY(browse && browse->isEnabled());
    FileBrowser *files = m_window->fileBrowser();
    QSignalSpy listed(files->model(), &RemoteFilesModel::listed);
    browse->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(listed.size() >= 1, 20000);
    QVERIFY(files->hint()->isHidden());
    QCOMPARE(files->path(), QStringLiteral("/workspace"));
    listAndWait(QStringLiteral("/workspace"));

    // No "/" crumb (the host answers 403 there): the first crumb is the root.
    QList<QToolButton *> crumbs;
    for (QToolButton *b : files->findChildren<QToolButton *>()) {
        if (b->text().contains(QChar(0x203a)))
            crumbs << b;
    }
    QVERIFY(!crumbs.isEmpty());
    for (QToolButton *b : std::as_const(crumbs))
        QVERIFY2(b->text() != QStringLiteral("/"), qPrintable(b->text()));
    QVERIFY(std::any_of(crumbs.cbegin(), crumbs.cend(), [](QToolButton *b) {
        return b->text().startsWith(QStringLiteral("/workspace"));
    }));
    // The roots menu names the roots and says which exist.
    auto *roots = files->findChild<QToolButton *>(QStringLiteral("rootsButton"));
    QVERIFY(roots && roots->menu());
    QStringList texts;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            texts.clear();
            for (QAction *a : roots->menu()->actions())
                texts << a->text();
            return texts.size() >= 4;
        }(),
        5000);
    QVERIFY(texts.contains(QStringLiteral("/workspace")));
    QVERIFY(texts.contains(QStringLiteral("/tmp")));
    QVERIFY(files->rootExists(QStringLiteral("/workspace")));
    // "/" is refused with words, and Up stops at a root.
    files->navigate(QStringLiteral("/"));
    QCOMPARE(files->path(), QStringLiteral("/workspace"));
    files->goUp();
    QCOMPARE(files->path(), QStringLiteral("/workspace"));
    listAndWait(QStringLiteral("/tmp"));
    QCOMPARE(files->path(), QStringLiteral("/tmp"));
    files->goUp();
    QCOMPARE(files->path(), QStringLiteral("/tmp"));
    listAndWait(QStringLiteral("/workspace"));
}

void TestFirstHour::createdPathsBelongToTheRunnerUser()
{
    FileBrowser *files = m_window->fileBrowser();
    QTemporaryDir local;
    QFile file(local.filePath(QStringLiteral("owned.txt")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("mine\n");
    file.close();
    QDir(local.path()).mkpath(QStringLiteral("tree/sub"));
    QFile inner(local.filePath(QStringLiteral("tree/sub/inner.txt")));
    QVERIFY(inner.open(QIODevice::WriteOnly));
    inner.write("inner\n");
    inner.close();

    // An upload into a folder that does not exist yet, a folder upload, and New Folder.
    QSignalSpy done(m_window->transfers(), &TransferQueue::finished);
    files->upload({file.fileName()}, QStringLiteral("/workspace/up-new"));
    files->upload({local.filePath(QStringLiteral("tree"))}, QStringLiteral("/workspace"));
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, 60000);
    files->setTextInputOverride(
        [](const QString &, const QString &) { return QStringLiteral("made-here"); });
    files->makeFolder();
    // The uploads' own refreshes may list before the folder exists: wait for its row.
    QTRY_VERIFY_WITH_TIMEOUT(!files->model()
                                  ->match(files->model()->index(0, 0), Qt::DisplayRole,
                                          QStringLiteral("made-here"), 1, Qt::MatchExactly)
                                  .isEmpty(),
                             20000);

    const ExecResult owners = runIn(
        {QStringLiteral("stat"), QStringLiteral("-c"), QStringLiteral("%U %n"),
         QStringLiteral("/workspace/up-new"), QStringLiteral("/workspace/up-new/owned.txt"),
         QStringLiteral("/workspace/tree"), QStringLiteral("/workspace/tree/sub"),
         QStringLiteral("/workspace/tree/sub/inner.txt"), QStringLiteral("/workspace/made-here")});
    QCOMPARE(owners.code, 0);
    const QStringList lines = owners.stdoutText.trimmed().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 6);
    for (const QString &line : lines)
        QVERIFY2(line.startsWith(QStringLiteral("runner ")), qPrintable(owners.stdoutText));
    // So the runner's user can change them (before the fix: Permission denied).
    const ExecResult append =
        runIn({QStringLiteral("sh"), QStringLiteral("-c"),
               QStringLiteral("echo more >> /workspace/up-new/owned.txt && "
                              "touch /workspace/made-here/x && cat /workspace/up-new/owned.txt")});
    QCOMPARE(append.code, 0);
    QCOMPARE(append.stdoutText, QStringLiteral("mine\nmore\n"));

    // The setting off: the host's root-owned files, as before.
    ServerConnection::saveOwnedByRunner(false);
    files->upload({file.fileName()}, QStringLiteral("/workspace"));
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 3, 60000);
    ServerConnection::saveOwnedByRunner(true);
    const ExecResult rootOwned =
        runIn({QStringLiteral("stat"), QStringLiteral("-c"), QStringLiteral("%U"),
               QStringLiteral("/workspace/owned.txt")});
    QCOMPARE(rootOwned.stdoutText.trimmed(), QStringLiteral("root"));
}

void TestFirstHour::cliCopyOwnershipAndNoChown()
{
    const QString cli = qEnvironmentVariable("CAPSULE_CLI_BIN");
    QVERIFY2(!cli.isEmpty(), "CAPSULE_CLI_BIN is not set (ctest sets it)");
    QTemporaryDir local;
    QFile file(local.filePath(QStringLiteral("cli.txt")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("cli\n");
    file.close();
    auto cp = [&](const QStringList &extra, const QString &dest) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CAPSULE_BASE_URL"), m_server.baseUrl());
        env.insert(QStringLiteral("CAPSULE_TOKEN"), m_server.token());
        p.setProcessEnvironment(env);
        p.start(cli, QStringList{QStringLiteral("cp")} + extra +
                         QStringList{file.fileName(), m_runnerId + QLatin1Char(':') + dest});
        p.waitForFinished(60000);
        return p.exitCode() == 0 ? QString() : QString::fromUtf8(p.readAllStandardError());
    };
    QCOMPARE(cp({}, QStringLiteral("/workspace/cli-new/cli.txt")), QString());
    QCOMPARE(cp({QStringLiteral("--no-chown")}, QStringLiteral("/workspace/cli-root.txt")),
             QString());
    const ExecResult owners =
        runIn({QStringLiteral("stat"), QStringLiteral("-c"), QStringLiteral("%U"),
               QStringLiteral("/workspace/cli-new"), QStringLiteral("/workspace/cli-new/cli.txt"),
               QStringLiteral("/workspace/cli-root.txt")});
    QCOMPARE(owners.stdoutText, QStringLiteral("runner\nrunner\nroot\n"));
}

void TestFirstHour::renameOntoExistingNameIsReported()
{
    RunnerSession *session = m_connection->session(m_runnerId);
    for (const auto &[name, text] :
         {std::pair{"keep-a.txt", "A\n"}, std::pair{"keep-b.txt", "B\n"}}) {
        auto *write = session->writeText(QStringLiteral("/workspace/") + QLatin1String(name),
                                         QString::fromLatin1(text));
        QVERIFY(waitFor(write, 20000) && !write->hasError());
    }
    FileBrowser *files = m_window->fileBrowser();
    listAndWait(QStringLiteral("/workspace"));
    int row = -1;
    for (int i = 0; i < files->model()->rowCount(); ++i) {
        if (files->model()->entry(i).name == QLatin1String("keep-a.txt"))
            row = i;
    }
    QVERIFY(row >= 0);
    files->view()->selectionModel()->select(files->model()->index(row, 0),
                                            QItemSelectionModel::ClearAndSelect |
                                                QItemSelectionModel::Rows);
    files->setTextInputOverride(
        [](const QString &, const QString &) { return QStringLiteral("keep-b.txt"); });
    QSignalSpy messages(files, &FileBrowser::message);
    files->renameSelected();
    QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), 20000);
    const QString text = messages.last().first().toString();
    QVERIFY2(text.contains(QStringLiteral("already exists")), qPrintable(text));
    // Nothing lost: both files keep their contents.
    const ExecResult both = runIn({QStringLiteral("cat"), QStringLiteral("/workspace/keep-a.txt"),
                                   QStringLiteral("/workspace/keep-b.txt")});
    QCOMPARE(both.stdoutText, QStringLiteral("A\nB\n"));
}

void TestFirstHour::localPaneSizesStayCurrent()
{
    // One unit system: the runner's list and the local pane format sizes alike.
    const qint64 size = 5000000;
    QCOMPARE(RemoteFilesModel::sizeText(size), QLocale::system().formattedDataSize(size));
    QVERIFY(RemoteFilesModel::sizeText(size).contains(QStringLiteral("MiB")));

    LocalFilesView *pane = m_window->fileBrowser()->localView();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("growing.bin"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(1000, 'x'));
    file.flush();
    pane->setRootFolder(dir.path());
    QFileSystemModel *model = pane->fileModel();
    QTRY_VERIFY_WITH_TIMEOUT(model->index(path).isValid(), 10000);
    auto shown = [model, &path] {
        return model->index(path, 1).data().toString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(shown(), RemoteFilesModel::sizeText(1000), 10000);
    // The file grows while shown (a download in progress, a build writing): the pane follows.
    QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
    file.write(QByteArray(size - 1000, 'y'));
    file.close();
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 10000);
    QCOMPARE(shown(), RemoteFilesModel::sizeText(size));

    // Dragging from the local pane carries the files (URLs) the runner's list takes as uploads.
    QVERIFY(pane->dragEnabled());
    std::unique_ptr<QMimeData> mime(model->mimeData({model->index(path)}));
    QVERIFY(mime && mime->hasUrls());
    QVERIFY(
        m_window->fileBrowser()->model()->canDropMimeData(mime.get(), Qt::CopyAction, -1, -1, {}));
}

void TestFirstHour::dropOnRunnerRowUploadsToWorkspace()
{
    QTemporaryDir local;
    const QString name = QStringLiteral("dropped-on-row.txt");
    QFile file(local.filePath(name));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("row drop\n");
    file.close();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(file.fileName())});
    auto *view = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    const QModelIndex row = selectRunnerRow();
    QVERIFY(row.isValid());
    QVERIFY(view->acceptDrops());
    QVERIFY(view->model()->canDropMimeData(&mime, Qt::CopyAction, -1, -1, row));
    QSignalSpy done(m_window->transfers(), &TransferQueue::finished);
    QVERIFY(view->model()->dropMimeData(&mime, Qt::CopyAction, -1, -1, row));
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
    const ExecResult check = runIn({QStringLiteral("cat"), QStringLiteral("/workspace/") + name});
    QCOMPARE(check.stdoutText, QStringLiteral("row drop\n"));

    // The transfers panel names both ends and keeps the newest row in view.
    auto *list = m_window->findChild<QTreeWidget *>(QStringLiteral("transfersList"));
    QVERIFY(list && list->topLevelItemCount() >= 1);
    QTreeWidgetItem *last = list->topLevelItem(list->topLevelItemCount() - 1);
    QCOMPARE(last->text(0), QFileInfo(file.fileName()).absoluteFilePath());
    QCOMPARE(last->text(1),
             TerminalTabs::shortId(m_runnerId) + QStringLiteral(":/workspace/") + name);
    QVERIFY(last->toolTip(0).contains(m_runnerId));
    QCOMPARE(list->headerItem()->text(0), QStringLiteral("From"));
    QCOMPARE(list->headerItem()->text(1), QStringLiteral("To"));
    const QRect shownRect = list->visualItemRect(last);
    QVERIFY(list->viewport()->rect().intersects(shownRect));
}

void TestFirstHour::terminalTabTitles()
{
    QVERIFY(selectRunnerRow().isValid());
    auto *open = m_window->actions().openTerminal;
    QVERIFY(open && open->isEnabled());
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("terminalTabs"));
    open->trigger();
    open->trigger();
    QCOMPARE(tabs->count(), 2);
    QVERIFY(m_window->terminalTabs()->emptyHint()->isHidden());
    const QString shortId = TerminalTabs::shortId(m_runnerId);
    auto baseTitle = [&](int n) {
        return QStringLiteral("first-hour \u00b7 %1 \u00b7 %2").arg(shortId).arg(n);
    };
    QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(0), baseTitle(1), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(1), baseTitle(2), 20000);
    QVERIFY(tabs->tabToolTip(0).contains(m_runnerId));

    // The program's title (OSC 0/2) wins.
    auto *view = qobject_cast<terminal::TerminalView *>(tabs->widget(0));
    QVERIFY(view);
    QTRY_VERIFY_WITH_TIMEOUT(!view->surface()->screenText().trimmed().isEmpty(), 20000);
    view->setFocus();
    QTest::keyClicks(view, QStringLiteral("printf '\\033]0;%s\\007' TITLE-$((40+2))"));
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(tabs->tabText(0), QStringLiteral("TITLE-42"), 20000);

    // Ctrl+Q reaches the Quit action from inside a terminal; Ctrl+W still goes to the shell.
    QKeyEvent quit(QEvent::ShortcutOverride, Qt::Key_Q, Qt::ControlModifier);
    quit.setAccepted(false);
    QCoreApplication::sendEvent(view, &quit);
    QVERIFY(!quit.isAccepted());
    QKeyEvent word(QEvent::ShortcutOverride, Qt::Key_W, Qt::ControlModifier);
    word.setAccepted(false);
    QCoreApplication::sendEvent(view, &word);
    QVERIFY(word.isAccepted());
}

void TestFirstHour::buildLogCanBeReopened()
{
    auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("buildLogDock"));
    auto *show = m_window->actions().showBuildLog;
    auto *viewMenu = m_window->findChild<QMenu *>(QStringLiteral("viewMenu"));
    QVERIFY(dock && show && viewMenu);
    QVERIFY(viewMenu->actions().contains(show));
    auto *transfers = m_window->actions().showTransfers;
    QVERIFY(transfers && viewMenu->actions().contains(transfers));
    dock->close();
    QVERIFY(!dock->isVisible());
    show->trigger();
    QVERIFY(dock->isVisible());
    dock->close();
    // A later build brings it back.
    auto *workloads = m_window->findChild<QTableView *>(QStringLiteral("workloadsView"));
    workloads->selectRow(rowOf(workloads->model(), QStringLiteral("first-hour")));
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    m_window->buildWorkload();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    QVERIFY(dock->isVisible());
}

void TestFirstHour::onboardOverExistingAsksFirst()
{
    QJsonObject body = test::LocalServer::trivialConfig(QStringLiteral("first-hour"));
    body.insert(
        QStringLiteral("config"),
        QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")}, {QStringLiteral("ttl"), 600}});
    auto ttl = [this] {
        auto *get = m_client->configs()->get(QStringLiteral("first-hour"));
        if (!waitFor(get, 20000) || get->hasError())
            return qint64(-1);
        return get->result()
            .definition.value(QStringLiteral("config"))
            .toObject()
            .value(QStringLiteral("ttl"))
            .toInteger();
    };
    QCOMPARE(ttl(), 0);
    m_questions.clear();
    m_answer = false;
    m_window->onboard(body, false);
    QTRY_COMPARE_WITH_TIMEOUT(m_questions.size(), 1, 20000);
    const QString question = m_questions.first();
    QVERIFY2(question.contains(QStringLiteral("already exists")), qPrintable(question));
    QVERIFY2(question.contains(QStringLiteral("config.ttl: (none) \u2192 600")),
             qPrintable(question));
    QTest::qWait(500);
    QCOMPARE(ttl(), 0); // declined: nothing replaced

    m_answer = true;
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    m_window->onboard(body, false);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    QCOMPARE(ttl(), 600);
}

void TestFirstHour::createSelectsTheNewWorkload()
{
    m_questions.clear();
    QJsonObject body = test::LocalServer::trivialConfig(QStringLiteral("fresh-one"));
    body.insert(QStringLiteral("config"),
                QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")}});
    auto *runners = m_window->findChild<QTableView *>(QStringLiteral("runnersView"));
    m_window->findChild<QTabWidget *>(QStringLiteral("mainTabs"))
        ->setCurrentWidget(runners->parentWidget());
    m_window->onboard(body, false);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->selectedConfigId(), QStringLiteral("fresh-one"), 20000);
    QVERIFY(m_questions.isEmpty()); // a new name asks nothing
    auto *start = m_window->actions().startRunner;
    QVERIFY(start->isEnabled());
}

void TestFirstHour::releaseLetsGoOfTheRunner()
{
    FileBrowser *files = m_window->fileBrowser();
    QVERIFY(files->session());
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("terminalTabs"));
    QVERIFY(tabs->count() >= 1);
    QVERIFY(selectRunnerRow().isValid());
    auto *release = m_window->actions().releaseRunner;
    QVERIFY(release->isEnabled());
    QSignalSpy finished(m_window.get(), &MainWindow::operationFinished);
    release->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
    QCOMPARE(finished.first().at(1).toString(), QString());
    // The tabs say so and no longer reconnect; the Files tab is empty again with its hint.
    for (int i = 0; i < tabs->count(); ++i)
        QVERIFY2(tabs->tabText(i).contains(QStringLiteral("released")),
                 qPrintable(tabs->tabText(i)));
    QVERIFY(!files->session());
    QCOMPARE(files->model()->rowCount(), 0);
    QVERIFY(!files->hint()->isHidden());
    QVERIFY(files->path().isEmpty() || !files->view()->isEnabled());
}

void TestFirstHour::cleanupTestCase()
{
    m_window.reset();
    m_connection.reset();
}

QTEST_MAIN(TestFirstHour)
#include "tst_firsthour.moc"
