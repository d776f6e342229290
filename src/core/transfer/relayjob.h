// Runner-to-runner copy (or move) of a file or folder tree, streamed through this process one
// chunk at a time: never a full local copy.
#pragma once

#include "core/job.h"
#include "core/transfer/transferplan.h"
#include "core/transfer/transfertypes.h"

#include <QElapsedTimer>
#include <QPointer>

namespace capsule {

class HttpJob;
class RunnerSession;
struct FileInfo;
struct ListResult;
struct RemoteHashes;

struct RelayOptions
{
    qint64 chunkSize = 8LL * 1024 * 1024; // bytes held here per file in flight
    int parallelFiles = 2;
    bool verifyContent = true; // sha256 in both runners
    bool overwrite = false;    // replace an existing destination
    bool move = false;         // remove the source once the copy is complete and verified
};

// Each chunk is downloaded from the source runner (a Range request) into one buffer and then
// uploaded to the destination (overwrite, then append), so memory stays at chunkSize x
// parallelFiles. The copy goes to `<destination>.capsule-part`, is checked (sizes; sha256 in
// both runners when they can hash) and moved into place with `mv` in the destination runner, as
// the runner's user (the paths are created by that user first, like uploads).
class RelayJob : public ResultJob<TransferResult>
{
    Q_OBJECT
public:
    RelayJob(RunnerSession *from, const QString &source, RunnerSession *to,
             const QString &destination, const RelayOptions &options = {},
             QObject *parent = nullptr);

signals:
    void progressChanged(const capsule::TransferProgress &progress);

private:
    void start();
    void sourceKnown(const FileInfo &src);
    void sourceListed(const ListResult &listing);
    void destinationKnown(const FileInfo &dest);
    void prepareDestination();
    void makeFolders();
    void pump();
    void copyChunk(int index);
    void chunkDownloaded(int index, HttpJob *http);
    void taskDone();
    void verify();
    void hashesKnown(const RemoteHashes &hashes, bool source);
    void moveIntoPlace();
    void finishMove();
    void abortWith(const Error &error);
    void emitProgress(bool force = false);
    auto failer()
    {
        return [this](const Error &e) {
            abortWith(e);
        };
    }

    QPointer<RunnerSession> m_from;
    QPointer<RunnerSession> m_to;
    QString m_source;
    QString m_destination;
    QString m_temp;
    RelayOptions m_options;
    bool m_folder = false;
    bool m_destExists = false;
    TransferPlan m_plan; // task.remote: source path, task.local: destination (staging) path
    QList<QByteArray> m_buffers;
    int m_next = 0;
    int m_active = 0;
    int m_done = 0;
    qint64 m_bytesDone = 0;
    QStringList m_sourceHashes;
    QStringList m_destHashes;
    int m_hashesPending = 0;
    bool m_hashesAvailable = true;
    TransferProgress m_progress;
    QElapsedTimer m_clock;
    qint64 m_lastEmitMs = -1;
};

} // namespace capsule
