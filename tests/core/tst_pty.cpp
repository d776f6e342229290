// PTY channel (contract 3.4, 9.10, 9.17-9.19): URL, frame bytes, lifecycle against a WebSocket
// server in the test, one re-resolving retry on open, and the bounded input buffer.
#include "core/ptychannel.h"

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

using namespace capsule;

namespace {

ResultJob<QString> *finishedWith(QObject *parent, const QString &host)
{
    auto *job = new ResultJob<QString>(parent);
    QTimer::singleShot(0, job, [job, host] { job->succeedWith(host); });
    return job;
}

Settings testSettings()
{
    Settings s;
    s.token = QStringLiteral("tok");
    s.operationTimeout = 5;
    return s;
}

// A loopback port nobody listens on.
QString deadAddress()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost);
    const quint16 port = probe.serverPort();
    probe.close();
    return QStringLiteral("127.0.0.1:%1").arg(port);
}

} // namespace

class TestPty final : public QObject
{
    Q_OBJECT

private slots:
    // 9.18: frames byte for byte.
    void frames_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("send hello")
            << PtyChannel::stdinFrame("hello") << QByteArray::fromHex("0068656c6c6f");
        QTest::newRow("send arrow")
            << PtyChannel::stdinFrame("\x1b[A") << QByteArray::fromHex("001b5b41");
        QTest::newRow("resize 120x40")
            << PtyChannel::resizeFrame(120, 40) << QByteArray::fromHex("0200780028");
        QTest::newRow("signal 15") << PtyChannel::signalFrame(15) << QByteArray::fromHex("040f");
    }
    void frames()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QByteArray, expected);
        QCOMPARE(frame, expected);
    }

    // 9.17/9.19: type numbers and parsing.
    void parse()
    {
        QCOMPARE(int(PtyChannel::Stdin), 0);
        QCOMPARE(int(PtyChannel::Stdout), 1);
        QCOMPARE(int(PtyChannel::Resize), 2);
        QCOMPARE(int(PtyChannel::Exit), 3);
        QCOMPARE(int(PtyChannel::Signal), 4);
        auto f = PtyChannel::parseFrame(QByteArray("\x01output data"));
        QCOMPARE(f.type, quint8(1));
        QCOMPARE(f.payload, QByteArray("output data"));
        f = PtyChannel::parseFrame(QByteArray());
        QCOMPARE(f.type, quint8(1));
        QVERIFY(f.payload.isEmpty());
    }

    // 9.10: the URL is exact; a command round-trips (space -> '+').
    void url()
    {
        QCOMPARE(PtyChannel::buildUrl("10.0.0.1:8080", "r-1", 120, 40).toString(QUrl::FullyEncoded),
                 QStringLiteral("ws://10.0.0.1:8080/api/v1/runners/r-1/pty?cols=120&rows=40"));
        QCOMPARE(PtyChannel::buildUrl("10.0.0.1:8080", "r-1", 80, 24).toString(QUrl::FullyEncoded),
                 QStringLiteral("ws://10.0.0.1:8080/api/v1/runners/r-1/pty?cols=80&rows=24"));
        const QUrl withCommand =
            PtyChannel::buildUrl("10.0.0.1:8080", "r-1", 80, 24, "/opt/my shell+x");
        QCOMPARE(withCommand.query(QUrl::FullyEncoded),
                 QStringLiteral("cols=80&rows=24&command=/opt/my+shell%2Bx"));
        QCOMPARE(PtyChannel::buildUrl("https://h.example", "r-1", 80, 24).scheme(),
                 QStringLiteral("wss"));
    }

    // 9.17: sending before connect is an error naming "not connected"; exit code starts unset.
    void sendBeforeConnect()
    {
        PtyChannel ch(testSettings(), "r-1", QStringLiteral("127.0.0.1:1"));
        QVERIFY(!ch.exitCode().has_value());
        QSignalSpy errors(&ch, &PtyChannel::errorOccurred);
        QVERIFY(!ch.sendInput("x"));
        QVERIFY(!ch.resize(10, 10));
        QVERIFY(!ch.sendSignal(2));
        QCOMPARE(errors.count(), 3);
        QVERIFY(errors.first().first().value<Error>().message.contains("not connected"));
    }

    // A whole session: token in the handshake, output, input/resize/signal bytes, exit 42.
    void session()
    {
        QWebSocketServer server("pty", QWebSocketServer::NonSecureMode);
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QWebSocket *peer = nullptr;
        QList<QByteArray> received;
        QByteArray auth;
        QUrl requested;
        connect(&server, &QWebSocketServer::newConnection, this, [&] {
            peer = server.nextPendingConnection();
            peer->setParent(&server); // the caller owns accepted sockets
            auth = peer->request().rawHeader("Authorization");
            requested = peer->requestUrl();
            connect(peer, &QWebSocket::binaryMessageReceived, this,
                    [&](const QByteArray &m) { received << m; });
            peer->sendBinaryMessage(QByteArray("\x01hello from pty"));
        });
        const QString host = QStringLiteral("127.0.0.1:%1").arg(server.serverPort());
        PtyChannel ch(testSettings(), "r-1", host, PtyOptions{100, 30, {}});
        QSignalSpy connectedSpy(&ch, &PtyChannel::connected);
        QSignalSpy out(&ch, &PtyChannel::stdout);
        QSignalSpy exitedSpy(&ch, &PtyChannel::exited);
        QSignalSpy gone(&ch, &PtyChannel::disconnected);
        QSignalSpy errors(&ch, &PtyChannel::errorOccurred);
        ch.open();
        QTRY_COMPARE(connectedSpy.count(), 1);
        QCOMPARE(auth, QByteArray("Bearer tok"));
        QCOMPARE(requested.path(), QStringLiteral("/api/v1/runners/r-1/pty"));
        QCOMPARE(requested.query(), QStringLiteral("cols=100&rows=30"));
        QTRY_COMPARE(out.count(), 1);
        QCOMPARE(out.first().first().toByteArray(), QByteArray("hello from pty"));

        QVERIFY(ch.sendText("hi"));
        QVERIFY(ch.resize(120, 40));
        QVERIFY(ch.sendSignal(15));
        QTRY_COMPARE(received.size(), 3);
        QCOMPARE(received.at(0), QByteArray::fromHex("006869"));
        QCOMPARE(received.at(1), QByteArray::fromHex("0200780028"));
        QCOMPARE(received.at(2), QByteArray::fromHex("040f"));

        // A text frame is read as UTF-8 bytes; empty frames and unknown types are ignored.
        peer->sendTextMessage(QStringLiteral("\x01text"));
        peer->sendBinaryMessage(QByteArray());
        peer->sendBinaryMessage(QByteArray("\x09zzz"));
        peer->sendBinaryMessage(QByteArray::fromHex("030000002a"));
        peer->close(QWebSocketProtocol::CloseCodeNormal);
        QTRY_COMPARE(exitedSpy.count(), 1);
        QCOMPARE(exitedSpy.first().first().toInt(), 42);
        QCOMPARE(*ch.exitCode(), 42);
        QTRY_COMPARE(gone.count(), 1);
        QCOMPARE(out.count(), 2);
        QCOMPARE(out.at(1).first().toByteArray(), QByteArray("text"));
        QCOMPARE(errors.count(), 0);
        QCOMPARE(ch.state(), PtyChannel::State::Closed);
    }

    // 9.17: an error on open -> one retry with a re-resolved host, whose URL becomes the session's.
    void openRetriesWithFreshHost()
    {
        QWebSocketServer server("pty", QWebSocketServer::NonSecureMode);
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const QString good = QStringLiteral("127.0.0.1:%1").arg(server.serverPort());
        const QString dead = deadAddress();
        QList<bool> asked;
        PtyChannel ch(testSettings(), "r-1", [&](bool fresh) {
            asked << fresh;
            return finishedWith(this, fresh ? good : dead);
        });
        QSignalSpy connectedSpy(&ch, &PtyChannel::connected);
        ch.open();
        QTRY_COMPARE(connectedSpy.count(), 1);
        QCOMPARE(asked, (QList<bool>{false, true}));
        QCOMPARE(ch.url().port(), int(server.serverPort()));
    }

    void openFailsAfterOneRetry()
    {
        const QString dead = deadAddress();
        int asked = 0;
        PtyChannel ch(testSettings(), "r-1", [&](bool) {
            ++asked;
            return finishedWith(this, dead);
        });
        QSignalSpy errors(&ch, &PtyChannel::errorOccurred);
        QSignalSpy gone(&ch, &PtyChannel::disconnected);
        ch.open();
        QTRY_COMPARE(gone.count(), 1);
        QCOMPARE(asked, 2);
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.first().first().value<Error>().kind, ErrorKind::Connection);
    }

    // A peer that accepts the handshake and then never reads: input queues up to the cap and
    // then is refused instead of growing memory.
    void inputBufferIsBounded()
    {
        QTcpServer raw;
        QVERIFY(raw.listen(QHostAddress::LocalHost));
        QTcpSocket *peer = nullptr;
        connect(&raw, &QTcpServer::newConnection, this, [&] {
            peer = raw.nextPendingConnection();
            peer->setReadBufferSize(1); // stop reading after the handshake
            connect(peer, &QTcpSocket::readyRead, this, [&] {
                static QByteArray head;
                if (!peer->property("upgraded").toBool()) {
                    peer->setReadBufferSize(0);
                    head += peer->readAll();
                    if (!head.contains("\r\n\r\n"))
                        return;
                    QByteArray key;
                    for (const QByteArray &line : head.split('\n')) {
                        if (line.toLower().startsWith("sec-websocket-key:"))
                            key = line.mid(18).trimmed();
                    }
                    const QByteArray accept =
                        QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                                 QCryptographicHash::Sha1)
                            .toBase64();
                    peer->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                accept + "\r\n\r\n");
                    peer->setProperty("upgraded", true);
                    peer->setReadBufferSize(1);
                    head.clear();
                }
            });
        });
        const QString host = QStringLiteral("127.0.0.1:%1").arg(raw.serverPort());
        PtyChannel ch(testSettings(), "r-1", host);
        QSignalSpy connectedSpy(&ch, &PtyChannel::connected);
        QSignalSpy errors(&ch, &PtyChannel::errorOccurred);
        ch.open();
        QTRY_COMPARE(connectedSpy.count(), 1);
        const QByteArray piece(64 * 1024, 'x');
        bool refused = false;
        for (int i = 0; i < 2000 && !refused; ++i) {
            refused = !ch.sendInput(piece);
            QCoreApplication::processEvents(); // let the socket write what the kernel takes
        }
        QVERIFY(refused);
        QVERIFY(ch.queuedInputBytes() <= PtyChannel::kInputCap);
        QVERIFY(ch.queuedInputBytes() > 0);
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.first().first().value<Error>().message.contains("buffer is full"));
        // Resize and signal frames still go through (they are tiny and matter).
        QVERIFY(ch.resize(90, 20));
        ch.close();
    }
};

QTEST_GUILESS_MAIN(TestPty)
#include "tst_pty.moc"
