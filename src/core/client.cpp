// Client: wires the resources onto one Http.
#include "core/client.h"

namespace capsule {

Client::Client(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_http(new Http(settings, this))
    , m_resolver(new HostResolver(m_http, this))
    , m_configs(new LayeredConfigs(m_http, this))
    , m_workloads(new Workloads(m_http, m_configs, this))
    , m_runners(new Runners(m_http, m_resolver, m_workloads, this))
    , m_snapshots(new Snapshots(m_http, this))
    , m_hosts(new Hosts(m_http, this))
    , m_fleet(new Fleet(m_http, this))
{
    m_workloads->setRunners(m_runners);
}

Client::~Client() = default;

} // namespace capsule
