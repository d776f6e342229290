// The layered-config resource (contract 2.1 and the section-10 build list/log).
#pragma once

#include "core/apicall.h"
#include "core/models.h"

#include <QObject>

namespace capsule {

class RunnerConfig;

class LayeredConfigs : public QObject
{
    Q_OBJECT
public:
    explicit LayeredConfigs(Http *http, QObject *parent = nullptr);

    // POST /api/v1/layered-configs (upsert). display_name is checked client-side first
    // (ValueError naming config_id).
    ApiJob<CreateConfigReply> *create(const QJsonObject &body);
    ApiJob<CreateConfigReply> *create(const RunnerConfig &config);
    ApiJob<ConfigList> *list();
    ApiJob<ConfigDetail> *get(const QString &configId);
    // 204 -> {"_raw": "", "request_id": ...}.
    ApiJob<QJsonObject> *remove(const QString &configId);
    // ?force=true / &clean=true only when true (2.1).
    ApiJob<BuildReply> *build(const QString &configId, bool force = false, bool clean = false);
    ApiJob<RefreshReply> *refreshLayer(const QString &configId, const QString &layerName);

    // Section 10: a 404 means "not offered by this server" (offered = false), not a failure.
    ApiJob<BuildList> *builds(const QString &configId);
    ApiJob<BuildLog> *buildLog(const QString &configId, const QString &version);
    // ?follow=true: the log streams through HttpJob::chunk until the build ends (no idle
    // timeout). A 404 fails the job with NotFound: treat it as "not offered".
    HttpJob *followBuildLog(const QString &configId, const QString &version);

    static QString configPath(const QString &configId);

private:
    Http *m_http;
};

} // namespace capsule
