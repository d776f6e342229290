// The main window's connection profiles: the switcher, the Connections dialog, switching servers
// without a restart (after closing terminals, consoles and transfers of the old one, with a
// confirmation) and what the window remembers per profile (tab, selection, columns, docks).
#include "app/mainwindow.h"

#include "app/connections/connectionsdialog.h"
#include "app/connections/profiles.h"
#include "app/connections/serverconnection.h"
#include "app/files/filebrowser.h"
#include "app/runners/execconsole.h"
#include "app/runners/runnersmodel.h"
#include "app/terminals/terminaltabs.h"
#include "app/workloads/workloadsmodel.h"

#include "core/transfer.h"

#include "ui_mainwindow.h"

#include <QComboBox>
#include <QHeaderView>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>

namespace capsule::app {

void MainWindow::createProfileSwitcher()
{
    m_profileSwitcher = new QComboBox(this);
    m_profileSwitcher->setObjectName(QStringLiteral("profileSwitcher"));
    // Wide enough for a profile name or a whole http://host:port.
    m_profileSwitcher->setMinimumContentsLength(22);
    m_profileSwitcher->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_profileSwitcher->setToolTip(tr("The server this window shows (Connections... to edit)"));
    // In the status bar, next to the connection summary (the toolbar is full at 1100 px).
    statusBar()->addPermanentWidget(m_profileSwitcher);
    connect(m_profileSwitcher, &QComboBox::activated, this,
            [this](int index) { switchProfile(m_profileSwitcher->itemData(index).toString()); });
    connect(m_connection, &ServerConnection::serverChanged, this, [this] {
        if (std::exchange(m_restorePending, false))
            restoreProfileState();
    });
    connect(m_runners, &RunnersModel::refreshed, this, [this] {
        if (m_selectRunnerAfterRefresh.isEmpty())
            return;
        const int row = m_runners->rowOf(m_selectRunnerAfterRefresh);
        if (row < 0)
            return;
        m_selectRunnerAfterRefresh.clear();
        const QModelIndex index = m_runnersProxy->mapFromSource(m_runners->index(row, 0));
        m_ui->runnersView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect |
                                                               QItemSelectionModel::Rows);
    });
    reloadProfiles();
}

void MainWindow::reloadProfiles()
{
    const QSignalBlocker block(m_profileSwitcher);
    m_profileSwitcher->clear();
    for (const ConnectionProfile &p : ProfileStore::all())
        m_profileSwitcher->addItem(p.name, p.id);
    syncProfileSwitcher();
}

void MainWindow::syncProfileSwitcher()
{
    if (!m_profileSwitcher)
        return;
    const QSignalBlocker block(m_profileSwitcher);
    QString id = m_connection->profileId();
    if (id.isEmpty() && m_connection->isEmbedded())
        id = QString::fromLatin1(ProfileStore::kLocalId);
    const int at = m_profileSwitcher->findData(id);
    if (at >= 0) {
        m_profileSwitcher->setCurrentIndex(at);
        return;
    }
    // Connected without a profile (a URL from an older version, or tests): say where.
    const QString where =
        m_connection->baseUrl().isEmpty() ? tr("(not connected)") : m_connection->baseUrl();
    const QString adhocId = QStringLiteral("__adhoc__");
    int adhoc = m_profileSwitcher->findData(adhocId);
    if (adhoc < 0) {
        m_profileSwitcher->addItem(where, adhocId);
        adhoc = m_profileSwitcher->count() - 1;
    }
    m_profileSwitcher->setItemText(adhoc, where);
    m_profileSwitcher->setCurrentIndex(adhoc);
}

ConnectionsDialog *MainWindow::connectionsDialog() const
{
    return m_connectionsDialog;
}

void MainWindow::showConnections()
{
    auto *dialog =
        new ConnectionsDialog(m_connection->tokenStore(), m_connection->profileId(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectionsDialog::profilesChanged, this, &MainWindow::reloadProfiles);
    connect(dialog, &ConnectionsDialog::connectRequested, this, &MainWindow::switchProfile);
    m_connectionsDialog = dialog;
    dialog->open();
}

QString MainWindow::serverWorkSummary() const
{
    QStringList busy;
    const int terminals = m_ui->terminalTabs->count();
    if (terminals > 0)
        busy << tr("%n terminal(s) will be closed", nullptr, terminals);
    const int consoles = m_consoles->runningCount();
    if (consoles > 0)
        busy << tr("%n running command(s) will be stopped", nullptr, consoles);
    int transfers = 0;
    for (const TransferQueue::Item &item : m_transfers->items())
        transfers += item.state == TransferQueue::State::Queued ||
                     item.state == TransferQueue::State::Running;
    if (transfers > 0)
        busy << tr("%n transfer(s) will be cancelled", nullptr, transfers);
    return busy.join(QStringLiteral(", "));
}

void MainWindow::switchProfile(const QString &id)
{
    const ConnectionProfile profile = ProfileStore::find(id);
    syncProfileSwitcher(); // shows the current one until the switch really happens
    if (profile.id.isEmpty() || (id == m_connection->profileId() && m_connection->client()))
        return;
    auto go = [this, profile] {
        saveProfileState();
        // The old server's work ends first: terminals, consoles, transfers, Files.
        for (const QString &runner : m_terminals->runnerIds())
            m_terminals->markRunnerGone(runner, tr("server changed"));
        for (int n = m_ui->terminalTabs->count(); n > 0; --n)
            m_terminals->closeCurrent();
        m_consoles->detachAll(tr("server changed"));
        while (m_consoles->count() > 0) {
            QWidget *page = m_consoles->widget(0);
            m_consoles->removeTab(0);
            page->deleteLater(); // cancels its exec
        }
        m_transfers->cancelAll();
        m_files->setSession(nullptr);
        // Nothing of the old server stays on screen while the new one is reached.
        m_workloads->setClient(nullptr);
        m_runners->setClient(nullptr);
        m_restorePending = true;
        m_connection->useProfile(profile);
        syncProfileSwitcher();
        statusBar()->showMessage(tr("Switched to %1.").arg(profile.name), 5000);
    };
    const QString busy = serverWorkSummary();
    if (busy.isEmpty()) {
        go();
        return;
    }
    confirm(tr("Switch to %1? %2.").arg(profile.name, busy), go);
}

void MainWindow::saveProfileState()
{
    QString id = m_connection->profileId();
    if (id.isEmpty() && m_connection->isEmbedded())
        id = QString::fromLatin1(ProfileStore::kLocalId);
    QSettings settings;
    settings.beginGroup(ProfileStore::stateGroup(id));
    settings.setValue(QStringLiteral("tab"), m_ui->mainTabs->currentIndex());
    settings.setValue(QStringLiteral("workload"), selectedConfigId());
    settings.setValue(QStringLiteral("runner"), selectedRunnerId());
    settings.setValue(QStringLiteral("workloadColumns"),
                      m_ui->workloadsView->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("runnerColumns"),
                      m_ui->runnersView->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("windowState"), saveState());
    settings.setValue(QStringLiteral("runnersSplitter"), m_runnersSplitter->saveState());
    settings.endGroup();
}

void MainWindow::restoreProfileState()
{
    QString id = m_connection->profileId();
    if (id.isEmpty() && m_connection->isEmbedded())
        id = QString::fromLatin1(ProfileStore::kLocalId);
    QSettings settings;
    settings.beginGroup(ProfileStore::stateGroup(id));
    if (!settings.contains(QStringLiteral("tab")))
        return; // first visit: keep what is on screen
    m_ui->mainTabs->setCurrentIndex(settings.value(QStringLiteral("tab")).toInt());
    m_ui->workloadsView->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("workloadColumns")).toByteArray());
    m_ui->runnersView->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("runnerColumns")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    m_runnersSplitter->restoreState(
        settings.value(QStringLiteral("runnersSplitter")).toByteArray());
    m_selectAfterRefresh = settings.value(QStringLiteral("workload")).toString();
    m_selectShowsTab = false;
    m_selectRunnerAfterRefresh = settings.value(QStringLiteral("runner")).toString();
    settings.endGroup();
}

} // namespace capsule::app
