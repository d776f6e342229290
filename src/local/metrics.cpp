// GET /metrics of capsule-local in the Prometheus text exposition format (version 0.0.4):
// event counters kept here, gauges and build durations read from the services at scrape time.
#include "local/metrics.h"
#include "local/api/json.h"

#include "local/configs.h"
#include "local/fleet.h"
#include "local/runners.h"

#include "local/httpserver.h"
#include <QDateTime>
#include <QLocale>

#include <cmath>

namespace capsule::local {

namespace {

// Sample values as Prometheus writes them: integers without a fraction, +Inf spelt out.
QByteArray number(double v)
{
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v))
        return "NaN";
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return QByteArray::number(qint64(v));
    return QByteArray::number(v, 'g', QLocale::FloatingPointShortest); // round-trips
}

class Writer
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out += "# HELP ";
        m_out += name;
        m_out += ' ';
        m_out += help;
        m_out += "\n# TYPE ";
        m_out += name;
        m_out += ' ';
        m_out += type;
        m_out += '\n';
    }
    void sample(const QByteArray &name, const QList<QPair<QString, QString>> &labels, double v)
    {
        m_out += name;
        if (!labels.isEmpty()) {
            m_out += '{';
            for (int i = 0; i < labels.size(); ++i) {
                if (i)
                    m_out += ',';
                m_out += labels.at(i).first.toUtf8();
                m_out += "=\"";
                m_out += escapeLabelValue(labels.at(i).second).toUtf8();
                m_out += '"';
            }
            m_out += '}';
        }
        m_out += ' ';
        m_out += number(v);
        m_out += '\n';
    }
    QByteArray text() const { return m_out; }

private:
    QByteArray m_out;
};

const char *const kHostStates[] = {"ready", "draining", "terminating", "unhealthy", "terminated"};
const char *const kRunnerStates[] = {"booting",   "busy",        "pausing",
                                     "suspended", "quarantined", "terminated"};
const char *const kOperations[] = {"allocate", "pause", "resume", "release"};
const double kBuildBuckets[] = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600};

} // namespace

Metrics &Metrics::instance()
{
    static Metrics metrics;
    return metrics;
}

void Metrics::runnerOperation(const QString &operation, bool ok)
{
    m_operations[operation]++;
    if (!ok)
        m_failures[operation]++;
}

void Metrics::track(const std::shared_ptr<HttpResponder> &responder, const QString &route,
                    const QString &method)
{
    // Responders whose connection died without a reply leave entries behind; drop those.
    if (m_pending.size() > 1024) {
        for (auto it = m_pending.begin(); it != m_pending.end();)
            it = it->responder.expired() ? m_pending.erase(it) : std::next(it);
    }
    m_pending.insert(responder.get(), Pending{responder, route, method});
}

void Metrics::noteStatus(const HttpResponder *responder, int status)
{
    const auto it = m_pending.find(responder);
    if (it == m_pending.end())
        return; // a host agent's reply, or a second write of the same reply
    const Pending p = *it;
    m_pending.erase(it);
    if (p.responder.expired())
        return; // the address was reused by a responder we never tracked
    countRequest(p.route, p.method, status);
}

void Metrics::countRequest(const QString &route, const QString &method, int status)
{
    m_requests[QStringList{route, method, QString::number(status)}]++;
}

void Metrics::reset()
{
    m_pending.clear();
    m_operations.clear();
    m_failures.clear();
    m_requests.clear();
}

QByteArray Metrics::render(const ConfigService *configs, const RunnerRegistry *runners,
                           const FleetService *fleet) const
{
    Writer w;

    QHash<QString, int> hostStates;
    for (const HostSlot &h : runners->hostSlots())
        hostStates[h.draining ? s("draining") : s("ready")]++;
    w.family("capsule_hosts", "gauge", "Hosts by state.");
    for (const char *state : kHostStates)
        w.sample("capsule_hosts", {{s("state"), s(state)}}, hostStates.value(s(state)));

    QMap<QString, int> runnerStates;
    for (const char *state : kRunnerStates)
        runnerStates[s(state)] = 0;
    for (const Runner *run : runners->runnerRecords())
        runnerStates[toWire(run->state)]++;
    w.family("capsule_runners", "gauge", "Runners by status (the raw host state).");
    for (auto it = runnerStates.cbegin(); it != runnerStates.cend(); ++it)
        w.sample("capsule_runners", {{s("status"), it.key()}}, it.value());

    w.family("capsule_runner_operations_total", "counter",
             "Runner operations (allocate, pause, resume, release), failed ones included.");
    for (const char *op : kOperations)
        w.sample("capsule_runner_operations_total", {{s("operation"), s(op)}},
                 double(m_operations.value(s(op))));
    w.family("capsule_runner_operation_failures_total", "counter", "Failed runner operations.");
    for (const char *op : kOperations)
        w.sample("capsule_runner_operation_failures_total", {{s("operation"), s(op)}},
                 double(m_failures.value(s(op))));

    // Build durations of every finished build the server knows (persisted across restarts).
    QMap<QString, QList<double>> durations; // result -> seconds
    durations[s("succeeded")];
    durations[s("failed")];
    for (const BuildRecord &b : configs->buildRecords()) {
        if (b.status != BuildStatus::Succeeded && b.status != BuildStatus::Failed)
            continue;
        const QDateTime start = QDateTime::fromString(b.startedAt, Qt::ISODateWithMs);
        const QDateTime end = QDateTime::fromString(b.finishedAt, Qt::ISODateWithMs);
        if (start.isValid() && end.isValid())
            durations[toWire(b.status)].append(std::max<qint64>(0, start.msecsTo(end)) / 1000.0);
    }
    w.family("capsule_build_duration_seconds", "histogram",
             "Layer build durations, from start to end, by result.");
    for (auto it = durations.cbegin(); it != durations.cend(); ++it) {
        double sum = 0;
        for (double d : it.value())
            sum += d;
        for (double le : kBuildBuckets) {
            int n = 0;
            for (double d : it.value())
                n += d <= le ? 1 : 0;
            w.sample("capsule_build_duration_seconds_bucket",
                     {{s("result"), it.key()}, {s("le"), QString::fromLatin1(number(le))}}, n);
        }
        w.sample("capsule_build_duration_seconds_bucket",
                 {{s("result"), it.key()}, {s("le"), s("+Inf")}}, it.value().size());
        w.sample("capsule_build_duration_seconds_sum", {{s("result"), it.key()}}, sum);
        w.sample("capsule_build_duration_seconds_count", {{s("result"), it.key()}},
                 it.value().size());
    }

    w.family("capsule_canary_reports_total", "counter", "Canary reports received, by status.");
    for (const char *status : {"success", "failure"})
        w.sample("capsule_canary_reports_total", {{s("status"), s(status)}},
                 double(fleet->canaryCount(s(status))));

    w.family("capsule_host_heartbeats_total", "counter", "Host heartbeats accepted.");
    w.sample("capsule_host_heartbeats_total", {}, double(fleet->heartbeatCount()));

    w.family("capsule_http_requests_total", "counter",
             "Control-plane HTTP requests by route template, method and status code.");
    for (auto it = m_requests.cbegin(); it != m_requests.cend(); ++it)
        w.sample("capsule_http_requests_total",
                 {{s("route"), it.key().at(0)},
                  {s("method"), it.key().at(1)},
                  {s("status"), it.key().at(2)}},
                 double(it.value()));
    return w.text();
}

QString escapeLabelValue(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (const QChar c : value) {
        if (c == QLatin1Char('\\'))
            out += QLatin1String("\\\\");
        else if (c == QLatin1Char('"'))
            out += QLatin1String("\\\"");
        else if (c == QLatin1Char('\n'))
            out += QLatin1String("\\n");
        else
            out += c;
    }
    return out;
}

QString routeTemplate(const QString &path)
{
    if (path == QLatin1String("/health") || path == QLatin1String("/metrics"))
        return path;
    if (!path.startsWith(QLatin1String("/api/v1/")))
        return s("other");
    QStringList seg = path.mid(8).split(QLatin1Char('/'));
    while (!seg.isEmpty() && seg.last().isEmpty())
        seg.removeLast();
    const QString head = seg.value(0);
    const int n = seg.size();
    auto is = [&](int i, const char *word) {
        return seg.value(i) == QLatin1String(word);
    };
    if (head == QLatin1String("layered-configs")) {
        const QString base = s("/api/v1/layered-configs");
        if (n == 1)
            return base;
        if (n == 2)
            return base + s("/{id}");
        if (n == 3 && (is(2, "build") || is(2, "builds")))
            return base + s("/{id}/") + seg.at(2);
        if (n == 5 && is(2, "layers") && is(4, "refresh"))
            return base + s("/{id}/layers/{name}/refresh");
        if (n == 5 && is(2, "builds") && is(4, "log"))
            return base + s("/{id}/builds/{version}/log");
        return s("other");
    }
    if (head == QLatin1String("runners")) {
        static const QStringList ops{s("allocate"), s("status"),     s("release"),     s("pause"),
                                     s("connect"),  s("quarantine"), s("unquarantine")};
        if (n == 1)
            return s("/api/v1/runners");
        if (n == 2 && ops.contains(seg.at(1)))
            return s("/api/v1/runners/") + seg.at(1);
        return s("other");
    }
    if (head == QLatin1String("hosts")) {
        if (n == 1)
            return s("/api/v1/hosts");
        if (n == 2 && is(1, "heartbeat"))
            return s("/api/v1/hosts/heartbeat");
        if (n == 3 && (is(2, "drain") || is(2, "undrain")))
            return s("/api/v1/hosts/{id}/") + seg.at(2);
        return s("other");
    }
    if (n == 1 && head == QLatin1String("snapshots"))
        return s("/api/v1/snapshots");
    if (n == 2 && head == QLatin1String("versions") && (is(1, "fleet") || is(1, "desired")))
        return s("/api/v1/versions/") + seg.at(1);
    if (n == 2 && head == QLatin1String("canary") && (is(1, "report") || is(1, "reports")))
        return s("/api/v1/canary/") + seg.at(1);
    return s("other");
}

void noteReplyStatus(const HttpResponder *responder, int status)
{
    Metrics::instance().noteStatus(responder, status);
}

} // namespace capsule::local
