// The local half of the Files tab: a folder tree that takes remote files dropped on it as
// downloads.
#include "app/localfilesview.h"

#include "app/remotefilesmodel.h"

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QFileSystemModel>
#include <QHeaderView>
#include <QMimeData>

namespace capsule::app {

LocalFilesView::LocalFilesView(QWidget *parent)
    : QTreeView(parent)
    , m_fs(new QFileSystemModel(this))
{
    setObjectName(QStringLiteral("localFilesView"));
    // Read-only: the model must never move local files around on its own drops.
    m_fs->setReadOnly(true);
    m_fs->setFilter(QDir::AllDirs | QDir::Files | QDir::NoDotAndDotDot);
    setModel(m_fs);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setDragDropMode(QAbstractItemView::DropOnly);
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
    setDropIndicatorShown(true);
    setExpandsOnDoubleClick(false); // double-click enters a folder (FileBrowser), the arrow expands
    for (int column = 2; column < m_fs->columnCount(); ++column)
        hideColumn(column); // name and size are enough next to the remote list
    header()->resizeSection(0, 220);
    setRootFolder(QDir::homePath());
}

void LocalFilesView::setRootFolder(const QString &path)
{
    const QString clean = QDir::cleanPath(path);
    if (clean == rootFolder() && rootIndex().isValid())
        return;
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

} // namespace capsule::app
