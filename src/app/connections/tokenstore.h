// Stores the API token of a remote server: the system keychain when there is one, else a 0600 file.
#pragma once

#include <QObject>
#include <QString>
#include <functional>

namespace capsule::app {

// Every call is asynchronous (the keychain answers over D-Bus). When no keychain service
// answers, the token goes to a file readable only by the user and usingFallback() turns true so
// the UI can warn that the token is not in a keychain. Tokens are never logged.
class TokenStore : public QObject
{
    Q_OBJECT
public:
    explicit TokenStore(QObject *parent = nullptr);

    // Off by env CAPSULE_DESKTOP_NO_KEYCHAIN=1 (tests, headless machines).
    static bool keychainEnabled();
    QString fallbackFile() const;
    bool usingFallback() const { return m_usingFallback; }
    // Whether the 0600 file holds a token for `key` (the keychain banner shows only then).
    bool fileHasToken(const QString &key) const { return !readFile(key).isEmpty(); }

    // `key` identifies the server (its base URL). Callbacks run in this object's thread.
    void read(const QString &key, std::function<void(const QString &token)> done);
    void write(const QString &key, const QString &token, std::function<void(bool ok)> done = {});

signals:
    void fallbackChanged(bool usingFallback);

private:
    QString readFile(const QString &key) const;
    bool writeFile(const QString &key, const QString &token);
    void setFallback(bool on);

    bool m_usingFallback = false;
};

} // namespace capsule::app
