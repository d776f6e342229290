// Which server the app talks to (embedded capsule-local or a remote one) and whether it answers.
#pragma once

#include "app/connections/profiles.h"

#include "core/client.h"
#include "core/runnersession.h"

#include <QHash>

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>

namespace capsule::app {

class EmbeddedServer;
class TokenStore;

// Owns the core Client of the current server. With no CAPSULE_BASE_URL and no server URL in the
// settings it starts capsule-local itself; otherwise it connects to the remote URL with the token
// from CAPSULE_TOKEN or the token store. A periodic hosts call keeps the status current.
class ServerConnection : public QObject
{
    Q_OBJECT
public:
    // Restarting: the embedded server stopped and is being started again (views are stale).
    enum class State { Idle, Starting, Connecting, Connected, Error, Restarting };
    Q_ENUM(State)

    explicit ServerConnection(QObject *parent = nullptr);
    ~ServerConnection() override;

    // Picks embedded or remote from the environment and the saved settings.
    void start();
    void startEmbedded();
    void connectTo(const QString &baseUrl, const QString &token);
    // Switches to a connection profile (This computer, Environment or a saved server with its
    // token from the store and its timeouts) and remembers it as the one to start on.
    void useProfile(const ConnectionProfile &profile);
    // The profile in use; "" when connected without one (connectTo, tests).
    QString profileId() const { return m_profile.id; }
    const ConnectionProfile &profile() const { return m_profile; }
    // Stops the embedded server (if any) for good (no restart); `done` runs when it is gone.
    void shutdown(std::function<void()> done);
    // How many times the embedded server is restarted within two minutes after it stops on its
    // own (default 3); 0 never restarts it.
    void setRestartLimit(int restarts) { m_restartLimit = restarts; }
    // A client exists and the server answers (or is being asked for the first time): the views
    // and their actions may be used. False while the server is down or restarting.
    bool isUsable() const;

    // Null until a server is known; replaced on reconnect (listen to serverChanged()).
    Client *client() const { return m_client; }
    // One RunnerSession per runner (exec, files, PTY through the client's host cache).
    RunnerSession *session(const QString &runnerId, const QString &sessionId = {},
                           const QString &hostAddress = {});
    State state() const { return m_state; }
    bool isEmbedded() const { return m_embedded; }
    QString baseUrl() const { return m_baseUrl; }
    int hostCount() const { return m_hostCount; }
    QString errorMessage() const { return m_error; }
    TokenStore *tokenStore() const { return m_tokens; }
    EmbeddedServer *embeddedServer() const { return m_server; }
    // Plain-language one-liner for the status bar.
    QString summary() const;

    // Saved connection settings (empty URL = embedded).
    static QString savedUrl();
    static void saveUrl(const QString &url);
    static double savedRequestTimeout();
    static void saveRequestTimeout(double seconds);
    // Transfers started from the app compare sha256 in the runner and here (default on).
    static bool savedVerifyTransfers();
    static void saveVerifyTransfers(bool on);
    // Uploads, new folders and writes from the app belong to the runner's user (default on).
    static bool savedOwnedByRunner();
    static void saveOwnedByRunner(bool on);

    // How often the connection is checked while connected (the Preferences' refresh interval).
    void setPollInterval(int ms) { m_pollTimer.setInterval(ms); }
    int pollInterval() const { return m_pollTimer.interval(); }

public slots:
    void checkNow();

signals:
    void stateChanged();
    // A new Client is in place: views drop their data and refresh.
    void serverChanged();
    // Something the user should see once, e.g. "the embedded server stopped and was restarted".
    void notice(const QString &text);

private:
    void setState(State state, const QString &error = {});
    void useServer(const QString &baseUrl, const QString &token);
    void onEmbeddedExited(const QString &cause);
    void onEmbeddedFailed(const QString &message);

    EmbeddedServer *m_server = nullptr;
    TokenStore *m_tokens = nullptr;
    QPointer<Client> m_client;
    QHash<QString, QPointer<RunnerSession>> m_sessions;
    QTimer m_pollTimer;
    State m_state = State::Idle;
    bool m_embedded = false;
    bool m_checking = false;
    QString m_baseUrl;
    QString m_error;
    int m_hostCount = -1;
    int m_restartLimit = 3;
    QList<qint64> m_restartTimes; // ms since the epoch, within the restart window
    QString m_restartCause;       // why the embedded server stopped, while restarting
    bool m_shuttingDown = false;
    ConnectionProfile m_profile; // timeouts of the current profile (defaults without one)
};

} // namespace capsule::app
