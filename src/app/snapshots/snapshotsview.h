// The Snapshots tab (contract 2.3, snapshots.list()): workload, version, status, size, created,
// commit; the server's current version is marked. A workload filter above the table shows one
// workload's snapshots (capsule-local names each snapshot's workload key; from other servers the
// column is empty and the filter only offers "All workloads"). Refreshed when shown and on F5.
#pragma once

#include "core/models.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QWidget>
#include <functional>

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace capsule::app {

class EmptyHint;
class ServerConnection;

class SnapshotsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        WorkloadColumn,
        VersionColumn,
        StatusColumn,
        SizeColumn,
        CreatedColumn,
        CommitColumn,
        ColumnCount
    };

    // The raw workload key of a row (for the filter).
    enum Role { WorkloadKeyRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;
    void setList(const SnapshotList &list);
    QString currentVersion() const { return m_current; }
    // Display name of a workload key ("" = unknown, the key is shown alone).
    void setNameLookup(std::function<QString(const QString &)> lookup);
    // The distinct workload keys, sorted ("" not included).
    QStringList workloadKeys() const;
    QString workloadText(const QString &key) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Snapshot> m_rows;
    QString m_current;
    std::function<QString(const QString &)> m_nameLookup;
};

class SnapshotsView : public QWidget
{
    Q_OBJECT
public:
    explicit SnapshotsView(ServerConnection *connection, QWidget *parent = nullptr);
    SnapshotsModel *model() const { return m_model; }
    QString statusText() const;
    void setNameLookup(std::function<QString(const QString &)> lookup);
    // Shows only that workload's snapshots ("" = all); false if the key is not listed.
    bool setWorkloadFilter(const QString &workloadKey);
    QString workloadFilter() const;
    // Rows the table shows now (after the filter).
    int visibleRows() const;

public slots:
    void refresh();

signals:
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    QPointer<ServerConnection> m_connection;
    SnapshotsModel *m_model;
    void fillWorkloadFilter();

    QTableView *m_view;
    QSortFilterProxyModel *m_proxy;
    QComboBox *m_workloadFilter;
    QLabel *m_status;
    EmptyHint *m_hint;
    int m_generation = 0;
};

} // namespace capsule::app
