// SHA-256 of the local side of a transfer, computed from the files on disk, off the GUI thread.
#pragma once

#include <QFuture>
#include <QList>
#include <QObject>
#include <QStringList>
#include <functional>
#include <memory>

namespace capsule {

// Hashing runs on the thread pool as one chain of steps, one after another, each reading a range
// of a local file (page cache) with one reused buffer per pool thread: downloaded bytes every
// few MiB as they are written, uploaded chunks once the runner accepted them. Each file tracks
// how much of its prefix was handed over, so bytes re-sent after a dropped connection are not
// hashed twice. No network buffer is kept, so memory stays bounded however far hashing falls
// behind.
class LocalHasher
{
public:
    explicit LocalHasher(qsizetype files);
    ~LocalHasher(); // cancels the steps not yet run

    // Hashes [from, to) of file `index` at `path`; ignored unless `from` is where the file's
    // hashed prefix ends (a range re-sent after a retry).
    void hashRange(qsizetype index, const QString &path, qint64 from, qint64 to);
    qint64 hashed(qsizetype index) const { return m_hashed.at(index); }
    // After the ranges handed over so far: done(hex per file, empty for an unreadable one) in
    // context's thread, unless context died or the hasher was cancelled.
    void finish(QObject *context, std::function<void(const QStringList &)> done);
    void cancel();

private:
    struct State;
    void enqueue(std::function<void()> step);

    std::shared_ptr<State> m_state;
    QList<qint64> m_hashed; // per file: bytes handed to the chain (always a prefix)
    QFuture<void> m_tail;
};

} // namespace capsule
