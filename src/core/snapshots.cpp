// Snapshot listing: GET /api/v1/snapshots.
#include "core/snapshots.h"

namespace capsule {

Snapshots::Snapshots(Http *http, QObject *parent)
    : QObject(parent)
    , m_http(http)
{}

ApiJob<SnapshotList> *Snapshots::list()
{
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/snapshots"));
    req.retry = RetryPolicy::ControlPlaneGet;
    return httpCall<SnapshotList>(m_http, req, this,
                                  [](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
                                      return SnapshotList::fromJson(o, c);
                                  });
}

} // namespace capsule
