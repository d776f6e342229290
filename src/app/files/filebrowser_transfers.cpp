// FileBrowser: uploads and downloads in batches, with the conflict questions of each batch.
#include "app/connections/serverconnection.h"
#include "app/files/conflicts.h"
#include "app/files/filebrowser.h"
#include "app/files/peerpane.h"
#include "app/files/remotefilesmodel.h"
#include "core/runnersession.h"
#include "core/transfer.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>

namespace capsule::app {

TransferOptions FileBrowser::transferOptions()
{
    TransferOptions options;
    options.verifyContent = ServerConnection::savedVerifyTransfers();
    options.ownedByRunner = ServerConnection::savedOwnedByRunner();
    return options;
}

void FileBrowser::upload(const QStringList &localPaths, const QString &remoteDir)
{
    RunnerSession *s = session();
    if (!s || !m_transfers)
        return;
    QList<QFileInfo> sources;
    for (const QString &local : localPaths) {
        const QFileInfo info(local);
        if (info.exists())
            sources << info;
        else
            reportError(tr("Upload"), tr("%1 does not exist.").arg(local));
    }
    if (sources.isEmpty())
        return;
    // What is in the destination folder decides the conflicts (one listing per batch).
    QPointer<RunnerSession> guard(s);
    s->list(remoteDir)->then(
        this,
        [this, guard, sources, remoteDir](const ListResult &l) {
            if (guard)
                uploadBatch(guard, sources, remoteDir, l.entries);
        },
        [this, guard, sources, remoteDir](const Error &e) {
            if (!guard)
                return;
            if (e.kind != ErrorKind::NotFound) {
                reportError(tr("Upload"), e.message);
                return;
            }
            uploadBatch(guard, sources, remoteDir, {}); // a new folder: nothing to overwrite
        });
}

void FileBrowser::uploadBatch(RunnerSession *s, const QList<QFileInfo> &sources,
                              const QString &remoteDir, const QList<FileInfo> &existing)
{
    QHash<QString, FileInfo> byName;
    for (const FileInfo &f : existing)
        byName.insert(f.name, f);
    QSet<QString> taken(byName.keyBegin(), byName.keyEnd());
    QList<QPair<QString, QString>> clear; // source, target: no conflict
    QList<ConflictItem> conflicts;
    for (const QFileInfo &info : sources) {
        const QString target = RemoteFilesModel::joinPath(remoteDir, info.fileName());
        const auto it = byName.constFind(info.fileName());
        if (it == byName.constEnd()) {
            clear << qMakePair(info.absoluteFilePath(), target);
            continue;
        }
        conflicts << ConflictItem{info.absoluteFilePath(),
                                  target,
                                  info.isDir() ? -1 : info.size(),
                                  info.lastModified(),
                                  it->isDir ? -1 : it->size,
                                  it->modTime,
                                  it->isDir};
    }
    resolveBatch(true, s, clear, conflicts, taken);
}

// The batch starts once every conflict is answered ("Cancel all" copies nothing of it).
void FileBrowser::resolveBatch(bool upload, RunnerSession *s,
                               const QList<QPair<QString, QString>> &clear,
                               const QList<ConflictItem> &items, const QSet<QString> &taken)
{
    QPointer<RunnerSession> guard(s);
    auto start = [this, guard, upload, clear, items](const QList<ConflictOutcome> &outcomes,
                                                     bool cancelled) {
        if (cancelled || !guard)
            return;
        for (const auto &[source, target] : clear)
            enqueue(upload, guard, source, target, false);
        for (qsizetype i = 0; i < outcomes.size(); ++i) {
            const ConflictOutcome &o = outcomes.at(i);
            if (!o.skip)
                enqueue(upload, guard, items.at(i).source, o.target, o.overwrite);
        }
    };
    if (items.isEmpty())
        start({}, false);
    else
        resolveConflicts(this, upload, items, taken, m_conflictOverride, start);
}

void FileBrowser::enqueue(bool upload, RunnerSession *s, const QString &source,
                          const QString &target, bool overwrite)
{
    // Only what the user chose to replace is replaced: a name that appeared since the check
    // fails with "already exists" instead of being overwritten silently.
    TransferOptions options = transferOptions();
    options.overwrite = overwrite;
    if (upload)
        m_transfers->enqueueUpload(s, source, target, options);
    else
        m_transfers->enqueueDownload(s, source, target, options);
}

void FileBrowser::setConflictOverride(ConflictSeam answer)
{
    m_conflictOverride = std::move(answer);
}

void FileBrowser::download(const QStringList &remotePaths, const QString &localDir)
{
    downloadFrom(session(), m_model, remotePaths, localDir);
}

const RemoteFilesModel *FileBrowser::paneOf(const QString &runnerId) const
{
    for (const RemoteFilesModel *rows : {m_model, m_peer->model()})
        if (rows->session() && rows->session()->runnerId() == runnerId)
            return rows;
    return nullptr;
}

void FileBrowser::downloadDropped(const QString &runnerId, const QStringList &remotePaths,
                                  const QString &localDir)
{
    const RemoteFilesModel *rows = paneOf(runnerId);
    if (!rows) {
        reportError(tr("Download"), tr("Runner %1 is not open in the Files tab.").arg(runnerId));
        return;
    }
    downloadFrom(rows->session(), rows, remotePaths, localDir);
}

void FileBrowser::downloadFrom(RunnerSession *s, const RemoteFilesModel *rows,
                               const QStringList &remotePaths, const QString &localDir)
{
    if (!s || !m_transfers || remotePaths.isEmpty())
        return;
    QHash<QString, const FileInfo *> shown; // sizes and times of the rows in view
    for (int row = 0; row < rows->totalEntries(); ++row)
        shown.insert(rows->entry(row).path, &rows->entry(row));
    const QDir dir(localDir);
    const QSet<QString> taken = [&dir] {
        const QStringList names =
            dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        return QSet<QString>(names.cbegin(), names.cend());
    }();
    QList<QPair<QString, QString>> clear; // source, target: no conflict
    QList<ConflictItem> conflicts;
    for (const QString &remote : remotePaths) {
        const QString name = remote.section(QLatin1Char('/'), -1);
        const QString target = dir.absoluteFilePath(name);
        if (!taken.contains(name)) {
            clear << qMakePair(remote, target);
            continue;
        }
        const FileInfo *src = shown.value(remote);
        const QFileInfo existing(target);
        conflicts << ConflictItem{remote,
                                  target,
                                  src && !src->isDir ? src->size : -1,
                                  src ? src->modTime : QDateTime(),
                                  existing.isDir() ? -1 : existing.size(),
                                  existing.lastModified(),
                                  existing.isDir()};
    }
    resolveBatch(false, s, clear, conflicts, taken);
    emit message(
        tr("Downloading %n item(s) to %1", nullptr, int(remotePaths.size())).arg(localDir));
}

void FileBrowser::setPeerSession(RunnerSession *peer, const QString &path)
{
    m_peer->setSession(peer, path);
    m_peer->setVisible(peer != nullptr);
    m_localPane->setVisible(peer == nullptr);
}

void FileBrowser::relay(const QString &sourceRunnerId, const QStringList &paths,
                        RunnerSession *target, const QString &targetDir)
{
    const RemoteFilesModel *rows = paneOf(sourceRunnerId);
    RunnerSession *from = rows ? rows->session() : nullptr;
    if (!from || !target || !m_transfers) {
        reportError(tr("Copy"), tr("Runner %1 is not open in the Files tab.").arg(sourceRunnerId));
        return;
    }
    RelayOptions options;
    options.verifyContent = ServerConnection::savedVerifyTransfers();
    // Like uploads without a conflict answer: an existing name fails ("already exists").
    options.overwrite = false;
    for (const QString &path : paths)
        m_transfers->enqueueRelay(
            from, path, target,
            RemoteFilesModel::joinPath(targetDir, path.section(QLatin1Char('/'), -1)), options);
    emit message(tr("Copying %n item(s) to %1 on runner %2", nullptr, int(paths.size()))
                     .arg(targetDir, target->runnerId().left(8)));
}

} // namespace capsule::app
