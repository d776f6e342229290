// BodySource: a device read in reused blocks for a streamed request body.
#include "core/http/bodysource.h"

#include <QIODevice>

namespace capsule {

namespace {

// Blocks kept for reuse. The socket's backlog bounds how many are in use at once; more than this
// would only be held by a caller that keeps blocks itself.
constexpr size_t kMaxKeptBlocks = 16;

} // namespace

BodySource::BodySource(QIODevice *device, qint64 size, qint64 blockSize)
    : m_device(device)
    , m_size(qMax<qint64>(0, size))
    , m_blockSize(qMax<qint64>(1, blockSize))
{}

bool BodySource::isSequential() const
{
    return m_device && m_device->isSequential();
}

bool BodySource::rewind()
{
    m_read = 0;
    m_error.clear();
    if (!m_device || !m_device->isReadable()) {
        m_error = tr("the body's device is not open for reading");
        return false;
    }
    if (!m_device->isSequential() && !m_device->seek(0)) {
        m_error = tr("cannot seek to the body's start: %1").arg(m_device->errorString());
        return false;
    }
    return true;
}

QByteArray BodySource::freeBlock()
{
    for (auto it = m_blocks.begin(); it != m_blocks.end(); ++it) {
        if (it->isDetached()) { // the socket let go of it
            QByteArray block = std::move(*it);
            m_blocks.erase(it);
            return block;
        }
    }
    return QByteArray();
}

QByteArray BodySource::next()
{
    const qint64 want = qMin(m_blockSize, remaining());
    if (want <= 0 || hasError() || !m_device)
        return QByteArray();
    QByteArray block = freeBlock();
    block.resize(want); // within the capacity of a reused block: no allocation
    const qint64 n = m_device->read(block.data(), want);
    if (n < 0 || (n == 0 && (!m_device->isSequential() || !m_device->isOpen()))) {
        const QString why = n < 0 ? m_device->errorString() : tr("the source ended");
        m_error =
            tr("cannot read the body after %1 of %2 bytes: %3").arg(m_read).arg(m_size).arg(why);
        return QByteArray();
    }
    if (n == 0)
        return QByteArray(); // a sequential device with nothing yet
    block.resize(n);
    m_read += n;
    if (m_blocks.size() < kMaxKeptBlocks)
        m_blocks.push_back(block); // shared until the socket has sent it
    return block;
}

} // namespace capsule
