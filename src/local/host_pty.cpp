// PTY route (contract 3.4): a WebSocket relaying binary frames to a terminal in the sandbox.
#include "local/common.h"
#include "local/host_http.h"
#include "local/runneraccess.h"
#include "local/sandbox.h"

#include <QPointer>
#include <QSocketNotifier>
#include <QThreadPool>
#include <QUrlQuery>
#include <QWebSocket>
#include <QtEndian>

#include <algorithm>
#include <csignal>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace capsule::local {

namespace {

enum : char { Stdin = 0, Stdout = 1, Resize = 2, Exit = 3, Signal = 4 };

// Flow control: the PTY is not read while more than this many bytes of output sit unsent in the
// WebSocket; the kernel's PTY buffer then fills and the program's write() blocks, so a flood
// (`yes`, endless `seq`) neither grows memory nor leaves a backlog that delays Ctrl+C. Reading
// resumes below the low mark.
constexpr qint64 OutputHighWater = 256 * 1024;
constexpr qint64 OutputLowWater = 64 * 1024;
// Input the program has not read yet is queued up to this much; beyond it input is dropped.
constexpr qint64 MaxPendingStdin = 8 * 1024 * 1024;

class PtySession : public QObject
{
public:
    PtySession(QWebSocket *ws, Sandbox *sandbox, QObject *parent)
        : QObject(parent)
        , m_ws(ws)
        , m_sandbox(sandbox)
    {
        ws->setParent(this);
    }

    ~PtySession() override
    {
        if (m_pid > 0 && !m_exited) {
            // Runner going away or server shutting down: hang up, then make sure it ends.
            if (m_sandbox)
                m_sandbox->signalProcess(m_pid, SIGHUP);
            ::kill(pid_t(m_pid), SIGKILL);
            if (::waitpid(pid_t(m_pid), nullptr, WNOHANG) == 0) {
                // Not gone yet: reap it off the event loop (the pool is drained at exit).
                const pid_t pid = pid_t(m_pid);
                QThreadPool::globalInstance()->start([pid] { ::waitpid(pid, nullptr, 0); });
            }
        }
        if (m_master >= 0)
            ::close(m_master);
        if (m_pidfd >= 0)
            ::close(m_pidfd);
    }

    void start(const HostRunner &runner)
    {
        const QUrlQuery q = formQuery(m_ws->requestUrl());
        bool ok1 = false, ok2 = false;
        const uint cols = q.queryItemValue(QStringLiteral("cols")).toUInt(&ok1);
        const uint rows = q.queryItemValue(QStringLiteral("rows")).toUInt(&ok2);
        const bool sizeOk = ok1 && ok2 && cols > 0 && rows > 0 && cols <= 65535 && rows <= 65535;
        QString command = q.queryItemValue(QStringLiteral("command"), QUrl::FullyDecoded);
        if (command.isEmpty())
            command = QStringLiteral("/bin/bash");
        QString error;
        if (m_sandbox)
            m_pid = m_sandbox->startPty({command}, runner.env, QString(), sizeOk ? int(cols) : 80,
                                        sizeOk ? int(rows) : 24, &m_master, &error);
        else
            error = QStringLiteral("runner is gone");
        if (m_pid <= 0) {
            m_ws->sendBinaryMessage(QByteArray(1, Stdout) + "pty start failed: " + error.toUtf8());
            sendExit(1);
            m_ws->close(QWebSocketProtocol::CloseCodeBadOperation,
                        QStringLiteral("pty start failed"));
            m_exited = true;
            deleteLater();
            return;
        }
        m_readNotifier = new QSocketNotifier(m_master, QSocketNotifier::Read, this);
        connect(m_readNotifier, &QSocketNotifier::activated, this, [this] { readPty(); });
        m_pidfd = int(::syscall(SYS_pidfd_open, pid_t(m_pid), 0));
        if (m_pidfd >= 0) {
            auto *exitNotifier = new QSocketNotifier(m_pidfd, QSocketNotifier::Read, this);
            connect(exitNotifier, &QSocketNotifier::activated, this, [this, exitNotifier] {
                exitNotifier->setEnabled(false);
                processExited();
            });
        }
        connect(m_ws, &QWebSocket::bytesWritten, this, [this](qint64 bytes) {
            m_unsent = std::max<qint64>(0, m_unsent - bytes);
            if (m_throttled && m_unsent <= OutputLowWater) {
                m_throttled = false;
                if (!m_exited && m_readNotifier)
                    m_readNotifier->setEnabled(true);
                readPty();
            }
        });
        connect(m_ws, &QWebSocket::binaryMessageReceived, this, &PtySession::frame);
        connect(m_ws, &QWebSocket::textMessageReceived, this,
                [this](const QString &text) { frame(text.toUtf8()); });
        connect(m_ws, &QWebSocket::disconnected, this, [this] {
            m_clientGone = true;
            m_throttled = false;
            if (m_readNotifier && !m_exited)
                m_readNotifier->setEnabled(true); // drain (and drop) until the hang-up lands
            if (!m_exited && m_sandbox)
                m_sandbox->signalProcess(m_pid, SIGHUP);
            if (m_exited)
                deleteLater();
        });
    }

private:
    void frame(const QByteArray &data)
    {
        if (data.isEmpty() || m_exited)
            return;
        switch (data.at(0)) {
        case Stdin:
            // Queued and written as the terminal takes it: a full input queue never stalls the
            // event loop (it used to spin here with usleep).
            if (m_stdin.size() + data.size() - 1 > MaxPendingStdin)
                return; // the program has not read 8 MiB of input: drop, as a full tty would
            m_stdin += data.mid(1);
            writeStdin();
            break;
        case Resize: {
            if (data.size() < 5)
                return;
            struct winsize ws = {};
            ws.ws_col = qFromBigEndian<quint16>(data.constData() + 1);
            ws.ws_row = qFromBigEndian<quint16>(data.constData() + 3);
            if (ws.ws_col > 0 && ws.ws_row > 0)
                ::ioctl(m_master, TIOCSWINSZ, &ws); // the kernel sends SIGWINCH
            break;
        }
        case Signal:
            if (data.size() >= 2 && m_sandbox && data.at(1) > 0 && data.at(1) < 65)
                m_sandbox->signalProcess(m_pid, int(quint8(data.at(1))));
            break;
        default:
            break;
        }
    }

    void writeStdin()
    {
        while (!m_stdin.isEmpty()) {
            const ssize_t n = ::write(m_master, m_stdin.constData(), size_t(m_stdin.size()));
            if (n > 0) {
                m_stdin.remove(0, n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN) { // the terminal's input queue is full: wait for room
                if (!m_writeNotifier) {
                    m_writeNotifier = new QSocketNotifier(m_master, QSocketNotifier::Write, this);
                    connect(m_writeNotifier, &QSocketNotifier::activated, this,
                            [this] { writeStdin(); });
                }
                m_writeNotifier->setEnabled(true);
                return;
            }
            m_stdin.clear(); // EIO: the program is gone
        }
        if (m_writeNotifier)
            m_writeNotifier->setEnabled(false);
    }

    void readPty()
    {
        char buf[16384];
        while (!m_throttled) {
            const ssize_t n = ::read(m_master, buf, sizeof buf);
            if (n > 0) {
                if (!m_clientGone) {
                    // bytesWritten counts frame bytes: payload plus the server's unmasked header.
                    const qint64 payload =
                        m_ws->sendBinaryMessage(QByteArray(1, Stdout) + QByteArray(buf, int(n)));
                    m_unsent += payload + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
                    if (m_unsent > OutputHighWater) {
                        m_throttled = true;
                        m_readNotifier->setEnabled(false);
                    }
                }
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0 || errno != EAGAIN)
                m_readNotifier->setEnabled(false); // EIO: every slave fd is closed
            return;
        }
    }

    void processExited()
    {
        int status = 0;
        if (::waitpid(pid_t(m_pid), &status, WNOHANG) != pid_t(m_pid))
            return;
        m_exited = true;
        m_throttled = false; // the rest of the output is bounded by the PTY's buffer
        readPty();           // output written just before the exit
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (!m_clientGone) {
            sendExit(code);
            m_ws->close(QWebSocketProtocol::CloseCodeNormal);
        }
        deleteLater();
    }

    void sendExit(int code)
    {
        QByteArray frame(5, Exit);
        qToBigEndian<qint32>(code, frame.data() + 1);
        m_ws->sendBinaryMessage(frame);
        m_ws->flush();
    }

    QWebSocket *m_ws;
    QPointer<Sandbox> m_sandbox;
    qint64 m_pid = -1;
    int m_master = -1;
    int m_pidfd = -1;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr; // only while stdin waits for room
    QByteArray m_stdin;                         // input not yet taken by the terminal
    bool m_exited = false;
    bool m_clientGone = false;
    qint64 m_unsent = 0; // output bytes handed to the WebSocket and not yet written out
    bool m_throttled = false;
};

} // namespace

QObject *startPty(QWebSocket *socket, const HostRunner &runner, QObject *parent)
{
    auto *session = new PtySession(socket, runner.sandbox, parent);
    session->start(runner);
    return session;
}

} // namespace capsule::local
