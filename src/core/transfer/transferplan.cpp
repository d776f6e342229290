// TransferPlan: task lists for files and trees, resume offsets, the paths to pre-create.
#include "core/transfer/transferplan.h"

#include "core/files.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QSet>
#include <algorithm>

namespace capsule {

namespace {

QString fileName(const QString &path)
{
    return path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
}

QString parentOf(const QString &rel)
{
    const qsizetype slash = rel.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? QString() : rel.left(slash);
}

void sortTasks(QList<TransferTask> &tasks)
{
    std::sort(tasks.begin(), tasks.end(),
              [](const TransferTask &a, const TransferTask &b) { return a.rel < b.rel; });
}

} // namespace

QString joinRemotePath(const QString &dir, const QString &rel)
{
    return rel.isEmpty() ? dir : dir + QLatin1Char('/') + rel;
}

TransferPlan TransferPlan::uploadFile(const QString &localPath, const QString &remoteTemp,
                                      qint64 size)
{
    TransferPlan plan;
    plan.tasks << TransferTask{{}, localPath, remoteTemp, fileName(localPath), size, 0, false};
    return plan;
}

TransferPlan TransferPlan::uploadTree(const QString &localRoot, const QString &remoteTemp,
                                      const QList<LocalTreeEntry> &entries)
{
    TransferPlan plan;
    for (const LocalTreeEntry &e : entries) {
        if (e.isDir) {
            plan.folders << e.rel;
            continue;
        }
        plan.tasks << TransferTask{e.rel,
                                   localRoot + QLatin1Char('/') + e.rel,
                                   joinRemotePath(remoteTemp, e.rel),
                                   e.rel,
                                   e.size,
                                   0,
                                   false};
    }
    sortTasks(plan.tasks);
    return plan;
}

TransferPlan TransferPlan::downloadFile(const QString &remotePath, const QString &localTemp,
                                        qint64 size)
{
    TransferPlan plan;
    plan.tasks << TransferTask{{}, localTemp, remotePath, fileName(remotePath), size, 0, false};
    return plan;
}

TransferPlan TransferPlan::downloadTree(const QString &remotePath, const QString &localTemp,
                                        const ListResult &listing)
{
    TransferPlan plan;
    if (listing.entries.isEmpty())
        return plan;
    const QString root = listing.entries.first().path; // the resolved root itself
    for (qsizetype i = 1; i < listing.entries.size(); ++i) {
        const FileInfo &e = listing.entries.at(i);
        if (!e.path.startsWith(root + QLatin1Char('/')))
            continue;
        const QString rel = e.path.mid(root.size() + 1);
        if (rel.isEmpty() || rel.split(QLatin1Char('/')).contains(QStringLiteral("..")))
            continue;
        if (e.isDir) {
            plan.folders << rel;
            continue;
        }
        plan.tasks << TransferTask{rel,
                                   localTemp + QLatin1Char('/') + rel,
                                   joinRemotePath(remotePath, rel),
                                   rel,
                                   e.size,
                                   0,
                                   false};
    }
    return plan;
}

QList<LocalTreeEntry> TransferPlan::walkLocalTree(const QString &root)
{
    QList<LocalTreeEntry> out;
    const QDir dir(root);
    QDirIterator it(root, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        out << LocalTreeEntry{dir.relativeFilePath(fi.filePath()), fi.isDir(),
                              fi.isDir() ? 0 : fi.size()};
    }
    return out;
}

QHash<QString, qint64> TransferPlan::relativeSizes(const ListResult &listing)
{
    QHash<QString, qint64> sizes;
    if (listing.entries.isEmpty())
        return sizes;
    const QString root = listing.entries.first().path;
    for (qsizetype i = 1; i < listing.entries.size(); ++i) {
        const FileInfo &e = listing.entries.at(i);
        if (!e.isDir && e.path.startsWith(root + QLatin1Char('/')))
            sizes.insert(e.path.mid(root.size() + 1), e.size);
    }
    return sizes;
}

bool TransferPlan::applyPartials(const QHash<QString, qint64> &partSizes)
{
    bool resumed = false;
    for (TransferTask &t : tasks) {
        const auto it = partSizes.constFind(t.rel);
        if (it == partSizes.constEnd() || *it < 0 || *it > t.size)
            continue;
        t.offset = *it;
        t.existed = true;
        resumed = resumed || *it > 0;
    }
    return resumed;
}

QStringList TransferPlan::emptyFolders() const
{
    QSet<QString> parents;
    for (const TransferTask &t : tasks) {
        for (QString p = parentOf(t.rel); !p.isEmpty(); p = parentOf(p))
            parents.insert(p);
    }
    QStringList out;
    for (const QString &d : folders) {
        if (!parents.contains(d))
            out << d;
    }
    if (tasks.isEmpty() && out.isEmpty())
        out << QString(); // the staging folder itself
    return out;
}

QStringList TransferPlan::ownedFolders(const QString &remotePath, const QString &remoteTemp,
                                       bool folder) const
{
    QStringList out{QDir::cleanPath(QFileInfo(remotePath).path())};
    QSet<QString> seen(out.cbegin(), out.cend());
    auto add = [&out, &seen](const QString &f) {
        if (!seen.contains(f)) {
            seen.insert(f);
            out << f;
        }
    };
    if (folder)
        add(remoteTemp);
    for (const TransferTask &t : tasks)
        add(QDir::cleanPath(QFileInfo(t.remote).path()));
    for (const QString &d : emptyFolders())
        add(joinRemotePath(remoteTemp, d));
    return out;
}

QStringList TransferPlan::ownedFiles() const
{
    QStringList out;
    for (const TransferTask &t : tasks) {
        if (!t.existed)
            out << t.remote;
    }
    return out;
}

QStringList TransferPlan::remotePaths() const
{
    QStringList out;
    for (const TransferTask &t : tasks)
        out << t.remote;
    return out;
}

qint64 TransferPlan::totalBytes() const
{
    qint64 total = 0;
    for (const TransferTask &t : tasks)
        total += t.size;
    return total;
}

} // namespace capsule
