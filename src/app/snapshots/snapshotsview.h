// The Snapshots tab (contract 2.3, snapshots.list()): version, status, size, created, commit;
// the server's current version is marked. Refreshed when shown and on F5.
#pragma once

#include "core/models.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QWidget>

class QLabel;
class QTableView;

namespace capsule::app {

class EmptyHint;
class ServerConnection;

class SnapshotsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        VersionColumn,
        StatusColumn,
        SizeColumn,
        CreatedColumn,
        CommitColumn,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;
    void setList(const SnapshotList &list);
    QString currentVersion() const { return m_current; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Snapshot> m_rows;
    QString m_current;
};

class SnapshotsView : public QWidget
{
    Q_OBJECT
public:
    explicit SnapshotsView(ServerConnection *connection, QWidget *parent = nullptr);
    SnapshotsModel *model() const { return m_model; }
    QString statusText() const;

public slots:
    void refresh();

signals:
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    QPointer<ServerConnection> m_connection;
    SnapshotsModel *m_model;
    QTableView *m_view;
    QLabel *m_status;
    EmptyHint *m_hint;
    int m_generation = 0;
};

} // namespace capsule::app
