// Typed replies of the control plane (contract 2, 10); unknown fields are ignored, raw kept where
// useful.
#pragma once

#include "core/states.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <optional>

namespace capsule {

// Lenient field readers: booleans accept true/false and "true"/"false" (contract 7), numbers
// accept numeric strings.
bool jsonBool(const QJsonValue &v, bool fallback = false);
qint64 jsonInt(const QJsonValue &v, qint64 fallback = 0);
// The pause reply's `layer`: an integer, absent or null when the host wrote no layer.
std::optional<qint64> pauseLayer(const QJsonValue &v);
double jsonDouble(const QJsonValue &v, double fallback = 0);
QString jsonString(const QJsonValue &v);
// RFC 3339 with nanoseconds (Go) -> QDateTime (UTC); invalid when absent.
QDateTime jsonTime(const QJsonValue &v);

// Strict shape checks of a reply (issue 8). The body must be a JSON object; a field that holds a
// list or an object must hold one (null or absent counts as empty: Go sends nil slices as null);
// list entries must be objects; a scalar field must not be a list or an object; identifying
// fields (config_id, runner_id, ...) must be there. Scalars themselves stay lenient (contract 7).
// fromJson() records the first problem here and the caller fails its job with
// Error::unexpectedReply(problem()), e.g. "configs is a string, not a list".
class ReplyCheck
{
public:
    bool ok() const { return m_problem.isEmpty(); }
    const QString &problem() const { return m_problem; }
    void fail(const QString &what); // the first problem wins

    // `body` as a JSON object with request_id injected (HttpResponse::json() without the _raw
    // fallback): anything else is a problem and gives an empty object.
    QJsonObject object(const QByteArray &body, const QString &requestId);
    // "a string", "a list", "null", ... for messages.
    static QString describe(const QJsonValue &v);

private:
    QString m_problem;
};

// One layer of a create reply (key "hash" there).
struct CreatedLayer
{
    QString name;
    QString hash;
    int depth = 0;
    QString status;
    QString currentVersion;
    LayerState state() const { return layerStateFromWire(status); }
    static CreatedLayer fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                 const QString &path = {});
};

// POST /api/v1/layered-configs reply.
struct CreateConfigReply
{
    QString configId;
    QString leafWorkloadKey;
    QList<CreatedLayer> layers;
    QString requestId;
    static CreateConfigReply fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                      const QString &path = {});
};

// A stored config (list entries and detail "config").
struct StoredConfig
{
    QString configId;
    QString displayName;
    QString leafLayerHash;
    QString leafWorkloadKey;
    QString tier;
    QJsonObject startCommand; // empty when absent
    qint64 runnerTtlSeconds = 0;
    qint64 sessionMaxAgeSeconds = 0;
    bool autoPause = false;
    bool autoRollout = false;
    qint64 maxConcurrentRunners = 0;
    QString buildSchedule;
    QString networkPolicyPreset;
    QJsonValue networkPolicy;
    QDateTime createdAt;
    QDateTime updatedAt;
    QJsonObject raw;
    static StoredConfig fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                 const QString &path = {});
};

// A layer of GET /layered-configs/{id} (key "layer_hash" there).
struct LayerStatus
{
    QString name;
    QString layerHash;
    QString status; // pending|active|inactive|unknown
    QString currentVersion;
    int depth = 0;
    QString buildStatus; // queued|waiting_parent|running while a build is in flight, else empty
    QString buildVersion;
    QString buildInstanceName;
    LayerState state() const { return layerStateFromWire(status); }
    BuildState buildState() const { return buildStateFromWire(buildStatus); }
    static LayerStatus fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                const QString &path = {});
};

struct ConfigDetail
{
    StoredConfig config;
    QList<LayerStatus> layers; // root first; empty for "layers": null
    QJsonObject definition;
    QString requestId;
    // Contract 2.1: the build finished when the last layer is active with a current version.
    bool buildFinished() const;
    // Some layer has a build queued/waiting/running.
    bool buildInFlight() const;
    static ConfigDetail fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                 const QString &path = {});
};

struct ConfigList
{
    QList<StoredConfig> configs;
    int count = 0;
    QString requestId;
    static ConfigList fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                               const QString &path = {});
};

struct BuildReply
{
    QString configId;
    QString status; // build_enqueued | no_build_needed
    int enqueued = 0;
    bool force = false;
    bool clean = false;
    QString requestId;
    BuildRequestState state() const { return buildRequestStateFromWire(status); }
    static BuildReply fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                               const QString &path = {});
};

struct RefreshReply
{
    QString configId;
    QString layerName;
    QString status; // refresh_enqueued | no_refresh_needed
    int enqueued = 0;
    QString requestId;
    BuildRequestState state() const { return buildRequestStateFromWire(status); }
    static RefreshReply fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                 const QString &path = {});
};

// Section 10 build list entry.
struct BuildInfo
{
    QString layerName;
    QString version;
    QString status;
    QDateTime startedAt;
    QDateTime finishedAt;
    std::optional<int> exitCode;
    BuildState state() const { return buildStateFromWire(status); }
    static BuildInfo fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                              const QString &path = {});
};

// GET .../builds: `offered` is false when the server does not have the route (404): the caller
// falls back to polling the config's layers.
struct BuildList
{
    bool offered = true;
    QList<BuildInfo> builds;
    static BuildList fromJson(const QJsonObject &o, ReplyCheck *check = nullptr);
};

struct BuildLog
{
    bool offered = true;
    QByteArray text;
};

struct AllocateReply
{
    QString runnerId;
    QString hostId;
    QString hostAddress;
    QString internalIp;
    QString sessionId;
    bool resumed = false;
    QString requestId; // the id the client sent (the server does not echo it)
    static AllocateReply fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                  const QString &path = {});
};

struct RunnerStatus
{
    QString runnerId;
    QString status; // pending|ready|suspended|unavailable|...
    QString hostAddress;
    QString error;
    int httpStatus = 200; // 202 while pending
    QString requestId;
    RunnerState state() const { return runnerStateFromWire(status); }
    bool isReady() const { return state() == RunnerState::Ready; }
    static RunnerStatus fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                 const QString &path = {});
};

// GET /api/v1/runners entry; keeps the fields the SDK drops and the section 10 ones.
struct RunnerInfo
{
    QString runnerId;
    QString hostId;
    QString hostName;
    QString hostAddress;
    QString workloadKey;
    QString status;
    QString internalIp;
    QString sessionId;
    bool resumed = false;
    QString proxyAddr;
    int caCertPort = 0;
    QString tenantId;
    QJsonObject raw;
    RunnerState state() const { return runnerStateFromWire(status); }
    static RunnerInfo fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                               const QString &path = {});
};

struct RunnerList
{
    QList<RunnerInfo> runners;
    int count = 0;
    QString requestId;
    static RunnerList fromJson(const QJsonObject &o, ReplyCheck *check = nullptr);
};

struct ReleaseReply
{
    bool success = false;
    QString requestId;
    static ReleaseReply fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                 const QString &path = {});
};

struct PauseReply
{
    bool success = false;
    QString sessionId;
    qint64 snapshotSizeBytes = 0;
    std::optional<qint64> layer; // the session's snapshot layer number (SDK: int | None)
    QString requestId;
    static PauseReply fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                               const QString &path = {});
};

struct QuarantineReply
{
    bool success = false;
    QString runnerId;
    QString quarantineDir;
    QString error;
    QJsonObject raw; // the whole map, as the SDK returns it
    static QuarantineReply fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                    const QString &path = {});
};

struct SnapshotMetrics
{
    double avgAnalysisTimeMs = 0;
    double cacheHitRatio = 0;
    qint64 sampleCount = 0;
};

// Accepts Go field names (Version, GCSPath, ...) and snake_case alike.
struct Snapshot
{
    QString version;
    QString status;
    QString gcsPath;
    QString repoCommit;
    qint64 sizeBytes = 0;
    QDateTime createdAt;
    SnapshotMetrics metrics;
    // Not in the contract's item: capsule-local adds "WorkloadKey" (empty from other servers).
    QString workloadKey;
    static Snapshot fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                             const QString &path = {});
};

struct SnapshotList
{
    QList<Snapshot> snapshots;
    int count = 0;
    QString currentVersion;
    QString requestId;
    static SnapshotList fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                                 const QString &path = {});
};

struct Host
{
    QString id;
    QString instanceName;
    QString zone;
    QString status;
    int idleRunners = 0;
    int busyRunners = 0;
    QString snapshotVersion;
    QDateTime lastHeartbeat;
    QString grpcAddress;
    qint64 totalCpuMillicores = 0;
    qint64 usedCpuMillicores = 0;
    qint64 totalMemoryMb = 0;
    qint64 usedMemoryMb = 0;
    static Host fromJson(const QJsonObject &o, ReplyCheck *check = nullptr,
                         const QString &path = {});
};

struct HostList
{
    QList<Host> hosts;
    int count = 0;
    QString requestId;
    static HostList fromJson(const QJsonObject &o, ReplyCheck *check = nullptr);
};

// What workloads.onboard/list return.
struct WorkloadSummary
{
    QString displayName;
    QString configId;
    QString workloadKey;
};

} // namespace capsule
