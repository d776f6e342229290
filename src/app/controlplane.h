// NOTE FROM THE LEAD (please act on it, then delete this note): the core library's Client
// (src/core/client.h: configs(), workloads(), runners(), snapshots(), hosts(), typed models in
// src/core/models.h) has landed. Issue 2 requires the views to be fed by the core library's
// resources, not a second JSON wrapper: switch WorkloadsModel/RunnersModel/etc. to capsule::Client
// and its typed replies, and remove this ControlPlane class.
// The app's view of one Capsule server: JSON calls over the core library's Http layer.
#pragma once

#include "core/http.h"
#include "core/job.h"
#include "core/runnersession.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QUrlQuery>

namespace capsule {
class Client;
class RunnerSession;
} // namespace capsule

namespace capsule::app {

using JsonJob = ResultJob<QJsonObject>;

// Thin by design: the views only need decoded JSON objects, and going through Http keeps every
// request on the SDK's wire rules (headers, retries, error mapping) without blocking anything.
class ControlPlane : public QObject
{
    Q_OBJECT
public:
    ControlPlane(const Settings &settings, QObject *parent = nullptr);

    ~ControlPlane() override;

    const Settings &settings() const;
    Client *client() const { return m_client; }
    Http *http() const { return m_http; }
    QString baseUrl() const { return settings().baseUrl; }

    JsonJob *get(const QString &path, const QUrlQuery &query = {});
    // POST with a JSON body; pass an empty object with `withBody` false for body-less POSTs.
    JsonJob *post(const QString &path, const QJsonObject &body, bool withBody = true,
                  const QUrlQuery &query = {});
    JsonJob *remove(const QString &path);

    // Convenience calls used by several views.
    JsonJob *listConfigs() { return get(QStringLiteral("/api/v1/layered-configs")); }
    JsonJob *configDetail(const QString &configId);
    JsonJob *listRunners() { return get(QStringLiteral("/api/v1/runners")); }
    JsonJob *listHosts() { return get(QStringLiteral("/api/v1/hosts")); }

    // One RunnerSession per runner (exec, files, PTY through the client's host cache).
    RunnerSession *session(const QString &runnerId, const QString &sessionId = {},
                           const QString &hostAddress = {});

private:
    JsonJob *wrap(HttpJob *job);

    Client *m_client = nullptr;
    Http *m_http = nullptr;
    QHash<QString, QPointer<RunnerSession>> m_sessions;
};

} // namespace capsule::app
