// The runner resource (contract 2.2, 1.6 allocate loop, 4.3 wait rules, section 10 fields).
#pragma once

#include "core/apicall.h"
#include "core/models.h"
#include "core/workloads.h"

#include <QDeadlineTimer>
#include <QMap>
#include <QObject>

namespace capsule {

class HostResolver;

// Allocation fields; each is sent only when set (older servers ignore unknown fields anyway).
struct AllocateOptions
{
    QMap<QString, QString> labels; // keys starting with '_' are internal and rejected
    QString sessionId;
    QString networkPolicyPreset;
    QJsonObject networkPolicy;     // sent as network_policy_json, a STRING holding JSON
    QString networkPolicyJson;     // the same as raw JSON text (wins over networkPolicy)
    QString proxyAddr;             // host:port of the credential broker proxy
    std::optional<int> caCertPort; // 8443 when proxyAddr is set and this is not
    QString tenantId;
    QString requestId; // idempotency key; a fresh uuid4 when empty; equals X-Request-Id
    std::optional<double> startupTimeout;    // budget; default Settings::startupTimeout
    std::optional<double> pollInterval;      // wait_ready polling; default Settings::pollInterval
    std::optional<double> retryPollInterval; // allocate outer loop; default Settings value
};

class Runners : public QObject
{
    Q_OBJECT
public:
    Runners(Http *http, HostResolver *resolver, Workloads *workloads, QObject *parent = nullptr);

    HostResolver *hostResolver() const { return m_resolver; }

    // Resolves the reference (4.4), then POSTs allocate until it succeeds, a non-retryable error
    // occurs or the startup budget is gone (AllocationTimeout naming the last error). At least one
    // attempt. The host address is cached.
    ApiJob<AllocateReply> *allocate(const WorkloadRef &ref, const AllocateOptions &options = {});
    // allocate + waitReady within one budget; a wait timeout becomes AllocationTimeout. The runner
    // is not released on failure.
    ApiJob<AllocateReply> *allocateReady(const WorkloadRef &ref,
                                         const AllocateOptions &options = {});
    // from_config: allocateReady, or a single allocate when waitReady is false.
    ApiJob<AllocateReply> *fromConfig(const WorkloadRef &ref, const AllocateOptions &options = {},
                                      bool waitReady = true);
    // Resume = allocate with the suspended session's id.
    ApiJob<AllocateReply> *resume(const WorkloadRef &ref, const QString &sessionId,
                                  AllocateOptions options = {});

    // 4.3 rules: polls status until ready; terminal states -> RunnerUnavailable; transient errors
    // are waited out; out of time (zero = no call at all) -> OperationTimeout.
    ApiJob<RunnerStatus> *waitReady(const QString &runnerId, std::optional<double> timeout = {},
                                    std::optional<double> pollInterval = {});

    // 202 pending is a result, not an error. A host address in the reply is cached.
    ApiJob<RunnerStatus> *status(const QString &runnerId);
    ApiJob<RunnerList> *list();
    // Evicts the cached host whatever the outcome; idempotent on the server.
    ApiJob<ReleaseReply> *release(const QString &runnerId);
    // sync_fs only when true; the operation timeout applies (the server snapshots the VM).
    ApiJob<PauseReply> *pause(const QString &runnerId, bool syncFs = false);
    // POST /api/v1/runners/connect (section 10); caches the address.
    ApiJob<AllocateReply> *connectRunner(const QString &runnerId);
    ApiJob<QuarantineReply> *quarantine(const QString &runnerId, const QString &reason = {},
                                        bool blockEgress = true, bool pauseVm = true);
    ApiJob<QuarantineReply> *unquarantine(const QString &runnerId, bool unblockEgress = true,
                                          bool resumeVm = true);

    // The allocate body of 2.2 + section 10 (exposed for tests and the CLI's --dry-run).
    static QJsonObject allocateBody(const QString &workloadKey, const QString &requestId,
                                    const AllocateOptions &options, Error *error = nullptr);

private:
    void allocateAttempt(ApiJob<AllocateReply> *job, QByteArray body, QString requestId,
                         QString workloadKey, QDeadlineTimer deadline, double retryPoll,
                         int attempt, double budget);
    void waitStep(ApiJob<RunnerStatus> *job, QString runnerId, QDeadlineTimer deadline, double poll,
                  double budget);
    ApiJob<AllocateReply> *allocateWithin(const WorkloadRef &ref, const AllocateOptions &options,
                                          QDeadlineTimer deadline, double retryPoll, double budget,
                                          bool failWhenNoTime);
    ApiJob<QuarantineReply> *quarantineCall(const QString &path, const QUrlQuery &query);

    Http *m_http;
    HostResolver *m_resolver;
    Workloads *m_workloads;
};

} // namespace capsule
