// Tree model of the Hosts view: one row per host (state, address, runners) with one child row per
// workload (desired and current version, converged or not), from the client library.
#pragma once

#include "core/fleet.h"
#include "core/models.h"

#include <QAbstractItemModel>
#include <QPointer>

namespace capsule {
class Client;
}

namespace capsule::app {

struct HostWorkloadRow
{
    QString key;  // workload key
    QString name; // display name of its config
    QString desired;
    QString current;
    bool converged = false;
    bool operator==(const HostWorkloadRow &) const = default;
};

struct HostRow
{
    QString id;
    QString instanceName;
    QString state;
    QString address;
    int runners = 0;
    QList<HostWorkloadRow> workloads; // sorted by name
    bool operator==(const HostRow &) const = default;
};

class HostsModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn, // host instance name, or the workload's name on a child row
        StateColumn,
        AddressColumn,
        RunnersColumn,
        DesiredColumn,
        CurrentColumn,
        ConvergedColumn,
        ColumnCount
    };
    enum Role { HostIdRole = Qt::UserRole + 1, WorkloadKeyRole, ConvergedRole };

    explicit HostsModel(QObject *parent = nullptr);

    void setClient(Client *client); // nullptr clears the model
    // Lists hosts and configs, then asks the fleet route for each workload; applies the result
    // in one step when every reply is in. A refresh still running is superseded.
    void refresh();
    // Replaces the rows: values of unchanged structure are updated in place (dataChanged),
    // anything else resets the model. Public so tests can drive the model directly.
    void apply(const QList<HostRow> &hosts);
    const QList<HostRow> &hostRows() const { return m_hosts; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    void refreshed();
    void refreshFailed(const QString &message);

private:
    // internalId: 0 for a host row, host row + 1 for its workload rows.
    QPointer<Client> m_client;
    QList<HostRow> m_hosts;
    quint64 m_generation = 0;
};

} // namespace capsule::app
