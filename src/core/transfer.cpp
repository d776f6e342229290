// Transfers: chunked resumable uploads/downloads with verification, and the TransferQueue.
#include "core/transfer.h"

#include "core/runnersession.h"
#include "core/sha256.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>
#include <QThreadPool>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <vector>

namespace capsule {

namespace {

constexpr int kHashBatch = 1000; // paths per `sha256sum` exec
constexpr qint64 kProgressIntervalMs = 100;
constexpr int kMaxTransientRetries = 3; // per transfer: dropped connections, timeouts, 503
// Downloaded bytes are hashed from the file in ranges of this size, each as soon as it is written.
constexpr qint64 kHashBatchBytes = 4LL * 1024 * 1024;
constexpr qint64 kHashReadBuffer = 1024 * 1024;

QString joinRemote(const QString &dir, const QString &rel)
{
    return rel.isEmpty() ? dir : dir + QLatin1Char('/') + rel;
}

// One chunk of a local file as an upload body. Qt's network stack reads it in small pieces, so
// the chunk never sits in memory whole: a fresh 32 MiB buffer per chunk cost about 0.1 s of page
// faults on the 2-core VM, with the network idle meanwhile.
class FileSlice : public QIODevice
{
public:
    FileSlice(const QString &path, qint64 offset, qint64 length, QObject *parent)
        : QIODevice(parent)
        , m_file(path)
        , m_offset(offset)
        , m_length(length)
    {}

    bool openSlice()
    {
        return m_file.open(QIODevice::ReadOnly) && m_file.seek(m_offset) &&
               open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }
    QString fileError() const { return m_file.errorString(); }
    bool truncated() const { return m_truncated; } // the file ended before the slice did

    bool isSequential() const override { return false; }
    qint64 size() const override { return m_length; }
    bool seek(qint64 pos) override
    {
        return pos <= m_length && QIODevice::seek(pos) && m_file.seek(m_offset + pos);
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 want = qMin(maxSize, m_offset + m_length - m_file.pos());
        if (want <= 0)
            return 0;
        const qint64 n = m_file.read(data, want);
        if (n < want) {
            m_truncated = true;
            return -1;
        }
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QFile m_file;
    qint64 m_offset;
    qint64 m_length;
    bool m_truncated = false;
};

QString cleanRemote(QString path)
{
    path = QDir::cleanPath(path);
    return path;
}

} // namespace

struct TransferJob::Task
{
    QString rel;         // path relative to the folder root; empty for a single file
    QString local;       // upload: the source; download: the temporary destination
    QString remote;      // upload: the temporary destination; download: the source
    QString displayName; // for messages
    qint64 size = 0;
    qint64 offset = 0;    // bytes already at the destination
    qint64 inflight = 0;  // bytes of the current request sent/received so far
    bool existed = false; // a partial destination existed when we started
    bool done = false;
    std::unique_ptr<QFile> file;
    qint64 hashed = 0; // bytes of the file handed to the hash chain (always a prefix)
};

struct TransferJob::HashState
{
    std::atomic<bool> cancelled{false};
    // Touched only by the chain's steps, which never run concurrently.
    std::vector<std::unique_ptr<Sha256>> contexts;
    std::vector<bool> unreadable;
    QStringList hashes; // hex, empty for an unreadable file; set by the last step
};

// ---- construction ----

TransferJob::TransferJob(RunnerSession *session, TransferDirection direction, QString localPath,
                         QString remotePath, TransferOptions options, QObject *parent)
    : ResultJob<TransferResult>(parent ? parent : session)
    , m_session(session)
    , m_direction(direction)
    , m_localPath(std::move(localPath))
    , m_remotePath(std::move(remotePath))
    , m_options(options)
{
    if (m_options.chunkSize <= 0)
        m_options.chunkSize = TransferOptions().chunkSize;
    m_options.parallelFiles = qMax(1, m_options.parallelFiles);
    m_progress.stage = QStringLiteral("preparing");
    QTimer::singleShot(0, this, &TransferJob::start);
}

TransferJob::~TransferJob()
{
    if (m_hashes)
        m_hashes->cancelled = true;
}

TransferJob *TransferJob::upload(RunnerSession *session, const QString &localPath,
                                 const QString &remotePath, const TransferOptions &options,
                                 QObject *parent)
{
    return new TransferJob(session, TransferDirection::Upload, localPath, remotePath, options,
                           parent);
}

TransferJob *TransferJob::download(RunnerSession *session, const QString &remotePath,
                                   const QString &localPath, const TransferOptions &options,
                                   QObject *parent)
{
    return new TransferJob(session, TransferDirection::Download, localPath, remotePath, options,
                           parent);
}

QString TransferJob::remotePartPath(const QString &remotePath)
{
    return cleanRemote(remotePath) + QStringLiteral(".capsule-part");
}

QString TransferJob::localPartPath(const QString &localPath)
{
    return QDir::cleanPath(localPath) + QStringLiteral(".part");
}

void TransferJob::track(Job *job)
{
    m_jobs.removeAll(nullptr);
    m_jobs.append(job);
}

// ---- start ----

void TransferJob::start()
{
    if (isFinished())
        return;
    if (!m_session) {
        failWith(Error(ErrorKind::Value, tr("The runner session is gone.")));
        return;
    }
    if (m_localPath.isEmpty() || m_remotePath.isEmpty()) {
        failWith(Error(ErrorKind::Value, tr("Both a local and a remote path are needed.")));
        return;
    }
    if (!m_remotePath.startsWith(QLatin1Char('/'))) {
        failWith(
            Error(ErrorKind::Value, tr("The runner path must be absolute: %1").arg(m_remotePath)));
        return;
    }
    m_localPath = QDir::cleanPath(QFileInfo(m_localPath).absoluteFilePath());
    m_remotePath = cleanRemote(m_remotePath);
    if (m_remotePath == QLatin1String("/")) {
        failWith(Error(ErrorKind::Value, tr("The runner path must name a file or folder.")));
        return;
    }
    m_remoteTemp = remotePartPath(m_remotePath);
    m_localTemp = localPartPath(m_localPath);
    m_clock.start();
    if (m_direction == TransferDirection::Upload)
        prepareUpload();
    else
        prepareDownload();
}

void TransferJob::prepareUpload()
{
    const QFileInfo fi(m_localPath);
    if (!fi.exists()) {
        failWith(Error(ErrorKind::Io, tr("Local file or folder not found: %1").arg(m_localPath)));
        return;
    }
    if (!fi.isReadable()) {
        failWith(Error(ErrorKind::Io, tr("Cannot read %1").arg(m_localPath)));
        return;
    }
    m_folder = fi.isDir();
    auto *st = m_session->stat(m_remotePath);
    track(st);
    st->then(
        this,
        [this](const FileInfo &dest) {
            m_destExists = dest.exists;
            if (dest.exists && !m_options.overwrite) {
                abortWith(Error(ErrorKind::Conflict,
                                tr("%1 already exists on the runner.").arg(m_remotePath)),
                          false);
                return;
            }
            if (dest.exists && dest.isDir != m_folder) {
                abortWith(Error(ErrorKind::Conflict,
                                dest.isDir ? tr("%1 is a folder on the runner.").arg(m_remotePath)
                                           : tr("%1 is a file on the runner.").arg(m_remotePath)),
                          false);
                return;
            }
            if (!m_options.resume) {
                auto *rm = m_session->remove(m_remoteTemp, true);
                track(rm);
                rm->then(
                    this, [this](bool) { planUploadTasks({}, false); },
                    [this](const Error &e) { abortWith(e, false); });
                return;
            }
            if (m_folder) {
                auto *ls = m_session->list(m_remoteTemp, true);
                track(ls);
                ls->then(
                    this,
                    [this](const ListResult &l) {
                        // Remember what a previous attempt left: rel path -> size.
                        QString existing;
                        if (!l.entries.isEmpty())
                            existing = l.entries.first().path;
                        m_tasks.clear();
                        QHash<QString, qint64> sizes;
                        for (int i = 1; i < l.entries.size(); ++i) {
                            const FileInfo &e = l.entries.at(i);
                            if (!e.isDir && e.path.startsWith(existing + QLatin1Char('/')))
                                sizes.insert(e.path.mid(existing.size() + 1), e.size);
                        }
                        planUploadTasks({}, !l.entries.isEmpty());
                        for (auto &t : m_tasks) {
                            auto it = sizes.constFind(t->rel);
                            if (it != sizes.constEnd() && *it <= t->size) {
                                t->offset = *it;
                                t->existed = true;
                                m_resumed = m_resumed || *it > 0;
                            }
                        }
                        beginTransfer();
                    },
                    [this](const Error &e) { abortWith(e, false); });
            } else {
                auto *ps = m_session->stat(m_remoteTemp);
                track(ps);
                ps->then(
                    this,
                    [this](const FileInfo &part) {
                        planUploadTasks({}, false);
                        auto &t = m_tasks.first();
                        if (part.exists && !part.isDir && part.size <= t->size) {
                            t->offset = part.size;
                            t->existed = true;
                            m_resumed = part.size > 0;
                        }
                        beginTransfer();
                    },
                    [this](const Error &e) { abortWith(e, false); });
            }
        },
        [this](const Error &e) { abortWith(e, false); });
}

void TransferJob::planUploadTasks(const QString &, bool)
{
    m_tasks.clear();
    m_emptyDirs.clear();
    if (!m_folder) {
        auto t = std::make_shared<Task>();
        t->local = m_localPath;
        t->remote = m_remoteTemp;
        t->displayName = QFileInfo(m_localPath).fileName();
        t->size = QFileInfo(m_localPath).size();
        m_tasks << t;
        return;
    }
    const QDir root(m_localPath);
    QStringList dirs;
    QSet<QString> parents;
    QDirIterator it(m_localPath, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo fi = it.fileInfo();
        const QString rel = root.relativeFilePath(fi.filePath());
        if (fi.isDir()) {
            dirs << rel;
            continue;
        }
        auto t = std::make_shared<Task>();
        t->rel = rel;
        t->local = fi.filePath();
        t->remote = joinRemote(m_remoteTemp, rel);
        t->displayName = rel;
        t->size = fi.size();
        m_tasks << t;
        for (QString p = QFileInfo(rel).path(); p != QLatin1String("."); p = QFileInfo(p).path())
            parents.insert(p);
    }
    // Sorted so that small files in one folder go out together; resumes see the same order.
    std::sort(m_tasks.begin(), m_tasks.end(),
              [](const auto &a, const auto &b) { return a->rel < b->rel; });
    for (const QString &d : dirs) {
        if (!parents.contains(d))
            m_emptyDirs << d;
    }
    if (m_tasks.isEmpty() && m_emptyDirs.isEmpty())
        m_emptyDirs << QString(); // the staging folder itself
}

void TransferJob::prepareDownload()
{
    const QFileInfo dest(m_localPath);
    if (dest.exists() && !m_options.overwrite) {
        failWith(Error(ErrorKind::Conflict, tr("%1 already exists.").arg(m_localPath)));
        return;
    }
    if (!QFileInfo(dest.absolutePath()).isDir()) {
        failWith(Error(ErrorKind::Io, tr("Local folder not found: %1").arg(dest.absolutePath())));
        return;
    }
    auto *st = m_session->stat(m_remotePath);
    track(st);
    st->then(
        this,
        [this](const FileInfo &src) {
            if (!src.exists) {
                Error e(ErrorKind::NotFound,
                        tr("%1 does not exist on the runner.").arg(m_remotePath));
                e.status = 404;
                abortWith(e, false);
                return;
            }
            m_folder = src.isDir;
            if (QFileInfo(m_localPath).exists() && QFileInfo(m_localPath).isDir() != m_folder) {
                abortWith(Error(ErrorKind::Conflict,
                                tr("%1 exists and is not a %2.")
                                    .arg(m_localPath, m_folder ? tr("folder") : tr("file"))),
                          false);
                return;
            }
            if (!m_options.resume) {
                if (QFileInfo(m_localTemp).isDir())
                    QDir(m_localTemp).removeRecursively();
                else
                    QFile::remove(m_localTemp);
            }
            if (!m_folder) {
                auto t = std::make_shared<Task>();
                t->local = m_localTemp;
                t->remote = m_remotePath;
                t->displayName = QFileInfo(m_remotePath).fileName();
                t->size = src.size;
                const QFileInfo part(m_localTemp);
                if (part.exists() && part.isFile() && part.size() <= t->size) {
                    t->offset = part.size();
                    t->existed = true;
                    m_resumed = t->offset > 0;
                }
                m_tasks << t;
                beginTransfer();
                return;
            }
            auto *ls = m_session->list(m_remotePath, true);
            track(ls);
            ls->then(
                this,
                [this](const ListResult &l) {
                    if (l.entries.isEmpty()) {
                        abortWith(Error(ErrorKind::NotFound,
                                        tr("%1 does not exist on the runner.").arg(m_remotePath)),
                                  false);
                        return;
                    }
                    const QString root = l.entries.first().path; // the resolved root itself
                    QSet<QString> parents;
                    QStringList dirs;
                    for (int i = 1; i < l.entries.size(); ++i) {
                        const FileInfo &e = l.entries.at(i);
                        if (!e.path.startsWith(root + QLatin1Char('/')))
                            continue;
                        const QString rel = e.path.mid(root.size() + 1);
                        if (rel.isEmpty() ||
                            rel.split(QLatin1Char('/')).contains(QStringLiteral("..")))
                            continue;
                        if (e.isDir) {
                            dirs << rel;
                            continue;
                        }
                        auto t = std::make_shared<Task>();
                        t->rel = rel;
                        t->local = m_localTemp + QLatin1Char('/') + rel;
                        t->remote = joinRemote(m_remotePath, rel);
                        t->displayName = rel;
                        t->size = e.size;
                        const QFileInfo part(t->local);
                        if (m_options.resume && part.isFile() && part.size() <= t->size) {
                            t->offset = part.size();
                            t->existed = true;
                            m_resumed = m_resumed || t->offset > 0;
                        }
                        m_tasks << t;
                        for (QString p = QFileInfo(rel).path(); p != QLatin1String(".");
                             p = QFileInfo(p).path())
                            parents.insert(p);
                    }
                    QDir().mkpath(m_localTemp);
                    for (const QString &d : dirs) {
                        if (!QDir().mkpath(m_localTemp + QLatin1Char('/') + d)) {
                            abortWith(
                                Error(ErrorKind::Io, tr("Cannot create the folder %1")
                                                         .arg(m_localTemp + QLatin1Char('/') + d)),
                                false);
                            return;
                        }
                    }
                    beginTransfer();
                },
                [this](const Error &e) { abortWith(e, false); });
        },
        [this](const Error &e) { abortWith(e, false); });
}

// ---- transfer ----

void TransferJob::beginTransfer()
{
    if (isFinished())
        return;
    if (m_direction == TransferDirection::Upload && m_options.ownedByRunner &&
        !m_ownershipPrepared) {
        prepareOwnership(); // comes back here once the runner's user made the paths
        return;
    }
    setStage(QStringLiteral("transferring"));
    m_progress.filesTotal = int(m_tasks.size());
    m_progress.bytesTotal = 0;
    for (const auto &t : m_tasks)
        m_progress.bytesTotal += t->size;
    if (m_options.verifyContent && !m_tasks.isEmpty()) {
        initHashing();
        // The remote file does not change while we download it: hash it there meanwhile.
        if (m_direction == TransferDirection::Download)
            startRemoteHashing();
    }
    if (m_direction == TransferDirection::Upload && !m_emptyDirs.isEmpty()) {
        auto pending = std::make_shared<int>(int(m_emptyDirs.size()));
        for (const QString &d : std::as_const(m_emptyDirs)) {
            auto *mk = m_session->mkdir(joinRemote(m_remoteTemp, d));
            track(mk);
            mk->then(
                this,
                [this, pending](const Done &) {
                    if (--*pending == 0)
                        pump();
                },
                [this](const Error &e) { abortWith(e, false); });
        }
        return;
    }
    pump();
}

void TransferJob::prepareOwnership()
{
    m_ownershipPrepared = true;
    setStage(QStringLiteral("preparing"));
    // The destination's folder (so that the final mv may place it there), the staging folder
    // and every folder of the tree, then the staging files not left by an earlier attempt.
    QStringList folders{cleanRemote(QFileInfo(m_remotePath).path())};
    QSet<QString> seen(folders.cbegin(), folders.cend());
    auto addFolder = [&folders, &seen](const QString &folder) {
        if (!seen.contains(folder)) {
            seen.insert(folder);
            folders << folder;
        }
    };
    if (m_folder)
        addFolder(m_remoteTemp);
    QStringList files;
    for (const auto &t : std::as_const(m_tasks)) {
        addFolder(cleanRemote(QFileInfo(t->remote).path()));
        if (!t->existed)
            files << t->remote;
    }
    for (const QString &d : std::as_const(m_emptyDirs))
        addFolder(joinRemote(m_remoteTemp, d));
    auto *own = m_session->createOwned(folders, files);
    track(own);
    own->then(
        this, [this](const Done &) { beginTransfer(); },
        [this](const Error &e) {
            if (e.kind == ErrorKind::Cancelled)
                return;
            // Not fatal: the host still writes the files, owned by root.
            m_ownershipProblem = e.message;
            beginTransfer();
        });
}

void TransferJob::pump()
{
    if (isFinished())
        return;
    while (m_active < m_options.parallelFiles && m_next < m_tasks.size()) {
        const int index = m_next++;
        const auto &t = m_tasks.at(index);
        if (t->existed && t->offset == t->size) {
            t->done = true; // a previous attempt completed this one
            ++m_done;
            continue;
        }
        ++m_active;
        runTask(index);
        if (isFinished())
            return;
    }
    updateProgress();
    if (m_active == 0 && m_next >= m_tasks.size())
        verifySizes();
}

void TransferJob::runTask(int index)
{
    if (m_direction == TransferDirection::Upload)
        uploadChunk(index);
    else
        downloadChunk(index);
}

void TransferJob::uploadChunk(int index)
{
    Task &t = *m_tasks.at(index);
    const qint64 len = qMin(m_options.chunkSize, t.size - t.offset);
    auto *body = new FileSlice(t.local, t.offset, len, this);
    if (!body->openSlice()) {
        abortWith(Error(ErrorKind::Io, tr("Cannot read %1: %2").arg(t.local, body->fileError())),
                  false);
        delete body;
        return;
    }
    const WriteMode mode = t.offset == 0 ? WriteMode::Overwrite : WriteMode::Append;
    auto *up = m_session->uploadDevice(t.remote, body, len, mode);
    track(up);
    connect(up, &Job::finished, body, &QObject::deleteLater);
    connect(up, &Job::progress, this, [this, index](qint64 sent, qint64) {
        m_tasks.at(index)->inflight = sent;
        updateProgress();
    });
    up->then(
        this,
        [this, index, len](const WriteResult &w) {
            Task &t = *m_tasks.at(index);
            t.inflight = 0;
            if (w.bytesWritten != len) {
                abortWith(Error(ErrorKind::Protocol, tr("The runner stored %1 of %2 bytes of %3.")
                                                         .arg(w.bytesWritten)
                                                         .arg(len)
                                                         .arg(t.displayName)),
                          false);
                return;
            }
            t.offset += len;
            m_bytesTransferred += len;
            // Hashed from the local file (page cache) on the pool while the next chunk goes out.
            hashFileRange(index, t.hashed, t.offset);
            if (t.offset >= t.size)
                taskDone(index);
            else
                uploadChunk(index);
        },
        [this, index, body = QPointer<FileSlice>(body)](const Error &e) {
            if (body && body->truncated()) {
                abortWith(Error(ErrorKind::Io, tr("%1 changed while it was being uploaded.")
                                                   .arg(m_tasks.at(index)->local)),
                          false);
                return;
            }
            if (!mayRetry(e)) {
                abortWith(e, false);
                return;
            }
            // The chunk may or may not have been appended before the connection went: ask the
            // runner how much it has (a host read: re-resolves the host) and go on from there.
            auto *st = m_session->stat(m_tasks.at(index)->remote);
            track(st);
            st->then(
                this,
                [this, index](const FileInfo &part) {
                    Task &t = *m_tasks.at(index);
                    t.inflight = 0;
                    t.offset = part.exists && !part.isDir && part.size <= t.size ? part.size : 0;
                    uploadChunk(index);
                },
                [this, e](const Error &) { abortWith(e, false); });
        });
}

void TransferJob::downloadChunk(int index)
{
    Task &t = *m_tasks.at(index);
    if (!t.file) {
        QDir().mkpath(QFileInfo(t.local).absolutePath());
        t.file = std::make_unique<QFile>(t.local);
        const QIODevice::OpenMode mode = t.offset > 0 ? QIODevice::WriteOnly | QIODevice::Append
                                                      : QIODevice::WriteOnly | QIODevice::Truncate;
        if (!t.file->open(mode)) {
            abortWith(
                Error(ErrorKind::Io, tr("Cannot write %1: %2").arg(t.local, t.file->errorString())),
                false);
            return;
        }
    }
    if (t.size == 0) {
        t.file->close();
        taskDone(index);
        return;
    }
    const qint64 len = qMin(m_options.chunkSize, t.size - t.offset);
    HttpJob *http = m_session->downloadStream(t.remote, t.offset, len);
    track(http);
    const qint64 offset = t.offset;
    connect(http, &HttpJob::headersReceived, this, [this, index, offset, http](int status) {
        if (status != 206 && offset > 0) {
            http->cancel();
            abortWith(
                Error(ErrorKind::Protocol, tr("The runner ignored the byte range for %1 (HTTP %2).")
                                               .arg(m_tasks.at(index)->displayName)
                                               .arg(status)),
                false);
        }
    });
    connect(http, &HttpJob::chunk, this, [this, index](const QByteArray &data) {
        Task &t = *m_tasks.at(index);
        if (!t.file || t.file->write(data) != data.size()) {
            abortWith(Error(ErrorKind::Io, tr("Cannot write %1").arg(t.local)), false);
            return;
        }
        t.inflight += data.size();
        if (m_hashes && t.offset + t.inflight - t.hashed >= kHashBatchBytes)
            hashWritten(index);
        updateProgress();
    });
    connect(http, &Job::finished, this, [this, index, http] {
        http->deleteLater();
        if (isFinished())
            return;
        // What arrived is in the file (also before a drop): hand it to the hash chain.
        hashWritten(index);
        if (http->hasError()) {
            if (!mayRetry(http->error())) {
                abortWith(http->error(), false);
                return;
            }
            // What arrived before the drop is on disk and valid: continue after it.
            Task &t = *m_tasks.at(index);
            t.offset += t.inflight;
            m_bytesTransferred += t.inflight;
            t.inflight = 0;
            QTimer::singleShot(100, this, [this, index] {
                if (!isFinished())
                    downloadChunk(index);
            });
            return;
        }
        Task &t = *m_tasks.at(index);
        const qint64 got = t.inflight;
        t.inflight = 0;
        t.offset += got;
        m_bytesTransferred += got;
        if (got == 0 && t.offset < t.size) {
            abortWith(Error(ErrorKind::Protocol,
                            tr("The runner sent no data for %1.").arg(t.displayName)),
                      false);
            return;
        }
        if (t.offset >= t.size) {
            t.file->close();
            taskDone(index);
        } else {
            downloadChunk(index);
        }
    });
}

bool TransferJob::mayRetry(const Error &error)
{
    const bool transient = error.kind == ErrorKind::Connection ||
                           error.kind == ErrorKind::RequestTimeout ||
                           error.kind == ErrorKind::ServiceUnavailable;
    if (!transient || m_transientRetries >= kMaxTransientRetries || isFinished())
        return false;
    ++m_transientRetries;
    return true;
}

void TransferJob::taskDone(int index)
{
    Task &t = *m_tasks.at(index);
    t.done = true;
    if (t.file) {
        t.file->close();
        t.file.reset();
    }
    --m_active;
    ++m_done;
    pump();
}

// ---- verification ----

void TransferJob::verifySizes()
{
    // pump() may get here twice when a task completes synchronously (an empty download).
    if (isFinished() || m_verifying)
        return;
    m_verifying = true;
    setStage(QStringLiteral("verifying"));
    updateProgress(true);
    auto mismatch = [this](const Task &t, qint64 got) {
        abortWith(Error(ErrorKind::Protocol, tr("Size check failed for %1: expected %2 bytes, "
                                                "found %3.")
                                                 .arg(t.displayName)
                                                 .arg(t.size)
                                                 .arg(got)),
                  true);
    };
    if (m_direction == TransferDirection::Download) {
        for (const auto &t : std::as_const(m_tasks)) {
            const qint64 got = QFileInfo(t->local).size();
            if (got != t->size) {
                mismatch(*t, got);
                return;
            }
        }
        verifyContent();
        return;
    }
    if (!m_folder) {
        auto *st = m_session->stat(m_remoteTemp);
        track(st);
        st->then(
            this,
            [this, mismatch](const FileInfo &f) {
                const Task &t = *m_tasks.first();
                if (!f.exists || f.size != t.size) {
                    mismatch(t, f.exists ? f.size : -1);
                    return;
                }
                verifyContent();
            },
            [this](const Error &e) { abortWith(e, false); });
        return;
    }
    auto *ls = m_session->list(m_remoteTemp, true);
    track(ls);
    ls->then(
        this,
        [this, mismatch](const ListResult &l) {
            QHash<QString, qint64> sizes;
            const QString root = l.entries.isEmpty() ? QString() : l.entries.first().path;
            for (int i = 1; i < l.entries.size(); ++i) {
                const FileInfo &e = l.entries.at(i);
                if (!e.isDir && e.path.startsWith(root + QLatin1Char('/')))
                    sizes.insert(e.path.mid(root.size() + 1), e.size);
            }
            for (const auto &t : std::as_const(m_tasks)) {
                const qint64 got = sizes.value(t->rel, -1);
                if (got != t->size) {
                    mismatch(*t, got);
                    return;
                }
            }
            verifyContent();
        },
        [this](const Error &e) { abortWith(e, false); });
}

void TransferJob::initHashing()
{
    if (m_hashes)
        return;
    m_hashes = std::make_shared<HashState>();
    for (qsizetype i = 0; i < m_tasks.size(); ++i)
        m_hashes->contexts.push_back(std::make_unique<Sha256>());
    m_hashes->unreadable.assign(m_tasks.size(), false);
    m_hashTail = QtFuture::makeReadyFuture();
}

void TransferJob::enqueueHashStep(std::function<void()> step)
{
    // Each step starts when the previous one finished, on the pool: hashing never runs on the
    // caller's (GUI) thread and the steps of one file are applied in order.
    std::shared_ptr<HashState> state = m_hashes;
    m_hashTail = m_hashTail.then(QThreadPool::globalInstance(), [state, step = std::move(step)] {
        if (!state->cancelled)
            step();
    });
}

void TransferJob::hashFileRange(int index, qint64 from, qint64 to)
{
    Task &t = *m_tasks.at(index);
    if (!m_hashes || to <= from || t.hashed != from)
        return;
    t.hashed = to;
    std::shared_ptr<HashState> state = m_hashes;
    const QString path = t.local;
    enqueueHashStep([state, index, path, from, to] {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly) || !f.seek(from)) {
            state->unreadable[index] = true;
            return;
        }
        // One buffer per pool thread, reused: a fresh one per step would be fresh pages each time.
        thread_local std::vector<char> buffer(kHashReadBuffer);
        qint64 left = to - from;
        while (left > 0) {
            if (state->cancelled)
                return;
            const qint64 n = f.read(buffer.data(), qMin<qint64>(qint64(buffer.size()), left));
            if (n <= 0) {
                state->unreadable[index] = true;
                return;
            }
            state->contexts[index]->addData(QByteArrayView(buffer.data(), n));
            left -= n;
        }
    });
}

void TransferJob::hashWritten(int index)
{
    Task &t = *m_tasks.at(index);
    if (!m_hashes || !t.file)
        return;
    t.file->flush(); // the chain reads the file: nothing may wait in QFile's buffer
    hashFileRange(index, t.hashed, t.offset + t.inflight);
}

void TransferJob::finishLocalHashing()
{
    // Files skipped as complete (resume) or partly hashed are read to their end here.
    for (qsizetype i = 0; i < m_tasks.size(); ++i)
        hashFileRange(int(i), m_tasks.at(i)->hashed, m_tasks.at(i)->size);
    std::shared_ptr<HashState> state = m_hashes;
    enqueueHashStep([state] {
        for (size_t i = 0; i < state->contexts.size(); ++i)
            state->hashes << (state->unreadable[i]
                                  ? QString()
                                  : QString::fromLatin1(state->contexts[i]->hexResult()));
    });
    m_hashTail.then(this, [this, state] {
        if (state != m_hashes || isFinished())
            return;
        m_localHashesDone = true;
        maybeCompare();
    });
}

void TransferJob::verifyContent()
{
    if (!m_options.verifyContent || m_tasks.isEmpty()) {
        finish();
        return;
    }
    m_sizesVerified = true;
    initHashing();
    finishLocalHashing();
    if (m_direction == TransferDirection::Upload)
        startRemoteHashing();
    else
        maybeCompare(); // the runner may have answered already
}

void TransferJob::maybeCompare()
{
    if (isFinished() || !m_sizesVerified || !m_remoteHashesKnown)
        return;
    if (!m_contentVerified) {
        finish(); // no sha256sum in the runner: sizes only
        return;
    }
    setStage(QStringLiteral("comparing"));
    if (m_localHashesDone)
        compareHashes();
}

void TransferJob::startRemoteHashing()
{
    QStringList paths;
    for (const auto &t : std::as_const(m_tasks))
        paths << t->remote;
    m_remoteHashes.clear();
    m_remoteHashesKnown = false;
    // `openssl dgst` uses the CPU's SHA instructions (about 4x sha256sum here); sha256sum is the
    // fallback when openssl is missing or fails, and the tool for names it would print ambiguously
    // (sha256sum escapes newlines and backslashes, openssl does not).
    auto useOpenssl = std::make_shared<bool>(true);
    auto batchStart = std::make_shared<int>(0);
    auto runBatch = std::make_shared<std::function<void()>>();
    *runBatch = [this, paths, batchStart, runBatch, useOpenssl] {
        if (isFinished())
            return;
        if (*batchStart >= paths.size()) {
            m_remoteHashesKnown = true;
            m_contentVerified = true;
            TransferJob *self = this; // the closure (and its copy of `this`) dies next line
            *runBatch = nullptr;      // breaks the self-reference
            self->maybeCompare();
            return;
        }
        const QStringList batch = paths.mid(*batchStart, kHashBatch);
        const bool plainNames = std::none_of(batch.begin(), batch.end(), [](const QString &p) {
            return p.contains(QLatin1Char('\n')) || p.contains(QLatin1Char('\\'));
        });
        const bool openssl = *useOpenssl && plainNames;
        QStringList argv = openssl ? QStringList{QStringLiteral("openssl"), QStringLiteral("dgst"),
                                                 QStringLiteral("-sha256"), QStringLiteral("-r"),
                                                 QStringLiteral("--")}
                                   : QStringList{QStringLiteral("sha256sum"), QStringLiteral("--")};
        argv += batch;
        auto *ex = m_session->execCollect(argv);
        track(ex);
        ex->then(
            this,
            [this, batchStart, runBatch, useOpenssl, openssl,
             count = int(batch.size())](const ExecResult &r) {
                const QStringList lines = r.stdoutText.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
                if (openssl && (r.code != 0 || lines.size() != count)) {
                    *useOpenssl = false; // missing or unhappy: sha256sum decides
                    (*runBatch)();
                    return;
                }
                if (r.code == -1 && r.stdoutText.isEmpty()) {
                    // No sha256sum in this runner: sizes were checked, content cannot be.
                    m_remoteHashesKnown = true;
                    m_contentVerified = false;
                    m_remoteHashes.clear();
                    *runBatch = nullptr;
                    maybeCompare();
                    return;
                }
                if (r.code != 0) {
                    abortWith(
                        Error(ErrorKind::Protocol,
                              tr("sha256sum failed in the runner: %1").arg(r.stderrText.trimmed())),
                        false);
                    return;
                }
                if (lines.size() != count) {
                    abortWith(
                        Error(ErrorKind::Protocol, tr("sha256sum printed %1 lines for %2 files.")
                                                       .arg(lines.size())
                                                       .arg(count)),
                        false);
                    return;
                }
                for (QString line : lines) {
                    if (line.startsWith(QLatin1Char('\\')))
                        line.remove(0, 1); // escaped file name
                    m_remoteHashes << line.left(64).toLower();
                }
                *batchStart += count;
                (*runBatch)();
            },
            [this](const Error &e) { abortWith(e, false); });
    };
    (*runBatch)();
}

void TransferJob::compareHashes()
{
    if (isFinished())
        return;
    if (!m_contentVerified) {
        finish();
        return;
    }
    const QStringList &local = m_hashes->hashes;
    if (local.size() != m_tasks.size() || m_remoteHashes.size() != m_tasks.size()) {
        abortWith(Error(ErrorKind::Io, tr("Could not hash every local file.")), false);
        return;
    }
    for (int i = 0; i < m_tasks.size(); ++i) {
        if (local.at(i).isEmpty()) {
            abortWith(Error(ErrorKind::Io, tr("Cannot read %1").arg(m_tasks.at(i)->local)), false);
            return;
        }
        if (local.at(i) != m_remoteHashes.at(i)) {
            abortWith(
                Error(ErrorKind::Protocol,
                      tr("Content check failed for %1: sha256 %2 here, %3 in the runner.")
                          .arg(m_tasks.at(i)->displayName, local.at(i), m_remoteHashes.at(i))),
                true);
            return;
        }
    }
    finish();
}

// ---- finishing ----

void TransferJob::finish()
{
    if (isFinished())
        return;
    setStage(QStringLiteral("finishing"));
    auto done = [this] {
        TransferResult r;
        r.localPath = m_localPath;
        r.remotePath = m_remotePath;
        r.bytes = qMax<qint64>(0, m_progress.bytesTotal);
        r.bytesTransferred = m_bytesTransferred;
        r.files = int(m_tasks.size());
        r.durationMs = m_clock.elapsed();
        r.contentVerified = m_contentVerified;
        r.resumed = m_resumed;
        r.ownershipProblem = m_ownershipProblem;
        setStage(QStringLiteral("done"));
        updateProgress(true);
        succeedWith(r);
    };
    if (m_direction == TransferDirection::Download) {
        if (m_folder && QFileInfo(m_localPath).isDir() && !QDir(m_localPath).removeRecursively()) {
            abortWith(Error(ErrorKind::Io, tr("Cannot replace %1").arg(m_localPath)), false);
            return;
        }
        // rename(2) replaces an existing file atomically.
        if (std::rename(QFile::encodeName(m_localTemp).constData(),
                        QFile::encodeName(m_localPath).constData()) != 0) {
            abortWith(
                Error(ErrorKind::Io, tr("Cannot rename %1 to %2").arg(m_localTemp, m_localPath)),
                false);
            return;
        }
        done();
        return;
    }
    // `mv` runs as the runner user; in a sticky folder (/tmp) it may not rename the root-owned
    // partial, so fall back to copying it into place and removing the partial as root.
    auto copyInstead = [this, done](const QString &mvError) {
        auto *cp = m_session->execCollect({QStringLiteral("cp"), QStringLiteral("-R"),
                                           QStringLiteral("-f"), QStringLiteral("-T"),
                                           QStringLiteral("--"), m_remoteTemp, m_remotePath});
        track(cp);
        cp->then(
            this,
            [this, done, mvError](const ExecResult &r) {
                if (r.code != 0) {
                    abortWith(Error(ErrorKind::Io, tr("Cannot move %1 into place in the runner: %2")
                                                       .arg(m_remoteTemp, mvError)),
                              false);
                    return;
                }
                auto *rm = m_session->remove(m_remoteTemp, true);
                track(rm);
                rm->then(
                    this, [done](bool) { done(); },
                    [this](const Error &e) { abortWith(e, false); });
            },
            [this](const Error &e) { abortWith(e, false); });
    };
    auto move = [this, copyInstead, done] {
        auto *ex = m_session->execCollect({QStringLiteral("mv"), QStringLiteral("-f"),
                                           QStringLiteral("-T"), QStringLiteral("--"), m_remoteTemp,
                                           m_remotePath});
        track(ex);
        ex->then(
            this,
            [done, copyInstead](const ExecResult &r) {
                if (r.code != 0) {
                    copyInstead(r.stderrText.trimmed().isEmpty()
                                    ? QStringLiteral("mv exit code %1").arg(r.code)
                                    : r.stderrText.trimmed());
                    return;
                }
                done();
            },
            [this](const Error &e) { abortWith(e, false); });
    };
    if (m_folder && m_destExists) {
        auto *rm = m_session->remove(m_remotePath, true);
        track(rm);
        rm->then(
            this, [move](bool) { move(); }, [this](const Error &e) { abortWith(e, false); });
        return;
    }
    move();
}

void TransferJob::abortWith(const Error &error, bool removePartial)
{
    if (isFinished())
        return;
    const QList<QPointer<Job>> jobs = m_jobs;
    m_jobs.clear();
    for (const auto &j : jobs) {
        if (j && !j->isFinished())
            j->cancel();
    }
    for (auto &t : m_tasks) {
        if (t->file)
            t->file->close();
        t->file.reset();
    }
    if (m_hashes)
        m_hashes->cancelled = true;
    if (removePartial)
        removePartials();
    failWith(error);
}

void TransferJob::onCancel()
{
    const QList<QPointer<Job>> jobs = m_jobs;
    m_jobs.clear();
    for (const auto &j : jobs) {
        if (j && !j->isFinished())
            j->cancel();
    }
    for (auto &t : m_tasks) {
        if (t->file)
            t->file->close();
        t->file.reset();
    }
    if (m_hashes)
        m_hashes->cancelled = true;
    removePartials();
}

void TransferJob::removePartials()
{
    if (m_direction == TransferDirection::Download) {
        if (m_localTemp.isEmpty())
            return;
        if (QFileInfo(m_localTemp).isDir())
            QDir(m_localTemp).removeRecursively();
        else
            QFile::remove(m_localTemp);
        return;
    }
    if (!m_session || m_remoteTemp.isEmpty())
        return;
    // Fire and forget: the job is parented to the session and deletes itself.
    m_session->remove(m_remoteTemp, true)
        ->then(
            m_session, [](bool) {}, [](const Error &) {});
}

// ---- progress ----

void TransferJob::setStage(const QString &stage)
{
    m_progress.stage = stage;
}

void TransferJob::updateProgress(bool force)
{
    const qint64 now = m_clock.isValid() ? m_clock.elapsed() : 0;
    if (!force && m_lastEmitMs >= 0 && now - m_lastEmitMs < kProgressIntervalMs)
        return;
    qint64 done = 0;
    for (const auto &t : std::as_const(m_tasks))
        done += qMin(t->size, t->offset + t->inflight);
    const qint64 dtMs = m_lastEmitMs < 0 ? now : now - m_lastEmitMs;
    const qint64 dBytes = done - m_progress.bytesDone;
    if (dtMs > 0 && m_lastEmitMs >= 0 && dBytes >= 0) {
        const double instant = double(dBytes) * 1000.0 / double(dtMs);
        // Smoothed so that the ETA does not jump with every chunk boundary.
        m_progress.bytesPerSecond = m_progress.bytesPerSecond <= 0
                                        ? instant
                                        : 0.7 * m_progress.bytesPerSecond + 0.3 * instant;
    }
    m_lastEmitMs = now;
    m_progress.bytesDone = done;
    m_progress.filesDone = m_done;
    m_progress.elapsedMs = now;
    m_progress.filesPerSecond = now > 0 ? m_done * 1000.0 / double(now) : 0;
    if (m_progress.bytesTotal >= 0 && m_progress.bytesPerSecond > 0)
        m_progress.etaSeconds = double(m_progress.bytesTotal - done) / m_progress.bytesPerSecond;
    else
        m_progress.etaSeconds = -1;
    emit progressChanged(m_progress);
    emit progress(done, m_progress.bytesTotal);
}

// ---- TransferQueue ----

TransferQueue::TransferQueue(QObject *parent)
    : QObject(parent)
{}

void TransferQueue::setMaxConcurrent(int n)
{
    m_maxConcurrent = qMax(1, n);
    schedule();
}

int TransferQueue::enqueueUpload(RunnerSession *session, const QString &localPath,
                                 const QString &remotePath, const TransferOptions &options)
{
    return add(TransferDirection::Upload, session, localPath, remotePath, options);
}

int TransferQueue::enqueueDownload(RunnerSession *session, const QString &remotePath,
                                   const QString &localPath, const TransferOptions &options)
{
    return add(TransferDirection::Download, session, localPath, remotePath, options);
}

int TransferQueue::add(TransferDirection direction, RunnerSession *session,
                       const QString &localPath, const QString &remotePath,
                       const TransferOptions &options)
{
    Entry e;
    e.item.id = m_nextId++;
    e.item.direction = direction;
    e.item.localPath = localPath;
    e.item.remotePath = remotePath;
    e.item.runnerId = session ? session->runnerId() : QString();
    e.session = session;
    e.options = options;
    m_entries.append(e);
    const int id = e.item.id;
    emit added(id);
    // Scheduled from the event loop so that listeners of added() see the item queued first.
    QTimer::singleShot(0, this, &TransferQueue::schedule);
    return id;
}

TransferQueue::Entry *TransferQueue::entry(int id)
{
    for (Entry &e : m_entries) {
        if (e.item.id == id)
            return &e;
    }
    return nullptr;
}

void TransferQueue::schedule()
{
    int running = 0;
    for (const Entry &e : std::as_const(m_entries))
        running += e.item.state == State::Running;
    for (Entry &e : m_entries) {
        if (running >= m_maxConcurrent)
            break;
        if (e.item.state != State::Queued)
            continue;
        const int id = e.item.id;
        if (!e.session) {
            e.item.state = State::Failed;
            e.item.error = Error(ErrorKind::Value, tr("The runner session is gone."));
            emit failed(id, e.item.error);
            continue;
        }
        TransferJob *job = e.item.direction == TransferDirection::Upload
                               ? TransferJob::upload(e.session, e.item.localPath, e.item.remotePath,
                                                     e.options, this)
                               : TransferJob::download(e.session, e.item.remotePath,
                                                       e.item.localPath, e.options, this);
        e.job = job;
        e.item.state = State::Running;
        ++running;
        connect(job, &TransferJob::progressChanged, this, [this, id](const TransferProgress &p) {
            if (Entry *x = entry(id)) {
                x->item.progress = p;
                emit progress(id, p);
            }
        });
        connect(job, &Job::finished, this, [this, id, job] {
            job->deleteLater();
            Entry *x = entry(id);
            if (!x)
                return;
            x->job = nullptr;
            if (job->hasError()) {
                x->item.state =
                    job->error().kind == ErrorKind::Cancelled ? State::Cancelled : State::Failed;
                x->item.error = job->error();
                emit failed(id, x->item.error);
            } else {
                x->item.state = State::Finished;
                x->item.result = job->result();
                emit finished(id, x->item.result);
            }
            schedule();
        });
        emit started(id);
    }
    if (isIdle())
        emit idle();
}

void TransferQueue::cancel(int id)
{
    Entry *e = entry(id);
    if (!e)
        return;
    if (e->item.state == State::Queued) {
        e->item.state = State::Cancelled;
        e->item.error = Error(ErrorKind::Cancelled, tr("Cancelled"));
        emit failed(id, e->item.error);
        schedule();
        return;
    }
    if (e->item.state == State::Running && e->job)
        e->job->cancel(); // finished() updates the item
}

void TransferQueue::cancelAll()
{
    QList<int> ids;
    for (const Entry &e : std::as_const(m_entries))
        ids << e.item.id;
    for (int id : ids)
        cancel(id);
}

bool TransferQueue::retry(int id)
{
    Entry *e = entry(id);
    if (!e || (e->item.state != State::Failed && e->item.state != State::Cancelled))
        return false;
    e->item.state = State::Queued;
    e->item.error = Error();
    e->item.progress = TransferProgress();
    e->options.resume = true;
    QTimer::singleShot(0, this, &TransferQueue::schedule);
    return true;
}

void TransferQueue::removeFinished()
{
    for (qsizetype i = m_entries.size() - 1; i >= 0; --i) {
        const State s = m_entries.at(i).item.state;
        if (s == State::Finished || s == State::Failed || s == State::Cancelled) {
            const int id = m_entries.at(i).item.id;
            m_entries.removeAt(i);
            emit removed(id);
        }
    }
}

QList<TransferQueue::Item> TransferQueue::items() const
{
    QList<Item> out;
    for (const Entry &e : m_entries)
        out << e.item;
    return out;
}

std::optional<TransferQueue::Item> TransferQueue::item(int id) const
{
    for (const Entry &e : m_entries) {
        if (e.item.id == id)
            return e.item;
    }
    return std::nullopt;
}

bool TransferQueue::isIdle() const
{
    for (const Entry &e : m_entries) {
        if (e.item.state == State::Queued || e.item.state == State::Running)
            return false;
    }
    return true;
}

} // namespace capsule
