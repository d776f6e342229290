// TransferQueue: items run maxConcurrent at a time.
#include "core/transfer/transferqueue.h"

#include "core/runnersession.h"
#include "core/transfer/relayjob.h"

#include <QTimer>

namespace capsule {

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
        const bool relay = e.item.direction == TransferDirection::Relay;
        if (!e.session || (relay && !e.sourceSession)) {
            e.item.state = State::Failed;
            e.item.error = Error(ErrorKind::Value, tr("The runner session is gone."));
            emit failed(e.item.id, e.item.error);
            continue;
        }
        start(e);
        ++running;
    }
    if (isIdle())
        emit idle();
}

void TransferQueue::start(Entry &e)
{
    const int id = e.item.id;
    ResultJob<TransferResult> *job = nullptr;
    auto onProgress = [this, id](const TransferProgress &p) {
        if (Entry *x = entry(id)) {
            x->item.progress = p;
            emit progress(id, p);
        }
    };
    switch (e.item.direction) {
    case TransferDirection::Upload:
    case TransferDirection::Download: {
        TransferJob *t = e.item.direction == TransferDirection::Upload
                             ? TransferJob::upload(e.session, e.item.localPath, e.item.remotePath,
                                                   e.options, this)
                             : TransferJob::download(e.session, e.item.remotePath, e.item.localPath,
                                                     e.options, this);
        connect(t, &TransferJob::progressChanged, this, onProgress);
        job = t;
        break;
    }
    case TransferDirection::Relay: {
        auto *r = new RelayJob(e.sourceSession, e.item.localPath, e.session, e.item.remotePath,
                               e.relayOptions, this);
        connect(r, &RelayJob::progressChanged, this, onProgress);
        job = r;
        break;
    }
    }
    e.job = job;
    e.item.state = State::Running;
    connect(job, &Job::finished, this, [this, id, job] { jobFinished(id, job); });
    emit started(id);
}

void TransferQueue::jobFinished(int id, ResultJob<TransferResult> *job)
{
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
}

int TransferQueue::enqueueRelay(RunnerSession *from, const QString &source, RunnerSession *to,
                                const QString &destination, const RelayOptions &options)
{
    const int id = add(TransferDirection::Relay, to, source, destination, TransferOptions());
    Entry *e = entry(id);
    e->sourceSession = from;
    e->item.sourceRunnerId = from ? from->runnerId() : QString();
    e->relayOptions = options;
    return id;
}

void TransferQueue::cancel(int id)
{
    Entry *e = entry(id);
    if (!e)
        return;
    if (e->item.state == State::Queued || e->item.state == State::Paused) {
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

bool TransferQueue::pause(int id)
{
    Entry *e = entry(id);
    if (!e || e->item.state != State::Queued)
        return false;
    e->item.state = State::Paused;
    emit changed(id);
    QTimer::singleShot(0, this, &TransferQueue::schedule); // idle() when only paused ones wait
    return true;
}

bool TransferQueue::resume(int id)
{
    Entry *e = entry(id);
    if (!e || e->item.state != State::Paused)
        return false;
    e->item.state = State::Queued;
    emit changed(id);
    QTimer::singleShot(0, this, &TransferQueue::schedule);
    return true;
}

TransferQueue::Totals TransferQueue::totals() const
{
    Totals t;
    for (const Entry &e : m_entries) {
        switch (e.item.state) {
        case State::Queued:
        case State::Paused:
            ++t.queued;
            break;
        case State::Running:
            ++t.running;
            t.bytesPerSecond += e.item.progress.bytesPerSecond;
            break;
        case State::Finished:
            ++t.finished;
            break;
        case State::Failed:
        case State::Cancelled:
            ++t.failed;
            break;
        }
        const bool done = e.item.state == State::Finished;
        const qint64 total = done ? e.item.result.bytes : e.item.progress.bytesTotal;
        if (total >= 0) {
            t.bytesTotal += total;
            t.bytesDone += done ? total : e.item.progress.bytesDone;
        }
    }
    return t;
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
