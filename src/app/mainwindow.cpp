// The main window: workloads, runners, files and terminals of the connected Capsule server.
#include "app/mainwindow.h"
#include "app/runners/execconsole.h"
#include "app/runners/runnerdetails.h"
#include "app/snapshots/snapshotsview.h"
#include "app/widgets/confirm.h"
#include "app/widgets/messagebox.h"
#include "app/widgets/notifier.h"

#include "app/connections/embeddedserver.h"
#include "app/connections/serverconnection.h"
#include "app/connections/settingsdialog.h"
#include "app/connections/tokenstore.h"
#include "app/files/filebrowser.h"
#include "app/files/transferspanel.h"
#include "app/hosts/hostsview.h"
#include "app/runners/runnersmodel.h"
#include "app/settings/preferencesdialog.h"
#include "app/settings/systemcolorscheme.h"
#include "app/settings/uipreferences.h"
#include "app/terminals/detachedterminal.h"
#include "app/terminals/terminalprefs.h"
#include "app/terminals/terminaltabs.h"
#include "app/widgets/aboutdialog.h"
#include "app/widgets/emptyhint.h"
#include "app/wizard/onboarddiff.h"
#include "app/wizard/workloadwizard.h"
#include "app/workloads/layerprogressdelegate.h"
#include "app/workloads/workloadsmodel.h"

#include "core/client.h"
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
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
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
    m_hostsView = new HostsView(m_connection, this);
    m_ui->mainTabs->addTab(m_hostsView, tr("&Hosts"));
    m_snapshots = new SnapshotsView(m_connection, this);
    m_snapshots->setNameLookup([this](const QString &key) { return m_workloads->nameForKey(key); });
    m_ui->mainTabs->addTab(m_snapshots, tr("S&napshots"));
    m_consoles = new ExecConsoles(this);
    m_ui->mainTabs->addTab(m_consoles, tr("R&un"));
    connect(m_consoles, &ExecConsoles::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });

    m_workloadsProxy->setSourceModel(m_workloads);
    m_workloadsProxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    // Filter box: any column (name, key, tier, state) containing the text.
    m_workloadsFilter = new QLineEdit(this);
    m_workloadsFilter->setObjectName(QStringLiteral("workloadsFilter"));
    m_workloadsFilter->setPlaceholderText(tr("Filter workloads (name, key, tier, state)"));
    m_workloadsFilter->setClearButtonEnabled(true);
    m_workloadsProxy->setFilterKeyColumn(-1);
    m_workloadsProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    connect(m_workloadsFilter, &QLineEdit::textChanged, m_workloadsProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    m_ui->workloadsLayout->insertWidget(0, m_workloadsFilter);
    m_ui->workloadsView->setModel(m_workloadsProxy);
    m_ui->workloadsView->sortByColumn(WorkloadsModel::NameColumn, Qt::AscendingOrder);
    m_ui->workloadsView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_ui->workloadsView->setColumnWidth(WorkloadsModel::NameColumn, 220);
    m_ui->workloadsView->setColumnWidth(WorkloadsModel::KeyColumn, 160);
    m_ui->workloadsView->setColumnWidth(WorkloadsModel::TierColumn, 50);
    m_ui->workloadsView->setColumnWidth(WorkloadsModel::StatusColumn, 360);
    m_ui->workloadsView->setItemDelegateForColumn(WorkloadsModel::StatusColumn,
                                                  new LayerProgressDelegate(m_ui->workloadsView));

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
    // The details of the selected runner under the list (a splitter, kept per profile).
    m_details = new RunnerDetails(m_connection, m_runners, this);
    m_runnersSplitter = new QSplitter(Qt::Vertical, m_ui->runnersTab);
    m_runnersSplitter->setObjectName(QStringLiteral("runnersSplitter"));
    std::unique_ptr<QLayoutItem> replaced(
        m_ui->runnersTab->layout()->replaceWidget(m_ui->runnersView, m_runnersSplitter));
    m_runnersSplitter->addWidget(m_ui->runnersView);
    m_runnersSplitter->addWidget(m_details);
    m_runnersSplitter->setStretchFactor(0, 3);
    m_runnersSplitter->setStretchFactor(1, 2);
    connect(m_details, &RunnerDetails::operationFinished, this,
            [this](const QString &what, const QString &error) {
                if (error.isEmpty())
                    statusBar()->showMessage(tr("%1: done.").arg(what), 5000);
                else
                    showError(what, error);
                emit operationFinished(what, error);
            });

    // Empty lists say what they are for and what to do.
    m_workloadsHint = new EmptyHint(
        m_ui->workloadsView,
        tr("<p><b>No workloads yet.</b></p><p>A workload describes a sandbox: a base image and "
           "the commands that set it up.<br>Build it, then <i>Start Runner</i> gives you a "
           "running sandbox.</p><p><a href=\"new\">New Workload...</a> (Ctrl+N) &nbsp;·&nbsp; "
           "<a href=\"open\">Open onboard.yaml...</a> (Ctrl+O) &nbsp;·&nbsp; <a "
           "href=\"example\">Try an example</a></p>"));
    m_workloadsHint->setLinksEnabled(true);
    connect(m_workloadsHint, &QLabel::linkActivated, this, &MainWindow::hintLinkActivated);
    m_runnersHint = new EmptyHint(
        m_ui->runnersView,
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
    auto *transfersPanel = new TransfersPanel(m_transfers, dock);
    m_transfersPanel = transfersPanel;
    dock->setWidget(transfersPanel);
    m_notifier = new Notifier(this);
    connect(transfersPanel, &TransfersPanel::batchFinished, this,
            [this](const QString &summary, bool inactive) {
                if (inactive)
                    m_notifier->notify(tr("Transfers finished"), summary);
            });
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

    applyPreferences();
    connect(UiPreferences::instance(), &UiPreferences::changed, this,
            &MainWindow::applyPreferences);
    // The desktop switched between light and dark (only "Follow the system" listens).
    connect(SystemColorScheme::instance(), &SystemColorScheme::changed, this,
            [] { applyTheme(UiPreferences::instance()->theme()); });

    createActions();
    // The View menu lists every dock and the toolbar, so a closed one comes back from there.
    m_viewMenu->addSeparator();
    m_actions.showTransfers = dock->toggleViewAction();
    m_actions.showTransfers->setObjectName(QStringLiteral("actionShowTransfers"));
    m_actions.showBuildLog = m_buildDock->toggleViewAction();
    m_actions.showBuildLog->setObjectName(QStringLiteral("actionShowBuildLog"));
    m_actions.showToolBar = m_toolBar->toggleViewAction();
    m_actions.showToolBar->setObjectName(QStringLiteral("actionShowToolBar"));
    m_viewMenu->addActions(
        {m_actions.showTransfers, m_actions.showBuildLog, m_actions.showToolBar});
    createProfileSwitcher();
    // Quit works from inside a terminal too (a terminal otherwise takes every key).
    m_terminals->setPassThroughShortcuts(m_actions.quit->shortcuts());

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

MainWindow::~MainWindow() = default;

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
    AppActions &a = m_actions;
    a.refresh =
        make("actionRefresh", tr("&Refresh"), QKeySequence::Refresh, &MainWindow::refreshAll);
    a.refresh->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)});
    a.refresh->setIcon(QIcon(QStringLiteral(":/icons/refresh.svg")));
    a.newWorkload = make("actionNewWorkload", tr("&New Workload..."),
                         QKeySequence(Qt::CTRL | Qt::Key_N), &MainWindow::newWorkload);
    a.newWorkload->setIcon(QIcon(QStringLiteral(":/icons/new.svg")));
    a.openOnboard = make("actionOpenOnboard", tr("&Open onboard.yaml..."),
                         QKeySequence(Qt::CTRL | Qt::Key_O), &MainWindow::openOnboard);
    a.settings = make("actionSettings", tr("&Connection Settings..."),
                      QKeySequence(Qt::CTRL | Qt::Key_Comma), &MainWindow::showSettings);
    a.connections =
        make("actionConnections", tr("Co&nnections..."),
             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K), &MainWindow::showConnections);
    a.quit = make("actionQuit", tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), &MainWindow::quit);
    a.quit->setMenuRole(QAction::QuitRole);
    a.about = make("actionAbout", tr("&About Capsule Desktop"), {}, &MainWindow::showAbout);

    a.startRunner = make("actionStartRunner", tr("&Start Runner"),
                         QKeySequence(Qt::CTRL | Qt::Key_Return), &MainWindow::startRunner);
    a.startRunner->setIcon(QIcon(QStringLiteral(":/icons/start.svg")));
    a.startRunnerWithOptions = make(
        "actionStartRunnerWithOptions", tr("Start Runner &With Options..."),
        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return), &MainWindow::startRunnerWithOptions);
    a.buildWorkload = make("actionBuildWorkload", tr("&Build"), QKeySequence(Qt::CTRL | Qt::Key_B),
                           &MainWindow::buildWorkload);
    a.buildWorkload->setIcon(QIcon(QStringLiteral(":/icons/build.svg")));
    a.rebuildWorkload =
        make("actionRebuildWorkload", tr("&Rebuild (force)"), {}, &MainWindow::rebuildWorkload);
    a.cleanRebuildWorkload = make("actionCleanRebuildWorkload", tr("C&lean Rebuild"), {},
                                  &MainWindow::cleanRebuildWorkload);
    a.editWorkload = make("actionEditWorkload", tr("&Edit..."), {}, &MainWindow::editWorkload);
    a.duplicateWorkload =
        make("actionDuplicateWorkload", tr("D&uplicate..."), {}, &MainWindow::duplicateWorkload);
    a.exportOnboard =
        make("actionExportOnboard", tr("E&xport onboard.yaml..."), {}, &MainWindow::exportOnboard);
    a.deleteWorkload = make("actionDeleteWorkload", tr("&Delete Workload..."), QKeySequence::Delete,
                            &MainWindow::deleteWorkload);
    a.deleteWorkload->setShortcutContext(Qt::WidgetWithChildrenShortcut);

    a.pauseRunner = make("actionPauseRunner", tr("&Pause"), QKeySequence(Qt::CTRL | Qt::Key_P),
                         &MainWindow::pauseRunner);
    a.pauseRunner->setIcon(QIcon(QStringLiteral(":/icons/pause.svg")));
    a.resumeRunner =
        make("actionResumeRunner", tr("Res&ume"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
             &MainWindow::resumeRunner);
    a.resumeRunner->setIcon(QIcon(QStringLiteral(":/icons/start.svg")));
    a.releaseRunner = make("actionReleaseRunner", tr("&Release..."), QKeySequence::Delete,
                           &MainWindow::releaseRunner);
    a.releaseRunner->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    a.releaseRunner->setIcon(QIcon(QStringLiteral(":/icons/release.svg")));
    a.quarantineRunner =
        make("actionQuarantineRunner", tr("&Quarantine..."), {}, &MainWindow::quarantineRunner);
    a.openTerminal =
        make("actionOpenTerminal", tr("Open &Terminal"),
             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T), &MainWindow::openTerminal);
    a.openTerminal->setIcon(QIcon(QStringLiteral(":/icons/terminal.svg")));
    a.runCommand = new QAction(tr("Run &Command..."), this);
    a.runCommand->setObjectName(QStringLiteral("actionRunCommand"));
    a.runCommand->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    connect(a.runCommand, &QAction::triggered, this, [this] { runCommand(); });
    a.runUname = new QAction(tr("Run `uname -a`"), this);
    a.runUname->setObjectName(QStringLiteral("actionRunUname"));
    connect(a.runUname, &QAction::triggered, this,
            [this] { runCommand(QStringLiteral("uname -a")); });
    a.closeTerminal =
        make("actionCloseTerminal", tr("&Close Terminal"),
             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W), &MainWindow::closeTerminal);
    a.copyRunnerId = make("actionCopyRunnerId", tr("&Copy Runner ID"), QKeySequence::Copy,
                          &MainWindow::copyRunnerId);
    a.copyRunnerId->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    a.browseFiles = make("actionBrowseFiles", tr("Browse &Files"),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), &MainWindow::browseFiles);
    a.browseFiles->setIcon(QIcon(QStringLiteral(":/icons/folder.svg")));
    a.terminalAppearance = new QAction(tr("Terminal &Appearance..."), this);
    a.terminalAppearance->setObjectName(QStringLiteral("actionTerminalAppearance"));
    connect(a.terminalAppearance, &QAction::triggered, this,
            [this] { showPreferences(PreferencesDialog::AppearancePage); });
    a.preferences = new QAction(tr("&Preferences..."), this);
    a.preferences->setObjectName(QStringLiteral("actionPreferences"));
    a.preferences->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Comma));
    connect(a.preferences, &QAction::triggered, this, [this] { showPreferences(); });

    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(a.newWorkload);
    fileMenu->addAction(a.openOnboard);
    fileMenu->addSeparator();
    fileMenu->addAction(a.connections);
    fileMenu->addAction(a.settings);
    fileMenu->addAction(a.preferences);
    fileMenu->addSeparator();
    fileMenu->addAction(a.quit);
    QMenu *workloadMenu = menuBar()->addMenu(tr("&Workload"));
    workloadMenu->addActions({a.startRunner, a.startRunnerWithOptions, a.buildWorkload,
                              a.rebuildWorkload, a.cleanRebuildWorkload});
    workloadMenu->addSeparator();
    workloadMenu->addActions(
        {a.editWorkload, a.duplicateWorkload, a.exportOnboard, a.deleteWorkload});
    QMenu *runnerMenu = menuBar()->addMenu(tr("&Runner"));
    runnerMenu->addActions(
        {a.openTerminal, a.browseFiles, a.runCommand, a.runUname, a.copyRunnerId});
    runnerMenu->addSeparator();
    runnerMenu->addActions({a.pauseRunner, a.resumeRunner, a.quarantineRunner, a.releaseRunner});
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
    m_viewMenu->addActions({a.refresh, a.closeTerminal, a.terminalAppearance});
    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(a.about);

    m_toolBar = addToolBar(tr("Main"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addActions({a.refresh, a.newWorkload});
    m_toolBar->addSeparator();
    m_toolBar->addActions({a.startRunner, a.buildWorkload});
    m_toolBar->addSeparator();
    m_toolBar->addActions(
        {a.openTerminal, a.browseFiles, a.pauseRunner, a.resumeRunner, a.releaseRunner});

    m_ui->workloadsView->addActions({a.startRunner, a.startRunnerWithOptions, a.buildWorkload,
                                     a.rebuildWorkload, a.editWorkload, a.duplicateWorkload,
                                     a.exportOnboard, a.deleteWorkload});
    m_ui->runnersView->addActions({a.openTerminal, a.browseFiles, a.runCommand, a.runUname,
                                   a.copyRunnerId, a.pauseRunner, a.resumeRunner,
                                   a.quarantineRunner, a.releaseRunner});
    // closeTerminal and quit must work from inside a terminal (it has keyboard focus there).
    addActions({a.closeTerminal, a.quit});
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
    showError(what, message, {});
}

void MainWindow::showError(const QString &what, const QString &message, const QString &details)
{
    statusBar()->showMessage(tr("%1 failed: %2").arg(what, message), 10000);
    if (m_confirmOverride)
        return; // tests read operationFinished instead of clicking dialogs away
    MessageBox::error(this, what, message, details);
}

void MainWindow::OperationEnd::operator()(const Error &error) const
{
    m_end(error.toString(), MessageBox::detailsOf(error));
}

MainWindow::OperationEnd MainWindow::beginOperation(const QString &what)
{
    ++m_busy;
    m_operationLabel->setText(what + QStringLiteral("..."));
    m_operationLabel->setVisible(true);
    m_progress->setVisible(true);
    QPointer<MainWindow> self(this);
    auto ended = std::make_shared<bool>(false);
    return OperationEnd([self, what, ended](const QString &error, const QString &details) {
        if (!self || std::exchange(*ended, true))
            return;
        if (--self->m_busy == 0) {
            self->m_operationLabel->setVisible(false);
            self->m_progress->setVisible(false);
        }
        if (error.isEmpty())
            self->statusBar()->showMessage(tr("%1: done.").arg(what), 5000);
        else
            self->showError(what, error, details);
        emit self->operationFinished(what, error);
        self->refreshAll();
    });
}

void MainWindow::onServerChanged()
{
    // A start on the old server ends now (its client goes away with its jobs).
    cancelStart();
    for (const QString &id : m_terminals->runnerIds())
        m_terminals->markRunnerGone(id, tr("server changed"));
    m_consoles->detachAll(tr("server changed"));
    m_files->setSession(nullptr);
    m_ui->mainTabs->setTabText(m_ui->mainTabs->indexOf(m_ui->filesTab), tr("&Files"));
    m_workloads->setClient(m_connection->client());
    m_runners->setClient(m_connection->client());
    // Read once per server (a small local file), not on every status update.
    m_tokenInFile = !m_connection->isEmbedded() &&
                    m_connection->tokenStore()->fileHasToken(m_connection->baseUrl());
    updateStatus();
}

void MainWindow::updateStatus()
{
    m_statusLabel->setText(m_connection->summary());
    m_statusLabel->setToolTip(m_connection->errorMessage());
    // Only when a token really is in the file (no token stored at all: nothing to warn about).
    const bool fileFallback =
        !m_connection->isEmbedded() && m_connection->tokenStore()->usingFallback() &&
        m_connection->state() != ServerConnection::State::Starting && m_tokenInFile;
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
    // An unreachable server with nothing listed is an error state, not an empty server.
    const QString unreachable =
        down && state == ServerConnection::State::Error
            ? tr("<p><b>The server does not answer.</b></p><p>%1</p><p><a href=\"retry\">Try "
                 "again</a> &nbsp;·&nbsp; <a href=\"connections\">Connections...</a></p>")
                  .arg(m_connection->errorMessage().toHtmlEscaped())
            : QString();
    m_workloadsHint->setOverride(m_workloads->rowCount() == 0 ? unreachable : QString());
    m_runnersHint->setOverride(m_runners->rowCount() == 0 ? unreachable : QString());
    m_runnersHint->setLinksEnabled(!unreachable.isEmpty());
    // Greyed while stale; an empty list showing the error state stays usable (its links).
    m_ui->workloadsView->setEnabled(!down ||
                                    (!unreachable.isEmpty() && m_workloads->rowCount() == 0));
    m_ui->runnersView->setEnabled(!down || (!unreachable.isEmpty() && m_runners->rowCount() == 0));
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
    syncProfileSwitcher();
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
    // (a starting row has no runner id yet, so nothing but Cancel applies to it)
    const bool haveRunner = connected && !runner.isEmpty();
    const bool running = haveRunner && !suspended;
    const AppActions &a = m_actions;
    a.newWorkload->setEnabled(connected);
    a.startRunner->setEnabled(haveConfig);
    a.startRunnerWithOptions->setEnabled(haveConfig);
    a.buildWorkload->setEnabled(haveConfig);
    a.deleteWorkload->setEnabled(haveConfig);
    for (QAction *action : {a.rebuildWorkload, a.cleanRebuildWorkload, a.editWorkload,
                            a.duplicateWorkload, a.exportOnboard})
        action->setEnabled(haveConfig);
    a.pauseRunner->setEnabled(running);
    a.resumeRunner->setEnabled(haveRunner && suspended);
    a.releaseRunner->setEnabled(running);
    a.quarantineRunner->setEnabled(running);
    a.openTerminal->setEnabled(running);
    a.browseFiles->setEnabled(running);
    a.runCommand->setEnabled(running);
    a.runUname->setEnabled(running);
    a.copyRunnerId->setEnabled(!runner.isEmpty());
    m_details->setRunner(runner);
    a.refresh->setEnabled(m_connection->client() != nullptr);
}

void MainWindow::hintLinkActivated(const QString &link)
{
    if (link == QLatin1String("new"))
        newWorkload();
    else if (link == QLatin1String("open"))
        openOnboard();
    else if (link == QLatin1String("example"))
        tryExample();
    else if (link == QLatin1String("retry"))
        refreshAll();
    else if (link == QLatin1String("connections"))
        showConnections();
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

void MainWindow::showSettings()
{
    auto *dialog = new SettingsDialog(m_connection, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showPreferences(int page)
{
    // One at a time: a second request brings the open one forward on the page asked for.
    auto *dialog = findChild<PreferencesDialog *>();
    if (!dialog) {
        dialog = new PreferencesDialog(m_transfers->maxConcurrent(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &PreferencesDialog::transferConcurrencyChanged, this,
                [this](int n) { m_transfersPanel->concurrency()->setValue(n); });
    }
    dialog->showPage(PreferencesDialog::Page(page));
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

void MainWindow::applyPreferences()
{
    const UiPreferences *prefs = UiPreferences::instance();
    applyTheme(prefs->theme());
    const int ms = prefs->refreshMs();
    m_runners->setRefreshInterval(ms);
    m_workloads->setRefreshInterval(ms);
    m_hostsView->setRefreshInterval(ms);
    m_connection->setPollInterval(ms);
}

void MainWindow::showAbout()
{
    auto *dialog = new AboutDialog(m_connection, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
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
