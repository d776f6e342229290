// One folder of a runner's file system as a flat table, listed asynchronously and shown in batches.
#pragma once

#include "core/files.h"
#include "core/runnersession.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace capsule {
class Job;
class RunnerSession;
} // namespace capsule

namespace capsule::app {

class DragOut;

// The host lists a folder in one reply; the rows are handed to the view kBatch at a time through
// canFetchMore()/fetchMore() so a folder with 100k entries does not stall the view. Navigating
// away cancels a listing still in flight so a stale answer never lands in the new folder.
class RemoteFilesModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, SizeColumn, ModifiedColumn, ModeColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, IsDirRole, SizeRole };
    static constexpr int kBatch = 256;

    explicit RemoteFilesModel(QObject *parent = nullptr);

    void setSession(RunnerSession *session);
    // Drags of rows also offer them to file managers through `dragOut` (nullptr: in-app only).
    void setDragOut(DragOut *dragOut) { m_dragOut = dragOut; }
    RunnerSession *session() const { return m_session; }
    QString path() const { return m_path; }
    bool isLoading() const { return !m_listJob.isNull(); }
    // Entries received for the current folder (shown or not yet fetched by the view).
    int totalEntries() const { return int(m_entries.size()); }
    const FileInfo &entry(int row) const { return m_entries.at(row); }

    // The view of the listing: names containing `text` (case-insensitive), hidden (dot) files
    // or not, sorted by a column (folders always first). Applied without a new request.
    void setFilter(const QString &text);
    QString filter() const { return m_filter; }
    void setShowHidden(bool show);
    bool showHidden() const { return m_showHidden; }
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    // Every folder of the listing (hidden and filtered ones too): the path bar's completions.
    QStringList folderPaths() const;

    static QString parentPath(const QString &path);
    static QString joinPath(const QString &dir, const QString &name);
    static QString sizeText(qint64 bytes);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Local files and folders dropped from the desktop become uploads (uploadRequested).
    QStringList mimeTypes() const override;
    // Rows dragged out carry their remote paths (one per line) under remotePathsMimeType(); the
    // local pane turns them into downloads.
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    static QString remotePathsMimeType()
    {
        return QStringLiteral("application/x-capsule-remote-paths");
    }
    // Set next to the paths: the runner they are on. Rows dropped on another runner's list are
    // copied runner to runner (relayRequested).
    static QString runnerIdMimeType() { return QStringLiteral("application/x-capsule-runner-id"); }
    Qt::DropActions supportedDropActions() const override;
    bool canDropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                         const QModelIndex &parent) const override;
    bool dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                      const QModelIndex &parent) override;

public slots:
    void setPath(const QString &path);
    void refresh();

signals:
    void pathChanged(const QString &path);
    void loadingChanged(bool loading);
    void listed(const QString &path);
    void listFailed(const QString &path, const QString &message);
    void uploadRequested(const QStringList &localPaths, const QString &remoteDir);
    void relayRequested(const QString &sourceRunnerId, const QStringList &remotePaths,
                        const QString &remoteDir);

private:
    QPointer<RunnerSession> m_session;
    DragOut *m_dragOut = nullptr; // owned by the FileBrowser, which owns this model too
    QPointer<Job> m_listJob;
    QString m_path;
    void applyView();
    static bool lessThan(const FileInfo &a, const FileInfo &b, int column);

    QList<FileInfo> m_all;     // the folder as listed
    QList<FileInfo> m_entries; // what the view shows: filtered and sorted
    QString m_filter;
    bool m_showHidden = true;
    int m_sortColumn = NameColumn;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    int m_shown = 0;
    bool m_resetting = false;
};

} // namespace capsule::app
