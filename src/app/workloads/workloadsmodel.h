// Table model of the server's layered configs (workloads) with their build state.
#pragma once

#include "app/widgets/rowsync.h"

#include "core/models.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

namespace capsule {
class Client;
}

namespace capsule::app {

struct WorkloadRow
{
    QString key; // config_id
    QString name;
    QString workloadKey;
    QString tier;
    QString status;     // one line: ready vX / building / not built / ...
    QString layersText; // per-layer detail for the tooltip
    QDateTime updated;
    bool building = false;
    int layersActive = 0; // layers built (active), for the progress bar while building
    int layersTotal = 0;
    QString runnerUser; // config.runner_user (default "runner"); empty until the detail is known

    QVariantList columns() const;
    bool operator==(const WorkloadRow &other) const = default;
};

class WorkloadsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, KeyColumn, TierColumn, StatusColumn, UpdatedColumn, ColumnCount };
    // LayerProgressRole: QPoint(active layers, all layers) of the Status column (x = y = 0 when
    // unknown); LayerProgressDelegate draws it as "2/3 layers" with a bar while BuildingRole.
    enum Role { ConfigIdRole = Qt::UserRole + 1, WorkloadKeyRole, BuildingRole, LayerProgressRole };

    explicit WorkloadsModel(QObject *parent = nullptr);

    void setClient(Client *client);
    // Interval of the background refresh; 0 turns it off.
    void setRefreshInterval(int ms);
    int refreshInterval() const { return m_timer.isActive() ? m_timer.interval() : 0; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const WorkloadRow &row(int i) const { return m_rows.at(i); }
    int rowOf(const QString &configId) const;
    // The runner user of the workload with this leaf key ("" when unknown).
    QString runnerUserForKey(const QString &workloadKey) const;
    QString nameForKey(const QString &workloadKey) const;
    // Replaces the rows with minimal signals (public so tests can drive it without a server).
    void setRows(QList<WorkloadRow> rows);

    // Builds a row from a stored config and its layer statuses (2.1).
    static WorkloadRow rowFrom(const StoredConfig &stored, const QList<LayerStatus> &layers,
                               bool haveLayers);

public slots:
    void refresh();

signals:
    void refreshed();
    void refreshFailed(const QString &message);

private:
    template<class M, class R>
    friend void syncRows(M *, QList<R> &, QList<R>);

    QList<WorkloadRow> m_rows;
    QPointer<Client> m_client;
    QTimer m_timer;
    int m_generation = 0;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
};

} // namespace capsule::app
