// The body of a streamed request, read from a QIODevice in large blocks for a socket.
#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <vector>

class QIODevice;

namespace capsule {

// Reads `size` bytes of a device in blocks of `blockSize`. A block given to a socket is shared
// with the socket's write buffer (QIODevice::write(const QByteArray &) does not copy it); once
// the socket has sent it, this source reuses it. So an upload cycles through the same few
// blocks instead of allocating, and page-faulting, fresh memory for every one.
class BodySource
{
    Q_DECLARE_TR_FUNCTIONS(capsule::BodySource)
public:
    BodySource() = default;
    BodySource(QIODevice *device, qint64 size, qint64 blockSize);

    // Back to the body's start: a random-access device is seeked to 0 (as HttpJob does before
    // each attempt). False, with error(), when that fails.
    bool rewind();
    // The next block (at most blockSize bytes). Empty when everything was read, when a
    // sequential device has nothing available yet (wait for its readyRead), or on an error:
    // the device failed or ended before `size` bytes (error() is set then).
    QByteArray next();

    qint64 size() const { return m_size; }
    qint64 remaining() const { return m_size - m_read; }
    bool isSequential() const;
    bool hasError() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }

private:
    QByteArray freeBlock();

    QIODevice *m_device = nullptr;
    qint64 m_size = 0;
    qint64 m_blockSize = 0;
    qint64 m_read = 0;
    std::vector<QByteArray> m_blocks; // handed out; free again once only we hold them
    QString m_error;
};

} // namespace capsule
