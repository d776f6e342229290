// Runners: allocation with its retry loops, readiness, status, pause/release, quarantine.
#include "core/runners.h"

#include "core/hostresolver.h"

#include <QJsonDocument>
#include <QTimer>
#include <QUuid>
#include <cmath>

namespace capsule {

namespace {

QDeadlineTimer deadlineIn(double seconds)
{
    return QDeadlineTimer(qint64(std::max(0.0, seconds) * 1000.0));
}

double remainingSeconds(const QDeadlineTimer &d)
{
    return std::max<qint64>(0, d.remainingTime()) / 1000.0;
}

int toMs(double seconds)
{
    return int(std::clamp(seconds * 1000.0, 0.0, 2147483000.0));
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<Error> requireRunnerId(const QString &runnerId)
{
    if (!runnerId.trimmed().isEmpty())
        return std::nullopt;
    return Error(ErrorKind::Value, QStringLiteral("runner_id must not be empty"));
}

Error allocationTimeout(const QString &key, double budget, const std::optional<Error> &last)
{
    QString msg =
        QStringLiteral("Runner for workload %1 was not ready within %2 s").arg(key).arg(budget);
    if (last)
        msg += QStringLiteral(" (last error: %1)").arg(last->toString());
    Error e(ErrorKind::AllocationTimeout, msg);
    e.workloadKey = key;
    if (last)
        e.requestId = last->requestId;
    return e;
}

bool terminalStatus(const QString &s)
{
    return endsReadyWait(runnerStateFromWire(s));
}

} // namespace

Runners::Runners(Http *http, HostResolver *resolver, Workloads *workloads, QObject *parent)
    : QObject(parent)
    , m_http(http)
    , m_resolver(resolver)
    , m_workloads(workloads)
{}

QJsonObject Runners::allocateBody(const QString &workloadKey, const QString &requestId,
                                  const AllocateOptions &o, Error *error)
{
    auto bad = [error](const QString &msg) {
        if (error)
            *error = Error(ErrorKind::Value, msg);
        return QJsonObject();
    };
    if (workloadKey.trimmed().isEmpty())
        return bad(QStringLiteral("workload_key must not be empty"));
    QJsonObject body{{QStringLiteral("workload_key"), workloadKey},
                     {QStringLiteral("request_id"), requestId}};
    if (!o.labels.isEmpty()) {
        QJsonObject labels;
        for (auto it = o.labels.cbegin(); it != o.labels.cend(); ++it) {
            if (it.key().isEmpty())
                return bad(QStringLiteral("label keys must not be empty"));
            if (it.key().startsWith(QLatin1Char('_')))
                return bad(QStringLiteral("label \"%1\" is reserved: keys starting with '_' are "
                                          "internal to Capsule")
                               .arg(it.key()));
            labels.insert(it.key(), it.value());
        }
        body.insert(QStringLiteral("labels"), labels);
    }
    if (!o.sessionId.isEmpty())
        body.insert(QStringLiteral("session_id"), o.sessionId);
    if (!o.networkPolicyPreset.isEmpty())
        body.insert(QStringLiteral("network_policy_preset"), o.networkPolicyPreset);
    if (!o.networkPolicyJson.isEmpty()) {
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(o.networkPolicyJson.toUtf8(), &perr);
        if (perr.error != QJsonParseError::NoError || !doc.isObject())
            return bad(QStringLiteral("network_policy_json is not a JSON object: %1")
                           .arg(perr.error != QJsonParseError::NoError
                                    ? perr.errorString()
                                    : QStringLiteral("not an object")));
        body.insert(QStringLiteral("network_policy_json"), o.networkPolicyJson);
    } else if (!o.networkPolicy.isEmpty()) {
        body.insert(QStringLiteral("network_policy_json"),
                    QString::fromUtf8(compact(o.networkPolicy)));
    }
    if (!o.proxyAddr.isEmpty()) {
        body.insert(QStringLiteral("proxy_addr"), o.proxyAddr);
        body.insert(QStringLiteral("ca_cert_port"), o.caCertPort.value_or(8443));
    } else if (o.caCertPort) {
        body.insert(QStringLiteral("ca_cert_port"), *o.caCertPort);
    }
    if (!o.tenantId.isEmpty())
        body.insert(QStringLiteral("tenant_id"), o.tenantId);
    return body;
}

ApiJob<AllocateReply> *Runners::allocate(const WorkloadRef &ref, const AllocateOptions &options)
{
    const double budget = options.startupTimeout.value_or(m_http->settings().startupTimeout);
    const double poll = options.retryPollInterval.value_or(m_http->settings().retryPollInterval);
    return allocateWithin(ref, options, deadlineIn(budget), poll, budget, false);
}

ApiJob<AllocateReply> *Runners::allocateWithin(const WorkloadRef &ref,
                                               const AllocateOptions &options,
                                               QDeadlineTimer deadline, double retryPoll,
                                               double budget, bool failWhenNoTime)
{
    auto *job = new ApiJob<AllocateReply>(this);
    const QString requestId = options.requestId.isEmpty()
                                  ? QUuid::createUuid().toString(QUuid::WithoutBraces)
                                  : options.requestId;
    runStep(job, m_workloads->resolveKey(ref), [=, this](ApiJob<QString> *resolved) {
        if (resolved->hasError()) {
            job->failWith(resolved->error());
            return;
        }
        const QString key = resolved->result();
        Error error;
        const QJsonObject body = allocateBody(key, requestId, options, &error);
        if (body.isEmpty()) {
            job->failWith(error);
            return;
        }
        if (failWhenNoTime && deadline.hasExpired()) {
            job->failWith(allocationTimeout(key, budget, std::nullopt));
            return;
        }
        allocateAttempt(job, compact(body), requestId, key, deadline, retryPoll, 0, budget);
    });
    return job;
}

void Runners::allocateAttempt(ApiJob<AllocateReply> *job, QByteArray body, QString requestId,
                              QString workloadKey, QDeadlineTimer deadline, double retryPoll,
                              int attempt, double budget)
{
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/runners/allocate"));
    req.contentType = "application/json";
    req.body = body;
    req.requestId = requestId;
    req.retry = RetryPolicy::AllocateInner;
    runStep(job, m_http->send(req), [=, this](HttpJob *h) {
        if (!h->hasError()) {
            Error bad;
            std::optional<AllocateReply> decoded = decodeReply<AllocateReply>(h->response(), &bad);
            if (!decoded) {
                job->failWith(bad);
                return;
            }
            AllocateReply reply = *decoded;
            reply.requestId = requestId; // the server does not echo it; report what we sent
            m_resolver->cacheHost(reply.runnerId, reply.hostAddress);
            job->succeedWith(reply);
            return;
        }
        const Error &e = h->error();
        const bool retryable =
            e.kind == ErrorKind::RateLimited || e.kind == ErrorKind::ServiceUnavailable ||
            e.kind == ErrorKind::Connection || e.kind == ErrorKind::RequestTimeout;
        if (!retryable) {
            job->failWith(e);
            return;
        }
        const double remaining = remainingSeconds(deadline);
        if (remaining <= 0) {
            job->failWith(allocationTimeout(workloadKey, budget, e));
            return;
        }
        double delay = (e.retryAfter && *e.retryAfter > 0)
                           ? *e.retryAfter
                           : std::max(retryPoll, std::min(5.0, retryPoll * std::pow(2.0, attempt)));
        delay = std::min(delay, remaining);
        const Error last = e;
        QTimer::singleShot(toMs(delay), job, [=, this] {
            if (job->isFinished())
                return;
            if (deadline.hasExpired()) {
                job->failWith(allocationTimeout(workloadKey, budget, last));
                return;
            }
            allocateAttempt(job, body, requestId, workloadKey, deadline, retryPoll, attempt + 1,
                            budget);
        });
    });
}

ApiJob<AllocateReply> *Runners::allocateReady(const WorkloadRef &ref,
                                              const AllocateOptions &options)
{
    const Settings &s = m_http->settings();
    const double budget = options.startupTimeout.value_or(s.startupTimeout);
    const double poll = options.pollInterval.value_or(s.pollInterval);
    const QDeadlineTimer deadline = deadlineIn(budget);
    auto *job = new ApiJob<AllocateReply>(this);
    if (budget <= 0) {
        job->failLater(allocationTimeout(ref.describe(), budget, std::nullopt));
        return job;
    }
    runStep(job, allocateWithin(ref, options, deadline, std::min(1.0, poll), budget, true),
            [=, this](ApiJob<AllocateReply> *allocated) {
                if (allocated->hasError()) {
                    job->failWith(allocated->error());
                    return;
                }
                const AllocateReply reply = allocated->result();
                runStep(job, waitReady(reply.runnerId, remainingSeconds(deadline), poll),
                        [=](ApiJob<RunnerStatus> *waited) {
                            if (!waited->hasError()) {
                                AllocateReply ready = reply;
                                if (!waited->result().hostAddress.isEmpty())
                                    ready.hostAddress = waited->result().hostAddress;
                                job->succeedWith(ready);
                                return;
                            }
                            if (waited->error().kind == ErrorKind::OperationTimeout) {
                                Error e =
                                    allocationTimeout(ref.describe(), budget, waited->error());
                                e.runnerId = reply.runnerId;
                                e.requestId = reply.requestId;
                                job->failWith(e);
                                return;
                            }
                            job->failWith(waited->error());
                        });
            });
    return job;
}

ApiJob<AllocateReply> *Runners::fromConfig(const WorkloadRef &ref, const AllocateOptions &options,
                                           bool waitReady)
{
    return waitReady ? allocateReady(ref, options) : allocate(ref, options);
}

ApiJob<AllocateReply> *Runners::resume(const WorkloadRef &ref, const QString &sessionId,
                                       AllocateOptions options)
{
    if (sessionId.trimmed().isEmpty()) {
        auto *job = new ApiJob<AllocateReply>(this);
        job->failLater(Error(ErrorKind::Value, QStringLiteral("session_id must not be empty")));
        return job;
    }
    options.sessionId = sessionId;
    return allocate(ref, options);
}

ApiJob<RunnerStatus> *Runners::waitReady(const QString &runnerId, std::optional<double> timeout,
                                         std::optional<double> pollInterval)
{
    auto *job = new ApiJob<RunnerStatus>(this);
    if (auto e = requireRunnerId(runnerId)) {
        job->failLater(*e);
        return job;
    }
    const double budget = timeout.value_or(m_http->settings().startupTimeout);
    const double poll = pollInterval.value_or(m_http->settings().pollInterval);
    QMetaObject::invokeMethod(
        job, [=, this] { waitStep(job, runnerId, deadlineIn(budget), poll, budget); },
        Qt::QueuedConnection);
    return job;
}

void Runners::waitStep(ApiJob<RunnerStatus> *job, QString runnerId, QDeadlineTimer deadline,
                       double poll, double budget)
{
    if (job->isFinished())
        return;
    if (deadline.hasExpired()) {
        Error e(ErrorKind::OperationTimeout,
                QStringLiteral("Runner %1 was not ready within %2 s").arg(runnerId).arg(budget));
        e.runnerId = runnerId;
        job->failWith(e);
        return;
    }
    auto again = [=, this](double delay) {
        QTimer::singleShot(toMs(std::min(delay, remainingSeconds(deadline))), job,
                           [=, this] { waitStep(job, runnerId, deadline, poll, budget); });
    };
    runStep(job, status(runnerId), [=](ApiJob<RunnerStatus> *st) {
        if (st->hasError()) {
            const Error &e = st->error();
            switch (e.kind) {
            case ErrorKind::Connection:
            case ErrorKind::NotFound:
            case ErrorKind::RateLimited:
            case ErrorKind::RequestTimeout:
            case ErrorKind::ServiceUnavailable:
                again(e.retryAfter && *e.retryAfter > 0 ? *e.retryAfter : poll);
                return;
            default:
                job->failWith(e);
                return;
            }
        }
        const RunnerStatus s = st->result();
        if (s.isReady()) {
            job->succeedWith(s);
            return;
        }
        if (!s.error.isEmpty() || terminalStatus(s.status)) {
            Error e(ErrorKind::RunnerUnavailable,
                    s.error.isEmpty()
                        ? QStringLiteral("Runner %1 is %2").arg(runnerId, s.status)
                        : QStringLiteral("Runner %1 is %2: %3").arg(runnerId, s.status, s.error));
            e.runnerId = runnerId;
            e.runnerStatus = s.status;
            e.requestId = s.requestId;
            job->failWith(e);
            return;
        }
        again(poll);
    });
}

ApiJob<RunnerStatus> *Runners::status(const QString &runnerId)
{
    if (auto e = requireRunnerId(runnerId)) {
        auto *job = new ApiJob<RunnerStatus>(this);
        job->failLater(*e);
        return job;
    }
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("runner_id"), runnerId);
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/runners/status"), q);
    req.retry = RetryPolicy::ControlPlaneGet;
    QPointer<HostResolver> resolver(m_resolver);
    return httpCall<RunnerStatus>(
        m_http, req, this, [resolver](const HttpResponse &r, const QJsonObject &o, ReplyCheck *c) {
            RunnerStatus s = RunnerStatus::fromJson(o, c);
            s.httpStatus = r.status;
            if (resolver && !s.hostAddress.isEmpty())
                resolver->cacheHost(s.runnerId, s.hostAddress);
            return s;
        });
}

ApiJob<RunnerList> *Runners::list()
{
    HttpRequest req;
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/runners"));
    req.retry = RetryPolicy::ControlPlaneGet;
    return httpCall<RunnerList>(m_http, req, this,
                                [](const HttpResponse &r, const QJsonObject &o, ReplyCheck *c) {
                                    RunnerList l = RunnerList::fromJson(o, c);
                                    l.requestId = r.requestId;
                                    return l;
                                });
}

ApiJob<ReleaseReply> *Runners::release(const QString &runnerId)
{
    if (auto e = requireRunnerId(runnerId)) {
        auto *job = new ApiJob<ReleaseReply>(this);
        job->failLater(*e);
        return job;
    }
    m_resolver->evictHost(runnerId);
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/runners/release"));
    req.contentType = "application/json";
    req.body = compact(QJsonObject{{QStringLiteral("runner_id"), runnerId}});
    return httpCall<ReleaseReply>(m_http, req, this,
                                  [](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
                                      return ReleaseReply::fromJson(o, c);
                                  });
}

ApiJob<PauseReply> *Runners::pause(const QString &runnerId, bool syncFs)
{
    if (auto e = requireRunnerId(runnerId)) {
        auto *job = new ApiJob<PauseReply>(this);
        job->failLater(*e);
        return job;
    }
    QJsonObject body{{QStringLiteral("runner_id"), runnerId}};
    if (syncFs)
        body.insert(QStringLiteral("sync_fs"), true);
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/runners/pause"));
    req.contentType = "application/json";
    req.body = compact(body);
    req.timeout = TimeoutClass::Operation;
    QPointer<HostResolver> resolver(m_resolver);
    return httpCall<PauseReply>(
        m_http, req, this,
        [resolver, runnerId](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
            // The VM is gone; a resume may land on another host.
            if (resolver)
                resolver->evictHost(runnerId);
            return PauseReply::fromJson(o, c);
        });
}

ApiJob<AllocateReply> *Runners::connectRunner(const QString &runnerId)
{
    if (auto e = requireRunnerId(runnerId)) {
        auto *job = new ApiJob<AllocateReply>(this);
        job->failLater(*e);
        return job;
    }
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(QStringLiteral("/api/v1/runners/connect"));
    req.contentType = "application/json";
    req.body = compact(QJsonObject{{QStringLiteral("runner_id"), runnerId}});
    QPointer<HostResolver> resolver(m_resolver);
    return httpCall<AllocateReply>(
        m_http, req, this, [resolver](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
            AllocateReply reply = AllocateReply::fromJson(o, c);
            if (resolver)
                resolver->cacheHost(reply.runnerId, reply.hostAddress);
            return reply;
        });
}

ApiJob<QuarantineReply> *Runners::quarantineCall(const QString &path, const QUrlQuery &query)
{
    HttpRequest req;
    req.method = "POST";
    req.url = m_http->controlPlaneUrl(path, query);
    return httpCall<QuarantineReply>(m_http, req, this,
                                     [](const HttpResponse &, const QJsonObject &o, ReplyCheck *c) {
                                         return QuarantineReply::fromJson(o, c);
                                     });
}

static QString boolText(bool b)
{
    return b ? QStringLiteral("true") : QStringLiteral("false");
}

ApiJob<QuarantineReply> *Runners::quarantine(const QString &runnerId, const QString &reason,
                                             bool blockEgress, bool pauseVm)
{
    if (auto e = requireRunnerId(runnerId)) {
        auto *job = new ApiJob<QuarantineReply>(this);
        job->failLater(*e);
        return job;
    }
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("runner_id"), runnerId);
    if (!reason.isEmpty())
        q.addQueryItem(QStringLiteral("reason"), reason);
    q.addQueryItem(QStringLiteral("block_egress"), boolText(blockEgress));
    q.addQueryItem(QStringLiteral("pause_vm"), boolText(pauseVm));
    return quarantineCall(QStringLiteral("/api/v1/runners/quarantine"), q);
}

ApiJob<QuarantineReply> *Runners::unquarantine(const QString &runnerId, bool unblockEgress,
                                               bool resumeVm)
{
    if (auto e = requireRunnerId(runnerId)) {
        auto *job = new ApiJob<QuarantineReply>(this);
        job->failLater(*e);
        return job;
    }
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("runner_id"), runnerId);
    q.addQueryItem(QStringLiteral("unblock_egress"), boolText(unblockEgress));
    q.addQueryItem(QStringLiteral("resume_vm"), boolText(resumeVm));
    return quarantineCall(QStringLiteral("/api/v1/runners/unquarantine"), q);
}

} // namespace capsule
