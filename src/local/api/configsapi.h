// The layered-config routes of the control plane (contract 2.1, section 10 builds): the create
// body (configbody.h), queries, the calls into ConfigService, the replies and the streaming of a
// followed build log. ConfigService itself knows nothing of HTTP.
#pragma once

#include "local/api/router.h"
#include "local/configs.h"

#include <QJsonArray>
#include <QJsonObject>

namespace capsule::local::api {

class ConfigsApi
{
public:
    explicit ConfigsApi(ConfigService *configs);

    // /layered-configs[/{id}[/build|/builds|/builds/{version}/log|/layers/{name}/refresh]];
    // any other path under it is 405 json, as upstream.
    void addRoutes(Router &router);

private:
    void create(const HttpRequest &request, const Responder &r);
    void list(const Responder &r);
    void get(const QString &id, const Responder &r);
    void remove(const QString &id, const Responder &r);
    void build(const QString &id, const HttpRequest &request, const Responder &r);
    void refresh(const QString &id, const QString &layer, const Responder &r);
    void listBuilds(const QString &id, const Responder &r);
    void buildLog(const QString &id, const QString &version, const HttpRequest &request,
                  const Responder &r);

    ConfigService *m_configs;
};

// The JSON of the replies (also used by tests/local/tst_api).
QJsonObject createdConfigJson(const CreatedConfig &created);
// A config as GET (forList = false) and the listing show it.
QJsonObject storedConfigJson(const ConfigRecord &c, bool forList);
QJsonArray layersJson(const QList<LayerView> &layers);
QJsonArray buildsJson(const QList<BuildView> &builds);

} // namespace capsule::local::api
