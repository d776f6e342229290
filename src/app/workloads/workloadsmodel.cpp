// Table model of the server's layered configs (workloads) with their build state.
#include "app/workloads/workloadsmodel.h"
#include "app/widgets/statetext.h"

#include "core/client.h"

#include <QLocale>
#include <QPoint>
#include <memory>

namespace capsule::app {

QVariantList WorkloadRow::columns() const
{
    return {name, workloadKey, tier, status,
            updated.isValid() ? QLocale().toString(updated.toLocalTime(), QLocale::ShortFormat)
                              : QString()};
}

WorkloadsModel::WorkloadsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    connect(&m_timer, &QTimer::timeout, this, &WorkloadsModel::refresh);
    setRefreshInterval(5000);
}

void WorkloadsModel::setClient(Client *client)
{
    m_client = client;
    ++m_generation;
    m_refreshing = false;
    setRows({});
    refresh();
}

void WorkloadsModel::setRefreshInterval(int ms)
{
    if (ms <= 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(ms);
}

int WorkloadsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int WorkloadsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorkloadsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WorkloadRow &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return r.columns().value(index.column());
    case Qt::ToolTipRole:
        if (index.column() == StatusColumn)
            return r.layersText;
        if (index.column() == KeyColumn)
            return tr("Leaf workload key (used to start runners)");
        return r.columns().value(index.column());
    case ConfigIdRole:
        return r.key;
    case WorkloadKeyRole:
        return r.workloadKey;
    case BuildingRole:
        return r.building;
    case LayerProgressRole:
        return QPoint(r.layersActive, r.layersTotal);
    case Qt::FontRole:
        break;
    }
    return {};
}

QVariant WorkloadsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case KeyColumn:
        return tr("Workload key");
    case TierColumn:
        return tr("Tier");
    case StatusColumn:
        return tr("Layers / build");
    case UpdatedColumn:
        return tr("Updated");
    }
    return {};
}

int WorkloadsModel::rowOf(const QString &configId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).key == configId)
            return i;
    }
    return -1;
}

QString WorkloadsModel::nameForKey(const QString &workloadKey) const
{
    for (const WorkloadRow &r : m_rows) {
        if (r.workloadKey == workloadKey)
            return r.name;
    }
    return {};
}

QString WorkloadsModel::runnerUserForKey(const QString &workloadKey) const
{
    for (const WorkloadRow &r : m_rows) {
        if (r.workloadKey == workloadKey)
            return r.runnerUser;
    }
    return {};
}

void WorkloadsModel::setRows(QList<WorkloadRow> rows)
{
    syncRows(this, m_rows, std::move(rows));
}

WorkloadRow WorkloadsModel::rowFrom(const StoredConfig &stored, const QList<LayerStatus> &layers,
                                    bool haveLayers)
{
    WorkloadRow r;
    r.key = stored.configId;
    r.name = stored.displayName.isEmpty() ? r.key : stored.displayName;
    r.workloadKey = stored.leafWorkloadKey;
    r.tier = stored.tier;
    r.updated = stored.updatedAt;
    if (!haveLayers) {
        r.status = tr("unknown");
        return r;
    }
    if (layers.isEmpty()) {
        r.status = tr("no layers");
        return r;
    }
    QStringList lines;
    QString buildState;
    int active = 0;
    for (const LayerStatus &layer : layers) {
        if (layer.state() == LayerState::Active)
            ++active;
        if (layer.buildState() != BuildState::None && buildState.isEmpty())
            buildState = buildStateText(layer.buildState(), layer.buildStatus);
        QString line = QStringLiteral("%1: %2").arg(layer.name, layerStateText(layer));
        if (!layer.currentVersion.isEmpty())
            line += QStringLiteral(" (%1)").arg(layer.currentVersion);
        lines << line;
    }
    r.layersText = lines.join(QLatin1Char('\n'));
    r.layersActive = active;
    r.layersTotal = int(layers.size());
    const LayerStatus &leaf = layers.last();
    if (!buildState.isEmpty()) {
        r.building = true;
        // "queued", "building", ...: the first layer with a build in flight says where it is.
        r.status = tr("%1, %2/%3 layers active").arg(buildState).arg(active).arg(layers.size());
    } else if (leaf.state() == LayerState::Active && !leaf.currentVersion.isEmpty()) {
        r.status = tr("ready, %1").arg(leaf.currentVersion);
    } else {
        r.status = tr("not built, %1/%2 layers active").arg(active).arg(layers.size());
    }
    return r;
}

void WorkloadsModel::refresh()
{
    if (!m_client)
        return;
    if (m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_refreshing = true;
    const int generation = m_generation;
    auto finish = [this, generation](bool again) {
        if (generation != m_generation)
            return;
        m_refreshing = false;
        if (again && std::exchange(m_refreshAgain, false))
            refresh();
    };
    m_client->configs()->list()->then(
        this,
        [this, generation, finish](const ConfigList &reply) {
            if (generation != m_generation || !m_client)
                return;
            const QList<StoredConfig> &configs = reply.configs;
            if (configs.isEmpty()) {
                setRows({});
                finish(true);
                emit refreshed();
                return;
            }
            // The list omits layers: one detail call per config gives the build state.
            auto rows = std::make_shared<QList<WorkloadRow>>();
            auto pending = std::make_shared<int>(int(configs.size()));
            for (int i = 0; i < configs.size(); ++i)
                rows->append(rowFrom(configs.at(i), {}, false));
            for (int i = 0; i < configs.size(); ++i) {
                const QString id = rows->at(i).key;
                auto done = [this, generation, rows, pending, finish] {
                    if (generation != m_generation || --*pending > 0)
                        return;
                    setRows(*rows);
                    finish(true);
                    emit refreshed();
                };
                m_client->configs()->get(id)->then(
                    this,
                    [rows, i, done](const ConfigDetail &detail) {
                        (*rows)[i] = rowFrom(detail.config, detail.layers, true);
                        const QString user = detail.definition.value(QStringLiteral("config"))
                                                 .toObject()
                                                 .value(QStringLiteral("runner_user"))
                                                 .toString();
                        (*rows)[i].runnerUser = user.isEmpty() ? QStringLiteral("runner") : user;
                        done();
                    },
                    [done](const Error &) { done(); });
            }
        },
        [this, generation, finish](const Error &error) {
            if (generation != m_generation)
                return;
            finish(true);
            emit refreshFailed(error.toString());
        });
}

} // namespace capsule::app
