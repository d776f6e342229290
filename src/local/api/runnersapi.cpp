#include "local/api/runnersapi.h"

#include "local/api/allocatebody.h"
#include "local/api/json.h"
#include "local/api/runnerrequests.h"
#include "local/api/status.h"

#include <QJsonArray>

namespace capsule::local::api {

// ---------------------------------------------------------------- replies

QJsonObject allocateReplyJson(const AllocateReply &reply)
{
    QJsonObject o{{s("runner_id"), reply.runnerId},       {s("host_id"), reply.hostId},
                  {s("host_address"), reply.hostAddress}, {s("internal_ip"), s("127.0.0.1")},
                  {s("session_id"), reply.sessionId},     {s("resumed"), reply.resumed}};
    if (!reply.proxyAddr.isEmpty()) {
        o[s("proxy_addr")] = reply.proxyAddr;
        o[s("ca_cert_port")] = reply.caCertPort;
    }
    if (!reply.tenantId.isEmpty())
        o[s("tenant_id")] = reply.tenantId;
    return o;
}

QJsonObject runnerStatusJson(const RunnerStatus &status)
{
    switch (status.phase) {
    case RunnerStatus::Phase::Pending:
        return {{s("runner_id"), status.runnerId}, {s("status"), s("pending")}};
    case RunnerStatus::Phase::Suspended:
        return {{s("runner_id"), status.runnerId}, {s("status"), s("suspended")}};
    case RunnerStatus::Phase::Ready:
        break;
    }
    return {{s("runner_id"), status.runnerId},
            {s("status"), s("ready")},
            {s("host_address"), status.hostAddress}};
}

QJsonObject runnerListItemJson(const Runner &run, const QString &hostAddress)
{
    QJsonObject o{{s("runner_id"), run.id},
                  {s("host_id"), run.hostId},
                  {s("host_name"), QStringLiteral("capsule-") + run.hostId},
                  {s("host_address"), hostAddress},
                  {s("workload_key"), run.workloadKey},
                  {s("status"), toWire(run.state)},
                  {s("session_id"), run.sessionId},
                  {s("internal_ip"), s("127.0.0.1")},
                  {s("resumed"), run.resumed},
                  {s("config_id"), run.configId},
                  {s("created_at"), run.createdAt},
                  {s("labels"), run.labels}};
    if (!run.proxyAddr.isEmpty()) {
        o[s("proxy_addr")] = run.proxyAddr;
        o[s("ca_cert_port")] = run.caCertPort;
        o[s("ca_cert_status")] = run.caCertStatus.isEmpty() ? s("pending") : run.caCertStatus;
    }
    if (!run.tenantId.isEmpty())
        o[s("tenant_id")] = run.tenantId;
    if (!run.networkPolicyPreset.isEmpty())
        o[s("network_policy_preset")] = run.networkPolicyPreset;
    if (run.state == RunnerState::Quarantined && !run.quarantineReason.isEmpty())
        o[s("quarantine_reason")] = run.quarantineReason;
    return o;
}

QJsonObject pauseReplyJson(const PauseReply &reply)
{
    return {{s("success"), true},
            {s("session_id"), reply.sessionId},
            {s("snapshot_size_bytes"), reply.snapshotSizeBytes},
            {s("layer"), reply.layer}};
}

QJsonObject quarantineReplyJson(const QString &runnerId, const QuarantineReply &reply)
{
    QJsonObject o{{s("success"), reply.success}, {s("runner_id"), runnerId}};
    if (!reply.success)
        o[s("error")] = reply.error;
    if (!reply.quarantineDir.isEmpty())
        o[s("quarantine_dir")] = reply.quarantineDir;
    if (!reply.warning.isEmpty())
        o[s("warning")] = reply.warning;
    return o;
}

QJsonObject hostsJson(const HostsReport &report)
{
    const QJsonObject local{
        {s("sandbox"), report.sandbox},      {s("filesystem"), report.filesystem},
        {s("disk_quota"), report.diskQuota}, {s("network"), report.network},
        {s("limits"), report.limits},        {s("pids_per_runner"), report.pidsPerRunner},
        {s("base_image"), report.baseImage}};
    QJsonArray out;
    for (const HostReport &h : report.hosts)
        out.append(QJsonObject{{s("id"), h.id},
                               {s("instance_name"), QStringLiteral("capsule-") + h.id},
                               {s("zone"), s("local")},
                               {s("status"), h.draining ? s("draining") : s("ready")},
                               {s("idle_runners"), h.idleRunners},
                               {s("busy_runners"), h.busyRunners},
                               {s("snapshot_version"), QString()},
                               {s("last_heartbeat"), nowRfc3339()},
                               {s("grpc_address"), h.address},
                               {s("address"), h.address},
                               {s("total_cpu_millicores"), report.totalCpuMillicores},
                               {s("used_cpu_millicores"), report.usedCpuMillicores},
                               {s("total_memory_mb"), report.totalMemoryMb},
                               {s("used_memory_mb"), report.usedMemoryMb},
                               {s("local"), local}});
    return {{s("hosts"), out}, {s("count"), out.size()}};
}

QJsonObject snapshotJson(const Runner &run)
{
    return {{s("Version"), run.layer},
            {s("Status"), s("ready")},
            {s("GCSPath"), QStringLiteral("file://") + run.stateDir},
            {s("RepoCommit"), QString()},
            {s("SizeBytes"), run.snapshotSize},
            {s("CreatedAt"), run.pausedAt},
            {s("Metrics"), QJsonObject{{s("avg_analysis_time_ms"), 0},
                                       {s("cache_hit_ratio"), 0},
                                       {s("sample_count"), 0}}},
            {s("SessionID"), run.sessionId},
            {s("RunnerID"), run.id},
            {s("WorkloadKey"), run.workloadKey}};
}

// ---------------------------------------------------------------- routes

RunnersApi::RunnersApi(RunnerRegistry *runners)
    : m_runners(runners)
{}

void RunnersApi::addRoutes(Router &router)
{
    using P = const QStringList &;
    using R = const Responder &;
    using Q = const HttpRequest &;
    router.add(s("*"), s("runners"), [this](Q, P, R r) { list(r); }); // any method, as upstream
    router.add(s("GET"), s("runners/status"), [this](Q q, P, R r) { status(q, r); });
    router.add(s("POST"), s("runners/allocate"), [this](Q q, P, R r) { allocate(q, r); });
    router.add(s("POST"), s("runners/release"), [this](Q q, P, R r) { release(q, r); });
    router.add(s("POST"), s("runners/pause"), [this](Q q, P, R r) { pause(q, r); });
    router.add(
        s("POST"), s("runners/connect"), [this](Q q, P, R r) { connectRunner(q, r); },
        ErrorStyle::Json);
    router.add(s("POST"), s("runners/quarantine"), [this](Q q, P, R r) { quarantine(q, r, true); });
    router.add(s("POST"), s("runners/unquarantine"),
               [this](Q q, P, R r) { quarantine(q, r, false); });
    router.add(s("GET"), s("hosts"), [this](Q, P, R r) { hosts(r); });
    router.add(
        s("POST"), s("hosts/{}/drain"), [this](Q, P p, R r) { drain(p.at(0), true, r); },
        ErrorStyle::Json);
    router.add(
        s("POST"), s("hosts/{}/undrain"), [this](Q, P p, R r) { drain(p.at(0), false, r); },
        ErrorStyle::Json);
    router.add(s("*"), s("snapshots"), [this](Q, P, R r) { snapshots(r); });
}

void RunnersApi::allocate(const HttpRequest &request, const Responder &r)
{
    AllocateRequest req;
    QString error;
    if (!parseAllocateRequest(request.body(), request.value("X-Request-Id"), &req, &error))
        return replyText(r, 400, error);
    // The reply may come much later (the sandbox starts first); a client gone meanwhile makes
    // the responder's writes no-ops, as for every reply.
    m_runners->allocate(std::move(req), [r](const Result<AllocateReply> &result) {
        if (!result.ok())
            return replyServiceError(r, result.error());
        replyJson(r, 200, allocateReplyJson(result.value()));
    });
}

void RunnersApi::status(const HttpRequest &request, const Responder &r)
{
    QString id, error;
    if (!parseStatusQuery(formQuery(request.url()), &id, &error))
        return replyText(r, 400, error);
    const Result<RunnerStatus> result = m_runners->status(id);
    if (!result.ok())
        return replyServiceError(r, result.error());
    const bool pending = result.value().phase == RunnerStatus::Phase::Pending;
    replyJson(r, pending ? 202 : 200, runnerStatusJson(result.value()));
}

void RunnersApi::list(const Responder &r)
{
    QJsonArray out;
    for (const Runner *run : m_runners->runners())
        out.append(runnerListItemJson(*run, m_runners->hostAddress(run->hostId)));
    replyJson(r, 200, {{s("runners"), out}, {s("count"), out.size()}});
}

void RunnersApi::release(const HttpRequest &request, const Responder &r)
{
    QString id, error;
    if (!parseRunnerId(request.body(), &id, &error))
        return replyText(r, 400, error);
    m_runners->release(id);
    replyJson(r, 200, {{s("success"), true}});
}

void RunnersApi::pause(const HttpRequest &request, const Responder &r)
{
    PauseRequest req;
    QString error;
    if (!parsePause(request.body(), formQuery(request.url()), &req, &error))
        return replyText(r, 400, error);
    m_runners->pause(req.runnerId, req.syncFs, [r](const Result<PauseReply> &result) {
        if (result.ok())
            return replyJson(r, 200, pauseReplyJson(result.value()));
        // Upstream answers an unknown runner in text and a failed pause in JSON.
        if (result.error().kind == ServiceError::Kind::NotFound)
            return replyServiceErrorText(r, result.error());
        replyServiceError(r, result.error());
    });
}

void RunnersApi::connectRunner(const HttpRequest &request, const Responder &r)
{
    QString id, error;
    if (!parseRunnerId(request.body(), &id, &error))
        return replyText(r, 400, error);
    m_runners->connectRunner(id, [r](const Result<AllocateReply> &result) {
        if (!result.ok())
            return replyServiceError(r, result.error());
        replyJson(r, 200, allocateReplyJson(result.value()));
    });
}

void RunnersApi::quarantine(const HttpRequest &request, const Responder &r, bool on)
{
    QuarantineRequest req;
    QString error;
    if (!parseQuarantineQuery(formQuery(request.url()), on, &req, &error))
        return replyText(r, 400, error);
    const Result<QuarantineReply> result = m_runners->quarantine(req);
    if (!result.ok())
        return replyServiceErrorText(r, result.error());
    replyJson(r, 200, quarantineReplyJson(req.runnerId, result.value()));
}

void RunnersApi::hosts(const Responder &r)
{
    replyJson(r, 200, hostsJson(m_runners->hosts()));
}

void RunnersApi::drain(const QString &hostId, bool on, const Responder &r)
{
    const Result<DrainReply> result = m_runners->drain(hostId, on);
    if (!result.ok())
        return replyServiceError(r, result.error());
    const DrainReply &d = result.value();
    replyJson(r, 200,
              {{s("success"), true},
               {s("host_id"), d.hostId},
               {s("status"), d.draining ? s("draining") : s("ready")},
               {s("moved"), d.moved}});
}

void RunnersApi::snapshots(const Responder &r)
{
    QJsonArray out;
    for (const Runner *run : m_runners->snapshots())
        out.append(snapshotJson(*run));
    replyJson(r, 200,
              {{s("snapshots"), out}, {s("count"), out.size()}, {s("current_version"), QString()}});
}

} // namespace capsule::local::api
