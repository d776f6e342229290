// The Hosts tab: hosts of the connected server with their workloads' version convergence.
#pragma once

#include <QTimer>
#include <QWidget>

class QLabel;
class QTreeView;

namespace capsule::app {

class HostsModel;
class ServerConnection;

class HostsView : public QWidget
{
    Q_OBJECT
public:
    explicit HostsView(ServerConnection *connection, QWidget *parent = nullptr);

    HostsModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    // How often the list refreshes while the tab is visible.
    void setRefreshInterval(int ms) { m_timer.setInterval(ms); }
    int refreshInterval() const { return m_timer.interval(); }

public slots:
    void refresh();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    ServerConnection *m_connection;
    HostsModel *m_model;
    QTreeView *m_view;
    QLabel *m_status;
    QTimer m_timer; // refreshes while the tab is visible
};

} // namespace capsule::app
