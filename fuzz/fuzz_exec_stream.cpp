// The NDJSON exec stream parser (src/core/exec.cpp, ExecStreamParser). The first byte picks a
// chunk size; the rest is the stream. Checks: the events do not depend on how the stream is split
// into network chunks (and the same lines are counted as malformed either way).
#include "core/exec.h"
#include "fuzzcheck.h"

namespace {

bool sameEvents(const QList<capsule::ExecEvent> &a, const QList<capsule::ExecEvent> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].type != b[i].type || a[i].data != b[i].data || a[i].code != b[i].code ||
            a[i].message != b[i].message || a[i].ts != b[i].ts)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const qsizetype chunk = 1 + data[0] % 17;
    const QByteArray stream(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));

    capsule::ExecStreamParser whole;
    QList<capsule::ExecEvent> all = whole.feed(stream);
    all += whole.finish();

    capsule::ExecStreamParser split;
    QList<capsule::ExecEvent> pieces;
    for (qsizetype at = 0; at < stream.size(); at += chunk)
        pieces += split.feed(stream.mid(at, chunk));
    pieces += split.finish();

    FUZZ_CHECK(sameEvents(all, pieces), "events depend on the chunking");
    FUZZ_CHECK(whole.malformedLines() == split.malformedLines(), "malformed count differs");
    FUZZ_CHECK(whole.firstProblem() == split.firstProblem(), "first problem differs");
    FUZZ_CHECK(whole.badExit() == split.badExit(), "bad exit differs");
    FUZZ_CHECK(whole.malformedLines() == 0 || !whole.firstProblem().isEmpty(),
               "malformed lines without a problem");
    return 0;
}
