// Host listing and the health check (contract 2.4; not called by the SDK, used by the UI).
#pragma once

#include "core/apicall.h"
#include "core/models.h"

#include <QObject>

namespace capsule {

// What `GET /health` tells about a server: its answer and the software it names in the Server
// response header (capsule-local sends "capsule-local/<version>"; the upstream server sends none).
struct ServerInfo
{
    QString health;   // "OK"
    QString software; // empty when the server does not say
};

class Hosts : public QObject
{
    Q_OBJECT
public:
    explicit Hosts(Http *http, QObject *parent = nullptr);
    // GET /api/v1/hosts.
    ApiJob<HostList> *list();
    // GET /health -> its text ("OK").
    ApiJob<QString> *health();
    // GET /health -> its text and the Server header.
    ApiJob<ServerInfo> *serverInfo();

private:
    Http *m_http;
};

} // namespace capsule
