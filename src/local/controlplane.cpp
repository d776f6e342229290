// The control-plane HTTP front of capsule-local: bearer auth before routing (1.4), the open
// paths, the route table of section 2 plus local extensions (built from the API layer's
// handlers, src/local/api/), and the host agents wired to the runner registry.
#include "local/controlplane.h"

#include "local/api/configsapi.h"
#include "local/api/fleetapi.h"
#include "local/api/json.h"
#include "local/api/router.h"
#include "local/api/runnersapi.h"

#include "local/configs.h"
#include "local/fleet.h"
#include "local/host_agent.h"
#include "local/metrics.h"
#include "local/runners.h"
#include "local/sandbox.h"

#include <QCoreApplication>
#include <QDir>
#include <QHostAddress>
#include <QTcpServer>
#include <QtDebug>

namespace capsule::local {

namespace {

bool isApiPath(const QString &path)
{
    return path.startsWith(QLatin1String("/api/v1/")) || path == QLatin1String("/api/v1");
}

} // namespace

ControlPlane::ControlPlane(ServerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{}

ControlPlane::~ControlPlane()
{
    shutdown();
}

QStringList ControlPlane::hostAddresses() const
{
    QStringList out;
    for (const HostAgent *a : m_agents)
        out << a->address();
    return out;
}

bool ControlPlane::start(quint16 port, quint16 hostPort, int hosts, QString *error)
{
    if (!QDir().mkpath(m_options.dataDir)) {
        *error = QStringLiteral("cannot create data dir %1").arg(m_options.dataDir);
        return false;
    }
    // Mounts left behind by a previous process (kill -9) would shadow new sandboxes.
    Sandbox::cleanStaleMounts(m_options.dataDir);
    if (!m_store.open(m_options.dataDir + s("/capsule-local.db"), error))
        return false;
    m_configs = new ConfigService(&m_store, m_options, this);
    m_configs->load();
    m_runners = new RunnerRegistry(&m_store, m_configs, m_options, this);

    for (int i = 0; i < hosts; ++i) {
        HostAgentOptions ho;
        ho.hostId = QStringLiteral("local-%1").arg(i);
        ho.token = m_options.token;
        ho.openHost = m_options.openHost;
        auto *agent = new HostAgent(m_runners, ho, this);
        if (!agent->listen(i == 0 ? hostPort : 0)) {
            *error = QStringLiteral("cannot listen for host %1 on 127.0.0.1:%2")
                         .arg(ho.hostId)
                         .arg(i == 0 ? hostPort : 0);
            return false;
        }
        m_agents << agent;
        m_runners->addHost(ho.hostId, agent->address());
    }
    m_runners->setSessionCloser([this](const QString &hostId, const QString &runnerId) {
        for (HostAgent *a : std::as_const(m_agents))
            if (a->options().hostId == hostId)
                a->closeRunnerSessions(runnerId);
    });
    m_runners->load();
    m_fleet = new FleetService(m_configs, m_runners, m_options, this);

    m_router = std::make_unique<api::Router>();
    m_configsApi = std::make_unique<api::ConfigsApi>(m_configs);
    m_runnersApi = std::make_unique<api::RunnersApi>(m_runners);
    m_fleetApi = std::make_unique<api::FleetApi>(m_fleet, m_options.hostToken);
    m_configsApi->addRoutes(*m_router);
    m_runnersApi->addRoutes(*m_router);
    m_fleetApi->addRoutes(*m_router);

    m_server = new HttpServer(
        [this](const HttpRequest &request, const Responder &r) { return head(request, r); },
        [this](const HttpRequest &request, const Responder &r) { handle(request, r); }, this);
    m_port = m_server->listen(QHostAddress::LocalHost, port);
    if (!m_port) {
        *error = QStringLiteral("cannot listen on 127.0.0.1:%1").arg(port);
        return false;
    }
    return true;
}

void ControlPlane::shutdown()
{
    if (m_down)
        return;
    m_down = true;
    if (m_runners)
        m_runners->stopAll();
    if (m_configs)
        m_configs->stopAll();
    Sandbox::waitForTeardowns(); // no unmount or cleanup left running on a worker thread
    // The event loop has ended: objects handed to deleteLater() by the stops above go now.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    m_store.close();
}

// Runs on the request head, before any byte of the body is read: auth (before routing, so an
// unknown /api/v1 path without the token is 401, not 404) and the body limit.
BodyPlan ControlPlane::head(const HttpRequest &request, const Responder &r)
{
    if (!isApiPath(request.url().path())) { // open paths and 404s need no body: never read one
        handle(request, r);
        return BodyPlan::answered();
    }
    const QString path = request.url().path();
    // Hosts authenticate their heartbeat with the host token (checked by the route), not the API
    // token (contract 1.4).
    const bool heartbeat =
        path == QLatin1String("/api/v1/hosts/heartbeat") && !m_options.hostToken.isEmpty();
    if (!heartbeat && !bearerTokenMatches(request, m_options.token)) {
        Metrics::instance().track(r, routeTemplate(path), methodName(request));
        replyError(r, 401, s("unauthorized"));
        return BodyPlan::answered();
    }
    return BodyPlan::buffer(kJsonBodyLimit);
}

void ControlPlane::handle(const HttpRequest &request, const Responder &r)
{
    const QString path = request.url().path();
    Metrics::instance().track(r, routeTemplate(path), methodName(request));
    if (path == QLatin1String("/health"))
        return replyText(r, 200, s("OK"));
    if (path == QLatin1String("/metrics")) // open, as upstream; replyText adds the last newline
        return replyText(r, 200,
                         QString::fromUtf8(
                             Metrics::instance().render(m_configs, m_runners, m_fleet).chopped(1)));
    // Hosts authenticate their heartbeat with the host token, not the API token (1.4).
    if (path == QLatin1String("/api/v1/hosts/heartbeat") && !m_options.hostToken.isEmpty())
        return m_fleetApi->heartbeat(request, r);
    if (!isApiPath(path))
        return replyText(r, 404, s("404 page not found"));
    if (m_down)
        return replyError(r, 503, s("capsule-local is shutting down"));

    QStringList segments = path.mid(8).split(QLatin1Char('/'));
    while (!segments.isEmpty() && segments.last().isEmpty())
        segments.removeLast();
    if (segments.isEmpty() || !m_router->dispatch(request, segments, r))
        replyText(r, 404, s("404 page not found"));
}

} // namespace capsule::local
