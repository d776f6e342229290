// The runner -> host address cache of contract 1.7 and its re-resolution (connect, else status).
#pragma once

#include "core/http.h"

#include <QHash>
#include <QObject>
#include <QString>

namespace capsule {

// One per Client (i.e. per control plane). Written by allocate, connect, any status carrying a
// host address and by sessions created with an address; an entry is dropped by release and before
// every re-resolution. Sessions use hostRequest() for their host calls so that HostRead/Exec
// retries re-resolve on their own.
class HostResolver : public QObject
{
    Q_OBJECT
public:
    explicit HostResolver(Http *http, QObject *parent = nullptr);

    Http *http() const { return m_http; }

    QString cachedHost(const QString &runnerId) const { return m_hosts.value(runnerId); }
    void cacheHost(const QString &runnerId, const QString &hostAddress);
    void evictHost(const QString &runnerId);

    // Drops the cache entry and asks the control plane where the runner lives: 0.4.0 first tries
    // POST /api/v1/runners/connect; if the server answers 404/405 for the route itself it falls
    // back to GET /api/v1/runners/status and remembers that for this server. No address in the
    // answer -> ServiceUnavailable "No host address available for runner <id>".
    ResultJob<QString> *resolveHost(const QString &runnerId);
    // The cached address (an already finished job) or resolveHost().
    ResultJob<QString> *hostFor(const QString &runnerId);

    // A host request for `path` on the runner's host, re-resolving before a retry.
    HttpRequest hostRequest(const QString &runnerId, const QString &path,
                            const QUrlQuery &query = {});

    // Whether this server lacks the connect route (learned on first use).
    bool connectUnsupported() const { return m_connectUnsupported; }

signals:
    void hostChanged(const QString &runnerId, const QString &hostAddress);

private:
    void resolveByStatus(const QString &runnerId, ResultJob<QString> *job);

    Http *m_http;
    QHash<QString, QString> m_hosts;
    bool m_connectUnsupported = false;
};

} // namespace capsule
