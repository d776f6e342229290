// Workloads (contract 4.3/4.4): onboarding and reference resolution by key, id or display name.
#pragma once

#include "core/apicall.h"
#include "core/models.h"

#include <QObject>

namespace capsule {

class LayeredConfigs;
class Runners;
class RunnerConfig;
struct AllocateOptions;

// What callers may name a workload by: a string (leaf key, config id or display name) or an
// object the client already holds. Objects carrying both config id and key need no request.
struct WorkloadRef
{
    enum class Source { String, Summary, Stored, CreateReply };
    Source source = Source::String;
    QString text; // Source::String
    QString configId;
    QString displayName;
    QString leafWorkloadKey;

    WorkloadRef() = default;
    WorkloadRef(const QString &s); // NOLINT: implicit on purpose, strings are the common case
    WorkloadRef(const char *s);    // NOLINT
    static WorkloadRef fromSummary(const WorkloadSummary &s);
    static WorkloadRef fromStored(const StoredConfig &c);
    static WorkloadRef fromDetail(const ConfigDetail &d) { return fromStored(d.config); }
    static WorkloadRef fromCreateReply(const CreateConfigReply &r);
    // A RunnerConfig names its workload by id: resolved through the list like a string.
    static WorkloadRef fromRunnerConfig(const RunnerConfig &c);

    bool isString() const { return source == Source::String; }
    QString describe() const; // for messages
};

class Workloads : public QObject
{
    Q_OBJECT
public:
    Workloads(Http *http, LayeredConfigs *configs, QObject *parent = nullptr);
    void setRunners(Runners *runners) { m_runners = runners; }

    // Create, then build unless build = false; no waiting, the build reply is ignored.
    ApiJob<WorkloadSummary> *onboard(const RunnerConfig &config, bool build = true,
                                     bool force = false, bool clean = false);
    ApiJob<WorkloadSummary> *onboard(const QJsonObject &body, bool build = true, bool force = false,
                                     bool clean = false);
    // onboard.yaml text or path (contract 5.3); `name` fills a missing display name.
    ApiJob<WorkloadSummary> *onboardYaml(const QString &textOrPath, const QString &name = {},
                                         bool build = true, bool force = false, bool clean = false);

    // Display name falls back to the key, then the id.
    ApiJob<QList<WorkloadSummary>> *list();
    ApiJob<ConfigDetail> *get(const WorkloadRef &ref);
    ApiJob<BuildReply> *build(const WorkloadRef &ref, bool force = false, bool clean = false);
    ApiJob<QJsonObject> *remove(const WorkloadRef &ref);
    // start = allocate + wait ready (Runners::allocateReady); allocate = one allocate.
    ApiJob<AllocateReply> *start(const WorkloadRef &ref, const AllocateOptions &options);
    ApiJob<AllocateReply> *allocate(const WorkloadRef &ref, const AllocateOptions &options);

    // Config level (4.4): the matching config as a summary (config id + key). Conflict when a
    // name matches several configs, NotFound when none.
    ApiJob<WorkloadSummary> *resolveConfig(const WorkloadRef &ref);
    // Runner level (4.4): the leaf workload key; a string that matches nothing is used as the raw
    // key.
    ApiJob<QString> *resolveKey(const WorkloadRef &ref);

private:
    void resolveFromList(ApiJob<WorkloadSummary> *job, const QString &ref);
    void resolveFromDetail(ApiJob<WorkloadSummary> *job, const QString &configId);

    Http *m_http;
    LayeredConfigs *m_configs;
    Runners *m_runners = nullptr;
};

} // namespace capsule
