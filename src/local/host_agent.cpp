// Host agent of capsule-local: listener, authentication and routing of contract section 3.
#include "local/host_agent.h"

#include "local/runneraccess.h"

#include <QHttpServer>
#include <QHttpServerResponse>

namespace capsule::local {

struct HostAgent::Private
{
    RunnerAccess *access = nullptr;
    QHttpServer server;
    quint16 port = 0;
};

HostAgent::HostAgent(RunnerAccess *access, HostAgentOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , d(std::make_unique<Private>())
{
    d->access = access;
    d->server.route(QStringLiteral("/health"), [] { return QStringLiteral("OK"); });
}

HostAgent::~HostAgent() = default;

quint16 HostAgent::listen(quint16 port)
{
    d->port = d->server.listen(QHostAddress::LocalHost, port);
    return d->port;
}

quint16 HostAgent::port() const
{
    return d->port;
}

QString HostAgent::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(d->port);
}

void HostAgent::closeRunnerSessions(const QString &id)
{
    Q_UNUSED(id);
}

} // namespace capsule::local
