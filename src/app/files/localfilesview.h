// The local half of the Files tab: a folder tree that takes remote files dropped on it as
// downloads.
#pragma once

#include <QTreeView>

class QFileSystemModel;
class QFileSystemWatcher;
class QMimeData;

namespace capsule::app {

// WinSCP-style two panes: dragging files from the runner's list onto a folder here downloads them
// into it through the transfer queue; dragging files from here onto the runner's list (or onto
// a runner) uploads them. Sizes are read fresh and files are watched, so a file that grows while
// shown shows its new size. The drop only asks for the download; the Transfers panel
// shows it running (a desktop drop would have to wait for the bytes, which the GUI must not do).
class LocalFilesView : public QTreeView
{
    Q_OBJECT
public:
    explicit LocalFilesView(QWidget *parent = nullptr);

    QFileSystemModel *fileModel() const { return m_fs; }
    // The folder shown at the top (the drop target when dropping onto empty space).
    void setRootFolder(const QString &path);
    QString rootFolder() const;
    // The local folder a drop at `index` lands in: a folder row, a file's folder, else the root.
    QString targetFolder(const QModelIndex &index) const;
    // Remote paths carried by a drag from the runner's list (empty when it is something else).
    static QStringList remotePaths(const QMimeData *data);

    // What a drop at `index` does: remote rows become downloadRequested; anything else is refused
    // (false). dropEvent() calls it; tests call it without a window-system drag.
    bool dropRemote(const QMimeData *data, const QModelIndex &index);

signals:
    void downloadRequested(const QStringList &remotePaths, const QString &localFolder);
    void rootFolderChanged(const QString &path);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    // Rows dragged out (onto the runner's list or another application) are copied, never
    // moved: this pane only shows the computer's files.
    void startDrag(Qt::DropActions supportedActions) override;

private:
    void watchFolder(const QString &path);

    QFileSystemModel *m_fs;
    QFileSystemWatcher *m_watcher;
};

} // namespace capsule::app
