// Interactive PTY on a runner over a WebSocket (contract 3.4): URL, frames, bounded input buffer.
#pragma once

#include "core/error.h"
#include "core/job.h"
#include "core/settings.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <functional>
#include <optional>

class QTimer;
class QWebSocket;

namespace capsule {

struct PtyOptions
{
    int cols = 80;
    int rows = 24;
    QString command; // one executable path, no arguments (the agent does not split); empty = bash
};

// One PTY session. open() resolves the runner's host, connects, and emits connected(); output
// arrives through stdout(); the process end through exited(code) followed by disconnected().
// A failed open is retried once after re-resolving the host (contract 1.6); later failures are
// reported through errorOccurred() and disconnected(). reconnect() opens a fresh session (the old
// process got SIGHUP when its socket closed).
//
// Outgoing input: frames are handed to the socket while less than kHighWater bytes are still
// unwritten; beyond that they wait in a local queue of at most kInputCap bytes. Input that would
// exceed the cap is refused (sendInput returns false and errorOccurred reports how many bytes
// were dropped): a stuck connection must not grow memory without bound. Resize and signal frames
// are never refused.
class PtyChannel : public QObject
{
    Q_OBJECT
public:
    enum FrameType : quint8 { Stdin = 0, Stdout = 1, Resize = 2, Exit = 3, Signal = 4 };
    enum class State { Idle, Resolving, Connecting, Connected, Closed };
    Q_ENUM(State)

    static constexpr qint64 kHighWater = 256 * 1024;
    static constexpr qint64 kInputCap = 4 * 1024 * 1024;
    static constexpr qint64 kReadBuffer = 1024 * 1024; // unread output beyond this stays in TCP

    // Gives the host address of the runner: fresh=false may use the cache, fresh=true re-resolves.
    using HostProvider = std::function<ResultJob<QString> *(bool fresh)>;

    PtyChannel(Settings settings, QString runnerId, HostProvider hosts, PtyOptions options = {},
               QObject *parent = nullptr);
    // A channel to a known host address (no re-resolution).
    PtyChannel(Settings settings, QString runnerId, QString hostAddress, PtyOptions options = {},
               QObject *parent = nullptr);
    ~PtyChannel() override;

    // ws://<host>/api/v1/runners/<id>/pty?cols=&rows=[&command=], form-encoded in that order.
    static QUrl buildUrl(const QString &hostAddress, const QString &runnerId, int cols, int rows,
                         const QString &command = {});
    static QByteArray stdinFrame(const QByteArray &data);
    static QByteArray resizeFrame(int cols, int rows);
    static QByteArray signalFrame(int signal);
    struct Frame
    {
        quint8 type = Stdout;
        QByteArray payload;
    };
    // An empty frame reads as an empty STDOUT frame, like the SDK.
    static Frame parseFrame(const QByteArray &frame);

    QString runnerId() const { return m_runnerId; }
    QUrl url() const { return m_url; } // the URL of the last (or current) connection attempt
    State state() const { return m_state; }
    bool isConnected() const { return m_state == State::Connected; }
    std::optional<int> exitCode() const { return m_exitCode; }
    qint64 queuedInputBytes() const { return m_queuedBytes; }
    const PtyOptions &options() const { return m_options; }

public slots:
    void open();
    void reconnect();
    void close();
    // False (and errorOccurred) when not connected ("not connected") or the input cap is reached.
    bool sendInput(const QByteArray &data);
    bool sendText(const QString &text) { return sendInput(text.toUtf8()); }
    bool resize(int cols, int rows);
    bool sendSignal(int signal);

signals:
    void connected();
    void stdout(const QByteArray &data);
    void exited(int code);
    void disconnected();
    void errorOccurred(const capsule::Error &error);
    void stateChanged(capsule::PtyChannel::State state);

private:
    void startAttempt(bool freshHost);
    void connectTo(const QString &hostAddress);
    void onConnected();
    void onSocketError();
    void openFailed(const QString &reason);
    void onSocketDisconnected();
    void onFrame(const QByteArray &frame);
    void onBytesWritten(qint64 bytes);
    bool enqueue(QByteArray frame, bool mayRefuse);
    void flush();
    void setState(State s);
    void dropSocket();
    bool notConnected();
    void keepAlive();

    Settings m_settings;
    QString m_runnerId;
    HostProvider m_hosts;
    PtyOptions m_options;
    QUrl m_url;
    State m_state = State::Idle;
    QWebSocket *m_socket = nullptr;
    QTimer *m_openTimer = nullptr;
    QTimer *m_keepAlive = nullptr; // pings an open connection; silence > timeout = lost
    QElapsedTimer m_lastHeard;     // since the last frame or pong from the host
    QPointer<Job> m_resolveJob;
    int m_attempt = 0;
    bool m_closing = false;
    std::optional<int> m_exitCode;
    QList<QByteArray> m_queue;
    qint64 m_queuedBytes = 0;
    qint64 m_inFlight = 0;
};

} // namespace capsule
