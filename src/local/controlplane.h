// The control-plane HTTP front of capsule-local: auth, routing, health, and the host agents.
#pragma once

#include "local/common.h"
#include "local/httpserver.h"
#include "local/store.h"

#include <QList>
#include <QObject>
#include <memory>

namespace capsule::local {

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
    HttpServer *m_server = nullptr;
    quint16 m_port = 0;
    bool m_down = false;
};

} // namespace capsule::local
