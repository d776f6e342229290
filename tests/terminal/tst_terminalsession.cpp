// Tests the PTY binding: output to the screen, keys and resizes to the PTY, exit notice, dropped
// connections and reconnect on Enter. capsule-local has no PTY route yet, so a small WebSocket
// server in the test speaks the contract 3.4 frames and injects exits and dropped connections.
#include "core/ptychannel.h"
#include "terminal/terminalsession.h"
#include "terminal/terminalview.h"

#include <QSignalSpy>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtEndian>
#include <QtTest>

using capsule::PtyChannel;
using capsule::terminal::TerminalSession;
using capsule::terminal::TerminalView;

namespace {

// Accepts PTY sockets and records what clients send; the test drives the "process".
class FramePtyServer : public QObject
{
public:
    FramePtyServer()
        : m_server(QStringLiteral("pty"), QWebSocketServer::NonSecureMode)
    {
        m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this); // the caller owns accepted sockets
                m_sockets.append(s);
                m_urls.append(s->requestUrl());
                connect(s, &QWebSocket::binaryMessageReceived, this,
                        [this](const QByteArray &frame) { m_frames.append(frame); });
            }
        });
    }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_server.serverPort()); }
    QWebSocket *last() const { return m_sockets.isEmpty() ? nullptr : m_sockets.last(); }
    int connections() const { return int(m_sockets.size()); }
    QList<QUrl> urls() const { return m_urls; }

    void sendStdout(const QByteArray &data) { last()->sendBinaryMessage('\x01' + data); }
    void sendExit(qint32 code)
    {
        QByteArray frame(5, '\x03');
        qToBigEndian(code, frame.data() + 1);
        last()->sendBinaryMessage(frame);
        last()->close(QWebSocketProtocol::CloseCodeNormal);
    }
    void drop() { last()->abort(); }

    QByteArray stdinBytes() const
    {
        QByteArray all;
        for (const QByteArray &f : m_frames)
            if (!f.isEmpty() && f.at(0) == '\x00')
                all += f.mid(1);
        return all;
    }
    QList<QByteArray> resizeFrames() const
    {
        QList<QByteArray> out;
        for (const QByteArray &f : m_frames)
            if (!f.isEmpty() && f.at(0) == '\x02')
                out.append(f);
        return out;
    }
    void clearFrames() { m_frames.clear(); }

private:
    QWebSocketServer m_server;
    QList<QWebSocket *> m_sockets;
    QList<QUrl> m_urls;
    QList<QByteArray> m_frames;
};

capsule::Settings settings()
{
    capsule::Settings s;
    s.operationTimeout = 10;
    return s;
}

} // namespace

class TestTerminalSession final : public QObject
{
    Q_OBJECT
private slots:
    void outputInputAndResize();
    void exitShowsCodeAndEnterReconnects();
    void droppedConnectionIsVisible();
    void unreachableHostIsVisible();
};

void TestTerminalSession::outputInputAndResize()
{
    FramePtyServer server;
    TerminalView view;
    view.resize(500, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    PtyChannel channel(settings(), QStringLiteral("r-1"), server.address(),
                       capsule::PtyOptions{view.surface()->cols(), view.surface()->rows(), {}});
    TerminalSession session(&channel, &view);
    QSignalSpy states(&session, &TerminalSession::stateChanged);
    QVERIFY(view.isReadOnly()); // nothing to type into before the PTY is there
    session.start();
    QTRY_COMPARE(session.state(), TerminalSession::State::Connected);
    QVERIFY(!view.isReadOnly());
    QCOMPARE(server.urls().first().path(), QStringLiteral("/api/v1/runners/r-1/pty"));

    // PTY output, split inside an escape sequence and a UTF-8 character, reaches the screen.
    server.sendStdout("$ \x1b[1;3");
    server.sendStdout("2mgreen\x1b[0m \xc3");
    server.sendStdout("\xa9\r\n");
    QTRY_COMPARE(view.surface()->rowText(0), QString::fromUtf8("$ green \xc3\xa9"));
    QCOMPARE(view.surface()->cell(0, 2).fgIndex, 2);

    // Keys travel as STDIN frames; terminal replies (DSR) too.
    view.setFocus();
    QTest::keyClicks(&view, QStringLiteral("ls"));
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
    server.sendStdout("\x1b[6n");
    QTRY_COMPARE(server.stdinBytes(), QByteArray("ls\x03\x1b[2;1R"));

    // A view resize becomes one RESIZE frame with the new cols/rows (debounced).
    server.clearFrames();
    const QSize cell = view.cellSize();
    view.resize(view.width() + 4 * cell.width(), view.height() + 2 * cell.height());
    view.resize(view.width() + 6 * cell.width(), view.height() + 1 * cell.height());
    QTRY_COMPARE(server.resizeFrames().size(), 1);
    const QByteArray frame = server.resizeFrames().first();
    QCOMPARE(frame.size(), 5);
    QCOMPARE(int(qFromBigEndian<quint16>(frame.constData() + 1)), view.surface()->cols());
    QCOMPARE(int(qFromBigEndian<quint16>(frame.constData() + 3)), view.surface()->rows());
    QCOMPARE(states.first().at(0).value<TerminalSession::State>(),
             TerminalSession::State::Connected);
}

void TestTerminalSession::exitShowsCodeAndEnterReconnects()
{
    FramePtyServer server;
    TerminalView view;
    view.resize(500, 300);
    PtyChannel channel(settings(), QStringLiteral("r-2"), server.address());
    TerminalSession session(&channel, &view);
    QSignalSpy exited(&session, &TerminalSession::exited);
    session.start();
    QTRY_COMPARE(session.state(), TerminalSession::State::Connected);
    // A full-screen program dies: the notice appears on the normal screen.
    server.sendStdout("prompt$ vim\r\n\x1b[?1049hVIM");
    QTRY_VERIFY(view.surface()->altScreen());
    server.sendExit(130);
    QTRY_COMPARE(session.state(), TerminalSession::State::Exited);
    QCOMPARE(exited.count(), 1);
    QCOMPARE(exited.first().at(0).toInt(), 130);
    QCOMPARE(session.exitCode(), std::optional<int>(130));
    QVERIFY(!view.surface()->altScreen());
    QVERIFY(view.surface()->screenText().contains(
        QStringLiteral("[process exited with code 130] Press Enter to reconnect.")));
    QVERIFY(view.isReadOnly());
    // The later socket close does not add a second notice.
    QTRY_COMPARE(channel.state(), PtyChannel::State::Closed);
    QCOMPARE(view.surface()->screenText().count(QStringLiteral("Press Enter")), 1);

    // Typing does nothing; Enter opens a fresh PTY.
    QTest::keyClicks(&view, QStringLiteral("x"));
    QCOMPARE(server.connections(), 1);
    QTest::keyClick(&view, Qt::Key_Return);
    QTRY_COMPARE(server.connections(), 2);
    QTRY_COMPARE(session.state(), TerminalSession::State::Connected);
    QVERIFY(!view.isReadOnly());
    QVERIFY(!session.exitCode());
    server.sendStdout("again$ ");
    QTRY_VERIFY(view.surface()->screenText().endsWith(QStringLiteral("again$")));
}

void TestTerminalSession::droppedConnectionIsVisible()
{
    FramePtyServer server;
    TerminalView view;
    view.resize(500, 300);
    PtyChannel channel(settings(), QStringLiteral("r-3"), server.address());
    TerminalSession session(&channel, &view);
    session.start();
    QTRY_COMPARE(session.state(), TerminalSession::State::Connected);
    server.sendStdout("working...");
    QTRY_COMPARE(view.surface()->rowText(0), QStringLiteral("working..."));
    server.drop();
    QTRY_COMPARE(session.state(), TerminalSession::State::Disconnected);
    QVERIFY(view.isReadOnly());
    QVERIFY(view.surface()->screenText().contains(QStringLiteral("[disconnected: ")));
    QVERIFY(view.surface()->screenText().contains(QStringLiteral("Press Enter to reconnect.")));
    session.reconnect();
    QTRY_COMPARE(session.state(), TerminalSession::State::Connected);
    QCOMPARE(server.connections(), 2);
}

void TestTerminalSession::unreachableHostIsVisible()
{
    QString dead;
    {
        QWebSocketServer probe(QStringLiteral("probe"), QWebSocketServer::NonSecureMode);
        probe.listen(QHostAddress::LocalHost);
        dead = QStringLiteral("127.0.0.1:%1").arg(probe.serverPort());
    }
    TerminalView view;
    view.resize(500, 300);
    PtyChannel channel(settings(), QStringLiteral("r-4"), dead);
    TerminalSession session(&channel, &view);
    session.start();
    QTRY_COMPARE(session.state(), TerminalSession::State::Disconnected);
    QVERIFY(!session.lastError().isEmpty());
    QVERIFY2(view.surface()->screenText().contains(QStringLiteral("r-4")),
             qPrintable(view.surface()->screenText()));
}

QTEST_MAIN(TestTerminalSession)
#include "tst_terminalsession.moc"
