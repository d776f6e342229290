// Hosts tab: a tree of hosts and their workloads, refreshed every few seconds while visible.
#include "app/hosts/hostsview.h"

#include "app/connections/serverconnection.h"
#include "app/hosts/hostsmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

namespace capsule::app {

HostsView::HostsView(ServerConnection *connection, QWidget *parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_model(new HostsModel(this))
    , m_view(new QTreeView(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("hostsView"));
    m_view->setObjectName(QStringLiteral("hostsTree"));
    m_view->setModel(m_model);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setTextElideMode(Qt::ElideMiddle);
    m_view->header()->setStretchLastSection(true);
    m_view->setColumnWidth(HostsModel::NameColumn, 200);
    m_view->setColumnWidth(HostsModel::StateColumn, 80);
    m_view->setColumnWidth(HostsModel::AddressColumn, 140);
    m_view->setColumnWidth(HostsModel::RunnersColumn, 70);
    m_view->setColumnWidth(HostsModel::DesiredColumn, 250);
    m_view->setColumnWidth(HostsModel::CurrentColumn, 250);
    m_status->setObjectName(QStringLiteral("hostsStatus"));
    m_status->setWordWrap(true);
    m_status->setVisible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    layout->addWidget(m_status);

    // New rows arrive collapsed; a host's workloads are what this view is for.
    connect(m_model, &QAbstractItemModel::modelReset, m_view, &QTreeView::expandAll);
    connect(m_model, &HostsModel::refreshed, this, [this] { m_status->setVisible(false); });
    connect(m_model, &HostsModel::refreshFailed, this, [this](const QString &message) {
        m_status->setText(tr("Could not refresh the hosts: %1").arg(message));
        m_status->setVisible(true);
    });
    connect(m_connection, &ServerConnection::serverChanged, this,
            [this] { m_model->setClient(m_connection->client()); });
    m_model->setClient(m_connection->client());

    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, &HostsView::refresh);
}

void HostsView::refresh()
{
    m_model->refresh();
}

void HostsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer.start();
}

void HostsView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer.stop();
}

} // namespace capsule::app
