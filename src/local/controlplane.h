// The control-plane HTTP front of capsule-local: auth, open paths, the route table of the API
// layer (src/local/api/), and the host agents.
#pragma once

#include "local/common.h"
#include "local/httpserver.h"
#include "local/store.h"

#include <QList>
#include <QObject>
#include <memory>

namespace capsule::local {

namespace api {
class ConfigsApi;
class FleetApi;
class Router;
class RunnersApi;
} // namespace api

class ConfigService;
class FleetService;
class HostAgent;
class RunnerRegistry;

class ControlPlane : public QObject
{
    Q_OBJECT
public:
    explicit ControlPlane(ServerOptions options, QObject *parent = nullptr);
    ~ControlPlane() override;

    // Opens the store, starts `hosts` host agents (the first on hostPort) and the CP listener.
    bool start(quint16 port, quint16 hostPort, int hosts, QString *error);
    void shutdown(); // stops every runner and build, closes the store

    quint16 port() const { return m_port; }
    QStringList hostAddresses() const;

private:
    BodyPlan head(const HttpRequest &request, const Responder &r);
    void handle(const HttpRequest &request, const Responder &r);

    ServerOptions m_options;
    Store m_store;
    ConfigService *m_configs = nullptr;
    RunnerRegistry *m_runners = nullptr;
    FleetService *m_fleet = nullptr;
    QList<HostAgent *> m_agents;
    // The HTTP side of the services: handlers and the route table (src/local/api/).
    std::unique_ptr<api::ConfigsApi> m_configsApi;
    std::unique_ptr<api::RunnersApi> m_runnersApi;
    std::unique_ptr<api::FleetApi> m_fleetApi;
    std::unique_ptr<api::Router> m_router;
    HttpServer *m_server = nullptr;
    quint16 m_port = 0;
    bool m_down = false;
};

} // namespace capsule::local
