// Snapshot listing (contract 2.3).
#pragma once

#include "core/apicall.h"
#include "core/models.h"

#include <QObject>

namespace capsule {

class Snapshots : public QObject
{
    Q_OBJECT
public:
    explicit Snapshots(Http *http, QObject *parent = nullptr);
    ApiJob<SnapshotList> *list();

private:
    Http *m_http;
};

} // namespace capsule
