// StreamUploadJob (RunnerSession::uploadDevice) at the wire level, against the fault server and a
// raw TCP server in the test: it sends what the QNAM path sends for the same call, and fails the
// same way (server errors, redirects, timeouts, refused connections), plus what only a socket of
// our own can meet (an early reply, a close mid-body, a reply that is not HTTP, a device that
// fails or is sequential). tst_streamupload_e2e runs it against a real capsule-local.
#include "core/hostresolver.h"
#include "core/http.h"
#include "core/http/streamupload.h"
#include "core/runnersession.h"
#include "support/faultserver.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTimer>
#include <QUuid>
#include <QtTest>
#include <algorithm>
#include <functional>

using namespace capsule;
using capsule::test::FaultServer;

namespace {

const QString kUpload = QStringLiteral("/api/v1/runners/r-1/files/upload");

QByteArray pattern(qint64 size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        data[i] = char((i * 131 + i / 7919) & 0xff);
    return data;
}

struct Rig
{
    FaultServer server;
    std::unique_ptr<Http> http;
    std::unique_ptr<HostResolver> resolver;
    std::unique_ptr<RunnerSession> session;

    explicit Rig(double operationTimeout = 10, const QString &host = {})
    {
        if (!server.listen())
            qFatal("cannot listen");
        Settings s;
        s.baseUrl = server.baseUrl();
        s.token = QStringLiteral("tok");
        s.operationTimeout = operationTimeout;
        http = std::make_unique<Http>(s);
        resolver = std::make_unique<HostResolver>(http.get());
        session = std::make_unique<RunnerSession>(resolver.get(), QStringLiteral("r-1"), QString(),
                                                  QString(),
                                                  host.isEmpty() ? server.hostAddress() : host);
    }
};

// Uploads `data` through the QNAM path (upload) or the streaming one (uploadDevice).
ResultJob<WriteResult> *send(RunnerSession *session, bool streamed, const QByteArray &data,
                             const QString &path = QStringLiteral("/workspace/u.bin"))
{
    if (!streamed)
        return session->upload(path, data);
    auto *buffer = new QBuffer;
    buffer->setData(data);
    buffer->open(QIODevice::ReadOnly);
    auto *job = session->uploadDevice(path, buffer, data.size());
    QObject::connect(job, &QObject::destroyed, [buffer] { delete buffer; });
    return job;
}

bool finish(Job *job, int ms = 20000)
{
    QElapsedTimer t;
    t.start();
    while (!job->isFinished() && t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
    return job->isFinished();
}

// A raw server: accepts one connection and runs `onData(socket, bytesSoFar)` on every read.
struct RawServer
{
    QTcpServer server;
    qint64 received = 0;
    std::function<void(QTcpSocket *, qint64)> onData;

    RawServer()
    {
        server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server, &QTcpServer::newConnection, &server, [this] {
            QTcpSocket *s = server.nextPendingConnection();
            QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
                received += s->readAll().size();
                if (onData)
                    onData(s, received);
            });
        });
    }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(server.serverPort()); }
};

// A sequential device that hands out `data` in pieces, one per timer tick.
class TrickleDevice : public QIODevice
{
public:
    explicit TrickleDevice(QByteArray data)
        : m_data(std::move(data))
    {
        open(QIODevice::ReadOnly);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            m_available = qMin<qint64>(m_data.size(), m_available + 100000);
            emit readyRead();
            if (m_available == m_data.size())
                m_timer.stop();
        });
        m_timer.start(5);
    }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override
    {
        return m_available - m_pos + QIODevice::bytesAvailable();
    }

protected:
    qint64 readData(char *data, qint64 max) override
    {
        const qint64 n = qMin(max, m_available - m_pos);
        memcpy(data, m_data.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_available = 0;
    qint64 m_pos = 0;
    QTimer m_timer;
};

} // namespace

class TestStreamUpload final : public QObject
{
    Q_OBJECT

private slots:
    // Same method, target, headers (token included) and body as QNAM sends for the same call.
    void sameRequestAsQnam()
    {
        Rig rig;
        rig.server.setDefault(
            "POST", kUpload,
            FaultServer::json(200, {{"path", "/workspace/x"}, {"bytes_written", 300000}}));
        const QByteArray data = pattern(300000);
        const QString path = QStringLiteral("/workspace/a b+c&d é.bin");
        auto *viaQnam = rig.session->upload(path, data, WriteMode::Append, 0600);
        QVERIFY(finish(viaQnam));
        QBuffer buffer;
        buffer.setData(data);
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        auto *streamed =
            rig.session->uploadDevice(path, &buffer, data.size(), WriteMode::Append, 0600);
        QVERIFY(finish(streamed));
        QVERIFY2(!streamed->hasError(), qPrintable(streamed->error().toString()));
        QCOMPARE(streamed->result().bytesWritten, 300000);
        QCOMPARE(streamed->result().path, QStringLiteral("/workspace/x"));

        QCOMPARE(rig.server.requests().size(), 2);
        const FaultServer::Request &a = rig.server.requests().at(0);
        const FaultServer::Request &b = rig.server.requests().at(1);
        QCOMPARE(b.method, a.method);
        QCOMPARE(b.path, a.path);
        QCOMPARE(b.query.toString(QUrl::FullyEncoded), a.query.toString(QUrl::FullyEncoded));
        for (const char *name :
             {"Host", "User-Agent", "Accept", "Authorization", "Content-Type", "Content-Length"})
            QCOMPARE(b.header(name), a.header(name));
        QCOMPARE(b.header("Authorization"), QByteArray("Bearer tok"));
        QVERIFY(!QUuid::fromString(QString::fromLatin1(b.header("X-Request-Id"))).isNull());
        QVERIFY(b.header("X-Request-Id") != a.header("X-Request-Id"));
        QCOMPARE(b.body, data);
    }

    // Error replies map exactly as HttpJob maps them: kind, status, message, Retry-After, and
    // the request id that was sent.
    void errorsMapLikeHttpJob_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::newRow("403 json") << 403 << QByteArray(R"({"error":"path outside allowed roots"})")
                                  << QByteArray();
        QTest::newRow("404 text") << 404 << QByteArray("404 page not found\n") << QByteArray();
        QTest::newRow("429 retry-after")
            << 429 << QByteArray(R"({"error":"slow down"})") << QByteArray("2");
        QTest::newRow("500 text") << 500 << QByteArray("write /workspace/x: no space left\n")
                                  << QByteArray();
        QTest::newRow("503 json") << 503 << QByteArray(R"({"error":"busy","runner_id":"r-1"})")
                                  << QByteArray("1");
    }
    void errorsMapLikeHttpJob()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, retryAfter);
        Rig rig;
        FaultServer::Reply reply = FaultServer::text(status, body);
        if (!retryAfter.isEmpty())
            reply.headers.append(qMakePair(QByteArray("Retry-After"), retryAfter));
        rig.server.setDefault("POST", kUpload, reply);
        Error errors[2];
        for (bool streamed : {false, true}) {
            auto *job = send(rig.session.get(), streamed, pattern(200000));
            QVERIFY(finish(job));
            QVERIFY(job->hasError());
            errors[streamed] = job->error();
        }
        QCOMPARE(rig.server.requests().size(), 2); // host writes are sent once
        const Error &e = errors[1];
        QCOMPARE(e.kind, errors[0].kind);
        QCOMPARE(e.kind, Error::kindForStatus(status));
        QCOMPARE(e.status, status);
        QCOMPARE(e.message, errors[0].message);
        QCOMPARE(e.retryAfter.value_or(-1), errors[0].retryAfter.value_or(-1));
        QCOMPARE(e.toString(), errors[0].toString());
        QCOMPARE(e.requestId.toLatin1(), rig.server.requests().at(1).header("X-Request-Id"));
    }

    void redirectIsAnError()
    {
        Rig rig;
        FaultServer::Reply reply = FaultServer::text(302, "");
        reply.headers.append(qMakePair(QByteArray("Location"), QByteArray("/elsewhere")));
        rig.server.setDefault("POST", kUpload, reply);
        auto *job = send(rig.session.get(), true, pattern(1000));
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Http);
        QCOMPARE(job->error().status, 302);
        QVERIFY2(job->error().message.startsWith("Unexpected redirect (HTTP 302) from http://"),
                 qPrintable(job->error().message));
        QCOMPARE(rig.server.requests().size(), 1);
    }

    // The operation idle timeout applies as in HttpJob, with the same error.
    void idleTimeout()
    {
        Rig rig(0.3);
        rig.server.setDefault("POST", kUpload,
                              FaultServer::action(FaultServer::Reply::Action::Hang));
        Error errors[2];
        for (bool streamed : {false, true}) {
            auto *job = send(rig.session.get(), streamed, pattern(1000));
            QVERIFY(finish(job, 10000));
            errors[streamed] = job->error();
        }
        QCOMPARE(errors[1].kind, ErrorKind::RequestTimeout);
        QCOMPARE(errors[1].operation, QStringLiteral("upload"));
        QCOMPARE(errors[1].message, errors[0].message);
        QCOMPARE(errors[1].message, QStringLiteral("No data for 0.3 s (upload timeout)"));
    }

    void connectionRefused()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        Rig rig(10, QStringLiteral("127.0.0.1:%1").arg(port));
        auto *job = send(rig.session.get(), true, pattern(1000));
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Connection);
        QCOMPARE(job->error().message, QStringLiteral("Connection failed: Connection refused"));
    }

    // The reply's head promised more body than came: a transport failure saying so.
    void replyCutShort()
    {
        Rig rig;
        FaultServer::Reply reply = FaultServer::json(200, {{"bytes_written", 1}});
        reply.body = "{";
        reply.action = FaultServer::Reply::Action::DropMidBody;
        rig.server.setDefault("POST", kUpload, reply);
        auto *job = send(rig.session.get(), true, pattern(1000));
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Connection);
        QCOMPARE(job->error().message,
                 QStringLiteral("Connection failed: the connection closed after 1 of 1001 bytes "
                                "of the reply body"));
    }

    void replyTooLarge()
    {
        Rig rig;
        FaultServer::Reply reply;
        reply.action = FaultServer::Reply::Action::Generate;
        reply.generatedBytes = kMaxBufferedReply + 1;
        rig.server.setDefault("POST", kUpload, reply);
        auto *job = send(rig.session.get(), true, pattern(1000));
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Protocol);
        QVERIFY2(job->error().message.contains("the reply is too large (67108865 bytes announced"),
                 qPrintable(job->error().message));
    }

    // A server that answers before reading the body (capsule-local refuses a path at the head)
    // is heard, not mistaken for a broken connection, and the rest of the body is not sent.
    void earlyReplyStopsTheBody()
    {
        RawServer raw;
        bool answered = false;
        raw.onData = [&answered](QTcpSocket *s, qint64) {
            if (std::exchange(answered, true))
                return;
            const QByteArray body = R"({"error":"request body too large"})";
            s->write("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\n"
                     "Content-Length: " +
                     QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        };
        Rig client(10, raw.address());
        const qint64 size = 64LL << 20;
        auto *job = send(client.session.get(), true, QByteArray(size, 'x'));
        QVERIFY(finish(job));
        QCOMPARE(job->error().status, 413);
        QCOMPARE(job->error().message, QStringLiteral("request body too large"));
        QVERIFY2(raw.received < size / 2, qPrintable(QString::number(raw.received)));
    }

    // The server closes the connection while the body is being sent: a clear error, no hang.
    void closedMidBody()
    {
        RawServer raw;
        raw.onData = [](QTcpSocket *s, qint64 received) {
            if (received >= (2 << 20))
                s->abort();
        };
        Rig client(30, raw.address());
        QElapsedTimer clock;
        clock.start();
        auto *job = send(client.session.get(), true, QByteArray(64LL << 20, 'x'));
        QVERIFY(finish(job, 10000));
        QVERIFY(clock.elapsed() < 10000);
        QCOMPARE(job->error().kind, ErrorKind::Connection);
        const QString m = job->error().message;
        QVERIFY2(m.startsWith("Connection failed: the server closed the connection after ") &&
                     m.endsWith(" of 67108864 bytes of the upload body, without a reply"),
                 qPrintable(m));
        QVERIFY(!job->error().requestId.isEmpty());
    }

    void notHttp()
    {
        RawServer raw;
        raw.onData = [](QTcpSocket *s, qint64) {
            s->write("SSH-2.0-OpenSSH_9.2\r\n");
        };
        Rig client(10, raw.address());
        auto *job = send(client.session.get(), true, pattern(1000));
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Protocol);
        QCOMPARE(job->error().message,
                 QStringLiteral("unexpected answer from the server: not an HTTP/1.x reply: "
                                "\"SSH-2.0-OpenSSH_9.2\""));
    }

    // Progress counts body bytes up to the total; the body arrives whole.
    void progress()
    {
        Rig rig;
        const QByteArray data = pattern(9 << 20);
        rig.server.setDefault("POST", kUpload,
                              FaultServer::json(200, {{"bytes_written", data.size()}}));
        auto *job = send(rig.session.get(), true, data);
        QList<qint64> sent;
        connect(job, &Job::progress, this, [&sent, &data](qint64 done, qint64 total) {
            QCOMPARE(total, qint64(data.size()));
            sent << done;
        });
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QVERIFY(!sent.isEmpty());
        QVERIFY(std::is_sorted(sent.cbegin(), sent.cend()));
        QCOMPARE(sent.last(), qint64(data.size()));
        QCOMPARE(rig.server.requests().first().body, data);
    }

    void emptyBody()
    {
        Rig rig;
        rig.server.setDefault("POST", kUpload, FaultServer::json(200, {{"bytes_written", 0}}));
        auto *job = send(rig.session.get(), true, QByteArray());
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(rig.server.requests().first().header("Content-Length"), QByteArray("0"));
    }

    void sequentialDevice()
    {
        Rig rig;
        const QByteArray data = pattern(1500000);
        rig.server.setDefault("POST", kUpload,
                              FaultServer::json(200, {{"bytes_written", data.size()}}));
        TrickleDevice device(data);
        auto *job =
            rig.session->uploadDevice(QStringLiteral("/workspace/s.bin"), &device, data.size());
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(rig.server.requests().first().body, data);
    }

    // The body is sent with a Content-Length: an unknown size is refused before connecting.
    void unknownSizeIsRefused()
    {
        Rig rig;
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::ReadOnly));
        auto *job = rig.session->uploadDevice(QStringLiteral("/workspace/n.bin"), &buffer, -1);
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Value);
        QCOMPARE(job->error().message,
                 QStringLiteral("The size of the upload body must be known."));
        QVERIFY(rig.server.requests().isEmpty());
    }

    // A device that ends early (a file that shrank) fails as Io, naming how far it got.
    void deviceEndsEarly()
    {
        Rig rig;
        rig.server.setDefault("POST", kUpload,
                              FaultServer::action(FaultServer::Reply::Action::Hang));
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write(pattern(1000));
        file.flush();
        QVERIFY(file.seek(0));
        auto *job = rig.session->uploadDevice(QStringLiteral("/workspace/e.bin"), &file, 5000);
        QVERIFY(finish(job));
        QCOMPARE(job->error().kind, ErrorKind::Io);
        QCOMPARE(job->error().message,
                 QStringLiteral("Cannot read the upload body: cannot read the body after 1000 of "
                                "5000 bytes: the source ended"));
    }

    // cancel() aborts the socket at once; the job reports Cancelled.
    void cancelAborts()
    {
        RawServer raw; // reads and never answers
        Rig client(30, raw.address());
        auto *job = send(client.session.get(), true, QByteArray(256LL << 20, 'x'));
        QTRY_VERIFY_WITH_TIMEOUT(raw.received > (1 << 20), 10000);
        job->cancel();
        QVERIFY(job->isFinished());
        QCOMPARE(job->error().kind, ErrorKind::Cancelled);
        const qint64 at = raw.received;
        QTest::qWait(200);
        QVERIFY(raw.received - at <= StreamUploadJob::kBacklog + (8 << 20)); // kernel buffers
    }
};

QTEST_GUILESS_MAIN(TestStreamUpload)
#include "tst_streamupload.moc"
