// The main window's runner actions: start, pause, resume, release, quarantine, terminals, files.
#include "app/mainwindow.h"

#include "app/connections/serverconnection.h"
#include "app/files/filebrowser.h"
#include "app/runners/execconsole.h"
#include "app/runners/runnersmodel.h"
#include "app/runners/startrunnerdialog.h"
#include "app/terminals/terminaltabs.h"
#include "app/widgets/notifier.h"
#include "app/workloads/workloadsmodel.h"

#include "core/client.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "terminal/terminalview.h"

#include "ui_mainwindow.h"

#include <QFileInfo>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QToolButton>

namespace capsule::app {

WorkloadSummary MainWindow::selectedWorkloadSummary() const
{
    WorkloadSummary summary;
    const QModelIndexList rows = m_ui->workloadsView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return summary;
    summary.displayName = rows.first().data(Qt::DisplayRole).toString();
    summary.configId = rows.first().data(WorkloadsModel::ConfigIdRole).toString();
    summary.workloadKey = rows.first().data(WorkloadsModel::WorkloadKeyRole).toString();
    return summary;
}

void MainWindow::startRunner()
{
    // The quick path (double-click, Ctrl+Return): no questions, the workload's defaults.
    const WorkloadSummary summary = selectedWorkloadSummary();
    if (!summary.configId.isEmpty())
        launchRunner(summary, {}, false, false);
}

void MainWindow::startRunnerForConfig(const QString &configId, bool openFiles)
{
    // From the wizard's "Start a runner when ready": the workload may not be in the list yet (the
    // refresh is under way), so its key and name come from the list when known and are resolved
    // from the config id by the client library otherwise.
    WorkloadSummary summary;
    summary.configId = configId;
    summary.displayName = configId;
    for (int i = 0; i < m_workloads->rowCount(); ++i) {
        const QModelIndex index = m_workloads->index(i, 0);
        if (index.data(WorkloadsModel::ConfigIdRole).toString() == configId) {
            summary.displayName = index.data(Qt::DisplayRole).toString();
            summary.workloadKey = index.data(WorkloadsModel::WorkloadKeyRole).toString();
            break;
        }
    }
    launchRunner(summary, {}, !openFiles, openFiles);
}

StartRunnerDialog *MainWindow::startRunnerDialog() const
{
    return m_startDialog;
}

void MainWindow::startRunnerWithOptions()
{
    const WorkloadSummary summary = selectedWorkloadSummary();
    if (!m_connection->client() || summary.configId.isEmpty())
        return;
    // Paused sessions of this workload can be resumed from the dialog.
    QList<StartRunnerDialog::PausedSession> paused;
    for (int i = 0; i < m_runners->rowCount(); ++i) {
        const RunnerRow &row = m_runners->row(i);
        if (row.suspended && !row.session.isEmpty() && row.workloadKey == summary.workloadKey)
            paused.append({row.session, tr("paused runner %1").arg(row.key)});
    }
    auto *dialog = new StartRunnerDialog(summary.displayName, paused, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &StartRunnerDialog::startRequested, this,
            [this, summary](const AllocateOptions &options, bool terminal, bool files) {
                launchRunner(summary, options, terminal, files);
            });
    m_startDialog = dialog;
    dialog->open();
}

void MainWindow::launchRunner(const WorkloadSummary &summary, const AllocateOptions &options,
                              bool openTerminalWhenReady, bool openFilesWhenReady)
{
    Client *client = m_connection->client();
    if (!client)
        return;
    if (m_startJob) {
        statusBar()->showMessage(tr("A runner is already starting; cancel it first."), 5000);
        return;
    }
    const QString key = summary.workloadKey;
    m_startStopReason.clear();
    auto done = beginOperation(tr("Starting runner for %1").arg(summary.displayName));
    // allocate + wait ready within the startup budget (4.3): remote servers may answer allocate
    // before the runner is ready.
    ApiJob<AllocateReply> *job =
        client->runners()->allocateReady(WorkloadRef::fromSummary(summary), options);
    m_startJob = job;
    m_cancelButton->setVisible(true);
    // The start has a row at once: "Starting...", with its own Cancel button.
    const QString placeholder = m_runners->addStarting(key);
    const int startingRow = m_runners->rowOf(placeholder);
    if (startingRow >= 0) {
        auto *cancel = new QToolButton;
        cancel->setObjectName(QStringLiteral("cancelStartInRow"));
        cancel->setText(tr("Cancel"));
        cancel->setToolTip(tr("Stop waiting for the runner to start"));
        connect(cancel, &QToolButton::clicked, this, &MainWindow::cancelStart);
        m_ui->runnersView->setIndexWidget(m_runnersProxy->mapFromSource(m_runners->index(
                                              startingRow, RunnersModel::SessionColumn)),
                                          cancel);
    }
    job->then(
        this,
        [this, done, key, placeholder, openTerminalWhenReady,
         openFilesWhenReady](const AllocateReply &reply) {
            m_cancelButton->setVisible(false);
            m_runners->finishStarting(placeholder);
            m_runners->noteAllocated(reply, key);
            const int row = m_runners->rowOf(reply.runnerId);
            if (row >= 0) {
                m_ui->mainTabs->setCurrentWidget(m_ui->runnersTab);
                const QModelIndex index = m_runnersProxy->mapFromSource(m_runners->index(row, 0));
                m_ui->runnersView->selectionModel()->select(
                    index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                m_ui->runnersView->scrollTo(index);
                if (openFilesWhenReady)
                    browseFiles();
                if (openTerminalWhenReady)
                    openTerminal();
            }
            m_notifier->notify(tr("Runner started"), tr("%1 is ready.").arg(reply.runnerId));
            done(QString());
        },
        [this, done, placeholder](const Error &error) {
            m_cancelButton->setVisible(false);
            m_runners->finishStarting(placeholder);
            const QString reason = std::exchange(m_startStopReason, {});
            if (error.kind == ErrorKind::Cancelled) {
                done(reason.isEmpty() ? tr("cancelled") : reason);
            } else {
                m_notifier->notify(tr("Runner start failed"), error.toString(), true);
                done(error);
            }
        });
}

void MainWindow::cancelStart()
{
    if (m_startJob && !m_startJob->isFinished())
        m_startJob->cancel();
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
            done(QString());
        },
        [done](const Error &error) { done(error); });
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
                done(QString());
            },
            [done](const Error &error) { done(error); });
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
                                  forgetRunner(id, tr("released"));
                                  done(QString());
                              },
                              [done](const Error &error) { done(error); });
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
                            done(QString());
                        else
                            done(reply.error);
                    },
                    [done](const Error &error) { done(error); });
        });
}

void MainWindow::forgetRunner(const QString &runnerId, const QString &why)
{
    m_terminals->markRunnerGone(runnerId, why);
    m_consoles->detachRunner(runnerId, why);
    if (m_files->session() && m_files->session()->runnerId() == runnerId) {
        m_files->setSession(nullptr);
        m_ui->mainTabs->setTabText(m_ui->mainTabs->indexOf(m_ui->filesTab), tr("&Files"));
        statusBar()->showMessage(tr("The Files tab let go of runner %1 (%2).").arg(runnerId, why),
                                 8000);
    }
}

void MainWindow::uploadToRunner(const QString &runnerId, const QStringList &localPaths)
{
    const int row = m_runners->rowOf(runnerId);
    if (!m_connection->isUsable() || row < 0 || localPaths.isEmpty())
        return;
    const RunnerRow &r = m_runners->row(row);
    RunnerSession *session = m_connection->session(r.key, r.session, r.hostAddress);
    if (!session)
        return;
    for (const QString &local : localPaths) {
        const QFileInfo info(local);
        if (!info.exists()) {
            statusBar()->showMessage(tr("%1 does not exist.").arg(local), 8000);
            continue;
        }
        m_transfers->enqueueUpload(session, info.absoluteFilePath(),
                                   QStringLiteral("/workspace/") + info.fileName(),
                                   FileBrowser::transferOptions());
    }
    statusBar()->showMessage(
        tr("Uploading %n item(s) to /workspace of %1", nullptr, int(localPaths.size()))
            .arg(TerminalTabs::shortId(runnerId)),
        8000);
}

RunnerSession *MainWindow::selectedRunningSession() const
{
    const QModelIndexList rows = m_ui->runnersView->selectionModel()->selectedRows();
    if (!m_connection->client() || rows.isEmpty() ||
        rows.first().data(RunnersModel::SuspendedRole).toBool())
        return nullptr;
    const QModelIndex row = rows.first();
    RunnerSession *session =
        m_connection->session(row.data(RunnersModel::RunnerIdRole).toString(),
                              row.data(RunnersModel::SessionRole).toString(),
                              row.data(RunnersModel::HostAddressRole).toString());
    // The runner's user (its workload's config.runner_user): "root" needs no ownership fix,
    // another name has its own home root in the Files tab.
    const QString user =
        m_workloads->runnerUserForKey(row.data(RunnersModel::WorkloadKeyRole).toString());
    if (session && !user.isEmpty())
        session->setRunnerUser(user);
    return session;
}

void MainWindow::openTerminal()
{
    RunnerSession *session = selectedRunningSession();
    if (!session)
        return;
    const QModelIndexList rows = m_ui->runnersView->selectionModel()->selectedRows();
    const QString workload =
        rows.isEmpty()
            ? QString()
            : rows.first().siblingAtColumn(RunnersModel::WorkloadColumn).data().toString();
    terminal::TerminalView *view = m_terminals->open(session, workload);
    m_ui->mainTabs->setCurrentWidget(m_ui->terminalsTab);
    view->setFocus();
}

void MainWindow::runCommand(const QString &command)
{
    RunnerSession *session = selectedRunningSession();
    if (!session)
        return;
    const QModelIndexList rows = m_ui->runnersView->selectionModel()->selectedRows();
    const QString workload =
        rows.isEmpty()
            ? QString()
            : rows.first().siblingAtColumn(RunnersModel::WorkloadColumn).data().toString();
    ExecConsole *console = m_consoles->open(session, workload);
    m_ui->mainTabs->setCurrentWidget(m_consoles);
    if (command.isEmpty()) {
        console->setFocus();
        return;
    }
    console->setCommand(command);
    console->run();
}

void MainWindow::closeTerminal()
{
    m_terminals->closeCurrent();
}

void MainWindow::browseFiles()
{
    RunnerSession *session = selectedRunningSession();
    if (!session)
        return;
    const QString id = session->runnerId();
    m_files->setSession(session);
    const QModelIndexList rows = m_ui->runnersView->selectionModel()->selectedRows();
    if (!rows.isEmpty()) // the path bar's bookmarks are per workload
        m_files->setWorkloadKey(rows.first().data(RunnersModel::WorkloadKeyRole).toString());
    m_ui->mainTabs->setTabText(m_ui->mainTabs->indexOf(m_ui->filesTab), tr("&Files - %1").arg(id));
    m_ui->mainTabs->setCurrentWidget(m_ui->filesTab);
}

} // namespace capsule::app
