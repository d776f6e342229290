// Host listing and the health check (contract 2.4; not called by the SDK, used by the UI).
#pragma once

#include "core/apicall.h"
#include "core/models.h"

#include <QObject>

namespace capsule {

class Hosts : public QObject
{
    Q_OBJECT
public:
    explicit Hosts(Http *http, QObject *parent = nullptr);
    // GET /api/v1/hosts.
    ApiJob<HostList> *list();
    // GET /health -> its text ("OK").
    ApiJob<QString> *health();

private:
    Http *m_http;
};

} // namespace capsule
