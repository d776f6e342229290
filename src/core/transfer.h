// Uploads and downloads of files and folders to/from a runner: chunked, resumable, verified.
#pragma once

#include "core/error.h"
#include "core/job.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>
#include <memory>

class QFile;

namespace capsule {

class RunnerSession;

struct TransferOptions
{
    // Bytes per upload request / per download Range request. The host buffers whole request
    // bodies, so this bounds its memory and ours (one chunk per file in flight).
    qint64 chunkSize = 32LL * 1024 * 1024;
    int parallelFiles = 8;     // folders: files in flight at once
    bool verifyContent = true; // sha256 in the runner (exec) vs here, if the runner can hash
    bool resume = true;        // continue from a partial left by an earlier failed attempt
    bool overwrite = true;     // replace an existing destination (folders: removed first)
    // Uploads: what the transfer creates belongs to the runner's user, not root (the host writes
    // as root, contract 3.3). One exec as that user (RunnerSession::createOwned) makes the
    // folders and empty files first; the host's writes into existing files keep their owner.
    bool ownedByRunner = true;
};

enum class TransferDirection { Upload, Download };

struct TransferProgress
{
    qint64 bytesDone = 0;
    qint64 bytesTotal = -1; // -1 while unknown
    int filesDone = 0;
    int filesTotal = 0;
    double bytesPerSecond = 0; // smoothed
    double filesPerSecond = 0; // since the transfer started
    double etaSeconds = -1;    // -1 while unknown
    qint64 elapsedMs = 0;
    QString stage; // "preparing", "transferring", "verifying", "finishing", "done"
};

struct TransferResult
{
    QString localPath;
    QString remotePath;
    qint64 bytes = 0;            // total size of the content
    qint64 bytesTransferred = 0; // bytes actually sent/received (less when resumed)
    int files = 0;
    qint64 durationMs = 0;
    bool contentVerified = false; // sha256 compared (false: sizes only, no sha256sum in the runner)
    bool resumed = false;
    QString ownershipProblem; // uploads: why the runner's user could not own the new paths
};

// One upload or download. Paths name the destination itself (not its parent folder).
//
// Nothing that looks complete appears before the content is complete and verified: uploads go to
// `<remote>.capsule-part` (a file, or a folder holding the whole tree) and are renamed with `mv`
// in the runner at the end; downloads go to `<local>.part` and are renamed locally. A failed
// transfer keeps its partial so that the next attempt (resume) continues from its size; a
// cancelled one removes it.
class TransferJob : public ResultJob<TransferResult>
{
    Q_OBJECT
public:
    static TransferJob *upload(RunnerSession *session, const QString &localPath,
                               const QString &remotePath, const TransferOptions &options = {},
                               QObject *parent = nullptr);
    static TransferJob *download(RunnerSession *session, const QString &remotePath,
                                 const QString &localPath, const TransferOptions &options = {},
                                 QObject *parent = nullptr);
    ~TransferJob() override;

    static QString remotePartPath(const QString &remotePath);
    static QString localPartPath(const QString &localPath);

    TransferDirection direction() const { return m_direction; }
    QString localPath() const { return m_localPath; }
    QString remotePath() const { return m_remotePath; }
    bool isFolder() const { return m_folder; }
    const TransferProgress &progressInfo() const { return m_progress; }
    const TransferOptions &options() const { return m_options; }

signals:
    void progressChanged(const capsule::TransferProgress &progress);

protected:
    void onCancel() override;

private:
    struct Task;
    TransferJob(RunnerSession *session, TransferDirection direction, QString localPath,
                QString remotePath, TransferOptions options, QObject *parent);

    void start();
    void prepareUpload();
    void prepareDownload();
    void planUploadTasks(const QString &existingPart, bool partIsDir);
    void beginTransfer();
    void prepareOwnership();
    void pump();
    void runTask(int index);
    void uploadChunk(int index);
    void downloadChunk(int index);
    void taskDone(int index);
    bool mayRetry(const Error &error);
    void verifySizes();
    void verifyContent();
    void compareHashes();
    void finish();
    void abortWith(const Error &error, bool removePartials);
    void removePartials();
    void initHashing();
    void hashWritten(int index);
    void hashFileRange(int index, qint64 from, qint64 to);
    void enqueueHashStep(std::function<void()> step);
    void finishLocalHashing();
    void startRemoteHashing();
    void maybeCompare();
    void updateProgress(bool force = false);
    void setStage(const QString &stage);
    void track(Job *job);

    QPointer<RunnerSession> m_session;
    TransferDirection m_direction;
    QString m_localPath;
    QString m_remotePath;
    QString m_localTemp;
    QString m_remoteTemp;
    TransferOptions m_options;
    bool m_folder = false;
    bool m_destExists = false;
    bool m_resumed = false;
    bool m_ownershipPrepared = false;
    QString m_ownershipProblem;
    QList<std::shared_ptr<Task>> m_tasks;
    QStringList m_emptyDirs; // relative folders to create
    int m_next = 0;
    int m_active = 0;
    int m_done = 0;
    qint64 m_bytesTransferred = 0;
    TransferProgress m_progress;
    QElapsedTimer m_clock;
    qint64 m_lastEmitMs = -1;
    qint64 m_rateBytes = 0;
    qint64 m_rateMs = 0;
    QList<QPointer<Job>> m_jobs; // in flight, cancelled on cancel()
    struct HashState;
    std::shared_ptr<HashState> m_hashes;
    // Local hashing runs on the thread pool as a chain of steps, one after another, each reading a
    // range of the local file (page cache): downloaded bytes every 4 MiB as they are written,
    // uploaded chunks once the runner accepted them.
    QFuture<void> m_hashTail;
    bool m_verifying = false;
    bool m_sizesVerified = false;
    QStringList m_remoteHashes;
    bool m_remoteHashesKnown = false;
    bool m_localHashesDone = false;
    bool m_contentVerified = false;
    int m_transientRetries = 0;
};

// A list of transfers for a UI: items run a few at a time, each with its own signals. Used by the
// app's transfers panel and the CLI's progress output.
class TransferQueue : public QObject
{
    Q_OBJECT
public:
    enum class State { Queued, Running, Finished, Failed, Cancelled };
    Q_ENUM(State)

    struct Item
    {
        int id = 0;
        TransferDirection direction = TransferDirection::Upload;
        QString localPath;
        QString remotePath;
        QString runnerId;
        State state = State::Queued;
        TransferProgress progress;
        TransferResult result;
        Error error;
    };

    explicit TransferQueue(QObject *parent = nullptr);

    void setMaxConcurrent(int n);
    int maxConcurrent() const { return m_maxConcurrent; }

    int enqueueUpload(RunnerSession *session, const QString &localPath, const QString &remotePath,
                      const TransferOptions &options = {});
    int enqueueDownload(RunnerSession *session, const QString &remotePath, const QString &localPath,
                        const TransferOptions &options = {});
    void cancel(int id);
    void cancelAll();
    // Runs a failed or cancelled item again (failed uploads/downloads resume from their partial).
    bool retry(int id);
    void removeFinished(); // forgets finished, failed and cancelled items

    QList<Item> items() const;
    std::optional<Item> item(int id) const;
    bool isIdle() const;

signals:
    void added(int id);
    void started(int id);
    void progress(int id, const capsule::TransferProgress &progress);
    void finished(int id, const capsule::TransferResult &result);
    void failed(int id, const capsule::Error &error);
    void removed(int id);
    void idle(); // nothing queued or running any more

private:
    struct Entry
    {
        Item item;
        QPointer<RunnerSession> session;
        TransferOptions options;
        QPointer<TransferJob> job;
    };
    int add(TransferDirection direction, RunnerSession *session, const QString &localPath,
            const QString &remotePath, const TransferOptions &options);
    void schedule();
    Entry *entry(int id);

    QList<Entry> m_entries;
    int m_nextId = 1;
    int m_maxConcurrent = 2;
};

} // namespace capsule

Q_DECLARE_METATYPE(capsule::TransferProgress)
Q_DECLARE_METATYPE(capsule::TransferResult)
