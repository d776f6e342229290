// Test fixture: starts a real capsule-local on free loopback ports with a temporary data dir.
#pragma once

#include "core/settings.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPair>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>

namespace capsule::test {

// One blocking HTTP exchange (tests only).
struct HttpReply
{
    int status = 0; // 0 = transport failure (see `error`)
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QString error;
    QJsonObject json() const;
};

// Starts `$CAPSULE_LOCAL_BIN --port 0 --host-port 0 --data-dir <tmp>` and waits for its ready line
// on stdout:
// {"event":"ready","base_url":"http://127.0.0.1:P","token":"T","hosts":["127.0.0.1:H"],"pid":N}
class LocalServer
{
public:
    LocalServer();
    ~LocalServer(); // stops the server (SIGTERM, then SIGKILL)

    // Starts the server; extra args are appended (e.g. {"--hosts","2"}). False + message on
    // failure.
    bool start(const QStringList &extraArgs = {}, QString *error = nullptr);
    void stop();
    void kill9();                           // simulates a crash
    bool restart(QString *error = nullptr); // same data dir, same token, same args

    QString baseUrl() const { return m_baseUrl; }
    QString token() const { return m_token; }
    QStringList hostAddresses() const { return m_hosts; }
    QString dataDir() const { return m_dataDir.path(); }
    qint64 pid() const;         // the server process, 0 when not running
    QString stderrText() const; // what the server logged so far

    // Blocking request against the control plane (`path` starting with "/") or a full URL.
    // Sends "Authorization: Bearer <token>" unless withToken is false.
    HttpReply request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                      bool withToken = true,
                      const QList<QPair<QByteArray, QByteArray>> &headers = {},
                      int timeoutMs = 30000) const;
    HttpReply get(const QString &path) const { return request("GET", path); }
    HttpReply post(const QString &path, const QJsonObject &body) const;
    // Client settings for this server, polling fast (0.1 s) with a 60 s startup budget.
    capsule::Settings clientSettings() const;
    // A create body with one layer `main` whose only init command is `true`; callers add keys.
    static QJsonObject trivialConfig(const QString &displayName);
    // Creates a config from `body` and builds it; waits until its leaf layer is active.
    // Returns the leaf workload key, or an empty string (with `error`) on failure.
    QString createAndBuild(const QJsonObject &body, QString *error = nullptr,
                           int timeoutMs = 60000) const;

private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<QProcess> m_process;
    QStringList m_args;
    QString m_baseUrl;
    QString m_token;
    QStringList m_hosts;
    QByteArray m_stderr;
};

} // namespace capsule::test
