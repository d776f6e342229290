// Binds a TerminalView to a runner PTY (capsule::PtyChannel): output, input, resize, exit,
// reconnect.
#pragma once

#include "core/ptychannel.h"

#include <QObject>
#include <QPointer>
#include <optional>

class QTimer;

namespace capsule::terminal {

class TerminalView;

// The session does not own the channel or the view. When the process exits or the connection
// drops, the view turns read-only and shows why; Enter (or reconnect()) opens a fresh PTY.
class TerminalSession : public QObject
{
    Q_OBJECT
public:
    enum class State { Connecting, Connected, Exited, Disconnected };
    Q_ENUM(State)

    TerminalSession(capsule::PtyChannel *channel, TerminalView *view, QObject *parent = nullptr);
    ~TerminalSession() override;

    State state() const { return m_state; }
    std::optional<int> exitCode() const { return m_exitCode; }
    QString lastError() const { return m_lastError; }
    capsule::PtyChannel *channel() const { return m_channel; }
    TerminalView *view() const { return m_view; }

    // Opens the channel (if idle) with the view's current size.
    void start();

public slots:
    void reconnect();

signals:
    void stateChanged(capsule::terminal::TerminalSession::State state);
    void exited(int code);

private:
    void setState(State state);
    void onConnected();
    void onExited(int code);
    void onDisconnected();
    void onError(const capsule::Error &error);
    void onInput(const QByteArray &data);
    void sendSize();
    void showNotice(const QString &text);

    QPointer<capsule::PtyChannel> m_channel;
    QPointer<TerminalView> m_view;
    QTimer *m_resizeTimer;
    State m_state = State::Connecting;
    std::optional<int> m_exitCode;
    QString m_lastError;
};

} // namespace capsule::terminal
