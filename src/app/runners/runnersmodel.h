// Table model of the server's runners plus the sessions this app paused (so they can be resumed).
#pragma once

#include "app/widgets/rowsync.h"

#include "core/models.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>
#include <functional>

namespace capsule {
class Client;
}

namespace capsule::app {

struct RunnerRow
{
    QString key;      // runner_id
    QString workload; // display name when known, else the key
    QString workloadKey;
    QString status;                           // in words (statusText)
    QString rawStatus;                        // the server's state, e.g. "busy", "suspended"
    RunnerState state = RunnerState::Unknown; // rawStatus typed (Unknown: a word not known here)
    QString host;
    QString hostAddress;
    QString session;
    QDateTime created;
    QString ageText;
    bool suspended = false; // paused: listed as suspended/paused, or a session the app paused
    bool starting = false;  // Start pressed, allocate not answered yet (key is a placeholder)

    QVariantList columns() const;
    bool operator==(const RunnerRow &other) const = default;
};

class RunnersModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        WorkloadColumn,
        StatusColumn,
        HostColumn,
        SessionColumn,
        AgeColumn,
        ColumnCount
    };
    enum Role {
        RunnerIdRole = Qt::UserRole + 1,
        SessionRole,
        WorkloadKeyRole,
        SuspendedRole,
        HostAddressRole,
        RawStatusRole,
        StartingRole // true for the row of a start in flight (RunnerIdRole is then empty)
    };

    explicit RunnersModel(QObject *parent = nullptr);

    void setClient(Client *client);
    void setRefreshInterval(int ms);
    int refreshInterval() const { return m_timer.isActive() ? m_timer.interval() : 0; }
    // Maps workload keys to display names for the Workload column.
    void setWorkloadNamer(std::function<QString(const QString &)> namer);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    // Local files dropped on a running runner's row are uploaded to its /workspace.
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    Qt::DropActions supportedDropActions() const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;

    const RunnerRow &row(int i) const { return m_rows.at(i); }
    int rowOf(const QString &runnerId) const;

    // What the app learnt from its own calls (the listing lacks sessions and addresses).
    void noteAllocated(const AllocateReply &reply, const QString &workloadKey);
    void notePaused(const QString &runnerId, const QString &sessionId);
    void noteResumed(const QString &runnerId);
    void noteReleased(const QString &runnerId);
    // A row for a start in flight, shown at once ("Starting..."); returns its placeholder key
    // (rowOf() finds it). Removed with finishStarting() when allocate answered or failed.
    QString addStarting(const QString &workloadKey);
    // The server's listing entry of a runner (labels, tenant, proxy...); empty when not listed.
    QJsonObject rawOf(const QString &runnerId) const;
    // "12:01:05 Starting", "12:01:09 Running", ... as this app saw the runner's state change.
    QStringList statusHistory(const QString &runnerId) const { return m_history.value(runnerId); }
    void finishStarting(const QString &placeholder);

    static QString ageText(const QDateTime &created, const QDateTime &now);
    // What a server state means to a user ("Running", "Paused", "Starting"...) and a sentence
    // for the tooltip; the raw state stays in RawStatusRole.
    static QString statusText(const QString &rawStatus);
    static QString statusExplanation(const QString &rawStatus);
    // States in which a runner is paused and can only be resumed.
    static bool isPausedState(const QString &rawStatus);

public slots:
    void refresh();

signals:
    void refreshed();
    void refreshFailed(const QString &message);
    void uploadRequested(const QString &runnerId, const QStringList &localPaths);

private:
    template<class M, class R>
    friend void syncRows(M *, QList<R> &, QList<R>);

    struct Known
    {
        QString session;
        QString workloadKey;
        QString hostAddress;
        QDateTime created;
        bool suspended = false;
    };

    void apply(const QList<RunnerInfo> &runners);

    QList<RunnerRow> m_rows;
    QHash<QString, Known> m_known;
    QPointer<Client> m_client;
    QTimer m_timer;
    std::function<QString(const QString &)> m_namer;
    int m_generation = 0;
    bool m_refreshing = false;
    QList<RunnerInfo> m_lastListing;
    QHash<QString, Known> m_starting; // placeholder key -> workload key and when
    int m_startingSerial = 0;
    QHash<QString, QStringList> m_history;
};

} // namespace capsule::app
