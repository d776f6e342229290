// Control-plane commands of `capsule`: workloads, configs, onboard, build, delete, start,
// runners, status, pause, resume, release, hosts, workload-key.
#include "cli/cli.h"

#include "cli/rawterminal.h"
#include "core/blocking.h"
#include "core/buildwatch.h"
#include "core/client.h"
#include "core/onboard.h"
#include "core/workloadkey.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstdio>

namespace capsule::cli {

namespace {

// Waits for `job`; on failure prints the error and stores the exit code.
template<class J>
bool await(Context &ctx, J *job, int *code)
{
    waitFor(job);
    if (job->hasError()) {
        *code = ctx.fail(job->error());
        return false;
    }
    return true;
}

void writeStderr(const QByteArray &data)
{
    std::fwrite(data.constData(), 1, size_t(data.size()), stderr);
    std::fflush(stderr);
}

QJsonObject allocateJson(const AllocateReply &r)
{
    return {{QStringLiteral("runner_id"), r.runnerId},
            {QStringLiteral("host_id"), r.hostId},
            {QStringLiteral("host_address"), r.hostAddress},
            {QStringLiteral("internal_ip"), r.internalIp},
            {QStringLiteral("session_id"), r.sessionId},
            {QStringLiteral("resumed"), r.resumed},
            {QStringLiteral("request_id"), r.requestId}};
}

QJsonObject summaryJson(const WorkloadSummary &s)
{
    return {{QStringLiteral("display_name"), s.displayName},
            {QStringLiteral("config_id"), s.configId},
            {QStringLiteral("workload_key"), s.workloadKey}};
}

QString when(const QDateTime &t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                       : QStringLiteral("-");
}

QString orDash(const QString &s)
{
    return s.isEmpty() ? QStringLiteral("-") : s;
}

int printAllocation(Context &ctx, const AllocateReply &r)
{
    if (ctx.json()) {
        ctx.printJson(allocateJson(r));
    } else {
        ctx.printTable({QStringLiteral("runner id"), QStringLiteral("host"),
                        QStringLiteral("session id"), QStringLiteral("resumed")},
                       {{r.runnerId, r.hostAddress, r.sessionId,
                         r.resumed ? QStringLiteral("yes") : QStringLiteral("no")}});
    }
    return ExitOk;
}

int workloadsCommand(Context &ctx, const ParsedArgs &)
{
    int code = ExitOk;
    auto *job = ctx.client()->workloads()->list();
    if (!await(ctx, job, &code))
        return code;
    if (ctx.json()) {
        QJsonArray out;
        for (const WorkloadSummary &s : job->result())
            out.append(summaryJson(s));
        ctx.printJson(out);
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const WorkloadSummary &s : job->result())
        rows.append({s.displayName, s.configId, orDash(s.workloadKey)});
    ctx.printTable(
        {QStringLiteral("name"), QStringLiteral("config id"), QStringLiteral("workload key")},
        rows);
    return ExitOk;
}

int configsCommand(Context &ctx, const ParsedArgs &args)
{
    int code = ExitOk;
    if (!args.positional.isEmpty()) {
        auto *job = ctx.client()->configs()->get(args.positional.first());
        if (!await(ctx, job, &code))
            return code;
        const ConfigDetail &d = job->result();
        if (ctx.json()) {
            QJsonArray layers;
            for (const LayerStatus &l : d.layers)
                layers.append(QJsonObject{{QStringLiteral("name"), l.name},
                                          {QStringLiteral("layer_hash"), l.layerHash},
                                          {QStringLiteral("status"), l.status},
                                          {QStringLiteral("current_version"), l.currentVersion},
                                          {QStringLiteral("depth"), l.depth},
                                          {QStringLiteral("build_status"), l.buildStatus}});
            ctx.printJson(QJsonObject{{QStringLiteral("config"), d.config.raw},
                                      {QStringLiteral("layers"), layers},
                                      {QStringLiteral("definition"), d.definition}});
            return ExitOk;
        }
        ctx.print(QStringLiteral("config %1 (%2), tier %3, workload key %4")
                      .arg(d.config.configId, d.config.displayName, d.config.tier,
                           d.config.leafWorkloadKey));
        QList<QStringList> rows;
        for (const LayerStatus &l : d.layers)
            rows.append({QString::number(l.depth), l.name, l.status, orDash(l.currentVersion),
                         orDash(l.buildStatus)});
        ctx.printTable({QStringLiteral("depth"), QStringLiteral("layer"), QStringLiteral("status"),
                        QStringLiteral("version"), QStringLiteral("build")},
                       rows);
        ctx.print(d.buildFinished() ? QStringLiteral("build finished")
                                    : (d.buildInFlight() ? QStringLiteral("build in progress")
                                                         : QStringLiteral("not built")));
        return ExitOk;
    }
    auto *job = ctx.client()->configs()->list();
    if (!await(ctx, job, &code))
        return code;
    if (ctx.json()) {
        QJsonArray out;
        for (const StoredConfig &c : job->result().configs)
            out.append(c.raw);
        ctx.printJson(out);
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const StoredConfig &c : job->result().configs)
        rows.append({c.configId, c.displayName, c.tier, c.leafWorkloadKey, when(c.updatedAt)});
    ctx.printTable({QStringLiteral("config id"), QStringLiteral("name"), QStringLiteral("tier"),
                    QStringLiteral("workload key"), QStringLiteral("updated")},
                   rows);
    return ExitOk;
}

int waitForBuild(Context &ctx, const QString &configId, bool showLog);

int onboardCommand(Context &ctx, const ParsedArgs &args)
{
    Error error;
    const QJsonObject body =
        parseOnboard(args.positional.first(), args.value(QStringLiteral("name")), &error);
    if (body.isEmpty())
        return ctx.fail(error);
    const QString key = leafWorkloadKey(body);
    if (args.has(QStringLiteral("dry-run"))) {
        if (ctx.json()) {
            ctx.printJson(
                QJsonObject{{QStringLiteral("body"), body}, {QStringLiteral("workload_key"), key}});
        } else {
            ctx.printJson(body);
            ctx.print(QStringLiteral("workload key: %1").arg(key));
        }
        return ExitOk;
    }
    const bool build = !args.has(QStringLiteral("no-build"));
    if (!build && args.has(QStringLiteral("wait")))
        return ctx.fail(ExitUsage, QStringLiteral("--wait needs a build; drop --no-build"));
    if (!build && (args.has(QStringLiteral("force")) || args.has(QStringLiteral("clean"))))
        return ctx.fail(ExitUsage, QStringLiteral("--force and --clean need a build; drop "
                                                  "--no-build"));
    int code = ExitOk;
    auto *job = ctx.client()->workloads()->onboard(body, build, args.has(QStringLiteral("force")),
                                                   args.has(QStringLiteral("clean")));
    if (!await(ctx, job, &code))
        return code;
    const WorkloadSummary &s = job->result();
    if (ctx.json()) {
        QJsonObject o = summaryJson(s);
        o.insert(QStringLiteral("build_requested"), build);
        ctx.printJson(o);
    } else {
        ctx.print(
            QStringLiteral("onboarded %1 (config %2, workload key %3)%4")
                .arg(s.displayName, s.configId, s.workloadKey,
                     build ? QStringLiteral("; build requested") : QStringLiteral("; not built")));
    }
    if (args.has(QStringLiteral("wait")))
        return waitForBuild(ctx, s.configId, args.has(QStringLiteral("log")));
    return ExitOk;
}

// Waits for the build with the core's BuildWatchJob (the rules the app's Build log dock uses);
// with --log the build logs stream to stderr. Ctrl+C stops waiting (the build goes on).
int waitForBuild(Context &ctx, const QString &configId, bool showLog)
{
    BuildWatchOptions options;
    options.followLogs = showLog;
    BuildWatchJob watch(ctx.client()->configs(), configId, options);
    QObject::connect(
        &watch, &BuildWatchJob::logStarted, &watch,
        [](const QString &layer, const QString &version) {
            writeStderr(QStringLiteral("== layer %1, build %2 ==\n").arg(layer, version).toUtf8());
        });
    QObject::connect(&watch, &BuildWatchJob::logText, &watch,
                     [](const QByteArray &text) { writeStderr(text); });
    InterruptWatcher interrupts;
    QObject::connect(&interrupts, &InterruptWatcher::interrupted, &watch, &Job::cancel);
    waitFor(&watch); // the job's finished signal ends the CLI's event loop
    if (watch.hasError())
        return watch.error().kind == ErrorKind::Cancelled
                   ? ctx.fail(ExitInterrupted, QStringLiteral("interrupted (the build goes on)"))
                   : ctx.fail(watch.error());
    const ConfigDetail &d = watch.detail();
    const QString version = d.layers.isEmpty() ? QString() : d.layers.last().currentVersion;
    if (!ctx.json()) // JSON output stays the one document of the command
        ctx.print(QStringLiteral("build of %1 finished: %2").arg(configId, version));
    return ExitOk;
}

int buildCommand(Context &ctx, const ParsedArgs &args)
{
    int code = ExitOk;
    auto *job =
        ctx.client()->workloads()->build(args.positional.first(), args.has(QStringLiteral("force")),
                                         args.has(QStringLiteral("clean")));
    if (!await(ctx, job, &code))
        return code;
    const BuildReply &r = job->result();
    if (ctx.json())
        ctx.printJson(QJsonObject{{QStringLiteral("config_id"), r.configId},
                                  {QStringLiteral("status"), r.status},
                                  {QStringLiteral("enqueued"), r.enqueued},
                                  {QStringLiteral("force"), r.force},
                                  {QStringLiteral("clean"), r.clean}});
    else
        ctx.print(QStringLiteral("%1: %2 (%3 layer build(s) enqueued)")
                      .arg(r.configId, r.status)
                      .arg(r.enqueued));
    if (args.has(QStringLiteral("wait")))
        return waitForBuild(ctx, r.configId, args.has(QStringLiteral("log")));
    return ExitOk;
}

int deleteCommand(Context &ctx, const ParsedArgs &args)
{
    int code = ExitOk;
    auto *job = ctx.client()->workloads()->remove(args.positional.first());
    if (!await(ctx, job, &code))
        return code;
    if (ctx.json())
        ctx.printJson(QJsonObject{{QStringLiteral("deleted"), args.positional.first()}});
    else
        ctx.print(QStringLiteral("deleted %1").arg(args.positional.first()));
    return ExitOk;
}

int startCommand(Context &ctx, const ParsedArgs &args)
{
    AllocateOptions options;
    for (const QString &label : args.all(QStringLiteral("label"))) {
        const int eq = label.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return ctx.fail(ExitUsage,
                            QStringLiteral("--label needs KEY=VALUE, not \"%1\"").arg(label));
        options.labels.insert(label.left(eq), label.mid(eq + 1));
    }
    options.sessionId = args.value(QStringLiteral("session"));
    options.networkPolicyPreset = args.value(QStringLiteral("network-preset"));
    int code = ExitOk;
    auto *job = ctx.client()->workloads()->start(args.positional.first(), options);
    if (!await(ctx, job, &code))
        return code;
    return printAllocation(ctx, job->result());
}

int runnersCommand(Context &ctx, const ParsedArgs &)
{
    int code = ExitOk;
    auto *job = ctx.client()->runners()->list();
    if (!await(ctx, job, &code))
        return code;
    if (ctx.json()) {
        QJsonArray out;
        for (const RunnerInfo &r : job->result().runners)
            out.append(r.raw);
        ctx.printJson(out);
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const RunnerInfo &r : job->result().runners)
        rows.append({r.runnerId, r.status,
                     orDash(r.hostAddress.isEmpty() ? r.hostName : r.hostAddress),
                     orDash(r.workloadKey), orDash(r.sessionId)});
    ctx.printTable({QStringLiteral("runner id"), QStringLiteral("status"), QStringLiteral("host"),
                    QStringLiteral("workload key"), QStringLiteral("session id")},
                   rows);
    return ExitOk;
}

int statusCommand(Context &ctx, const ParsedArgs &args)
{
    int code = ExitOk;
    auto *job = ctx.client()->runners()->status(args.positional.first());
    if (!await(ctx, job, &code))
        return code;
    const RunnerStatus &s = job->result();
    if (ctx.json())
        ctx.printJson(QJsonObject{{QStringLiteral("runner_id"), s.runnerId},
                                  {QStringLiteral("status"), s.status},
                                  {QStringLiteral("host_address"), s.hostAddress}});
    else
        ctx.print(
            QStringLiteral("%1: %2%3")
                .arg(s.runnerId, s.status,
                     s.hostAddress.isEmpty() ? QString() : QStringLiteral(" on ") + s.hostAddress));
    return ExitOk;
}

int pauseCommand(Context &ctx, const ParsedArgs &args)
{
    int code = ExitOk;
    auto *job = ctx.client()->runners()->pause(args.positional.first(),
                                               args.has(QStringLiteral("sync-fs")));
    if (!await(ctx, job, &code))
        return code;
    const PauseReply &r = job->result();
    if (ctx.json())
        ctx.printJson(
            QJsonObject{{QStringLiteral("success"), r.success},
                        {QStringLiteral("session_id"), r.sessionId},
                        {QStringLiteral("snapshot_size_bytes"), r.snapshotSizeBytes},
                        {QStringLiteral("layer"), r.layer ? QJsonValue(*r.layer) : QJsonValue()}});
    else
        ctx.print(QStringLiteral("paused %1; resume with: capsule resume %2")
                      .arg(args.positional.first(), r.sessionId));
    return ExitOk;
}

int resumeCommand(Context &ctx, const ParsedArgs &args)
{
    const QString session = args.positional.first();
    // A suspended session brings its own workload key; the server only needs a non-empty one,
    // so without --workload the session id stands in for it.
    const QString workload = args.value(QStringLiteral("workload"), session);
    int code = ExitOk;
    auto *job = ctx.client()->runners()->resume(workload, session);
    if (!await(ctx, job, &code))
        return code;
    return printAllocation(ctx, job->result());
}

int releaseCommand(Context &ctx, const ParsedArgs &args)
{
    int code = ExitOk;
    auto *job = ctx.client()->runners()->release(args.positional.first());
    if (!await(ctx, job, &code))
        return code;
    if (ctx.json())
        ctx.printJson(QJsonObject{{QStringLiteral("success"), job->result().success}});
    else
        ctx.print(QStringLiteral("released %1").arg(args.positional.first()));
    return ExitOk;
}

int hostsCommand(Context &ctx, const ParsedArgs &)
{
    int code = ExitOk;
    auto *job = ctx.client()->hosts()->list();
    if (!await(ctx, job, &code))
        return code;
    if (ctx.json()) {
        QJsonArray out;
        for (const Host &h : job->result().hosts)
            out.append(QJsonObject{{QStringLiteral("id"), h.id},
                                   {QStringLiteral("instance_name"), h.instanceName},
                                   {QStringLiteral("zone"), h.zone},
                                   {QStringLiteral("status"), h.status},
                                   {QStringLiteral("idle_runners"), h.idleRunners},
                                   {QStringLiteral("busy_runners"), h.busyRunners},
                                   {QStringLiteral("total_cpu_millicores"), h.totalCpuMillicores},
                                   {QStringLiteral("used_cpu_millicores"), h.usedCpuMillicores},
                                   {QStringLiteral("total_memory_mb"), h.totalMemoryMb},
                                   {QStringLiteral("used_memory_mb"), h.usedMemoryMb}});
        ctx.printJson(out);
        return ExitOk;
    }
    QList<QStringList> rows;
    for (const Host &h : job->result().hosts)
        rows.append({h.id, h.instanceName, h.status,
                     QStringLiteral("%1/%2").arg(h.idleRunners).arg(h.busyRunners),
                     QStringLiteral("%1/%2").arg(h.usedCpuMillicores).arg(h.totalCpuMillicores),
                     QStringLiteral("%1/%2").arg(h.usedMemoryMb).arg(h.totalMemoryMb)});
    ctx.printTable({QStringLiteral("id"), QStringLiteral("name"), QStringLiteral("status"),
                    QStringLiteral("idle/busy"), QStringLiteral("mcpu used/total"),
                    QStringLiteral("mib used/total")},
                   rows);
    return ExitOk;
}

int workloadKeyCommand(Context &ctx, const ParsedArgs &args)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(args.positional.first().toUtf8(), &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isArray())
        return ctx.fail(ExitInvalid,
                        QStringLiteral("the commands must be a JSON list of {type, args, "
                                       "run_as_root} objects%1")
                            .arg(perr.error != QJsonParseError::NoError
                                     ? QStringLiteral(": ") + perr.errorString()
                                     : QString()));
    for (const QJsonValue &c : doc.array()) {
        if (!c.isObject() && !c.isString())
            return ctx.fail(ExitInvalid, QStringLiteral("every command must be an object or a "
                                                        "string"));
    }
    QString key;
    if (args.has(QStringLiteral("leaf"))) {
        QJsonObject layer{{QStringLiteral("name"), QStringLiteral("base")},
                          {QStringLiteral("init_commands"), doc.array()}};
        key = leafWorkloadKey(QJsonObject{{QStringLiteral("layers"), QJsonArray{layer}}});
    } else {
        key = legacyWorkloadKey(doc.array());
    }
    if (ctx.json())
        ctx.printJson(QJsonObject{{QStringLiteral("workload_key"), key}});
    else
        ctx.print(key);
    return ExitOk;
}

} // namespace

QList<Command> controlPlaneCommands()
{
    const OptionSpec force{
        QStringLiteral("force"), {}, QStringLiteral("rebuild layers that already have a version")};
    const OptionSpec clean{
        QStringLiteral("clean"), {}, QStringLiteral("rebuild from scratch (implies --force)")};
    const OptionSpec wait{QStringLiteral("wait"),
                          {},
                          QStringLiteral("wait until the build has finished (exit 1 with the "
                                         "failed build's log tail when it fails)")};
    const OptionSpec log{
        QStringLiteral("log"), {}, QStringLiteral("with --wait: stream the build logs to stderr")};
    QList<Command> c;
    c.append({QStringLiteral("workloads"),
              QString(),
              QStringLiteral("List workloads."),
              {},
              {},
              -1,
              workloadsCommand,
              0,
              0});
    c.append({QStringLiteral("configs"),
              QStringLiteral("[CONFIG_ID]"),
              QStringLiteral("List layered configs, or show one with its layers."),
              {},
              {},
              -1,
              configsCommand,
              0,
              1});
    c.append({QStringLiteral("onboard"),
              QStringLiteral("FILE [options]"),
              QStringLiteral("Create (or update) a workload from an onboard.yaml and build it."),
              QStringLiteral("FILE is an onboard.yaml path (or YAML text). The workload name is "
                             "workload.display_name,\nelse workload.name, else --name, else the "
                             "file name without its extension."),
              {{QStringLiteral("name"), QStringLiteral("NAME"),
                QStringLiteral("name to use when the file sets none")},
               {QStringLiteral("dry-run"),
                {},
                QStringLiteral("print the create body and workload key; send nothing")},
               {QStringLiteral("no-build"), {}, QStringLiteral("create only, do not build")},
               force,
               clean,
               wait,
               log},
              -1,
              onboardCommand,
              1,
              1});
    c.append({QStringLiteral("build"),
              QStringLiteral("WORKLOAD [options]"),
              QStringLiteral("Build a workload (by name, config id or workload key)."),
              {},
              {force, clean, wait, log},
              -1,
              buildCommand,
              1,
              1});
    c.append({QStringLiteral("delete"),
              QStringLiteral("WORKLOAD"),
              QStringLiteral("Delete a workload (by name, config id or workload key)."),
              {},
              {},
              -1,
              deleteCommand,
              1,
              1});
    c.append({QStringLiteral("start"),
              QStringLiteral("WORKLOAD [options]"),
              QStringLiteral("Start a runner of a workload and wait until it is ready."),
              QStringLiteral("Prints the runner id and its host. The startup timeout bounds the "
                             "wait."),
              {{QStringLiteral("label"), QStringLiteral("KEY=VALUE"),
                QStringLiteral("label the runner"), true},
               {QStringLiteral("session"), QStringLiteral("ID"),
                QStringLiteral("session id (a suspended session resumes)")},
               {QStringLiteral("network-preset"), QStringLiteral("PRESET"),
                QStringLiteral("network policy preset, e.g. restricted-egress")}},
              -1,
              startCommand,
              1,
              1});
    c.append({QStringLiteral("runners"),
              QString(),
              QStringLiteral("List runners."),
              {},
              {},
              -1,
              runnersCommand,
              0,
              0});
    c.append({QStringLiteral("status"),
              QStringLiteral("RUNNER"),
              QStringLiteral("Show a runner's status."),
              {},
              {},
              -1,
              statusCommand,
              1,
              1});
    c.append({QStringLiteral("pause"),
              QStringLiteral("RUNNER [--sync-fs]"),
              QStringLiteral("Pause a runner (snapshot it); prints the session id to resume."),
              {},
              {{QStringLiteral("sync-fs"), {}, QStringLiteral("sync file systems first")}},
              -1,
              pauseCommand,
              1,
              1});
    c.append({QStringLiteral("resume"),
              QStringLiteral("SESSION [--workload WORKLOAD]"),
              QStringLiteral("Resume a paused session; the runner keeps its id."),
              {},
              {{QStringLiteral("workload"), QStringLiteral("WORKLOAD"),
                QStringLiteral("the session's workload (optional: the session knows it)")}},
              -1,
              resumeCommand,
              1,
              1});
    c.append({QStringLiteral("release"),
              QStringLiteral("RUNNER"),
              QStringLiteral("Release (stop) a runner."),
              {},
              {},
              -1,
              releaseCommand,
              1,
              1});
    c.append({QStringLiteral("hosts"),
              QString(),
              QStringLiteral("List hosts."),
              {},
              {},
              -1,
              hostsCommand,
              0,
              0});
    c.append({QStringLiteral("workload-key"),
              QStringLiteral("COMMANDS_JSON [--leaf]"),
              QStringLiteral("Compute the workload key of a command list offline."),
              QStringLiteral("Without --leaf: the legacy key (sha256 of the sorted commands). "
                             "With --leaf: the leaf key\nof one layer \"base\" holding the "
                             "commands."),
              {{QStringLiteral("leaf"), {}, QStringLiteral("compute the leaf key")}},
              -1,
              workloadKeyCommand,
              1,
              1});
    return c;
}

} // namespace capsule::cli
