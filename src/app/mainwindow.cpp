// The main window: workloads, runners, files and terminals of the connected Capsule server.
#include "app/mainwindow.h"
#include "app/confirm.h"

#include "app/embeddedserver.h"
#include "app/filebrowser.h"
#include "app/runnersmodel.h"
#include "app/serverconnection.h"
#include "app/settingsdialog.h"
#include "app/tokenstore.h"
#include "app/transferspanel.h"
#include "app/workloadsmodel.h"
#include "app/workloadwizard.h"

#include "core/client.h"
#include "core/onboard.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "app/terminals/terminalprefs.h"
#include "app/terminals/terminaltabs.h"
#include "terminal/terminalsession.h"
#include "terminal/terminalview.h"

#include "ui_mainwindow.h"

#include <QAction>
#include <QClipboard>
#include <QCloseEvent>
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
{
    initAppResources();
    m_ui->setupUi(this);
    setWindowIcon(QIcon(QStringLiteral(":/icons/capsule.svg")));

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
    if (auto *viewMenu = findChild<QMenu *>(QStringLiteral("viewMenu")))
        viewMenu->addAction(dock->toggleViewAction());

    connect(m_connection, &ServerConnection::stateChanged, this, &MainWindow::updateStatus);
    connect(m_connection, &ServerConnection::serverChanged, this, &MainWindow::onServerChanged);
    connect(m_workloads, &WorkloadsModel::refreshFailed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 5000); });
    connect(m_ui->workloadsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
    connect(m_ui->runnersView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::updateActions);
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
    // closeTerminal must work from inside a terminal (it has keyboard focus there).
    addAction(closeTerminal);
    enableTerminalTabDetach(m_ui->terminalTabs); // tab context menu: Detach Tab
    connect(m_ui->terminalTabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        QWidget *page = m_ui->terminalTabs->widget(index);
        m_ui->terminalTabs->removeTab(index);
        page->deleteLater();
    });
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
    m_files->setSession(nullptr);
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
    const bool embedded = m_connection->isEmbedded();
    setWindowTitle(embedded ? tr("Capsule Desktop")
                            : tr("Capsule Desktop - %1").arg(m_connection->baseUrl()));
    updateActions();
}

void MainWindow::updateActions()
{
    const bool connected = m_connection->client() != nullptr;
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

void MainWindow::startRunner()
{
    Client *client = m_connection->client();
    const QModelIndexList rows = m_ui->workloadsView->selectionModel()->selectedRows();
    if (!client || rows.isEmpty())
        return;
    if (m_startJob) {
        statusBar()->showMessage(tr("A runner is already starting; cancel it first."), 5000);
        return;
    }
    WorkloadSummary summary;
    summary.displayName = rows.first().data(Qt::DisplayRole).toString();
    summary.configId = rows.first().data(WorkloadsModel::ConfigIdRole).toString();
    summary.workloadKey = rows.first().data(WorkloadsModel::WorkloadKeyRole).toString();
    const QString key = summary.workloadKey;
    auto done = beginOperation(tr("Starting runner for %1").arg(summary.displayName));
    // allocate + wait ready within the startup budget (4.3): remote servers may answer allocate
    // before the runner is ready.
    ApiJob<AllocateReply> *job =
        client->runners()->allocateReady(WorkloadRef::fromSummary(summary), {});
    m_startJob = job;
    m_cancelButton->setVisible(true);
    job->then(
        this,
        [this, done, key](const AllocateReply &reply) {
            m_cancelButton->setVisible(false);
            m_runners->noteAllocated(reply, key);
            const int row = m_runners->rowOf(reply.runnerId);
            if (row >= 0) {
                m_ui->mainTabs->setCurrentWidget(m_ui->runnersTab);
                const QModelIndex index = m_runnersProxy->mapFromSource(m_runners->index(row, 0));
                m_ui->runnersView->selectionModel()->select(
                    index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                m_ui->runnersView->scrollTo(index);
            }
            done({});
        },
        [this, done](const Error &error) {
            m_cancelButton->setVisible(false);
            done(error.kind == ErrorKind::Cancelled ? tr("cancelled") : error.toString());
        });
}

void MainWindow::cancelStart()
{
    if (m_startJob && !m_startJob->isFinished())
        m_startJob->cancel();
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

void MainWindow::pauseRunner()
{
    Client *client = m_connection->client();
    const QString id = selectedRunnerId();
    if (!client || id.isEmpty())
        return;
    auto done = beginOperation(tr("Pausing %1").arg(id));
    client->runners()->pause(id)->then(
        this,
        [this, done, id](const PauseReply &reply) {
            m_runners->notePaused(id, reply.sessionId);
            done({});
        },
        [done](const Error &error) { done(error.toString()); });
}

void MainWindow::resumeRunner()
{
    Client *client = m_connection->client();
    const QModelIndexList rows = m_ui->runnersView->selectionModel()->selectedRows();
    if (!client || rows.isEmpty())
        return;
    const QString id = rows.first().data(RunnersModel::RunnerIdRole).toString();
    const QString session = rows.first().data(RunnersModel::SessionRole).toString();
    const QString key = rows.first().data(RunnersModel::WorkloadKeyRole).toString();
    if (session.isEmpty()) {
        showError(tr("Resuming %1").arg(id), tr("The runner has no session to resume."));
        return;
    }
    auto done = beginOperation(tr("Resuming %1").arg(id));
    client->runners()
        ->resume(WorkloadRef(key), session)
        ->then(
            this,
            [this, done, key, id](const AllocateReply &reply) {
                m_runners->noteResumed(id);
                m_runners->noteAllocated(reply, key);
                done({});
            },
            [done](const Error &error) { done(error.toString()); });
}

void MainWindow::releaseRunner()
{
    const QString id = selectedRunnerId();
    if (!m_connection->client() || id.isEmpty())
        return;
    confirmWithClient(tr("Release the runner %1? Its files and processes are destroyed.").arg(id),
                      [this, id](Client *client) {
                          auto done = beginOperation(tr("Releasing %1").arg(id));
                          client->runners()->release(id)->then(
                              this,
                              [this, done, id](const ReleaseReply &) {
                                  m_runners->noteReleased(id);
                                  done({});
                              },
                              [done](const Error &error) { done(error.toString()); });
                      });
}

void MainWindow::quarantineRunner()
{
    const QString id = selectedRunnerId();
    if (!m_connection->client() || id.isEmpty())
        return;
    confirmWithClient(
        tr("Quarantine the runner %1? Its network egress is blocked and the VM paused.").arg(id),
        [this, id](Client *client) {
            auto done = beginOperation(tr("Quarantining %1").arg(id));
            client->runners()
                ->quarantine(id, QStringLiteral("capsule-desktop"))
                ->then(
                    this,
                    [done](const QuarantineReply &reply) {
                        if (reply.success)
                            done({});
                        else
                            done(reply.error);
                    },
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
    wizard->setBody(body);
    connect(wizard, &WorkloadWizard::onboardRequested, this, &MainWindow::onboard);
    wizard->show();
}

void MainWindow::onboard(const QJsonObject &body, bool build)
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
                    followBuild(id, done);
                },
                [done](const Error &error) { done(error.toString()); });
        },
        [done](const Error &error) { done(error.toString()); });
}

void MainWindow::followBuild(const QString &configId, std::function<void(const QString &)> done)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    client->configs()->builds(configId)->then(
        this,
        [this, configId, done](const BuildList &list) {
            if (!list.offered || list.builds.isEmpty()) {
                watchBuild(configId, done);
                return;
            }
            // One build per layer, oldest first: follow every one still in flight, root to leaf,
            // so a parent's failure shows its own log.
            QList<BuildInfo> builds;
            for (const BuildInfo &b : list.builds) {
                if (b.status == QLatin1String("queued") || b.status == QLatin1String("running") ||
                    b.status == QLatin1String("waiting_parent"))
                    builds.append(b);
            }
            if (builds.isEmpty())
                builds.append(list.builds.last());
            m_buildDock->setWindowTitle(tr("Build log - %1").arg(configId));
            m_buildLog->clear();
            m_buildDock->show();
            m_buildDock->raise();
            followBuildLogs(configId, builds, 0, done);
        },
        [this, configId, done](const Error &) { watchBuild(configId, done); });
}

void MainWindow::followBuildLogs(const QString &configId, const QList<BuildInfo> &builds, int at,
                                 std::function<void(const QString &)> done)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    if (at >= builds.size()) {
        // Every followed build ended well; the layers poll confirms the leaf is active.
        watchBuild(configId, done);
        return;
    }
    const BuildInfo &build = builds.at(at);
    m_buildLog->appendPlainText(tr("== layer %1, build %2 ==").arg(build.layerName, build.version));
    HttpJob *follow = client->configs()->followBuildLog(configId, build.version);
    QPointer<QPlainTextEdit> log = m_buildLog;
    connect(follow, &HttpJob::chunk, this, [log](const QByteArray &data) {
        if (!log)
            return;
        log->moveCursor(QTextCursor::End);
        log->insertPlainText(QString::fromUtf8(data));
        log->moveCursor(QTextCursor::End);
    });
    connect(follow, &Job::finished, this, [this, follow, configId, builds, at, done] {
        follow->deleteLater();
        if (follow->hasError() && follow->error().kind == ErrorKind::NotFound) {
            watchBuild(configId, done); // not offered after all
            return;
        }
        finishFollowedBuild(configId, builds, at, done);
    });
}

void MainWindow::finishFollowedBuild(const QString &configId, const QList<BuildInfo> &builds,
                                     int at, std::function<void(const QString &)> done)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    const QString version = builds.at(at).version;
    // The log stream ends with the build; the build list says how it ended.
    client->configs()->builds(configId)->then(
        this,
        [this, configId, builds, at, version, done](const BuildList &list) {
            for (const BuildInfo &b : list.builds) {
                if (b.version != version)
                    continue;
                const bool failed =
                    b.status == QLatin1String("failed") || (b.exitCode && *b.exitCode != 0);
                if (failed) {
                    QStringList lines = m_buildLog->toPlainText().split(QLatin1Char('\n'));
                    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
                        lines.removeLast();
                    const QString tail =
                        lines.mid(qMax(0, int(lines.size()) - 10)).join(QLatin1Char('\n'));
                    done(tr("The build %1 of %2 (layer %3) failed (exit %4):\n%5")
                             .arg(version, configId, b.layerName)
                             .arg(b.exitCode.value_or(-1))
                             .arg(tail));
                    return;
                }
            }
            followBuildLogs(configId, builds, at + 1, done);
        },
        [this, configId, done](const Error &) { watchBuild(configId, done); });
}

void MainWindow::watchBuild(const QString &configId, std::function<void(const QString &)> done,
                            int quietPolls, int polls)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    // Polls the layers (2.1): finished = leaf active with a version; a failed build only shows
    // as layers left pending with no build in flight, so a few quiet polls in a row mean failure.
    client->configs()->get(configId)->then(
        this,
        [this, configId, done, quietPolls, polls](const ConfigDetail &detail) {
            const WorkloadRow row = WorkloadsModel::rowFrom(detail.config, detail.layers, true);
            statusBar()->showMessage(tr("Building %1: %2").arg(configId, row.status), 3000);
            if ((detail.buildFinished() && !row.building) || detail.layers.isEmpty()) {
                done({});
                return;
            }
            const int quiet = row.building ? 0 : quietPolls + 1;
            if (quiet >= 3) {
                done(tr("The build of %1 did not finish: %2").arg(configId, row.layersText));
                return;
            }
            QTimer::singleShot(1000, this, [this, configId, done, quiet, polls] {
                watchBuild(configId, done, quiet, polls + 1);
            });
        },
        [done](const Error &error) { done(error.toString()); });
}

RunnerSession *MainWindow::selectedRunningSession() const
{
    const QModelIndexList rows = m_ui->runnersView->selectionModel()->selectedRows();
    if (!m_connection->client() || rows.isEmpty() ||
        rows.first().data(RunnersModel::SuspendedRole).toBool())
        return nullptr;
    const QModelIndex row = rows.first();
    return m_connection->session(row.data(RunnersModel::RunnerIdRole).toString(),
                                 row.data(RunnersModel::SessionRole).toString(),
                                 row.data(RunnersModel::HostAddressRole).toString());
}

void MainWindow::openTerminal()
{
    RunnerSession *session = selectedRunningSession();
    if (!session)
        return;
    const QString id = session->runnerId();
    auto *view = new terminal::TerminalView;
    view->setObjectName(QStringLiteral("terminal-%1").arg(id));
    app::TerminalPreferences::instance()->track(view); // scheme, font, scrollback
    PtyChannel *channel = session->shell({}, view);
    auto *terminalSession = new terminal::TerminalSession(channel, view, view);
    const int index =
        m_ui->terminalTabs->addTab(view, QIcon(QStringLiteral(":/icons/terminal.svg")), id);
    m_ui->terminalTabs->setTabToolTip(index, tr("Shell on runner %1").arg(id));
    connect(terminalSession, &terminal::TerminalSession::stateChanged, view,
            [this, view, id, terminalSession](terminal::TerminalSession::State state) {
                const int at = m_ui->terminalTabs->indexOf(view);
                if (at < 0)
                    return;
                QString text = id;
                if (state == terminal::TerminalSession::State::Exited)
                    text =
                        tr("%1 (exited %2)").arg(id).arg(terminalSession->exitCode().value_or(-1));
                else if (state == terminal::TerminalSession::State::Disconnected)
                    text = tr("%1 (disconnected)").arg(id);
                else if (state == terminal::TerminalSession::State::Connecting)
                    text = tr("%1 (connecting)").arg(id);
                m_ui->terminalTabs->setTabText(at, text);
            });
    m_ui->mainTabs->setCurrentWidget(m_ui->terminalsTab);
    m_ui->terminalTabs->setCurrentWidget(view);
    view->setFocus();
    terminalSession->start();
}

void MainWindow::closeTerminal()
{
    const int index = m_ui->terminalTabs->currentIndex();
    if (index >= 0)
        emit m_ui->terminalTabs->tabCloseRequested(index);
}

void MainWindow::browseFiles()
{
    RunnerSession *session = selectedRunningSession();
    if (!session)
        return;
    const QString id = session->runnerId();
    m_files->setSession(session);
    m_ui->mainTabs->setTabText(m_ui->mainTabs->indexOf(m_ui->filesTab), tr("&Files - %1").arg(id));
    m_ui->mainTabs->setCurrentWidget(m_ui->filesTab);
}

void MainWindow::quit()
{
    close();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/tab"), m_ui->mainTabs->currentIndex());
    if (m_quitting || !m_connection->embeddedServer()->isRunning()) {
        event->accept();
        return;
    }
    // Stop the embedded server first (SIGTERM, then SIGKILL) without blocking the event loop.
    event->ignore();
    m_quitting = true;
    hide();
    QPointer<MainWindow> self(this);
    m_connection->shutdown([self] {
        if (self)
            self->close();
    });
}

} // namespace capsule::app
