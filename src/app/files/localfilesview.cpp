// The local half of the Files tab: a folder tree that takes remote files dropped on it as
// downloads.
#include "app/files/localfilesview.h"

#include "app/files/remotefilesmodel.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QFileSystemModel>
#include <QFileSystemWatcher>
#include <QHeaderView>
#include <QMimeData>

namespace capsule::app {

namespace {

// QFileSystemModel caches each file's QFileInfo and only watches folders, so a file written in
// place keeps the size it had when listed. This one answers the size column from a fresh stat
// (only rows on screen are asked) and is told by a file watcher when to ask again.
class FreshSizeModel : public QFileSystemModel
{
public:
    using QFileSystemModel::QFileSystemModel;
    QVariant data(const QModelIndex &index, int role) const override
    {
        if (index.column() == 1 && (role == Qt::DisplayRole || role == Qt::ToolTipRole)) {
            const QFileInfo info(filePath(index));
            if (info.exists() && !info.isDir()) {
                if (role == Qt::ToolTipRole)
                    return tr("%L1 bytes").arg(info.size());
                return RemoteFilesModel::sizeText(info.size());
            }
        }
        return QFileSystemModel::data(index, role);
    }
};

constexpr int kMaxWatchedFiles = 2000;

} // namespace

LocalFilesView::LocalFilesView(QWidget *parent)
    : QTreeView(parent)
    , m_fs(new FreshSizeModel(this))
    , m_watcher(new QFileSystemWatcher(this))
{
    setObjectName(QStringLiteral("localFilesView"));
    // Read-only: the model must never move local files around on its own drops.
    m_fs->setReadOnly(true);
    m_fs->setFilter(QDir::AllDirs | QDir::Files | QDir::NoDotAndDotDot);
    setModel(m_fs);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    // Drags out carry file URLs (uploads when dropped on the runner's list); drops in take only
    // the runner's rows (downloads), see dragEnterEvent.
    setDragDropMode(QAbstractItemView::DragDrop);
    setDragEnabled(true);
    setDefaultDropAction(Qt::CopyAction);
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
    setDropIndicatorShown(true);
    setExpandsOnDoubleClick(false); // double-click enters a folder (FileBrowser), the arrow expands
    for (int column = 2; column < m_fs->columnCount(); ++column)
        hideColumn(column); // name and size are enough next to the remote list
    header()->resizeSection(0, 220);
    connect(m_fs, &QFileSystemModel::directoryLoaded, this, &LocalFilesView::watchFolder);
    connect(m_fs, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &parent) { watchFolder(m_fs->filePath(parent)); });
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this](const QString &path) {
        const QModelIndex index = m_fs->index(path, 1);
        if (index.isValid())
            emit m_fs->dataChanged(index, index, {Qt::DisplayRole});
        // A file replaced by rename loses its watch: watch the new one.
        if (QFileInfo::exists(path) && !m_watcher->files().contains(path))
            m_watcher->addPath(path);
    });
    setRootFolder(QDir::homePath());
}

void LocalFilesView::watchFolder(const QString &path)
{
    const QModelIndex parent = m_fs->index(path);
    QStringList files;
    for (int row = 0; row < m_fs->rowCount(parent); ++row) {
        const QModelIndex child = m_fs->index(row, 0, parent);
        if (!m_fs->isDir(child))
            files << m_fs->filePath(child);
    }
    const QStringList watched = m_watcher->files();
    files.removeIf([&watched](const QString &f) { return watched.contains(f); });
    files = files.mid(0, qMax(0, kMaxWatchedFiles - int(watched.size())));
    if (!files.isEmpty())
        m_watcher->addPaths(files);
}

void LocalFilesView::setRootFolder(const QString &path)
{
    const QString clean = QDir::cleanPath(path);
    if (clean == rootFolder() && rootIndex().isValid())
        return;
    // Only the folder on screen is watched.
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    setRootIndex(m_fs->setRootPath(clean));
    emit rootFolderChanged(rootFolder());
}

QString LocalFilesView::rootFolder() const
{
    return m_fs->rootPath();
}

QString LocalFilesView::targetFolder(const QModelIndex &index) const
{
    if (!index.isValid())
        return rootFolder();
    const QFileInfo info = m_fs->fileInfo(index);
    return info.isDir() ? info.absoluteFilePath() : info.absolutePath();
}

QStringList LocalFilesView::remotePaths(const QMimeData *data)
{
    if (!data || !data->hasFormat(RemoteFilesModel::remotePathsMimeType()))
        return {};
    const QString text = QString::fromUtf8(data->data(RemoteFilesModel::remotePathsMimeType()));
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

void LocalFilesView::dragEnterEvent(QDragEnterEvent *event)
{
    if (remotePaths(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
}

void LocalFilesView::dragMoveEvent(QDragMoveEvent *event)
{
    if (remotePaths(event->mimeData()).isEmpty()) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
}

void LocalFilesView::dropEvent(QDropEvent *event)
{
    if (!dropRemote(event->mimeData(), indexAt(event->position().toPoint()))) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
}

bool LocalFilesView::dropRemote(const QMimeData *data, const QModelIndex &index)
{
    const QStringList paths = remotePaths(data);
    if (paths.isEmpty())
        return false;
    emit downloadRequested(paths, targetFolder(index));
    return true;
}

void LocalFilesView::startDrag(Qt::DropActions supportedActions)
{
    if (supportedActions & Qt::CopyAction)
        QTreeView::startDrag(Qt::CopyAction);
}

} // namespace capsule::app
