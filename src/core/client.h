// The entry point of the client library: settings, the HTTP layer and every resource.
#pragma once

#include "core/fleet.h"
#include "core/hostresolver.h"
#include "core/hosts.h"
#include "core/http.h"
#include "core/layeredconfigs.h"
#include "core/runners.h"
#include "core/settings.h"
#include "core/snapshots.h"
#include "core/workloads.h"

#include <QObject>

namespace capsule {

// One Client per control plane. It owns one Http (one QNetworkAccessManager) and the resources,
// which are plain QObject children sharing that Http; the host cache (HostResolver) is shared by
// Runners and every RunnerSession made from this client. Lives in one thread (the GUI thread in
// the app): everything is asynchronous, nothing blocks.
class Client : public QObject
{
    Q_OBJECT
public:
    explicit Client(const Settings &settings = Settings::resolve(), QObject *parent = nullptr);
    ~Client() override;

    const Settings &settings() const { return m_http->settings(); }
    Http *http() const { return m_http; }
    HostResolver *hostResolver() const { return m_resolver; }

    LayeredConfigs *configs() const { return m_configs; }
    Workloads *workloads() const { return m_workloads; }
    Runners *runners() const { return m_runners; }
    Snapshots *snapshots() const { return m_snapshots; }
    Hosts *hosts() const { return m_hosts; }
    Fleet *fleet() const { return m_fleet; }

    // GET /health ("OK").
    ApiJob<QString> *health() { return m_hosts->health(); }

private:
    Http *m_http;
    HostResolver *m_resolver;
    LayeredConfigs *m_configs;
    Workloads *m_workloads;
    Runners *m_runners;
    Snapshots *m_snapshots;
    Hosts *m_hosts;
    Fleet *m_fleet;
};

} // namespace capsule
