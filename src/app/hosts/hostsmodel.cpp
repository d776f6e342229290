// Hosts view model: hosts from GET /api/v1/hosts, workloads from the config list, versions from
// GET /api/v1/versions/fleet per workload; never blocks (every call is a Job).
#include "app/hosts/hostsmodel.h"

#include "core/client.h"

#include <QColor>
#include <QFont>
#include <QHash>
#include <memory>

namespace capsule::app {

namespace {

constexpr quintptr kHostRow = 0;

struct Pending
{
    QList<Host> hosts;
    QList<StoredConfig> configs;
    QHash<QString, FleetVersions> fleet; // workload key -> versions
    int waiting = 0;
    bool failed = false;
};

QList<HostRow> combine(const Pending &p)
{
    QList<HostRow> rows;
    for (const Host &h : p.hosts) {
        HostRow row;
        row.id = h.id;
        row.instanceName = h.instanceName.isEmpty() ? h.id : h.instanceName;
        row.state = h.status;
        row.address = h.grpcAddress;
        row.runners = h.idleRunners + h.busyRunners;
        for (const StoredConfig &c : p.configs) {
            const auto f = p.fleet.constFind(c.leafWorkloadKey);
            if (f == p.fleet.cend())
                continue;
            for (const FleetHost &fh : f->hosts) {
                if (fh.hostId != h.id)
                    continue;
                row.workloads.append({c.leafWorkloadKey,
                                      c.displayName.isEmpty() ? c.configId : c.displayName,
                                      fh.desiredVersion, fh.currentVersion, fh.converged});
            }
        }
        std::sort(row.workloads.begin(), row.workloads.end(),
                  [](const HostWorkloadRow &a, const HostWorkloadRow &b) {
                      return a.name == b.name ? a.key < b.key : a.name < b.name;
                  });
        rows.append(row);
    }
    return rows;
}

} // namespace

HostsModel::HostsModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void HostsModel::setClient(Client *client)
{
    m_client = client;
    ++m_generation; // replies of the previous server are dropped
    apply({});
    if (client)
        refresh();
}

void HostsModel::refresh()
{
    if (!m_client)
        return;
    const quint64 generation = ++m_generation;
    auto pending = std::make_shared<Pending>();
    auto stale = [this, generation] {
        return generation != m_generation;
    };
    auto fail = [this, pending, stale](const Error &e) {
        if (stale() || std::exchange(pending->failed, true))
            return;
        emit refreshFailed(e.toString());
    };
    auto finishOne = [this, pending, stale] {
        if (stale() || pending->failed || --pending->waiting > 0)
            return;
        apply(combine(*pending));
        emit refreshed();
    };
    Client *client = m_client;
    pending->waiting = 2;
    client->hosts()->list()->then(
        this,
        [pending, finishOne](const HostList &l) {
            pending->hosts = l.hosts;
            finishOne();
        },
        fail);
    client->configs()->list()->then(
        this,
        [this, client, pending, stale, finishOne, fail](const ConfigList &l) {
            if (stale())
                return;
            pending->configs = l.configs;
            for (const StoredConfig &c : l.configs) {
                if (c.leafWorkloadKey.isEmpty() || pending->fleet.contains(c.leafWorkloadKey))
                    continue;
                pending->fleet.insert(c.leafWorkloadKey, {});
                ++pending->waiting;
                client->fleet()
                    ->versions(c.leafWorkloadKey)
                    ->then(
                        this,
                        [pending, finishOne](const FleetVersions &f) {
                            pending->fleet.insert(f.workloadKey, f);
                            finishOne();
                        },
                        [pending, finishOne](const Error &) {
                            // A workload deleted meanwhile (404): shown without versions.
                            finishOne();
                        });
            }
            finishOne();
        },
        fail);
}

void HostsModel::apply(const QList<HostRow> &hosts)
{
    bool sameShape = hosts.size() == m_hosts.size();
    for (int i = 0; sameShape && i < hosts.size(); ++i) {
        sameShape = hosts.at(i).id == m_hosts.at(i).id &&
                    hosts.at(i).workloads.size() == m_hosts.at(i).workloads.size();
        for (int w = 0; sameShape && w < hosts.at(i).workloads.size(); ++w)
            sameShape = hosts.at(i).workloads.at(w).key == m_hosts.at(i).workloads.at(w).key;
    }
    if (!sameShape) {
        beginResetModel();
        m_hosts = hosts;
        endResetModel();
        return;
    }
    const QList<HostRow> old = std::exchange(m_hosts, hosts);
    for (int i = 0; i < hosts.size(); ++i) {
        HostRow a = old.at(i), b = hosts.at(i);
        if (a.workloads != b.workloads) {
            const QModelIndex parent = index(i, 0);
            for (int w = 0; w < b.workloads.size(); ++w)
                if (a.workloads.at(w) != b.workloads.at(w))
                    emit dataChanged(index(w, 0, parent), index(w, ColumnCount - 1, parent));
        }
        a.workloads.clear();
        b.workloads.clear();
        // The host row's converged summary depends on its workloads too.
        if (a != b || old.at(i).workloads != hosts.at(i).workloads)
            emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
    }
}

QModelIndex HostsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_hosts.size() ? createIndex(row, column, kHostRow) : QModelIndex();
    if (parent.internalId() != kHostRow || parent.row() >= m_hosts.size())
        return {};
    if (row >= m_hosts.at(parent.row()).workloads.size())
        return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex HostsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kHostRow)
        return {};
    return createIndex(int(child.internalId() - 1), 0, kHostRow);
}

int HostsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_hosts.size());
    if (parent.internalId() != kHostRow || parent.column() != 0)
        return 0;
    return int(m_hosts.at(parent.row()).workloads.size());
}

int HostsModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant HostsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() == kHostRow) {
        const HostRow &h = m_hosts.at(index.row());
        int converged = 0;
        for (const HostWorkloadRow &w : h.workloads)
            converged += w.converged ? 1 : 0;
        if (role == HostIdRole)
            return h.id;
        if (role == ConvergedRole)
            return converged == h.workloads.size();
        if (role == Qt::ToolTipRole && index.column() == NameColumn)
            return tr("Host %1").arg(h.id);
        if (role == Qt::FontRole && index.column() == NameColumn) {
            QFont f;
            f.setBold(true);
            return f;
        }
        if (role != Qt::DisplayRole)
            return {};
        switch (index.column()) {
        case NameColumn:
            return h.instanceName;
        case StateColumn:
            return h.state;
        case AddressColumn:
            return h.address;
        case RunnersColumn:
            return h.runners;
        case ConvergedColumn:
            return h.workloads.isEmpty()
                       ? QString()
                       : tr("%1 of %2 workloads").arg(converged).arg(h.workloads.size());
        default:
            return {};
        }
    }
    const HostWorkloadRow &w = m_hosts.at(int(index.internalId() - 1)).workloads.at(index.row());
    if (role == WorkloadKeyRole)
        return w.key;
    if (role == ConvergedRole)
        return w.converged;
    if (role == Qt::ToolTipRole && index.column() == NameColumn)
        return tr("Workload key %1").arg(w.key);
    if (role == Qt::ForegroundRole && index.column() == ConvergedColumn && !w.converged)
        return QColor(Qt::darkRed);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return w.name;
    case DesiredColumn:
        return w.desired.isEmpty() ? tr("(not built)") : w.desired;
    case CurrentColumn:
        return w.current;
    case ConvergedColumn:
        if (w.desired.isEmpty())
            return tr("no build yet");
        return w.converged ? tr("converged") : tr("converging");
    default:
        return {};
    }
}

QVariant HostsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Host / workload");
    case StateColumn:
        return tr("State");
    case AddressColumn:
        return tr("Address");
    case RunnersColumn:
        return tr("Runners");
    case DesiredColumn:
        return tr("Desired version");
    case CurrentColumn:
        return tr("Current version");
    case ConvergedColumn:
        return tr("Convergence");
    default:
        return {};
    }
}

} // namespace capsule::app
