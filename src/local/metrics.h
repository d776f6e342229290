// Counters of capsule-local's control plane and GET /metrics in the Prometheus text format.
#pragma once

#include <QHash>
#include <QMap>
#include <QString>
#include <QStringList>
#include <memory>

namespace capsule::local {
class HttpResponder;
}

namespace capsule::local {

class ConfigService;
class FleetService;
class RunnerRegistry;

// Process-wide counters (one control plane per process). Gauges (hosts, runners, builds) are read
// from the services at scrape time, so only events are counted here.
class Metrics
{
public:
    static Metrics &instance();

    // Runner operations: "allocate", "pause", "resume", "release".
    void runnerOperation(const QString &operation, bool ok);

    // HTTP requests of the control plane, labelled by route template (never a raw id).
    // track() remembers which template a responder serves; the reply helpers call
    // noteReplyStatus() with the status they write, which counts the request once.
    void track(const std::shared_ptr<HttpResponder> &responder, const QString &route,
               const QString &method);
    void noteStatus(const HttpResponder *responder, int status);
    void countRequest(const QString &route, const QString &method, int status);

    // The exposition text of every family.
    QByteArray render(const ConfigService *configs, const RunnerRegistry *runners,
                      const FleetService *fleet) const;

    void reset(); // tests in-process only

private:
    struct Pending
    {
        std::weak_ptr<HttpResponder> responder;
        QString route;
        QString method;
    };
    QHash<const HttpResponder *, Pending> m_pending;
    QMap<QString, qint64> m_operations;   // operation -> count
    QMap<QString, qint64> m_failures;     // operation -> count
    QMap<QStringList, qint64> m_requests; // {route, method, status} -> count
};

// Route template of a control-plane path, e.g. "/api/v1/layered-configs/{id}/builds"; "other"
// for paths no route serves (so the label set stays bounded whatever clients send).
QString routeTemplate(const QString &path);

// Hook for the HTTP reply helpers: every reply's status, once, before its head is written.
void noteReplyStatus(const HttpResponder *responder, int status);

// Prometheus label value escaping: backslash, double quote and newline.
QString escapeLabelValue(const QString &value);

} // namespace capsule::local
