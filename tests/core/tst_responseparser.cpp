// HttpResponseParser (the reply side of the streaming upload): framing, interim replies, caps and
// malformed input, fed whole and one byte at a time.
#include "core/http/responseparser.h"

#include <QtTest>

using namespace capsule;

namespace {

// Feeds `wire` in pieces of `piece` bytes; false as soon as the parser refuses.
bool feedInPieces(HttpResponseParser &p, const QByteArray &wire, qsizetype piece)
{
    for (qsizetype at = 0; at < wire.size(); at += piece) {
        if (!p.feed(QByteArrayView(wire).sliced(at, qMin(piece, wire.size() - at))))
            return false;
    }
    return true;
}

} // namespace

class TestResponseParser final : public QObject
{
    Q_OBJECT

private slots:
    void framings_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<bool>("needsEof");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        const QByteArray json = R"({"path":"/workspace/a","bytes_written":5})"
                                "\n";
        QTest::newRow("content-length")
            << "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                   QByteArray::number(json.size()) + "\r\n\r\n" + json
            << false << 200 << json;
        QTest::newRow("chunked with extension and trailer")
            << QByteArray("HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5;name=x\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n")
            << false << 403 << QByteArray("hello, world");
        QTest::newRow("until close")
            << QByteArray("HTTP/1.0 500 Internal Server Error\r\n\r\nno length\n") << true << 500
            << QByteArray("no length\n");
        QTest::newRow("100 continue first")
            << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
                          "Content-Length: 2\r\n\r\nok")
            << false << 201 << QByteArray("ok");
        QTest::newRow("204 without body")
            << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << 204 << QByteArray();
        QTest::newRow("bare LF") << QByteArray("HTTP/1.1 404 Not Found\nContent-Length: 3\n\nabc")
                                 << false << 404 << QByteArray("abc");
        QTest::newRow("no reason phrase")
            << QByteArray("HTTP/1.1 302\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n") << false
            << 302 << QByteArray();
    }
    void framings()
    {
        QFETCH(QByteArray, wire);
        QFETCH(bool, needsEof);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        for (qsizetype piece : {wire.size(), qsizetype(1), qsizetype(7)}) {
            HttpResponseParser p(1024);
            QVERIFY2(feedInPieces(p, wire, piece), qPrintable(p.errorString()));
            QCOMPARE(p.isComplete(), !needsEof);
            QVERIFY(p.headReceived());
            QVERIFY(p.finishAtEof());
            QVERIFY(p.isComplete());
            QCOMPARE(p.status(), status);
            QCOMPARE(p.body(), body);
        }
    }

    void headersAreCaseInsensitiveAndTrimmed()
    {
        HttpResponseParser p;
        QVERIFY(p.feed("HTTP/1.1 429 Too Many Requests\r\nretry-after:  3 \r\n"
                       "Content-Length: 0\r\n\r\n"));
        QVERIFY(p.isComplete());
        QCOMPARE(p.header("Retry-After"), QByteArray("3"));
        QCOMPARE(p.contentLength(), 0);
    }

    // Bytes after the reply (a server that keeps talking) are not part of it.
    void ignoresWhatFollowsTheReply()
    {
        HttpResponseParser p;
        QVERIFY(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE"));
        QVERIFY(p.isComplete());
        QCOMPARE(p.body(), QByteArray("ok"));
        QVERIFY(p.feed("more"));
        QCOMPARE(p.body(), QByteArray("ok"));
    }

    void truncatedRepliesFailAtEof_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QString>("message");
        QTest::newRow("nothing") << QByteArray() << "the connection closed before any reply";
        QTest::newRow("half a head") << QByteArray("HTTP/1.1 200 OK\r\nContent-")
                                     << "the connection closed in the middle of the reply head";
        QTest::newRow("short body")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
            << "the connection closed after 3 of 10 bytes of the reply body";
        QTest::newRow("open chunk")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
            << "the connection closed in the middle of a chunked reply body";
    }
    void truncatedRepliesFailAtEof()
    {
        QFETCH(QByteArray, wire);
        QFETCH(QString, message);
        HttpResponseParser p;
        QVERIFY(p.feed(wire));
        QVERIFY(!p.isComplete());
        QVERIFY(!p.finishAtEof());
        QCOMPARE(p.state(), HttpResponseParser::State::Failed);
        QCOMPARE(p.errorString(), message);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<QString>("message");
        QTest::newRow("not http") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n")
                                  << "not an HTTP/1.x reply: \"SSH-2.0-OpenSSH_9.2\"";
        QTest::newRow("bad status") << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n")
                                    << "not an HTTP/1.x reply: \"HTTP/1.1 2x0 OK\"";
        QTest::newRow("bad header") << QByteArray("HTTP/1.1 200 OK\r\nno colon\r\n\r\n")
                                    << "malformed header line \"no colon\"";
        QTest::newRow("bad length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")
                                    << "invalid Content-Length \"-1\"";
        QTest::newRow("bad chunk size")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            << "invalid chunk size \"zz\"";
        QTest::newRow("chunk overrun")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n")
            << "a chunk is longer than its size says";
        QTest::newRow("switching protocols")
            << QByteArray("HTTP/1.1 101 Switching Protocols\r\n\r\n")
            << "unexpected HTTP 101 (Switching Protocols)";
    }
    void malformed()
    {
        QFETCH(QByteArray, wire);
        QFETCH(QString, message);
        HttpResponseParser p;
        QVERIFY(!p.feed(wire));
        QCOMPARE(p.errorString(), message);
        QVERIFY(!p.bodyTooLarge());
        QVERIFY(!p.feed("HTTP/1.1 200 OK\r\n\r\n")); // stays failed
    }

    void bodyCap()
    {
        HttpResponseParser announced(10);
        QVERIFY(!announced.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"));
        QVERIFY(announced.bodyTooLarge());
        QCOMPARE(announced.errorString(), QStringLiteral("11 bytes announced"));

        HttpResponseParser streamed(10);
        QVERIFY(
            streamed.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678"));
        QVERIFY(!streamed.feed("\r\n8\r\n12345678\r\n"));
        QVERIFY(streamed.bodyTooLarge());
        QCOMPARE(streamed.errorString(), QStringLiteral("more than 10 bytes"));
    }

    void headCap()
    {
        HttpResponseParser p;
        QVERIFY(p.feed("HTTP/1.1 200 OK\r\n"));
        QVERIFY(!p.feed("X-Big: " + QByteArray(70 * 1024, 'a')));
        QCOMPARE(p.errorString(), QStringLiteral("the reply head is longer than 65536 bytes"));
    }
};

QTEST_GUILESS_MAIN(TestResponseParser)
#include "tst_responseparser.moc"
