// capsule-local's HTTP/1.1 request head parser (src/local/http/connection.cpp,
// HttpConnection::parseHeadLines), given what HttpConnection::parseHead gives it: the head up to
// the first empty line, leading empty lines skipped. Checks: an accepted head has a token method,
// a valid target, at most the header limit and one body framing; a refused one a 4xx/5xx and why.
#include "fuzzcheck.h"
#include "local/http/connection.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray s(reinterpret_cast<const char *>(data), qsizetype(size));
    qsizetype start = 0;
    while (start < s.size() && (s.at(start) == '\r' || s.at(start) == '\n'))
        ++start;
    s = s.mid(start) + "\r\n\r\n";
    const QByteArray head = s.left(s.indexOf("\r\n\r\n") + 2);
    if (head.size() <= 2)
        return 0;
    constexpr int maxHeaders = 8;
    capsule::local::HttpRequest request;
    QString why;
    const int status =
        capsule::local::HttpConnection::parseHeadLines(head, maxHeaders, &request, &why);
    if (status != 0) {
        FUZZ_CHECK(status == 400 || status == 431 || status == 501 || status == 505,
                   "unexpected status");
        FUZZ_CHECK(!why.isEmpty(), "a refusal without a reason");
        return 0;
    }
    FUZZ_CHECK(!request.method().isEmpty() && !request.method().contains(' '), "method");
    FUZZ_CHECK(!request.target().isEmpty() && request.url().isValid(), "target");
    FUZZ_CHECK(request.headers().size() <= maxHeaders, "more headers than the limit");
    FUZZ_CHECK(request.contentLength() >= -1, "negative Content-Length");
    FUZZ_CHECK(!(request.contentLength() >= 0 && request.hasBody() && request.contentLength() == 0),
               "an empty Content-Length body");
    for (const auto &h : request.headers()) {
        FUZZ_CHECK(!h.first.isEmpty(), "empty header name");
        FUZZ_CHECK(!h.second.contains('\r') && !h.second.contains('\n'), "CR/LF in a value");
        (void)request.value(h.first);
        FUZZ_CHECK(request.headerCount(h.first) >= 1, "headerCount");
    }
    (void)request.isWebSocketUpgrade();
    return 0;
}
