// FileSlice: a range of a local file, read by Qt as an upload body.
#include "core/transfer/fileslice.h"

namespace capsule {

FileSlice::FileSlice(const QString &path, qint64 offset, qint64 length, QObject *parent)
    : QIODevice(parent)
    , m_file(path)
    , m_offset(offset)
    , m_length(length)
{}

bool FileSlice::openSlice()
{
    return m_file.open(QIODevice::ReadOnly) && m_file.seek(m_offset) &&
           open(QIODevice::ReadOnly | QIODevice::Unbuffered);
}

bool FileSlice::seek(qint64 pos)
{
    return pos <= m_length && QIODevice::seek(pos) && m_file.seek(m_offset + pos);
}

qint64 FileSlice::readData(char *data, qint64 maxSize)
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

} // namespace capsule
