// Table model of the server's layered configs (workloads) with their build state.
#include "app/workloadsmodel.h"

#include "app/controlplane.h"

#include <QLocale>
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

void WorkloadsModel::setControlPlane(ControlPlane *api)
{
    m_api = api;
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

void WorkloadsModel::setRows(QList<WorkloadRow> rows)
{
    syncRows(this, m_rows, std::move(rows));
}

WorkloadRow WorkloadsModel::rowFrom(const QJsonObject &stored, const QJsonArray &layers,
                                    bool haveLayers)
{
    WorkloadRow r;
    r.key = stored.value(QStringLiteral("config_id")).toString();
    r.name = stored.value(QStringLiteral("display_name")).toString();
    if (r.name.isEmpty())
        r.name = r.key;
    r.workloadKey = stored.value(QStringLiteral("leaf_workload_key")).toString();
    r.tier = stored.value(QStringLiteral("tier")).toString();
    r.updated = QDateTime::fromString(stored.value(QStringLiteral("updated_at")).toString(),
                                      Qt::ISODateWithMs);
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
    for (const QJsonValue &v : layers) {
        const QJsonObject layer = v.toObject();
        const QString name = layer.value(QStringLiteral("name")).toString();
        const QString status = layer.value(QStringLiteral("status")).toString();
        const QString build = layer.value(QStringLiteral("build_status")).toString();
        const QString version = layer.value(QStringLiteral("current_version")).toString();
        if (status == QLatin1String("active"))
            ++active;
        if (!build.isEmpty() && buildState.isEmpty())
            buildState = build;
        QString line = QStringLiteral("%1: %2").arg(name, status);
        if (!version.isEmpty())
            line += QStringLiteral(" (%1)").arg(version);
        if (!build.isEmpty())
            line += tr(", build %1").arg(build);
        lines << line;
    }
    r.layersText = lines.join(QLatin1Char('\n'));
    const QJsonObject leaf = layers.last().toObject();
    const QString leafVersion = leaf.value(QStringLiteral("current_version")).toString();
    if (!buildState.isEmpty()) {
        r.building = true;
        r.status =
            tr("building (%1), %2/%3 layers active").arg(buildState).arg(active).arg(layers.size());
    } else if (leaf.value(QStringLiteral("status")).toString() == QLatin1String("active") &&
               !leafVersion.isEmpty()) {
        r.status = tr("ready, %1").arg(leafVersion);
    } else {
        r.status = tr("not built, %1/%2 layers active").arg(active).arg(layers.size());
    }
    return r;
}

void WorkloadsModel::refresh()
{
    if (!m_api)
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
    m_api->listConfigs()->then(
        this,
        [this, generation, finish](const QJsonObject &reply) {
            if (generation != m_generation)
                return;
            const QJsonArray configs = reply.value(QStringLiteral("configs")).toArray();
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
                rows->append(rowFrom(configs.at(i).toObject(), {}, false));
            for (int i = 0; i < configs.size(); ++i) {
                const QString id = rows->at(i).key;
                auto done = [this, generation, rows, pending, finish] {
                    if (generation != m_generation || --*pending > 0)
                        return;
                    setRows(*rows);
                    finish(true);
                    emit refreshed();
                };
                m_api->configDetail(id)->then(
                    this,
                    [rows, i, done](const QJsonObject &detail) {
                        (*rows)[i] =
                            rowFrom(detail.value(QStringLiteral("config")).toObject(),
                                    detail.value(QStringLiteral("layers")).toArray(), true);
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
