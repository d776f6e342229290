// The plan of one transfer: which files go where, from which offset. Pure data and pure
// functions (no I/O but walkLocalTree), so it is unit-tested without a runner.
#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace capsule {

struct ListResult;

struct TransferTask
{
    QString rel;         // path relative to the folder root; empty for a single file
    QString local;       // upload: the source; download: the temporary destination
    QString remote;      // upload: the temporary destination; download: the source
    QString displayName; // for messages
    qint64 size = 0;
    qint64 offset = 0;    // bytes already at the destination (resume)
    bool existed = false; // a partial destination existed when we started
};

// One entry of a local folder tree, relative to its root.
struct LocalTreeEntry
{
    QString rel;
    bool isDir = false;
    qint64 size = 0;
};

class TransferPlan
{
public:
    QList<TransferTask> tasks; // folders: sorted by rel, so resumes see the same order
    QStringList folders;       // every relative folder of the tree (not the root)

    static TransferPlan uploadFile(const QString &localPath, const QString &remoteTemp,
                                   qint64 size);
    static TransferPlan uploadTree(const QString &localRoot, const QString &remoteTemp,
                                   const QList<LocalTreeEntry> &entries);
    static TransferPlan downloadFile(const QString &remotePath, const QString &localTemp,
                                     qint64 size);
    // `listing` is a recursive list of remotePath: its first entry is the resolved root.
    static TransferPlan downloadTree(const QString &remotePath, const QString &localTemp,
                                     const ListResult &listing);
    // The files of a folder tree (hidden ones too), relative to root. The one function with I/O.
    static QList<LocalTreeEntry> walkLocalTree(const QString &root);
    // rel -> size of the files below the first entry of a recursive listing (a staging folder).
    static QHash<QString, qint64> relativeSizes(const ListResult &listing);

    // Resume: each task whose partial (rel -> size) is not larger than the file continues from
    // the partial's size. True when some task starts past 0.
    bool applyPartials(const QHash<QString, qint64> &partSizes);
    // Folders of the tree without any file below them (uploads create them explicitly); the root
    // itself ("") when the tree is empty.
    QStringList emptyFolders() const;
    // What the runner's user creates before an upload: the destination's folder, the staging
    // folder (folders), every folder of the tree, and the staging files not left by an earlier
    // attempt.
    QStringList ownedFolders(const QString &remotePath, const QString &remoteTemp,
                             bool folder) const;
    QStringList ownedFiles() const;
    QStringList remotePaths() const;
    qint64 totalBytes() const;
};

QString joinRemotePath(const QString &dir, const QString &rel);

} // namespace capsule
