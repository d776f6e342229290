// Which server the app talks to (embedded capsule-local or a remote one) and whether it answers.
#pragma once

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
    enum class State { Idle, Starting, Connecting, Connected, Error };
    Q_ENUM(State)

    explicit ServerConnection(QObject *parent = nullptr);
    ~ServerConnection() override;

    // Picks embedded or remote from the environment and the saved settings.
    void start();
    void startEmbedded();
    void connectTo(const QString &baseUrl, const QString &token);
    // Stops the embedded server (if any); `done` runs when it is gone.
    void shutdown(std::function<void()> done);

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

public slots:
    void checkNow();

signals:
    void stateChanged();
    // A new Client is in place: views drop their data and refresh.
    void serverChanged();

private:
    void setState(State state, const QString &error = {});
    void useServer(const QString &baseUrl, const QString &token);

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
};

} // namespace capsule::app
