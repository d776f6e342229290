// Workloads: onboarding flows and client-side reference resolution (contract 4.3, 4.4).
#include "core/workloads.h"

#include "core/layeredconfigs.h"
#include "core/onboard.h"
#include "core/runnerconfig.h"
#include "core/runners.h"

namespace capsule {

WorkloadRef::WorkloadRef(const QString &s)
    : text(s)
{}

WorkloadRef::WorkloadRef(const char *s)
    : text(QString::fromUtf8(s))
{}

WorkloadRef WorkloadRef::fromSummary(const WorkloadSummary &s)
{
    WorkloadRef r;
    r.source = Source::Summary;
    r.configId = s.configId;
    r.displayName = s.displayName;
    r.leafWorkloadKey = s.workloadKey;
    return r;
}

WorkloadRef WorkloadRef::fromStored(const StoredConfig &c)
{
    WorkloadRef r;
    r.source = Source::Stored;
    r.configId = c.configId;
    r.displayName = c.displayName;
    r.leafWorkloadKey = c.leafWorkloadKey;
    return r;
}

WorkloadRef WorkloadRef::fromCreateReply(const CreateConfigReply &c)
{
    WorkloadRef r;
    r.source = Source::CreateReply;
    r.configId = c.configId;
    r.displayName = c.configId;
    r.leafWorkloadKey = c.leafWorkloadKey;
    return r;
}

WorkloadRef WorkloadRef::fromRunnerConfig(const RunnerConfig &c)
{
    return WorkloadRef(c.id());
}

QString WorkloadRef::describe() const
{
    if (isString())
        return text;
    if (!configId.isEmpty())
        return configId;
    if (!displayName.isEmpty())
        return displayName;
    return leafWorkloadKey;
}

Workloads::Workloads(Http *http, LayeredConfigs *configs, QObject *parent)
    : QObject(parent)
    , m_http(http)
    , m_configs(configs)
{}

namespace {

WorkloadSummary summaryOf(const StoredConfig &c)
{
    WorkloadSummary s;
    s.configId = c.configId;
    s.workloadKey = c.leafWorkloadKey;
    s.displayName = !c.displayName.isEmpty()       ? c.displayName
                    : !c.leafWorkloadKey.isEmpty() ? c.leafWorkloadKey
                                                   : c.configId;
    return s;
}

// get/build/remove by reference: resolve the config (4.4), then run `makeStep(configId)` and pass
// its outcome through.
template<class T, class MakeStep>
ApiJob<T> *afterResolve(QObject *parent, ApiJob<WorkloadSummary> *resolve, MakeStep makeStep)
{
    auto *job = new ApiJob<T>(parent);
    runStep(job, resolve, [job, makeStep](ApiJob<WorkloadSummary> *r) {
        if (r->hasError()) {
            job->failWith(r->error());
            return;
        }
        runStep(job, makeStep(r->result().configId), [job](ApiJob<T> *d) {
            if (d->hasError())
                job->failWith(d->error());
            else
                job->succeedWith(d->result());
        });
    });
    return job;
}

} // namespace

ApiJob<WorkloadSummary> *Workloads::onboard(const RunnerConfig &config, bool build, bool force,
                                            bool clean)
{
    Error error;
    const QJsonObject body = config.toBody(&error);
    if (body.isEmpty()) {
        auto *job = new ApiJob<WorkloadSummary>(this);
        job->failLater(error.message.isEmpty()
                           ? Error(ErrorKind::Value, QStringLiteral("invalid runner config"))
                           : error);
        return job;
    }
    return onboard(body, build, force, clean);
}

ApiJob<WorkloadSummary> *Workloads::onboard(const QJsonObject &body, bool build, bool force,
                                            bool clean)
{
    auto *job = new ApiJob<WorkloadSummary>(this);
    runStep(job, m_configs->create(body),
            [this, job, build, force, clean](ApiJob<CreateConfigReply> *created) {
                if (created->hasError()) {
                    job->failWith(created->error());
                    return;
                }
                const CreateConfigReply reply = created->result();
                WorkloadSummary summary;
                summary.configId = reply.configId;
                summary.displayName = reply.configId;
                summary.workloadKey = reply.leafWorkloadKey;
                if (!build) {
                    job->succeedWith(summary);
                    return;
                }
                runStep(job, m_configs->build(reply.configId, force, clean),
                        [job, summary](ApiJob<BuildReply> *built) {
                            if (built->hasError())
                                job->failWith(built->error());
                            else
                                job->succeedWith(summary);
                        });
            });
    return job;
}

ApiJob<WorkloadSummary> *Workloads::onboardYaml(const QString &textOrPath, const QString &name,
                                                bool build, bool force, bool clean)
{
    Error error;
    const QJsonObject body = parseOnboard(textOrPath, name, &error);
    if (body.isEmpty()) {
        auto *job = new ApiJob<WorkloadSummary>(this);
        job->failLater(error.message.isEmpty()
                           ? Error(ErrorKind::Value, QStringLiteral("empty onboard.yaml"))
                           : error);
        return job;
    }
    return onboard(body, build, force, clean);
}

ApiJob<QList<WorkloadSummary>> *Workloads::list()
{
    auto *job = new ApiJob<QList<WorkloadSummary>>(this);
    runStep(job, m_configs->list(), [job](ApiJob<ConfigList> *l) {
        if (l->hasError()) {
            job->failWith(l->error());
            return;
        }
        QList<WorkloadSummary> out;
        for (const StoredConfig &c : l->result().configs)
            out.append(summaryOf(c));
        job->succeedWith(out);
    });
    return job;
}

ApiJob<WorkloadSummary> *Workloads::resolveConfig(const WorkloadRef &ref)
{
    auto *job = new ApiJob<WorkloadSummary>(this);
    if (!ref.isString()) {
        if (!ref.configId.isEmpty() && !ref.leafWorkloadKey.isEmpty()) {
            WorkloadSummary s;
            s.configId = ref.configId;
            s.displayName = ref.displayName.isEmpty() ? ref.configId : ref.displayName;
            s.workloadKey = ref.leafWorkloadKey;
            job->succeedLater(s);
            return job;
        }
        if (ref.source == WorkloadRef::Source::Stored && !ref.configId.isEmpty()) {
            resolveFromDetail(job, ref.configId);
            return job;
        }
    }
    QString name = ref.isString() ? ref.text : ref.configId;
    if (name.isEmpty())
        name = ref.displayName;
    if (name.isEmpty()) {
        job->failLater(Error(ErrorKind::Value, QStringLiteral("empty workload reference")));
        return job;
    }
    resolveFromList(job, name);
    return job;
}

void Workloads::resolveFromList(ApiJob<WorkloadSummary> *job, const QString &ref)
{
    runStep(job, m_configs->list(), [this, job, ref](ApiJob<ConfigList> *l) {
        if (l->hasError()) {
            job->failWith(l->error());
            return;
        }
        const QList<StoredConfig> &configs = l->result().configs;
        // Key first, then config id, then display name; the first field that matches decides.
        using Field = QString StoredConfig::*;
        for (Field field : {&StoredConfig::leafWorkloadKey, &StoredConfig::configId,
                            &StoredConfig::displayName}) {
            QList<StoredConfig> matches;
            for (const StoredConfig &c : configs) {
                if (c.*field == ref)
                    matches.append(c);
            }
            if (matches.isEmpty())
                continue;
            if (matches.size() > 1) {
                Error e(ErrorKind::Conflict,
                        QStringLiteral("workload reference \"%1\" is ambiguous: %2 configs match")
                            .arg(ref)
                            .arg(matches.size()));
                e.status = 409;
                job->failWith(e);
                return;
            }
            const StoredConfig &c = matches.first();
            if (c.leafWorkloadKey.isEmpty()) {
                resolveFromDetail(job, c.configId);
                return;
            }
            job->succeedWith(summaryOf(c));
            return;
        }
        Error e(ErrorKind::NotFound, QStringLiteral("workload not found: %1").arg(ref));
        e.status = 404;
        job->failWith(e);
    });
}

void Workloads::resolveFromDetail(ApiJob<WorkloadSummary> *job, const QString &configId)
{
    runStep(job, m_configs->get(configId), [job, configId](ApiJob<ConfigDetail> *d) {
        if (d->hasError()) {
            job->failWith(d->error());
            return;
        }
        const StoredConfig &c = d->result().config;
        if (c.leafWorkloadKey.isEmpty()) {
            Error e(ErrorKind::NotFound,
                    QStringLiteral("workload %1 has no leaf workload key").arg(configId));
            e.status = 404;
            job->failWith(e);
            return;
        }
        job->succeedWith(summaryOf(c));
    });
}

ApiJob<QString> *Workloads::resolveKey(const WorkloadRef &ref)
{
    auto *job = new ApiJob<QString>(this);
    if (!ref.isString() && !ref.leafWorkloadKey.isEmpty()) {
        job->succeedLater(ref.leafWorkloadKey);
        return job;
    }
    runStep(job, resolveConfig(ref), [job, ref](ApiJob<WorkloadSummary> *r) {
        if (!r->hasError()) {
            job->succeedWith(r->result().workloadKey);
        } else if (r->error().kind == ErrorKind::NotFound && ref.isString() &&
                   !ref.text.isEmpty()) {
            job->succeedWith(ref.text); // the raw key: the server decides
        } else {
            job->failWith(r->error());
        }
    });
    return job;
}

ApiJob<ConfigDetail> *Workloads::get(const WorkloadRef &ref)
{
    return afterResolve<ConfigDetail>(this, resolveConfig(ref),
                                      [this](const QString &id) { return m_configs->get(id); });
}

ApiJob<BuildReply> *Workloads::build(const WorkloadRef &ref, bool force, bool clean)
{
    return afterResolve<BuildReply>(
        this, resolveConfig(ref),
        [this, force, clean](const QString &id) { return m_configs->build(id, force, clean); });
}

ApiJob<QJsonObject> *Workloads::remove(const WorkloadRef &ref)
{
    return afterResolve<QJsonObject>(this, resolveConfig(ref),
                                     [this](const QString &id) { return m_configs->remove(id); });
}

ApiJob<AllocateReply> *Workloads::start(const WorkloadRef &ref, const AllocateOptions &options)
{
    return m_runners->allocateReady(ref, options);
}

ApiJob<AllocateReply> *Workloads::allocate(const WorkloadRef &ref, const AllocateOptions &options)
{
    return m_runners->allocate(ref, options);
}

} // namespace capsule
