// Which server the app talks to (embedded capsule-local or a remote one) and whether it answers.
#include "app/connections/serverconnection.h"
#include "app/logging.h"

#include "app/connections/embeddedserver.h"
#include "app/connections/tokenstore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSettings>

namespace capsule::app {

namespace {
constexpr int kPollMs = 5000;
constexpr qint64 kRestartWindowMs = 2 * 60 * 1000;
} // namespace

ServerConnection::ServerConnection(QObject *parent)
    : QObject(parent)
    , m_server(new EmbeddedServer(this))
    , m_tokens(new TokenStore(this))
{
    m_pollTimer.setInterval(kPollMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &ServerConnection::checkNow);
    connect(m_server, &EmbeddedServer::ready, this, [this] {
        const QString cause = std::exchange(m_restartCause, {});
        useServer(m_server->baseUrl(), m_server->token());
        if (!cause.isEmpty())
            emit notice(tr("The embedded capsule-local server stopped (%1) and was restarted; "
                           "runners it ran are gone.")
                            .arg(cause.section(QLatin1Char('\n'), 0, 0)));
    });
    connect(m_server, &EmbeddedServer::failed, this, &ServerConnection::onEmbeddedFailed);
    connect(m_server, &EmbeddedServer::exited, this, &ServerConnection::onEmbeddedExited);
    connect(m_tokens, &TokenStore::fallbackChanged, this, &ServerConnection::stateChanged);
}

ServerConnection::~ServerConnection() = default;

QString ServerConnection::savedUrl()
{
    return QSettings().value(QStringLiteral("server/url")).toString();
}

void ServerConnection::saveUrl(const QString &url)
{
    QSettings().setValue(QStringLiteral("server/url"), url);
}

double ServerConnection::savedRequestTimeout()
{
    return QSettings().value(QStringLiteral("server/requestTimeout"), 30.0).toDouble();
}

void ServerConnection::saveRequestTimeout(double seconds)
{
    QSettings().setValue(QStringLiteral("server/requestTimeout"), seconds);
}

bool ServerConnection::savedVerifyTransfers()
{
    return QSettings().value(QStringLiteral("transfers/verify"), true).toBool();
}

void ServerConnection::saveVerifyTransfers(bool on)
{
    QSettings().setValue(QStringLiteral("transfers/verify"), on);
}

bool ServerConnection::savedOwnedByRunner()
{
    return QSettings().value(QStringLiteral("transfers/ownedByRunner"), true).toBool();
}

void ServerConnection::saveOwnedByRunner(bool on)
{
    QSettings().setValue(QStringLiteral("transfers/ownedByRunner"), on);
}

void ServerConnection::start()
{
    const QString envUrl = qEnvironmentVariable("CAPSULE_BASE_URL");
    // The profile used last, unless the environment names a server (it wins, as before).
    if (envUrl.isEmpty()) {
        const ConnectionProfile last = ProfileStore::find(ProfileStore::currentId());
        if (!last.id.isEmpty() && last.kind != ConnectionProfile::Kind::Environment) {
            useProfile(last);
            return;
        }
    }
    const QString url = envUrl.isEmpty() ? savedUrl() : envUrl;
    if (url.isEmpty()) {
        startEmbedded();
        return;
    }
    const QString envToken = qEnvironmentVariable("CAPSULE_TOKEN");
    if (!envUrl.isEmpty() && qEnvironmentVariableIsSet("CAPSULE_TOKEN")) {
        connectTo(url, envToken);
        return;
    }
    m_embedded = false;
    m_baseUrl = url;
    setState(State::Connecting);
    m_tokens->read(url, [this, url](const QString &token) { connectTo(url, token); });
}

void ServerConnection::onEmbeddedExited(const QString &cause)
{
    if (m_shuttingDown || !m_embedded)
        return;
    // The old client talks to a dead port: stop polling it; the views go stale until the
    // restarted server is ready.
    m_pollTimer.stop();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_restartTimes.removeIf([now](qint64 t) { return now - t > kRestartWindowMs; });
    if (int(m_restartTimes.size()) >= m_restartLimit) {
        setState(State::Error,
                 tr("The embedded capsule-local server stopped and was not restarted (%n "
                    "restart(s) in the last two minutes already): %1",
                    nullptr, int(m_restartTimes.size()))
                     .arg(cause));
        return;
    }
    m_restartTimes << now;
    m_restartCause = cause;
    setState(State::Restarting, cause);
    // Not from inside the dead process's signal (start() replaces that QProcess).
    QTimer::singleShot(300, this, [this] {
        if (!m_shuttingDown && m_embedded && m_state == State::Restarting)
            m_server->start(m_server->dataDir());
    });
}

void ServerConnection::onEmbeddedFailed(const QString &message)
{
    const QString cause = std::exchange(m_restartCause, {});
    if (cause.isEmpty()) {
        setState(State::Error, message);
        return;
    }
    setState(State::Error, tr("The embedded capsule-local server stopped (%1) and could not be "
                              "started again: %2")
                               .arg(cause.section(QLatin1Char('\n'), 0, 0), message));
}

bool ServerConnection::isUsable() const
{
    return m_client && (m_state == State::Connected || m_state == State::Connecting);
}

void ServerConnection::startEmbedded()
{
    m_shuttingDown = false;
    m_restartTimes.clear();
    m_restartCause.clear();
    m_embedded = true;
    m_baseUrl.clear();
    m_hostCount = -1;
    setState(State::Starting);
    if (m_server->isRunning())
        m_server->stop([this] { m_server->start(); });
    else
        m_server->start();
}

void ServerConnection::useProfile(const ConnectionProfile &profile)
{
    m_profile = profile;
    m_profile.requestTimeout = profile.kind == ConnectionProfile::Kind::Saved
                                   ? profile.requestTimeout
                                   : savedRequestTimeout();
    ProfileStore::setCurrentId(profile.id);
    switch (profile.kind) {
    case ConnectionProfile::Kind::ThisComputer:
        if (!m_embedded || !m_server->isRunning() || !m_client)
            startEmbedded();
        return;
    case ConnectionProfile::Kind::Environment:
        if (qEnvironmentVariableIsSet("CAPSULE_TOKEN")) {
            connectTo(profile.baseUrl, qEnvironmentVariable("CAPSULE_TOKEN"));
            return;
        }
        break;
    case ConnectionProfile::Kind::Saved:
        break;
    }
    // Not connected to the old server any more while the token is read (views go quiet).
    m_embedded = false;
    m_baseUrl = profile.baseUrl;
    setState(State::Connecting);
    const QString id = profile.id;
    m_tokens->read(profile.baseUrl, [this, id](const QString &token) {
        if (m_profile.id == id) // not switched again meanwhile
            connectTo(m_profile.baseUrl, token);
    });
}

void ServerConnection::connectTo(const QString &baseUrl, const QString &token)
{
    m_embedded = false;
    m_restartCause.clear();
    if (m_server->isRunning())
        m_server->stop();
    useServer(baseUrl, token);
}

void ServerConnection::useServer(const QString &baseUrl, const QString &token)
{
    SettingsOverrides overrides;
    overrides.baseUrl = baseUrl;
    overrides.token = token;
    overrides.requestTimeout =
        m_profile.kind == ConnectionProfile::Kind::Saved && !m_profile.id.isEmpty()
            ? m_profile.requestTimeout
            : savedRequestTimeout();
    if (m_profile.kind == ConnectionProfile::Kind::Saved && !m_profile.id.isEmpty()) {
        overrides.startupTimeout = m_profile.startupTimeout;
        overrides.operationTimeout = m_profile.operationTimeout;
    }
    const Settings settings = Settings::resolve(overrides);
    if (m_client)
        m_client->deleteLater();
    m_sessions.clear();
    m_client = new Client(settings, this);
    m_baseUrl = settings.baseUrl;
    m_hostCount = -1;
    m_checking = false;
    setState(State::Connecting);
    emit serverChanged();
    checkNow();
    m_pollTimer.start();
}

void ServerConnection::checkNow()
{
    if (!m_client || m_checking)
        return;
    m_checking = true;
    QPointer<Client> client = m_client;
    m_client->hosts()->list()->then(
        this,
        [this, client](const HostList &reply) {
            if (client != m_client || m_state == State::Restarting)
                return;
            m_checking = false;
            m_hostCount = int(reply.hosts.size());
            setState(State::Connected);
        },
        [this, client](const Error &error) {
            if (client != m_client || m_state == State::Restarting)
                return;
            m_checking = false;
            setState(State::Error, error.toString());
        });
}

RunnerSession *ServerConnection::session(const QString &runnerId, const QString &sessionId,
                                         const QString &hostAddress)
{
    if (!m_client)
        return nullptr;
    QPointer<RunnerSession> &session = m_sessions[runnerId];
    if (!session) {
        session = new RunnerSession(m_client->hostResolver(), runnerId, sessionId, {}, hostAddress,
                                    m_client);
    } else if (!hostAddress.isEmpty()) {
        m_client->hostResolver()->cacheHost(runnerId, hostAddress);
    }
    return session;
}

void ServerConnection::shutdown(std::function<void()> done)
{
    m_shuttingDown = true;
    m_pollTimer.stop();
    m_server->stop(std::move(done));
}

void ServerConnection::setState(State state, const QString &error)
{
    if (state == m_state && error == m_error)
        return;
    m_state = state;
    m_error = error;
    qCInfo(lcConnection).noquote()
        << "connection" << QVariant::fromValue(state).toString()
        << (m_client ? m_client->settings().baseUrl : QString()) << error;
    emit stateChanged();
}

QString ServerConnection::summary() const
{
    const QString where = m_embedded ? tr("embedded") : tr("remote");
    const QString url = m_baseUrl.isEmpty() ? tr("(starting)") : m_baseUrl;
    switch (m_state) {
    case State::Idle:
        return tr("Not connected");
    case State::Starting:
        return tr("Starting the embedded capsule-local server...");
    case State::Connecting:
        return tr("Connecting to %1 (%2)...").arg(url, where);
    case State::Connected:
        if (m_hostCount == 1)
            return tr("Connected to %1 (%2), 1 host").arg(url, where);
        return tr("Connected to %1 (%2), %3 hosts").arg(url, where).arg(m_hostCount);
    case State::Error:
        return tr("Error: %1 (%2, %3)").arg(m_error.section(QLatin1Char('\n'), 0, 0), url, where);
    case State::Restarting:
        return tr("The embedded server stopped (%1); restarting it (attempt %2 of %3)...")
            .arg(m_error.section(QLatin1Char('\n'), 0, 0))
            .arg(m_restartTimes.size())
            .arg(m_restartLimit);
    }
    return {};
}

} // namespace capsule::app
