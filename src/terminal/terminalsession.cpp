// Binds a TerminalView to a runner PTY (capsule::PtyChannel): output, input, resize, exit,
// reconnect.
#include "terminal/terminalsession.h"
#include "terminal/logging.h"

#include "core/error.h"
#include "core/ptychannel.h"
#include "terminal/terminalview.h"

#include <QTimer>

namespace capsule::terminal {

namespace {
// Dragging a window edge resizes many times a second; the PTY only needs the size it settles on.
constexpr int ResizeDebounceMs = 60;
} // namespace

TerminalSession::TerminalSession(capsule::PtyChannel *channel, TerminalView *view, QObject *parent)
    : QObject(parent)
    , m_channel(channel)
    , m_view(view)
    , m_resizeTimer(new QTimer(this))
{
    m_resizeTimer->setSingleShot(true);
    m_resizeTimer->setInterval(ResizeDebounceMs);
    connect(m_resizeTimer, &QTimer::timeout, this, &TerminalSession::sendSize);

    TerminalSurface *surface = view->surface();
    connect(channel, &capsule::PtyChannel::stdout, surface, &TerminalSurface::feed);
    connect(channel, &capsule::PtyChannel::connected, this, &TerminalSession::onConnected);
    connect(channel, &capsule::PtyChannel::exited, this, &TerminalSession::onExited);
    connect(channel, &capsule::PtyChannel::disconnected, this, &TerminalSession::onDisconnected);
    connect(channel, &capsule::PtyChannel::errorOccurred, this, &TerminalSession::onError);
    connect(surface, &TerminalSurface::writeToPty, this, &TerminalSession::onInput);
    connect(view, &TerminalView::terminalSizeChanged, m_resizeTimer, qOverload<>(&QTimer::start));
    // The context menu's "Send Signal" reaches the PTY's program through a signal frame.
    connect(view, &TerminalView::signalRequested, this, [this](int signal) {
        if (m_channel && m_channel->isConnected())
            m_channel->sendSignal(signal);
    });
    if (channel->isConnected())
        onConnected();
    else
        view->setReadOnly(true);
}

TerminalSession::~TerminalSession() = default;

void TerminalSession::start()
{
    if (!m_channel || !m_view)
        return;
    setState(State::Connecting);
    m_view->setReadOnly(true);
    if (m_channel->state() == capsule::PtyChannel::State::Idle)
        m_channel->open();
    else if (m_channel->isConnected())
        onConnected();
}

void TerminalSession::reconnect()
{
    if (!m_channel || !m_view)
        return;
    m_exitCode.reset();
    m_lastError.clear();
    showNotice(tr("Reconnecting..."));
    setState(State::Connecting);
    m_view->setReadOnly(true);
    m_channel->reconnect();
}

void TerminalSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    qCDebug(capsule::terminal::lcTerminal) << "terminal session" << state;
    emit stateChanged(state);
}

void TerminalSession::onConnected()
{
    if (!m_view)
        return;
    m_view->setReadOnly(false);
    setState(State::Connected);
    // The PTY was opened with the channel's initial size; the view may have changed since.
    sendSize();
}

void TerminalSession::onExited(int code)
{
    m_exitCode = code;
    qCInfo(capsule::terminal::lcTerminal) << "terminal process exited with code" << code;
    showNotice(tr("[process exited with code %1] Press Enter to reconnect.").arg(code));
    if (m_view)
        m_view->setReadOnly(true);
    setState(State::Exited);
    emit exited(code);
}

void TerminalSession::onDisconnected()
{
    if (m_state == State::Exited)
        return; // the exit notice already says what happened
    if (m_view)
        m_view->setReadOnly(true);
    const QString reason = m_lastError.isEmpty() ? tr("connection closed") : m_lastError;
    qCInfo(capsule::terminal::lcTerminal).noquote() << "terminal disconnected:" << reason;
    showNotice(tr("[disconnected: %1] Press Enter to reconnect.").arg(reason));
    setState(State::Disconnected);
}

void TerminalSession::onError(const capsule::Error &error)
{
    m_lastError = error.toString();
}

void TerminalSession::onInput(const QByteArray &data)
{
    if (!m_channel)
        return;
    if (m_state == State::Connected) {
        m_channel->sendInput(data);
        return;
    }
    // While exited or disconnected the only key that means something is Enter: reconnect.
    if ((m_state == State::Exited || m_state == State::Disconnected) && data.contains('\r'))
        reconnect();
}

void TerminalSession::sendSize()
{
    if (!m_channel || !m_view || !m_channel->isConnected())
        return;
    m_channel->resize(m_view->surface()->cols(), m_view->surface()->rows());
}

void TerminalSession::showNotice(const QString &text)
{
    if (!m_view)
        return;
    // Reset attributes first so the notice never inherits a program's colours; yellow stands out
    // from shell output the way VS Code's "terminal process exited" line does.
    // Error texts can carry a server's close reason: no control characters reach the emulator.
    QString clean = text;
    clean.removeIf([](QChar ch) { return ch.category() == QChar::Other_Control; });
    TerminalSurface *surface = m_view->surface();
    QByteArray out;
    if (surface->altScreen())
        out += "\x1b[?1049l"; // a full-screen program died: back to the shell's screen
    out += "\x1b[0m";
    if (surface->cursor().x() != 0)
        out += "\r\n";
    surface->feed(out + "\x1b[33m" + clean.toUtf8() + "\x1b[0m\r\n");
}

} // namespace capsule::terminal
