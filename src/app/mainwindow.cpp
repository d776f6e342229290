// The main window: workloads, runners, files and terminals of the connected Capsule server.
#include "app/mainwindow.h"
#include "app/confirm.h"

#include "app/embeddedserver.h"
#include "app/emptyhint.h"
#include "app/filebrowser.h"
#include "app/hosts/hostsview.h"
#include "app/wizard/onboarddiff.h"
#include "app/runnersmodel.h"
#include "app/serverconnection.h"
#include "app/settingsdialog.h"
#include "app/terminals/detachedterminal.h"
#include "app/terminals/terminalprefs.h"
#include "app/terminals/terminaltabs.h"
#include "app/tokenstore.h"
#include "app/transferspanel.h"
#include "app/workloadsmodel.h"
#include "app/wizard/workloadwizard.h"

#include "core/client.h"
#include "core/onboard.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "terminal/terminalview.h"

#include "ui_mainwindow.h"

#include <QAction>
#include <QClipboard>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUuid>

// The resources live in the static capsule-app library: register them explicitly, or the linker
// may drop their initializer.
static void initAppResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace capsule::app {

MainWindow::MainWindow(ServerConnection *connection, QWidget *parent)
    : QMainWindow(parent)
    , m_ui(new Ui::MainWindow)
    , m_connection(connection)
    , m_workloads(new WorkloadsModel(this))
    , m_runners(new RunnersModel(this))
    , m_workloadsProxy(new QSortFilterProxyModel(this))
    , m_runnersProxy(new QSortFilterProxyModel(this))
    , m_transfers(new TransferQueue(this))
    , m_files(new FileBrowser(m_transfers, this))
    , m_statusLabel(new QLabel(this))
    , m_operationLabel(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancelButton(new QToolButton(this))
    , m_buildDock(new QDockWidget(tr("Build log"), this))
    , m_buildLog(new QPlainTextEdit(m_buildDock))
    , m_terminals(nullptr)
    , m_staleLabel(new QLabel(this))
{
    initAppResources();
    m_ui->setupUi(this);
    m_terminals = new TerminalTabs(m_ui->terminalTabs, this);
    // Says when the lists are stale (server down or restarting) or what just happened to it.
    m_staleLabel->setObjectName(QStringLiteral("staleBanner"));
    m_staleLabel->setWordWrap(true);
    m_staleLabel->setTextFormat(Qt::PlainText);
    m_staleLabel->setStyleSheet(
        QStringLiteral("QLabel { background: #fde7e9; color: #6e0b14; border: 1px solid #e0a0a8; "
                       "border-radius: 3px; padding: 6px; }"));
    m_staleLabel->setVisible(false);
    m_ui->centralLayout->insertWidget(1, m_staleLabel);
    setWindowIcon(QIcon(QStringLiteral(":/icons/capsule.svg")));
    m_ui->mainTabs->addTab(new HostsView(m_connection, this), tr("&Hosts"));

    m_workloadsProxy->setSourceModel(m_workloads);
    m_workloadsProxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_ui->workloadsView->setModel(m_workloadsProxy);
    m_ui->workloadsView->sortByColumn(WorkloadsModel::NameColumn, Qt::AscendingOrder);
    m_ui->workloadsView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_ui->workloadsView->setColumnWidth(WorkloadsModel::NameColumn, 220);
    m_ui->workloadsView->setColumnWidth(WorkloadsModel::KeyColumn, 160);
    m_ui->workloadsView->setColumnWidth(WorkloadsModel::TierColumn, 50);
    m_ui->workloadsView->setColumnWidth(WorkloadsModel::StatusColumn, 360);

    m_runnersProxy->setSourceModel(m_runners);
    m_ui->runnersView->setModel(m_runnersProxy);
    m_ui->runnersView->sortByColumn(RunnersModel::IdColumn, Qt::AscendingOrder);
    // Runner and session ids are UUIDs: wide enough for a whole one on one line (longer ids are
    // elided in the middle, the full id is in the tooltip and copied with the row).
    const int uuidWidth = m_ui->runnersView->fontMetrics().horizontalAdvance(
                              QStringLiteral("00000000-0000-0000-0000-000000000000")) +
                          16;
    m_ui->runnersView->setColumnWidth(RunnersModel::IdColumn, uuidWidth);
    m_ui->runnersView->setColumnWidth(RunnersModel::WorkloadColumn, 160);
    m_ui->runnersView->setColumnWidth(RunnersModel::StatusColumn, 90);
    m_ui->runnersView->setColumnWidth(RunnersModel::HostColumn, 160);
    m_ui->runnersView->setColumnWidth(RunnersModel::SessionColumn, uuidWidth);
    m_runners->setWorkloadNamer(
        [this](const QString &key) { return m_workloads->nameForKey(key); });
    // Local files dropped on a runner's row go to its /workspace.
    m_ui->runnersView->setAcceptDrops(true);
    m_ui->runnersView->viewport()->setAcceptDrops(true);
    m_ui->runnersView->setDragDropMode(QAbstractItemView::DropOnly);
    m_ui->runnersView->setDefaultDropAction(Qt::CopyAction);
    m_ui->runnersView->setDropIndicatorShown(true);
    connect(m_runners, &RunnersModel::uploadRequested, this, &MainWindow::uploadToRunner);

    // Empty lists say what they are for and what to do.
    new EmptyHint(m_ui->workloadsView,
                  tr("<p><b>No workloads yet.</b></p><p>A workload describes a sandbox: a base "
                     "image and the commands that set it up.<br>Create one with <i>New "
                     "Workload...</i> (Ctrl+N) or open an onboard.yaml (Ctrl+O); build it, then "
                     "<i>Start Runner</i> gives you a running sandbox.</p>"));
    new EmptyHint(m_ui->runnersView,
                  tr("<p><b>No runners.</b></p><p>A runner is a running sandbox of a workload.<br>"
                     "Select a built workload on the Workloads tab and choose <i>Start "
                     "Runner</i> (Ctrl+Return), or double-click it.</p>"));

    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(120);
    m_progress->setVisible(false);
    m_operationLabel->setVisible(false);
    m_statusLabel->setObjectName(QStringLiteral("connectionStatus"));
    m_operationLabel->setObjectName(QStringLiteral("operationStatus"));
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_operationLabel);
    statusBar()->addPermanentWidget(m_progress);
    m_cancelButton->setObjectName(QStringLiteral("cancelStart"));
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Stop waiting for the runner to start"));
    m_cancelButton->setVisible(false);
    connect(m_cancelButton, &QToolButton::clicked, this, &MainWindow::cancelStart);
    statusBar()->addPermanentWidget(m_cancelButton);

    m_buildDock->setObjectName(QStringLiteral("buildLogDock"));
    m_buildLog->setObjectName(QStringLiteral("buildLog"));
    m_buildLog->setReadOnly(true);
    m_buildLog->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_buildLog->setMaximumBlockCount(20000);
    m_buildLog->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_buildDock->setWidget(m_buildLog);
    addDockWidget(Qt::BottomDockWidgetArea, m_buildDock);
    m_buildDock->hide(); // until a build is followed

    m_ui->filesLayout->addWidget(m_files);
    connect(m_files, &FileBrowser::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    auto *dock = new QDockWidget(tr("Transfers"), this);
    dock->setObjectName(QStringLiteral("transfersDock"));
    dock->setWidget(new TransfersPanel(m_transfers, dock));
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide(); // until the first transfer (restoreState may bring it back)
    // Show the panel when something starts moving, a few rows high (the user may resize it; the
    // size is kept with the window state).
    connect(m_transfers, &TransferQueue::added, this, [this, dock] {
        if (dock->isVisible())
            return;
        dock->show();
        resizeDocks({dock}, {dock->fontMetrics().height() * 9}, Qt::Vertical);
    });

    createActions();
    // The View menu lists every dock and the toolbar, so a closed one comes back from there.
    if (auto *viewMenu = findChild<QMenu *>(QStringLiteral("viewMenu"))) {
        viewMenu->addSeparator();
        QAction *transfersToggle = dock->toggleViewAction();
        transfersToggle->setObjectName(QStringLiteral("actionShowTransfers"));
        QAction *buildToggle = m_buildDock->toggleViewAction();
        buildToggle->setObjectName(QStringLiteral("actionShowBuildLog"));
        viewMenu->addActions({transfersToggle, buildToggle});
        if (auto *toolBar = findChild<QToolBar *>(QStringLiteral("mainToolBar"))) {
            QAction *toolBarToggle = toolBar->toggleViewAction();
            toolBarToggle->setObjectName(QStringLiteral("actionShowToolBar"));
            viewMenu->addAction(toolBarToggle);
        }
    }
    // Quit works from inside a terminal too (a terminal otherwise takes every key).
    if (auto *quitAction = findChild<QAction *>(QStringLiteral("actionQuit")))
        m_terminals->setPassThroughShortcuts(quitAction->shortcuts());

    connect(m_connection, &ServerConnection::stateChanged, this, &MainWindow::updateStatus);
    connect(m_connection, &ServerConnection::notice, this, [this](const QString &text) {
        m_notice = text;
        statusBar()->showMessage(text, 15000);
        updateStatus();
        QTimer::singleShot(15000, this, [this, text] {
            if (m_notice == text)
                m_notice.clear();
            updateStatus();
        });
    });
    connect(m_connection, &ServerConnection::serverChanged, this, &MainWindow::onServerChanged);
    connect(m_workloads, &WorkloadsModel::refreshFailed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 5000); });
    connect(m_ui->workloadsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
    connect(m_ui->runnersView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
    // A refresh may change the selected runner's state (paused from the CLI, resumed...).
    connect(m_runners, &QAbstractItemModel::dataChanged, this, &MainWindow::updateActions);
    connect(m_runners, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateActions);
    connect(m_runners, &QAbstractItemModel::modelReset, this, &MainWindow::updateActions);
    connect(m_workloads, &WorkloadsModel::refreshed, this, [this] {
        if (!m_selectAfterRefresh.isEmpty())
            selectWorkload(m_selectAfterRefresh);
    });
    connect(m_ui->runnersView, &QAbstractItemView::doubleClicked, this, &MainWindow::openTerminal);
    connect(m_ui->workloadsView, &QAbstractItemView::doubleClicked, this, &MainWindow::startRunner);

    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_ui->mainTabs->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());

    if (m_connection->client())
        onServerChanged();
    updateStatus();
    updateActions();
}

MainWindow::~MainWindow()
{
    delete m_ui;
}

void MainWindow::createActions()
{
    auto make = [this](const char *name, const QString &text, const QKeySequence &key,
                       void (MainWindow::*slot)()) {
        auto *action = new QAction(text, this);
        action->setObjectName(QString::fromLatin1(name));
        if (!key.isEmpty())
            action->setShortcut(key);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    QAction *refresh =
        make("actionRefresh", tr("&Refresh"), QKeySequence::Refresh, &MainWindow::refreshAll);
    refresh->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)});
    refresh->setIcon(QIcon(QStringLiteral(":/icons/refresh.svg")));
    QAction *newWorkload = make("actionNewWorkload", tr("&New Workload..."),
                                QKeySequence(Qt::CTRL | Qt::Key_N), &MainWindow::newWorkload);
    newWorkload->setIcon(QIcon(QStringLiteral(":/icons/new.svg")));
    QAction *open = make("actionOpenOnboard", tr("&Open onboard.yaml..."),
                         QKeySequence(Qt::CTRL | Qt::Key_O), &MainWindow::openOnboard);
    QAction *settings = make("actionSettings", tr("&Connection Settings..."),
                             QKeySequence(Qt::CTRL | Qt::Key_Comma), &MainWindow::showSettings);
    QAction *quit =
        make("actionQuit", tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), &MainWindow::quit);
    quit->setMenuRole(QAction::QuitRole);
    QAction *about = make("actionAbout", tr("&About Capsule Desktop"), {}, &MainWindow::showAbout);

    QAction *start = make("actionStartRunner", tr("&Start Runner"),
                          QKeySequence(Qt::CTRL | Qt::Key_Return), &MainWindow::startRunner);
    start->setIcon(QIcon(QStringLiteral(":/icons/start.svg")));
    QAction *build = make("actionBuildWorkload", tr("&Build"), QKeySequence(Qt::CTRL | Qt::Key_B),
                          &MainWindow::buildWorkload);
    build->setIcon(QIcon(QStringLiteral(":/icons/build.svg")));
    QAction *deleteWorkload = make("actionDeleteWorkload", tr("&Delete Workload..."),
                                   QKeySequence::Delete, &MainWindow::deleteWorkload);
    deleteWorkload->setShortcutContext(Qt::WidgetWithChildrenShortcut);

    QAction *pause = make("actionPauseRunner", tr("&Pause"), QKeySequence(Qt::CTRL | Qt::Key_P),
                          &MainWindow::pauseRunner);
    pause->setIcon(QIcon(QStringLiteral(":/icons/pause.svg")));
    QAction *resume =
        make("actionResumeRunner", tr("Res&ume"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
             &MainWindow::resumeRunner);
    resume->setIcon(QIcon(QStringLiteral(":/icons/start.svg")));
    QAction *release = make("actionReleaseRunner", tr("&Release..."), QKeySequence::Delete,
                            &MainWindow::releaseRunner);
    release->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    release->setIcon(QIcon(QStringLiteral(":/icons/release.svg")));
    QAction *quarantine =
        make("actionQuarantineRunner", tr("&Quarantine..."), {}, &MainWindow::quarantineRunner);
    QAction *terminal =
        make("actionOpenTerminal", tr("Open &Terminal"),
             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T), &MainWindow::openTerminal);
    terminal->setIcon(QIcon(QStringLiteral(":/icons/terminal.svg")));
    QAction *closeTerminal =
        make("actionCloseTerminal", tr("&Close Terminal"),
             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), &MainWindow::closeTerminal);
    QAction *copyId = make("actionCopyRunnerId", tr("&Copy Runner ID"), QKeySequence::Copy,
                           &MainWindow::copyRunnerId);
    copyId->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction *files = make("actionBrowseFiles", tr("Browse &Files"),
                          QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), &MainWindow::browseFiles);
    files->setIcon(QIcon(QStringLiteral(":/icons/folder.svg")));

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(newWorkload);
    fileMenu->addAction(open);
    fileMenu->addSeparator();
    fileMenu->addAction(settings);
    fileMenu->addSeparator();
    fileMenu->addAction(quit);
    QMenu *workloadMenu = menuBar()->addMenu(tr("&Workload"));
    workloadMenu->addActions({start, build, deleteWorkload});
    QMenu *runnerMenu = menuBar()->addMenu(tr("&Runner"));
    runnerMenu->addActions({terminal, files, copyId});
    runnerMenu->addSeparator();
    runnerMenu->addActions({pause, resume, quarantine, release});
    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->setObjectName(QStringLiteral("viewMenu"));
    viewMenu->addAction(refresh);
    viewMenu->addAction(closeTerminal);
    viewMenu->addAction(tr("Terminal &Appearance..."), this, [this] {
        auto *dialog = new app::TerminalPreferencesDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(about);

    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addActions({refresh, newWorkload});
    toolBar->addSeparator();
    toolBar->addActions({start, build});
    toolBar->addSeparator();
    toolBar->addActions({terminal, files, pause, resume, release});

    m_ui->workloadsView->addActions({start, build, deleteWorkload});
    m_ui->runnersView->addActions({terminal, files, copyId, pause, resume, quarantine, release});
    // closeTerminal and quit must work from inside a terminal (it has keyboard focus there).
    addActions({closeTerminal, quit});
    enableTerminalTabDetach(m_ui->terminalTabs); // tab context menu: Detach Tab
}

void MainWindow::setConfirmOverride(std::function<bool(const QString &)> answer)
{
    m_confirmOverride = std::move(answer);
}

void MainWindow::confirm(const QString &question, std::function<void()> onYes)
{
    confirmAsync(this, question, m_confirmOverride, std::move(onYes));
}

void MainWindow::confirmWithClient(const QString &question, std::function<void(Client *)> action)
{
    // The connection may have changed while the question was up.
    confirm(question, [this, action = std::move(action)] {
        if (Client *client = m_connection->client())
            action(client);
    });
}

void MainWindow::showError(const QString &what, const QString &message)
{
    statusBar()->showMessage(tr("%1 failed: %2").arg(what, message), 10000);
    if (m_confirmOverride)
        return; // tests read operationFinished instead of clicking dialogs away
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Capsule Desktop"),
                                tr("%1 failed.").arg(what), QMessageBox::Ok, this);
    box->setInformativeText(message);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

std::function<void(const QString &)> MainWindow::beginOperation(const QString &what)
{
    ++m_busy;
    m_operationLabel->setText(what + QStringLiteral("..."));
    m_operationLabel->setVisible(true);
    m_progress->setVisible(true);
    QPointer<MainWindow> self(this);
    auto ended = std::make_shared<bool>(false);
    return [self, what, ended](const QString &error) {
        if (!self || std::exchange(*ended, true))
            return;
        if (--self->m_busy == 0) {
            self->m_operationLabel->setVisible(false);
            self->m_progress->setVisible(false);
        }
        if (error.isEmpty())
            self->statusBar()->showMessage(tr("%1: done.").arg(what), 5000);
        else
            self->showError(what, error);
        emit self->operationFinished(what, error);
        self->refreshAll();
    };
}

void MainWindow::onServerChanged()
{
    // A start on the old server ends now (its client goes away with its jobs).
    cancelStart();
    for (const QString &id : m_terminals->runnerIds())
        m_terminals->markRunnerGone(id, tr("server changed"));
    m_files->setSession(nullptr);
    m_ui->mainTabs->setTabText(m_ui->mainTabs->indexOf(m_ui->filesTab), tr("&Files"));
    m_workloads->setClient(m_connection->client());
    m_runners->setClient(m_connection->client());
    updateStatus();
}

void MainWindow::updateStatus()
{
    m_statusLabel->setText(m_connection->summary());
    m_statusLabel->setToolTip(m_connection->errorMessage());
    const bool fileFallback = !m_connection->isEmbedded() &&
                              m_connection->tokenStore()->usingFallback() &&
                              m_connection->state() != ServerConnection::State::Starting;
    if (fileFallback) {
        m_ui->bannerLabel->setText(
            tr("No system keychain is available: the API token is stored in %1 (readable only "
               "by you).")
                .arg(m_connection->tokenStore()->fallbackFile()));
    }
    m_ui->bannerLabel->setVisible(fileFallback);
    const ServerConnection::State state = m_connection->state();
    const bool down = m_connection->client() && (state == ServerConnection::State::Error ||
                                                 state == ServerConnection::State::Restarting);
    m_ui->workloadsView->setEnabled(!down);
    m_ui->runnersView->setEnabled(!down);
    m_files->setEnabled(!down);
    QString stale;
    if (state == ServerConnection::State::Restarting)
        stale = tr("%1 The lists show the last known state; actions wait until the server "
                   "answers.")
                    .arg(m_connection->summary());
    else if (down)
        stale = tr("The server does not answer: %1\nThe lists show the last known state; "
                   "actions wait until it answers.")
                    .arg(m_connection->errorMessage());
    else if (!m_notice.isEmpty())
        stale = m_notice;
    m_staleLabel->setText(stale);
    m_staleLabel->setVisible(!stale.isEmpty());
    // Red while the lists are stale; a notice afterwards (e.g. restarted) in the banner's yellow.
    m_staleLabel->setStyleSheet(
        down || state == ServerConnection::State::Restarting
            ? QStringLiteral("QLabel { background: #fde7e9; color: #6e0b14; border: 1px solid "
                             "#e0a0a8; border-radius: 3px; padding: 6px; }")
            : QStringLiteral("QLabel { background: #fff4ce; color: #5c4400; border: 1px solid "
                             "#e0c060; border-radius: 3px; padding: 6px; }"));
    if (down && m_startJob && !m_startJob->isFinished()) {
        // Waiting for a runner on a server that is gone would end in a misleading timeout.
        m_startStopReason = tr("The server stopped while the runner was starting: %1")
                                .arg(m_connection->errorMessage().section(QLatin1Char('\n'), 0, 0));
        cancelStart();
    }
    const bool embedded = m_connection->isEmbedded();
    setWindowTitle(embedded ? tr("Capsule Desktop")
                            : tr("Capsule Desktop - %1").arg(m_connection->baseUrl()));
    updateActions();
}

void MainWindow::updateActions()
{
    // Nothing that needs the server while it is down or restarting (the lists are stale).
    const bool connected = m_connection->isUsable();
    const bool haveConfig = connected && !selectedConfigId().isEmpty();
    const QString runner = selectedRunnerId();
    bool suspended = false;
    const QModelIndexList rows = m_ui->runnersView->selectionModel()->selectedRows();
    if (!rows.isEmpty())
        suspended = rows.first().data(RunnersModel::SuspendedRole).toBool();
    const bool haveRunner = connected && !runner.isEmpty();
    auto enable = [this](const char *name, bool on) {
        if (auto *action = findChild<QAction *>(QString::fromLatin1(name)))
            action->setEnabled(on);
    };
    enable("actionNewWorkload", connected);
    enable("actionStartRunner", haveConfig);
    enable("actionBuildWorkload", haveConfig);
    enable("actionDeleteWorkload", haveConfig);
    enable("actionPauseRunner", haveRunner && !suspended);
    enable("actionResumeRunner", haveRunner && suspended);
    enable("actionReleaseRunner", haveRunner && !suspended);
    enable("actionQuarantineRunner", haveRunner && !suspended);
    enable("actionOpenTerminal", haveRunner && !suspended);
    enable("actionBrowseFiles", haveRunner && !suspended);
    enable("actionCopyRunnerId", !runner.isEmpty());
    enable("actionRefresh", m_connection->client() != nullptr);
}

void MainWindow::copyRunnerId()
{
    const QString id = selectedRunnerId();
    if (id.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(id);
    statusBar()->showMessage(tr("Copied %1").arg(id), 3000);
}

QString MainWindow::selectedConfigId() const
{
    const QModelIndexList rows = m_ui->workloadsView->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(WorkloadsModel::ConfigIdRole).toString();
}

QString MainWindow::selectedRunnerId() const
{
    const QModelIndexList rows = m_ui->runnersView->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(RunnersModel::RunnerIdRole).toString();
}

void MainWindow::refreshAll()
{
    m_connection->checkNow();
    m_workloads->refresh();
    m_runners->refresh();
}

void MainWindow::buildWorkload()
{
    Client *client = m_connection->client();
    const QString id = selectedConfigId();
    if (!client || id.isEmpty())
        return;
    auto done = beginOperation(tr("Building %1").arg(id));
    client->configs()->build(id)->then(
        this,
        [this, done, id](const BuildReply &reply) {
            statusBar()->showMessage(tr("Build: %1").arg(reply.status), 5000);
            showBuildLog();
            if (reply.status == QLatin1String("no_build_needed")) {
                done({});
                return;
            }
            followBuild(id, done);
        },
        [done](const Error &error) { done(error.toString()); });
}

void MainWindow::deleteWorkload()
{
    const QString id = selectedConfigId();
    if (!m_connection->client() || id.isEmpty())
        return;
    confirmWithClient(tr("Delete the workload %1? Runners already started keep running.").arg(id),
                      [this, id](Client *client) {
                          auto done = beginOperation(tr("Deleting %1").arg(id));
                          client->configs()->remove(id)->then(
                              this, [done](const QJsonObject &) { done({}); },
                              [done](const Error &error) { done(error.toString()); });
                      });
}

void MainWindow::showSettings()
{
    auto *dialog = new SettingsDialog(m_connection, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About Capsule Desktop"));
    box->setIconPixmap(QIcon(QStringLiteral(":/icons/capsule.svg")).pixmap(64, 64));
    box->setText(tr("<h3>Capsule Desktop %1</h3>").arg(QStringLiteral(CAPSULE_APP_VERSION)));
    box->setInformativeText(
        tr("A desktop client for Capsule sandboxes: workloads, runners, files and terminals.\n"
           "Client library compatible with capsule-sdk %1. Built with Qt %2.")
            .arg(QString::fromLatin1(kSdkVersion), QString::fromLatin1(qVersion())));
    box->open();
}

void MainWindow::newWorkload()
{
    auto *wizard = new WorkloadWizard(this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &WorkloadWizard::onboardRequested, this, &MainWindow::onboard);
    wizard->show();
}

void MainWindow::openOnboard()
{
    auto *dialog = new QFileDialog(this, tr("Open onboard.yaml"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters({tr("YAML files (*.yaml *.yml)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::openOnboardFile);
    dialog->open();
}

void MainWindow::openOnboardFile(const QString &path)
{
    Error error;
    const QJsonObject body = parseOnboard(path, {}, &error);
    if (body.isEmpty()) {
        // parseOnboard names file:line:column for syntax errors.
        showError(tr("Opening %1").arg(path), error.message);
        return;
    }
    auto *wizard = new WorkloadWizard(this);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    wizard->setWindowTitle(tr("Workload from %1").arg(path));
    wizard->importOnboard(path); // keeps platform/hosts/session sections for Save
    connect(wizard, &WorkloadWizard::onboardRequested, this, &MainWindow::onboard);
    wizard->show();
}

void MainWindow::onboard(const QJsonObject &body, bool build)
{
    Client *client = m_connection->client();
    if (!client)
        return;
    const QString name = body.value(QStringLiteral("display_name")).toString();
    // Create replaces a workload of the same name: ask first and say what changes.
    client->configs()->get(name)->then(
        this,
        [this, body, build, name](const ConfigDetail &detail) {
            const QStringList changes = describeWorkloadChanges(detail.definition, body);
            QString question =
                changes.isEmpty()
                    ? tr("A workload named %1 already exists with the same definition. Create "
                         "it again (nothing changes)?")
                          .arg(name)
                    : tr("A workload named %1 already exists. Replace it?\n\nWhat changes:\n%2")
                          .arg(name, QStringLiteral("\u2022 ") +
                                         changes.join(QStringLiteral("\n\u2022 ")));
            if (workloadStructureChanges(detail.definition, body))
                question += tr("\n\nThe server keeps the layers and the tier of an existing "
                               "workload: it will refuse this. Delete %1 first, or choose "
                               "another name.")
                                .arg(name);
            confirm(question, [this, body, build] { createWorkload(body, build); });
        },
        [this, body, build, name](const Error &error) {
            if (error.kind == ErrorKind::NotFound) {
                createWorkload(body, build);
                return;
            }
            showError(tr("Creating %1").arg(name), error.toString());
        });
}

void MainWindow::createWorkload(const QJsonObject &body, bool build)
{
    Client *client = m_connection->client();
    if (!client)
        return;
    const QString name = body.value(QStringLiteral("display_name")).toString();
    auto done = beginOperation(build ? tr("Onboarding %1").arg(name) : tr("Creating %1").arg(name));
    client->configs()->create(body)->then(
        this,
        [this, done, build](const CreateConfigReply &reply) {
            const QString id = reply.configId;
            // The new workload is selected (Start Runner is one click away) once listed.
            m_selectAfterRefresh = id;
            m_workloads->refresh();
            Client *client = m_connection->client();
            if (!build || !client) {
                done({});
                return;
            }
            client->configs()->build(id)->then(
                this,
                [this, id, done](const BuildReply &reply) {
                    if (reply.status == QLatin1String("no_build_needed")) {
                        done({});
                        return;
                    }
                    showBuildLog();
                    followBuild(id, done);
                },
                [done](const Error &error) { done(error.toString()); });
        },
        [done](const Error &error) { done(error.toString()); });
}

void MainWindow::selectWorkload(const QString &configId)
{
    const int row = m_workloads->rowOf(configId);
    if (row < 0)
        return; // not listed yet: the next refresh tries again
    m_selectAfterRefresh.clear();
    m_ui->mainTabs->setCurrentWidget(m_ui->workloadsTab);
    const QModelIndex index = m_workloadsProxy->mapFromSource(m_workloads->index(row, 0));
    m_ui->workloadsView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect |
                                                             QItemSelectionModel::Rows);
    m_ui->workloadsView->setCurrentIndex(index);
    m_ui->workloadsView->scrollTo(index);
}

void MainWindow::showBuildLog()
{
    m_buildDock->show();
    m_buildDock->raise();
}

void MainWindow::quit()
{
    close();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_shutDown) {
        event->accept();
        return;
    }
    // Every way out (Quit, the close button, SIGTERM) stops the embedded server first, without
    // blocking the event loop, and then ends the app (shutdownFinished).
    event->ignore();
    if (m_quitting)
        return;
    m_quitting = true;
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/tab"), m_ui->mainTabs->currentIndex());
    hide();
    QPointer<MainWindow> self(this);
    auto finish = [self] {
        if (self && !self->m_shutDown)
            QMetaObject::invokeMethod(self.data(), &MainWindow::finishShutdown,
                                      Qt::QueuedConnection);
    };
    // EmbeddedServer::stop() kills after 3 s; this is the backstop should even that hang.
    QTimer::singleShot(10000, this, finish);
    m_connection->shutdown(finish);
}

void MainWindow::finishShutdown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    close();
    emit shutdownFinished();
    // The window was hidden before it closed, so "last window closed" never fires: end the
    // event loop here (does nothing when none runs, e.g. in tests).
    QCoreApplication::quit();
}

} // namespace capsule::app
