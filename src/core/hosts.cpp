// Host listing and health.
#include "core/hosts.h"

namespace capsule {

Hosts::Hosts(Http *http, QObject *parent)
    : QObject(parent)
    , m_http(http)
{}

ApiJob<HostList> *Hosts::list()
{
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/hosts"));
    req.retry = RetryPolicy::ControlPlaneGet;
    return httpCall<HostList>(m_http, req, this,
                              [](const HttpResponse &r, const QJsonObject &o, ReplyCheck *c) {
                                  HostList l = HostList::fromJson(o, c);
                                  l.requestId = r.requestId;
                                  return l;
                              });
}

ApiJob<QString> *Hosts::health()
{
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/health"));
    req.retry = RetryPolicy::ControlPlaneGet;
    req.accept = "text/plain, application/json";
    return httpCall<QString>(m_http, req, this, [](const HttpResponse &r) {
        return QString::fromUtf8(r.body).trimmed();
    });
}

ApiJob<ServerInfo> *Hosts::serverInfo()
{
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/health"));
    req.retry = RetryPolicy::ControlPlaneGet;
    req.accept = "text/plain, application/json";
    return httpCall<ServerInfo>(m_http, req, this, [](const HttpResponse &r) {
        return ServerInfo{QString::fromUtf8(r.body).trimmed(),
                          QString::fromUtf8(r.header("Server")).trimmed()};
    });
}

} // namespace capsule
