// Connection profiles: the servers the app knows. "This computer" (the embedded capsule-local)
// is built in; CAPSULE_BASE_URL/CAPSULE_TOKEN appear as "Environment" when set; the rest are
// saved in QSettings (tokens in the TokenStore, keyed by the base URL as before).
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>

namespace capsule {
class Client;
}

namespace capsule::app {

struct ConnectionProfile
{
    enum class Kind { ThisComputer, Environment, Saved };
    Kind kind = Kind::Saved;
    QString id;      // "local", "env", or a generated id for saved ones
    QString name;    // what the switcher shows
    QString baseUrl; // empty for This computer
    double requestTimeout = 30;
    double startupTimeout = 45;
    double operationTimeout = 120;

    bool isBuiltIn() const { return kind != Kind::Saved; }
    bool operator==(const ConnectionProfile &other) const = default;
};

class ProfileStore
{
public:
    static constexpr const char *kLocalId = "local";
    static constexpr const char *kEnvironmentId = "env";

    // This computer, Environment (when CAPSULE_BASE_URL is set), then the saved ones.
    static QList<ConnectionProfile> all();
    static QList<ConnectionProfile> saved();
    static void save(const QList<ConnectionProfile> &profiles); // the saved ones only
    // The profile with that id; an empty id when there is none.
    static ConnectionProfile find(const QString &id);
    static QString newId();
    // The profile used last (the app starts on it); "" = pick as before (env, url, embedded).
    static QString currentId();
    static void setCurrentId(const QString &id);
    // "" when the name and URL are fine, else the problem in words.
    static QString validate(const ConnectionProfile &profile);
    // QSettings group of what the window remembers per profile (tab, selection, columns).
    static QString stateGroup(const QString &profileId);
};

// Asks a server whether it answers before the app switches to it: GET /api/v1/hosts with the
// profile's URL and token on a client of its own (nothing of the current connection changes).
class HealthCheck : public QObject
{
    Q_OBJECT
public:
    struct Result
    {
        bool reachable = false;
        int hostCount = -1;
        qint64 latencyMs = 0;
        QString version; // not offered by the API: "not reported"
        QString error;   // server message, with its request id when there is one
        QString text() const;
    };

    HealthCheck(const QString &baseUrl, const QString &token, double timeoutSeconds,
                QObject *parent = nullptr);
    ~HealthCheck() override;
    void start();

signals:
    void finished(const capsule::app::HealthCheck::Result &result);

private:
    Client *m_client;
};

} // namespace capsule::app
