// One upload or download of a file or folder tree to/from a runner: chunked, resumable, verified.
#pragma once

#include "core/error.h"
#include "core/job.h"
#include "core/transfer/transferplan.h"
#include "core/transfer/transfertypes.h"

#include <QElapsedTimer>
#include <QList>
#include <QPointer>
#include <QString>
#include <memory>
#include <vector>

class QFile;

namespace capsule {

class HttpJob;
class RunnerSession;
class LocalHasher;
struct FileInfo;
struct ListResult;
struct RemoteHashes;

// Paths name the destination itself (not its parent folder).
//
// Nothing that looks complete appears before the content is complete and verified: uploads go to
// `<remote>.capsule-part` (a file, or a folder holding the whole tree) and are renamed with `mv`
// in the runner at the end; downloads go to `<local>.part` and are renamed locally. A failed
// transfer keeps its partial so that the next attempt (resume) continues from its size; a
// cancelled one removes it.
//
// The flow, one member function per step: start -> prepareUpload/prepareDownload (stat, find
// partials, plan) -> beginTransfer (ownership, empty folders) -> pump (chunks, parallel files)
// -> verifySizes -> verifyContent (local and remote hashes) -> compareHashes -> finish (rename).
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
    // What is going on with each task of the plan right now.
    struct Running
    {
        qint64 inflight = 0; // bytes of the current request sent/received so far
        bool done = false;
        std::unique_ptr<QFile> file; // downloads: the open destination
    };

    TransferJob(RunnerSession *session, TransferDirection direction, QString localPath,
                QString remotePath, TransferOptions options, QObject *parent);

    // preparing
    void start();
    bool checkPaths();
    void prepareUpload();
    void uploadDestinationKnown(const FileInfo &dest);
    void uploadPartialFolderListed(const ListResult &listing);
    void uploadPartialFileKnown(const FileInfo &part);
    void planUpload();
    void prepareDownload();
    void downloadSourceKnown(const FileInfo &src);
    void downloadTreeListed(const ListResult &listing);
    void setPlan(TransferPlan plan);
    // transferring
    void beginTransfer();
    void prepareOwnership();
    void createEmptyFolders();
    void pump();
    void uploadChunk(int index);
    void uploadChunkDone(int index, qint64 length, qint64 written);
    void uploadChunkFailed(int index, const Error &error, bool truncated);
    bool openDownloadFile(int index);
    void downloadChunk(int index);
    void downloadChunkDone(int index, HttpJob *http);
    void taskDone(int index);
    bool mayRetry(const Error &error);
    // verifying and finishing (transferjob_finish.cpp)
    void verifySizes();
    void remoteSizesKnown(const QHash<QString, qint64> &sizes);
    void sizeMismatch(const TransferTask &task, qint64 found);
    void verifyContent();
    void startRemoteHashing();
    void remoteHashesKnown(const RemoteHashes &hashes);
    void maybeCompare();
    void compareHashes();
    void hashWritten(int index);
    void finish();
    void finishDownload();
    void moveIntoPlace();
    void copyIntoPlace(const QString &mvError);
    void succeedNow();
    void abortWith(const Error &error, bool removePartial);
    void stopLocalWork();
    void removePartials();
    void updateProgress(bool force = false);
    void setStage(TransferStage stage) { m_progress.stage = stage; }
    // A step that failed fails the whole transfer, keeping the partial for a resume.
    auto failer()
    {
        return [this](const Error &e) {
            abortWith(e, false);
        };
    }

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
    TransferPlan m_plan;
    std::vector<Running> m_running; // parallel to m_plan.tasks
    int m_next = 0;
    int m_active = 0;
    int m_done = 0;
    qint64 m_bytesTransferred = 0;
    TransferProgress m_progress;
    QElapsedTimer m_clock;
    qint64 m_lastEmitMs = -1;
    std::unique_ptr<LocalHasher> m_hasher; // when verifying content
    bool m_verifying = false;
    bool m_sizesVerified = false;
    QStringList m_localHashes;
    QStringList m_remoteHashes;
    bool m_remoteHashesKnown = false;
    bool m_localHashesDone = false;
    bool m_contentVerified = false;
    int m_transientRetries = 0;
};

} // namespace capsule
