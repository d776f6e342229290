// PTY channel: WebSocket lifecycle, one re-resolving retry on open, frame codec, input buffering.
#include "core/ptychannel.h"
#include "core/logging.h"

#include "core/files.h"
#include "core/http.h"

#include <QNetworkRequest>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>
#include <QtEndian>

namespace capsule {

PtyChannel::PtyChannel(Settings settings, QString runnerId, HostProvider hosts, PtyOptions options,
                       QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_runnerId(std::move(runnerId))
    , m_hosts(std::move(hosts))
    , m_options(std::move(options))
{}

PtyChannel::PtyChannel(Settings settings, QString runnerId, QString hostAddress, PtyOptions options,
                       QObject *parent)
    : PtyChannel(
          std::move(settings), std::move(runnerId),
          [this, hostAddress](bool) {
              auto *job = new ResultJob<QString>(this);
              // Finish on the next turn of the event loop so callers can connect first.
              QTimer::singleShot(0, job, [job, hostAddress] { job->succeedWith(hostAddress); });
              return job;
          },
          std::move(options), parent)
{}

PtyChannel::~PtyChannel()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QUrl PtyChannel::buildUrl(const QString &hostAddress, const QString &runnerId, int cols, int rows,
                          const QString &command)
{
    QList<QPair<QString, QString>> items{{QStringLiteral("cols"), QString::number(cols)},
                                         {QStringLiteral("rows"), QString::number(rows)}};
    if (!command.isEmpty())
        items.append({QStringLiteral("command"), command});
    QUrl url =
        Http::hostWebSocketUrl(hostAddress, QStringLiteral("/api/v1/runners/%1/pty").arg(runnerId));
    url.setQuery(files::formEncode(items, true), QUrl::StrictMode);
    return url;
}

QByteArray PtyChannel::stdinFrame(const QByteArray &data)
{
    QByteArray f;
    f.reserve(data.size() + 1);
    f.append(char(Stdin));
    f.append(data);
    return f;
}

QByteArray PtyChannel::resizeFrame(int cols, int rows)
{
    QByteArray f(5, Qt::Uninitialized);
    f[0] = char(Resize);
    qToBigEndian<quint16>(quint16(qBound(0, cols, 0xffff)), f.data() + 1);
    qToBigEndian<quint16>(quint16(qBound(0, rows, 0xffff)), f.data() + 3);
    return f;
}

QByteArray PtyChannel::signalFrame(int signal)
{
    QByteArray f(2, Qt::Uninitialized);
    f[0] = char(Signal);
    f[1] = char(quint8(signal));
    return f;
}

PtyChannel::Frame PtyChannel::parseFrame(const QByteArray &frame)
{
    if (frame.isEmpty())
        return {Stdout, {}};
    return {quint8(frame.at(0)), frame.mid(1)};
}

void PtyChannel::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    qCDebug(lcPty) << "pty channel" << int(s);
    emit stateChanged(s);
}

void PtyChannel::open()
{
    if (m_state == State::Resolving || m_state == State::Connecting || m_state == State::Connected)
        return;
    m_attempt = 0;
    m_closing = false;
    m_exitCode.reset();
    m_queue.clear();
    m_queuedBytes = 0;
    m_inFlight = 0;
    startAttempt(false);
}

void PtyChannel::reconnect()
{
    close();
    setState(State::Idle);
    open();
}

void PtyChannel::startAttempt(bool freshHost)
{
    setState(State::Resolving);
    ResultJob<QString> *job = m_hosts(freshHost);
    m_resolveJob = job;
    auto onDone = [this, job] {
        if (m_resolveJob == job)
            m_resolveJob = nullptr;
        job->deleteLater();
        if (m_state != State::Resolving)
            return; // closed meanwhile
        if (job->hasError()) {
            setState(State::Closed);
            emit errorOccurred(job->error());
            emit disconnected();
            return;
        }
        connectTo(job->result());
    };
    // The cache answers with an already finished job: continue from the event loop all the same.
    if (job->isFinished())
        QTimer::singleShot(0, this, onDone);
    else
        connect(job, &Job::finished, this, onDone);
}

void PtyChannel::connectTo(const QString &hostAddress)
{
    dropSocket();
    if (m_state != State::Resolving)
        return; // closed while resolving
    m_url = buildUrl(hostAddress, m_runnerId, m_options.cols, m_options.rows, m_options.command);
    QNetworkRequest req(m_url);
    req.setRawHeader("User-Agent", Settings::userAgent().toUtf8());
    req.setRawHeader("X-Request-Id", QUuid::createUuid().toString(QUuid::WithoutBraces).toLatin1());
    // Upstream hosts ignore it; capsule-local requires it on host routes unless --open-host.
    if (m_settings.hasToken())
        req.setRawHeader("Authorization", "Bearer " + m_settings.token->toUtf8());
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    // Flow control: what the terminal has not consumed stays in the kernel, so TCP pushes back
    // on the host agent (which then stops reading the PTY) instead of growing a queue here.
    m_socket->setReadBufferSize(kReadBuffer);
    connect(m_socket, &QWebSocket::connected, this, &PtyChannel::onConnected);
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            &PtyChannel::onSocketError);
    connect(m_socket, &QWebSocket::disconnected, this, &PtyChannel::onSocketDisconnected);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &PtyChannel::onFrame);
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { onFrame(text.toUtf8()); });
    connect(m_socket, &QWebSocket::bytesWritten, this, &PtyChannel::onBytesWritten);
    if (!m_openTimer) {
        m_openTimer = new QTimer(this);
        m_openTimer->setSingleShot(true);
        connect(m_openTimer, &QTimer::timeout, this, [this] {
            if (m_state != State::Connecting)
                return;
            dropSocket();
            Error e(ErrorKind::RequestTimeout,
                    tr("Opening the terminal of runner %1 timed out.").arg(m_runnerId));
            e.operation = QStringLiteral("host_request");
            setState(State::Closed);
            emit errorOccurred(e);
            emit disconnected();
        });
    }
    if (m_settings.operationTimeout > 0)
        m_openTimer->start(int(m_settings.operationTimeout * 1000));
    setState(State::Connecting);
    m_socket->open(req);
}

void PtyChannel::onConnected()
{
    m_openTimer->stop();
    setState(State::Connected);
    // A connection that goes silent (host gone without a FIN, a stalled proxy) would otherwise
    // look like an idle shell for ever: ping it, and give up after the operation timeout without
    // a frame or pong (issue 10, tst_fault_proxy pty/stall-after-open).
    if (m_settings.operationTimeout > 0) {
        m_lastHeard.start();
        connect(m_socket, &QWebSocket::pong, this, [this] { m_lastHeard.restart(); });
        if (!m_keepAlive) {
            m_keepAlive = new QTimer(this);
            connect(m_keepAlive, &QTimer::timeout, this, &PtyChannel::keepAlive);
        }
        m_keepAlive->start(int(qBound(250.0, m_settings.operationTimeout * 1000 / 4, 15000.0)));
    }
    emit connected();
}

void PtyChannel::keepAlive()
{
    if (!m_socket || m_state != State::Connected) {
        m_keepAlive->stop();
        return;
    }
    if (m_lastHeard.elapsed() < qint64(m_settings.operationTimeout * 1000)) {
        m_socket->ping();
        return;
    }
    dropSocket();
    setState(State::Closed);
    Error e(ErrorKind::RequestTimeout,
            tr("Terminal connection lost: no answer from the host for %1 s.")
                .arg(m_settings.operationTimeout));
    e.operation = QStringLiteral("stream");
    emit errorOccurred(e);
    emit disconnected();
}

void PtyChannel::openFailed(const QString &reason)
{
    m_openTimer->stop();
    dropSocket();
    if (m_attempt == 0 && !m_closing) {
        // Contract 1.6: one retry after re-resolving the host; its URL becomes ours.
        ++m_attempt;
        startAttempt(true);
        return;
    }
    setState(State::Closed);
    emit errorOccurred(
        Error(ErrorKind::Connection,
              tr("Cannot open the terminal of runner %1: %2").arg(m_runnerId, reason)));
    emit disconnected();
}

void PtyChannel::onSocketError()
{
    if (!m_socket)
        return;
    const QString reason = m_socket->errorString();
    if (m_state == State::Connecting) {
        openFailed(reason);
        return;
    }
    if (m_state == State::Connected && !m_closing && !m_exitCode)
        emit errorOccurred(
            Error(ErrorKind::Connection, tr("Terminal connection lost: %1").arg(reason)));
}

void PtyChannel::onSocketDisconnected()
{
    if (!m_socket)
        return;
    if (m_state == State::Connecting) {
        // Some failures (refused, handshake rejected) end with disconnected() and no error().
        const QString reason = m_socket->errorString();
        openFailed(reason.isEmpty() ? tr("connection closed") : reason);
        return;
    }
    const auto code = m_socket->closeCode();
    const QString reason = m_socket->closeReason();
    const bool wasConnected = m_state == State::Connected;
    dropSocket();
    if (!wasConnected)
        return;
    setState(State::Closed);
    if (!m_closing && !m_exitCode && code != QWebSocketProtocol::CloseCodeNormal)
        emit errorOccurred(
            Error(ErrorKind::Connection,
                  reason.isEmpty() ? tr("The terminal connection closed (code %1).").arg(int(code))
                                   : tr("The terminal connection closed: %1").arg(reason)));
    emit disconnected();
}

void PtyChannel::onFrame(const QByteArray &bytes)
{
    m_lastHeard.restart();
    const Frame f = parseFrame(bytes);
    switch (f.type) {
    case Stdout:
        if (!f.payload.isEmpty())
            emit stdout(f.payload);
        break;
    case Exit:
        if (f.payload.size() >= 4) {
            m_exitCode = qFromBigEndian<qint32>(f.payload.constData());
            emit exited(*m_exitCode);
        }
        break;
    default:
        break; // unknown types are ignored (contract 3.4)
    }
}

void PtyChannel::close()
{
    m_closing = true;
    if (m_resolveJob)
        m_resolveJob->cancel();
    if (m_openTimer)
        m_openTimer->stop();
    if (!m_socket) {
        if (m_state != State::Idle && m_state != State::Closed) {
            setState(State::Closed);
            emit disconnected();
        }
        return;
    }
    if (m_state == State::Connected) {
        m_socket->close();
        // disconnected() follows from the socket
        return;
    }
    dropSocket();
    setState(State::Closed);
    emit disconnected();
}

void PtyChannel::dropSocket()
{
    if (m_keepAlive)
        m_keepAlive->stop();
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

bool PtyChannel::notConnected()
{
    emit errorOccurred(Error(ErrorKind::Value, tr("PTY channel is not connected.") +
                                                   QStringLiteral(" (not connected)")));
    return false;
}

bool PtyChannel::sendInput(const QByteArray &data)
{
    if (m_state != State::Connected)
        return notConnected();
    if (data.isEmpty())
        return true;
    return enqueue(stdinFrame(data), true);
}

bool PtyChannel::resize(int cols, int rows)
{
    m_options.cols = cols;
    m_options.rows = rows;
    if (m_state != State::Connected)
        return notConnected();
    return enqueue(resizeFrame(cols, rows), false);
}

bool PtyChannel::sendSignal(int signal)
{
    if (m_state != State::Connected)
        return notConnected();
    return enqueue(signalFrame(signal), false);
}

bool PtyChannel::enqueue(QByteArray frame, bool mayRefuse)
{
    if (m_queue.isEmpty() && m_inFlight < kHighWater) {
        m_inFlight += frame.size();
        m_socket->sendBinaryMessage(frame);
        return true;
    }
    if (mayRefuse && m_queuedBytes + frame.size() > kInputCap) {
        emit errorOccurred(
            Error(ErrorKind::Io, tr("Terminal input buffer is full (%1 bytes waiting); %2 bytes "
                                    "of input were dropped.")
                                     .arg(m_queuedBytes)
                                     .arg(frame.size() - 1)));
        return false;
    }
    m_queuedBytes += frame.size();
    m_queue.append(std::move(frame));
    return true;
}

void PtyChannel::onBytesWritten(qint64 bytes)
{
    m_inFlight = qMax<qint64>(0, m_inFlight - bytes);
    flush();
}

void PtyChannel::flush()
{
    while (m_socket && !m_queue.isEmpty() && m_inFlight < kHighWater) {
        QByteArray f = m_queue.takeFirst();
        m_queuedBytes -= f.size();
        m_inFlight += f.size();
        m_socket->sendBinaryMessage(f);
    }
}

} // namespace capsule
