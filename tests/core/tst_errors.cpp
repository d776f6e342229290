// Error values: HTTP mapping (contract 1.5) and the SDK hierarchy.
#include "core/error.h"

#include <QtTest>

using namespace capsule;

class TestErrors final : public QObject
{
    Q_OBJECT

private slots:
    void statusKinds_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("kind");
        QTest::newRow("400") << 400 << int(ErrorKind::Http);
        QTest::newRow("401") << 401 << int(ErrorKind::Auth);
        QTest::newRow("404") << 404 << int(ErrorKind::NotFound);
        QTest::newRow("405") << 405 << int(ErrorKind::Http);
        QTest::newRow("409") << 409 << int(ErrorKind::Conflict);
        QTest::newRow("429") << 429 << int(ErrorKind::RateLimited);
        QTest::newRow("500") << 500 << int(ErrorKind::Http);
        QTest::newRow("502") << 502 << int(ErrorKind::Http);
        QTest::newRow("503") << 503 << int(ErrorKind::ServiceUnavailable);
    }
    void statusKinds()
    {
        QFETCH(int, status);
        QFETCH(int, kind);
        const Error e = Error::fromHttp(status, "x", QStringLiteral("rid"));
        QCOMPARE(int(e.kind), kind);
        QVERIFY(e.isHttp());
        QVERIFY(e.is(ErrorKind::Generic));
        QVERIFY(!e.isTimeout());
        QCOMPARE(e.requestId, QStringLiteral("rid"));
    }

    void messageFromJsonOrText()
    {
        QCOMPARE(
            Error::fromHttp(404, R"({"error":"runner not found","runner_id":"r"})", {}).message,
            QStringLiteral("runner not found"));
        QCOMPARE(Error::fromHttp(404, "404 page not found\n", {}).message,
                 QStringLiteral("404 page not found"));
        // A JSON object without "error" keeps the raw text.
        QCOMPARE(Error::fromHttp(500, R"({"success":false})", {}).message,
                 QStringLiteral(R"({"success":false})"));
        QCOMPARE(Error::fromHttp(500, R"({"error":"boom"})", {}).toString(),
                 QStringLiteral("HTTP 500: boom"));
    }

    void retryAfterIsSecondsOnly()
    {
        QCOMPARE(*Error::fromHttp(429, "{}", {}, "2").retryAfter, 2.0);
        QCOMPARE(*Error::fromHttp(503, "{}", {}, " 0.5 ").retryAfter, 0.5);
        QVERIFY(!Error::fromHttp(503, "{}", {}, "Wed, 21 Oct 2015 07:28:00 GMT").retryAfter);
        QVERIFY(!Error::fromHttp(503, "{}", {}).retryAfter);
    }

    void hierarchy()
    {
        const Error rt(ErrorKind::RequestTimeout, QStringLiteral("t"));
        QVERIFY(rt.isTimeout());
        QVERIFY(!rt.isHttp());
        QVERIFY(Error(ErrorKind::AllocationTimeout, {}).is(ErrorKind::Timeout));
        QVERIFY(Error(ErrorKind::OperationTimeout, {}).is(ErrorKind::Timeout));
        QVERIFY(!Error(ErrorKind::Connection, {}).isTimeout());
        QVERIFY(!Error(ErrorKind::Value, {}).is(ErrorKind::Http));
        QVERIFY(!Error(ErrorKind::Http, {}).is(ErrorKind::NotFound));
        QCOMPARE(Error(ErrorKind::Value, QStringLiteral("bad")).toString(), QStringLiteral("bad"));
        QCOMPARE(Error::kindName(ErrorKind::RateLimited), QStringLiteral("CapsuleRateLimited"));
    }
};

QTEST_GUILESS_MAIN(TestErrors)
#include "tst_errors.moc"
