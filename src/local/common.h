// Shared plumbing of capsule-local's control plane: options, hosts, time and JSON helpers.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

namespace capsule::local {

struct ServerOptions
{
    QString token;
    QString dataDir;
    QMap<QString, QString> images; // base_image name -> root dir (--image NAME=DIR)
    bool openHost = false;
    bool unsafeNoSandbox = false;
    int maxRunnersPerHost = 128;
    int maxPidsPerRunner = 1024; // pids cgroup limit of each runner (--max-pids-per-runner)
    QString hostToken;           // host bootstrap token: enables POST /api/v1/hosts/heartbeat
};

// One host agent listener: this machine as seen through one --hosts slot.
struct HostSlot
{
    QString id;      // "local-0"
    QString address; // "127.0.0.1:<port>"
    bool draining = false;
};

inline QString rfc3339(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}
inline QString nowRfc3339()
{
    return rfc3339(QDateTime::currentDateTimeUtc());
}

// Go-style bool parsing for query parameters; missing/invalid -> fallback.
inline bool queryBool(const QString &value, bool fallback)
{
    const QString v = value.trimmed().toLower();
    if (v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("t"))
        return true;
    if (v == QLatin1String("false") || v == QLatin1String("0") || v == QLatin1String("f"))
        return false;
    return fallback;
}

// The query of a request decoded as Go's url.ParseQuery does: '+' means a space (clients
// form-encode, e.g. the SDK sends `command=/bin/my+shell` for "/bin/my shell"); a literal plus
// arrives as %2B and survives.
inline QUrlQuery formQuery(const QUrl &url)
{
    QString raw = url.query(QUrl::FullyEncoded);
    raw.replace(QLatin1Char('+'), QLatin1String("%20"));
    return QUrlQuery(raw);
}

} // namespace capsule::local
