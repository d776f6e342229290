// One folder of a runner's file system as a flat table, listed asynchronously and shown in batches.
#include "app/files/remotefilesmodel.h"
#include "app/files/dragout/dragout.h"

#include "core/runnersession.h"

#include <QFileInfo>
#include <QIcon>
#include <QLocale>
#include <QMimeData>
#include <QUrl>
#include <algorithm>

namespace capsule::app {

RemoteFilesModel::RemoteFilesModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void RemoteFilesModel::setSession(RunnerSession *session)
{
    if (m_listJob)
        m_listJob->cancel();
    m_session = session;
    beginResetModel();
    m_all.clear();
    m_entries.clear();
    m_shown = 0;
    endResetModel();
}

QString RemoteFilesModel::parentPath(const QString &path)
{
    if (path.isEmpty() || path == QLatin1String("/"))
        return QStringLiteral("/");
    QString p = path;
    while (p.size() > 1 && p.endsWith(QLatin1Char('/')))
        p.chop(1);
    const int slash = p.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : p.left(slash);
}

QString RemoteFilesModel::joinPath(const QString &dir, const QString &name)
{
    return dir.endsWith(QLatin1Char('/')) ? dir + name : dir + QLatin1Char('/') + name;
}

QString RemoteFilesModel::sizeText(qint64 bytes)
{
    // The one unit system of the app: IEC (KiB, MiB...), two decimals, exactly what the local
    // pane's QFileSystemModel shows, so sizes on both sides compare at a glance.
    return QLocale::system().formattedDataSize(bytes, 2, QLocale::DataSizeIecFormat);
}

void RemoteFilesModel::setPath(const QString &path)
{
    // A listing of the folder we are leaving must not land in the new one.
    if (m_listJob)
        m_listJob->cancel();
    const bool changed = path != m_path;
    m_path = path;
    beginResetModel();
    m_resetting = true;
    m_all.clear();
    m_entries.clear();
    m_shown = 0;
    endResetModel();
    m_resetting = false;
    if (changed)
        emit pathChanged(path);
    if (!m_session)
        return;
    auto *job = m_session->list(path);
    m_listJob = job;
    emit loadingChanged(true);
    job->then(
        this,
        [this, job, path](const ListResult &result) {
            if (m_listJob != job)
                return;
            m_listJob = nullptr;
            m_all = result.entries;
            applyView();
            emit loadingChanged(false);
            emit listed(path);
        },
        [this, job, path](const Error &error) {
            if (m_listJob != job)
                return;
            m_listJob = nullptr;
            emit loadingChanged(false);
            if (error.kind != ErrorKind::Cancelled)
                emit listFailed(path, error.toString());
        });
}

void RemoteFilesModel::setFilter(const QString &text)
{
    if (text == m_filter)
        return;
    m_filter = text;
    applyView();
}

void RemoteFilesModel::setShowHidden(bool show)
{
    if (show == m_showHidden)
        return;
    m_showHidden = show;
    applyView();
}

void RemoteFilesModel::sort(int column, Qt::SortOrder order)
{
    m_sortColumn = column;
    m_sortOrder = order;
    applyView();
}

bool RemoteFilesModel::lessThan(const FileInfo &a, const FileInfo &b, int column)
{
    // Folders first whatever the order, like every file manager.
    if (a.isDir != b.isDir)
        return a.isDir;
    switch (column) {
    case SizeColumn:
        if (a.size != b.size)
            return a.size < b.size;
        break;
    case ModifiedColumn:
        if (a.modTime != b.modTime)
            return a.modTime < b.modTime;
        break;
    case ModeColumn:
        if (a.mode != b.mode)
            return a.mode < b.mode;
        break;
    default:
        break;
    }
    return a.name.compare(b.name, Qt::CaseInsensitive) < 0;
}

void RemoteFilesModel::applyView()
{
    QList<FileInfo> entries;
    entries.reserve(m_all.size());
    for (const FileInfo &e : std::as_const(m_all)) {
        if (!m_showHidden && e.name.startsWith(QLatin1Char('.')))
            continue;
        if (!m_filter.isEmpty() && !e.name.contains(m_filter, Qt::CaseInsensitive))
            continue;
        entries << e;
    }
    const int column = m_sortColumn;
    if (m_sortOrder == Qt::AscendingOrder)
        std::stable_sort(
            entries.begin(), entries.end(),
            [column](const FileInfo &a, const FileInfo &b) { return lessThan(a, b, column); });
    else
        std::stable_sort(entries.begin(), entries.end(),
                         [column](const FileInfo &a, const FileInfo &b) {
                             if (a.isDir != b.isDir)
                                 return a.isDir;
                             return lessThan(b, a, column);
                         });
    // The first batch comes with the reset; the view pulls the rest as it scrolls. Views ask
    // canFetchMore() from inside endResetModel(): answer no until the reset is done.
    beginResetModel();
    m_resetting = true;
    m_entries = std::move(entries);
    m_shown = qMin(kBatch, int(m_entries.size()));
    endResetModel();
    m_resetting = false;
}

QStringList RemoteFilesModel::folderPaths() const
{
    QStringList out;
    for (const FileInfo &e : m_all) {
        if (e.isDir)
            out << (e.path.isEmpty() ? joinPath(m_path, e.name) : e.path);
    }
    return out;
}

void RemoteFilesModel::refresh()
{
    setPath(m_path);
}

int RemoteFilesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_shown;
}

int RemoteFilesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool RemoteFilesModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_resetting && m_shown < m_entries.size();
}

void RemoteFilesModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || m_resetting || m_shown >= m_entries.size())
        return;
    const int count = qMin(kBatch, int(m_entries.size()) - m_shown);
    beginInsertRows({}, m_shown, m_shown + count - 1);
    m_shown += count;
    endInsertRows();
}

QVariant RemoteFilesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const FileInfo &e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return e.name;
        case SizeColumn:
            return e.isDir ? QString() : sizeText(e.size);
        case ModifiedColumn:
            return QLocale().toString(e.modTime.toLocalTime(), QLocale::ShortFormat);
        case ModeColumn:
            return e.mode;
        }
        break;
    case Qt::DecorationRole:
        if (index.column() == NameColumn)
            return QIcon(e.isDir ? QStringLiteral(":/icons/folder.svg")
                                 : QStringLiteral(":/icons/file.svg"));
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ToolTipRole:
        return e.path;
    case PathRole:
        return e.path.isEmpty() ? joinPath(m_path, e.name) : e.path;
    case IsDirRole:
        return e.isDir;
    case SizeRole:
        return e.size;
    }
    return {};
}

QVariant RemoteFilesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case SizeColumn:
        return tr("Size");
    case ModifiedColumn:
        return tr("Modified");
    case ModeColumn:
        return tr("Permissions");
    }
    return {};
}

Qt::ItemFlags RemoteFilesModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (!index.isValid() || m_entries.value(index.row()).isDir)
        f |= Qt::ItemIsDropEnabled;
    if (index.isValid())
        f |= Qt::ItemIsDragEnabled;
    return f;
}

QMimeData *RemoteFilesModel::mimeData(const QModelIndexList &indexes) const
{
    QStringList paths;
    for (const QModelIndex &index : indexes) {
        const QString path = index.data(PathRole).toString();
        if (!path.isEmpty() && !paths.contains(path))
            paths << path;
    }
    if (paths.isEmpty())
        return nullptr;
    auto *data = m_dragOut && m_session ? m_dragOut->createMimeData(m_session->runnerId(), paths)
                                        : new QMimeData;
    data->setData(remotePathsMimeType(), paths.join(QLatin1Char('\n')).toUtf8());
    if (m_session) // a drop on another runner's list copies runner to runner
        data->setData(runnerIdMimeType(), m_session->runnerId().toUtf8());
    return data;
}

QStringList RemoteFilesModel::mimeTypes() const
{
    return {QStringLiteral("text/uri-list"), remotePathsMimeType(), runnerIdMimeType()};
}

Qt::DropActions RemoteFilesModel::supportedDropActions() const
{
    return Qt::CopyAction;
}

bool RemoteFilesModel::canDropMimeData(const QMimeData *data, Qt::DropAction, int, int,
                                       const QModelIndex &) const
{
    if (!m_session)
        return false;
    if (data->hasFormat(runnerIdMimeType()) && data->hasFormat(remotePathsMimeType()))
        return QString::fromUtf8(data->data(runnerIdMimeType())) != m_session->runnerId();
    if (!data->hasUrls())
        return false;
    const QList<QUrl> urls = data->urls();
    return std::all_of(urls.cbegin(), urls.cend(), [](const QUrl &u) { return u.isLocalFile(); });
}

bool RemoteFilesModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row,
                                    int column, const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    QString target = m_path;
    // Dropped onto a folder row: upload into that folder.
    if (parent.isValid() && m_entries.value(parent.row()).isDir)
        target = parent.data(PathRole).toString();
    if (data->hasFormat(runnerIdMimeType())) {
        const QStringList remote = QString::fromUtf8(data->data(remotePathsMimeType()))
                                       .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        emit relayRequested(QString::fromUtf8(data->data(runnerIdMimeType())), remote, target);
        return true;
    }
    QStringList paths;
    for (const QUrl &url : data->urls())
        paths << QFileInfo(url.toLocalFile()).absoluteFilePath();
    emit uploadRequested(paths, target);
    return true;
}

} // namespace capsule::app
