// A queue of transfers for a UI: items run a few at a time, each with its own signals.
#pragma once

#include "core/error.h"
#include "core/transfer/relayjob.h"
#include "core/transfer/transferjob.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <optional>

namespace capsule {

class RunnerSession;

// A list of transfers for a UI: items run a few at a time, each with its own signals. Used by the
// app's transfers panel and the CLI's progress output.
class TransferQueue : public QObject
{
    Q_OBJECT
public:
    // Paused: a queued item held back by pause() until resume().
    enum class State { Queued, Running, Finished, Failed, Cancelled, Paused };
    Q_ENUM(State)

    struct Item
    {
        int id = 0;
        TransferDirection direction = TransferDirection::Upload;
        QString localPath;
        QString remotePath;
        QString runnerId;       // the runner of remotePath
        QString sourceRunnerId; // Relay: the runner of localPath (the source)
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
    // Runner to runner: `source` on `from` is copied (or moved) to `destination` on `to`; the
    // item's localPath is the source path, its remotePath the destination.
    int enqueueRelay(RunnerSession *from, const QString &source, RunnerSession *to,
                     const QString &destination, const RelayOptions &options = {});
    void cancel(int id);
    void cancelAll();
    // Runs a failed or cancelled item again (failed uploads/downloads resume from their partial).
    bool retry(int id);
    void removeFinished(); // forgets finished, failed and cancelled items
    // Holds a queued item back / lets it run again. A running item is not paused (cancel it and
    // retry later: it resumes from its partial). False when the item is in another state.
    bool pause(int id);
    bool resume(int id);

    // Everything in the queue at a glance (a panel's footer).
    struct Totals
    {
        int queued = 0; // also paused ones
        int running = 0;
        int finished = 0;
        int failed = 0; // also cancelled ones
        qint64 bytesDone = 0;
        qint64 bytesTotal = 0; // of the items whose size is known
        double bytesPerSecond = 0;
    };
    Totals totals() const;

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
    void idle();          // nothing queued or running any more (paused items wait)
    void changed(int id); // paused or resumed

private:
    struct Entry
    {
        Item item;
        QPointer<RunnerSession> session;
        TransferOptions options;
        QPointer<RunnerSession> sourceSession; // Relay only
        RelayOptions relayOptions;
        QPointer<ResultJob<TransferResult>> job;
    };
    int add(TransferDirection direction, RunnerSession *session, const QString &localPath,
            const QString &remotePath, const TransferOptions &options);
    void schedule();
    void start(Entry &e);
    void jobFinished(int id, ResultJob<TransferResult> *job);
    Entry *entry(int id);

    QList<Entry> m_entries;
    int m_nextId = 1;
    int m_maxConcurrent = 2;
};

} // namespace capsule
