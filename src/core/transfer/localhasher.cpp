// LocalHasher: a chain of hashing steps on the thread pool.
#include "core/transfer/localhasher.h"

#include "core/sha256.h"

#include <QFile>
#include <QPointer>
#include <QThreadPool>
#include <atomic>
#include <vector>

namespace capsule {

namespace {
constexpr qint64 kHashReadBuffer = 1024 * 1024;
}

struct LocalHasher::State
{
    std::atomic<bool> cancelled{false};
    // Touched only by the chain's steps, which never run concurrently.
    std::vector<std::unique_ptr<Sha256>> contexts;
    std::vector<bool> unreadable;
    QStringList hashes; // set by the last step
};

LocalHasher::LocalHasher(qsizetype files)
    : m_state(std::make_shared<State>())
    , m_hashed(files, 0)
    , m_tail(QtFuture::makeReadyFuture())
{
    for (qsizetype i = 0; i < files; ++i)
        m_state->contexts.push_back(std::make_unique<Sha256>());
    m_state->unreadable.assign(size_t(files), false);
}

LocalHasher::~LocalHasher()
{
    cancel();
}

void LocalHasher::cancel()
{
    m_state->cancelled = true;
}

void LocalHasher::enqueue(std::function<void()> step)
{
    // Each step starts when the previous one finished, on the pool: hashing never runs on the
    // caller's (GUI) thread and the steps of one file are applied in order.
    std::shared_ptr<State> state = m_state;
    m_tail = m_tail.then(QThreadPool::globalInstance(), [state, step = std::move(step)] {
        if (!state->cancelled)
            step();
    });
}

void LocalHasher::hashRange(qsizetype index, const QString &path, qint64 from, qint64 to)
{
    if (to <= from || m_hashed.at(index) != from)
        return;
    m_hashed[index] = to;
    std::shared_ptr<State> state = m_state;
    enqueue([state, index, path, from, to] {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly) || !f.seek(from)) {
            state->unreadable[size_t(index)] = true;
            return;
        }
        // One buffer per pool thread, reused: a fresh one per step would be fresh pages each time.
        thread_local std::vector<char> buffer(kHashReadBuffer);
        for (qint64 left = to - from; left > 0;) {
            if (state->cancelled)
                return;
            const qint64 n = f.read(buffer.data(), qMin<qint64>(qint64(buffer.size()), left));
            if (n <= 0) {
                state->unreadable[size_t(index)] = true;
                return;
            }
            state->contexts[size_t(index)]->addData(QByteArrayView(buffer.data(), n));
            left -= n;
        }
    });
}

void LocalHasher::finish(QObject *context, std::function<void(const QStringList &)> done)
{
    std::shared_ptr<State> state = m_state;
    enqueue([state] {
        for (size_t i = 0; i < state->contexts.size(); ++i)
            state->hashes << (state->unreadable[i]
                                  ? QString()
                                  : QString::fromLatin1(state->contexts[i]->hexResult()));
    });
    QPointer<QObject> guard(context);
    m_tail.then(context, [state, guard, done = std::move(done)] {
        if (guard && !state->cancelled)
            done(state->hashes);
    });
}

} // namespace capsule
