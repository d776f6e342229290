// PTY frame codec (contract 3.4, src/core/ptychannel.cpp): decoding any frame, and the frames the
// client builds decoding back to what was put in. The first bytes are a frame to decode and, read
// as numbers, the resize/signal arguments.
#include "core/ptychannel.h"
#include "fuzzcheck.h"

#include <QtEndian>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray frame(reinterpret_cast<const char *>(data), qsizetype(size));
    const capsule::PtyChannel::Frame f = capsule::PtyChannel::parseFrame(frame);
    if (frame.isEmpty()) {
        FUZZ_CHECK(f.type == capsule::PtyChannel::Stdout && f.payload.isEmpty(), "empty frame");
    } else {
        FUZZ_CHECK(f.type == quint8(frame.at(0)), "frame type");
        FUZZ_CHECK(f.payload == frame.mid(1), "frame payload");
    }

    const capsule::PtyChannel::Frame in =
        capsule::PtyChannel::parseFrame(capsule::PtyChannel::stdinFrame(frame));
    FUZZ_CHECK(in.type == capsule::PtyChannel::Stdin && in.payload == frame, "stdin round trip");

    if (size >= 4) {
        const int cols = qFromBigEndian<quint16>(data);
        const int rows = qFromBigEndian<quint16>(data + 2);
        const QByteArray resize = capsule::PtyChannel::resizeFrame(cols, rows);
        const capsule::PtyChannel::Frame r = capsule::PtyChannel::parseFrame(resize);
        FUZZ_CHECK(r.type == capsule::PtyChannel::Resize && r.payload.size() == 4, "resize frame");
        FUZZ_CHECK(qFromBigEndian<quint16>(r.payload.constData()) == cols &&
                       qFromBigEndian<quint16>(r.payload.constData() + 2) == rows,
                   "resize round trip");
    }
    if (size >= 1) {
        const int signal = data[0] % 65;
        const capsule::PtyChannel::Frame s =
            capsule::PtyChannel::parseFrame(capsule::PtyChannel::signalFrame(signal));
        FUZZ_CHECK(s.type == capsule::PtyChannel::Signal && s.payload.size() == 1 &&
                       quint8(s.payload.at(0)) == signal,
                   "signal round trip");
    }
    return 0;
}
