// Config service, build execution: the queue pump, each layer build in its own sandbox (started
// without blocking), its commands in order, the result, the build log and its followers.
#include "local/api/json.h"
#include "local/configs.h"

#include "core/workloadkey.h"
#include "local/sandbox.h"
#include "local/sandbox_util.h"
#include "local/store.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QtDebug>
#include <algorithm>
#include <limits>

namespace capsule::local {

namespace {

bool isPlatformMarker(const QString &type)
{
    return type == QLatin1String("base-image") || type == QLatin1String("platform-setup") ||
           type == QLatin1String("platform-user");
}

} // namespace

// ---------------------------------------------------------------- build execution

void ConfigService::pump()
{
    QList<BuildRecord *> waiting;
    for (BuildRecord &b : m_builds)
        if (b.status == BuildStatus::Queued || b.status == BuildStatus::WaitingParent)
            waiting << &b;
    std::sort(waiting.begin(), waiting.end(),
              [](const BuildRecord *a, const BuildRecord *b) { return a->seq < b->seq; });
    QStringList toStart, toFail;
    for (BuildRecord *b : waiting) {
        const LayerRecord &l = m_layers[b->layerHash];
        if (l.parentHash.isEmpty()) {
            toStart << b->version;
            continue;
        }
        const LayerRecord &p = m_layers[l.parentHash];
        if (!p.activeBuild.isEmpty()) {
            if (b->status != BuildStatus::WaitingParent) {
                b->status = BuildStatus::WaitingParent;
                saveBuild(*b);
            }
        } else if (p.status == LayerStatus::Active && !p.currentVersion.isEmpty()) {
            toStart << b->version;
        } else {
            toFail << b->version;
        }
    }
    for (const QString &v : toFail) {
        const BuildRecord &b = m_builds[v];
        finishBuild(v, false, -1,
                    QStringLiteral("parent layer of %1 is not built").arg(b.layerName));
    }
    for (const QString &v : toStart)
        startBuild(m_builds[v]);
}

void ConfigService::startBuild(BuildRecord &b)
{
    b.status = BuildStatus::Running;
    b.startedAt = nowRfc3339();
    saveBuild(b);
    const LayerRecord &layer = m_layers[b.layerHash];
    appendLog(b.version, QStringLiteral("started at %1\n").arg(b.startedAt).toUtf8());
    appendLog(b.version, baseImageNote(b.baseImage).toUtf8());

    bool needsSandbox = false;
    for (const QJsonValue &v : layer.commands)
        if (!isPlatformMarker(v.toObject().value(s("type")).toString()))
            needsSandbox = true;
    m_running[b.version]; // may already hold log followers
    if (!needsSandbox) {
        runNextCommand(b.version);
        return;
    }
    if (!Sandbox::bubblewrapAvailable() && !m_options.unsafeNoSandbox) {
        finishBuild(b.version, false, -1,
                    s("bubblewrap (bwrap) is not installed: builds need it (install bubblewrap or "
                      "start capsule-local with --unsafe-no-sandbox)"));
        return;
    }
    SandboxSpec spec;
    spec.id = QStringLiteral("build-") + b.version.right(4) + b.layerHash.left(8);
    spec.stateDir = m_options.dataDir + s("/builds/") + b.version;
    QStringList lowers;
    QString h = layer.parentHash;
    while (!h.isEmpty()) {
        const LayerRecord &p = m_layers[h];
        if (!p.resultDir.isEmpty())
            lowers.prepend(p.resultDir);
        h = p.parentHash;
    }
    spec.lowerLayers = lowers;
    spec.baseRoot = m_options.images.value(b.baseImage, s("/"));
    spec.runnerUser = b.runnerUser;
    spec.unsafeNoSandbox = m_options.unsafeNoSandbox;
    appendLog(b.version,
              QStringLiteral("stacked on %1 parent layer result(s)\n").arg(lowers.size()).toUtf8());
    auto *sandbox = new Sandbox(spec, this);
    m_running[b.version].sandbox = sandbox;
    const QString version = b.version;
    // Without blocking: the commands start once the sandbox reports ready.
    sandbox->startAsync([this, version, sandbox](const QString &error) {
        auto rit = m_running.find(version);
        if (rit == m_running.end() || rit->sandbox != sandbox)
            return; // cancelled meanwhile: finishBuild() took the sandbox
        if (!error.isEmpty())
            return finishBuild(version, false, -1,
                               QStringLiteral("sandbox start failed: %1").arg(error));
        runNextCommand(version);
    });
}

void ConfigService::runNextCommand(const QString &version)
{
    auto rit = m_running.find(version);
    if (rit == m_running.end())
        return;
    const BuildRecord &b = m_builds[version];
    const LayerRecord &layer = m_layers[b.layerHash];
    while (rit->nextCommand < layer.commands.size()) {
        const QJsonObject cmd = layer.commands.at(rit->nextCommand++).toObject();
        const QString type = cmd.value(s("type")).toString();
        QStringList argv;
        for (const QJsonValue &a : cmd.value(s("args")).toArray())
            argv << a.toString();
        if (isPlatformMarker(type)) {
            appendLog(version, QStringLiteral("# %1 %2 (platform marker, nothing to run)\n")
                                   .arg(type, argv.join(QLatin1Char(' ')))
                                   .toUtf8());
            continue;
        }
        if (type != QLatin1String("shell"))
            return finishBuild(version, false, -1,
                               QStringLiteral("unknown command type \"%1\"").arg(type));
        if (argv.isEmpty())
            return finishBuild(version, false, -1, s("shell command has no args"));
        const bool asRoot = cmd.value(s("run_as_root")).toBool();
        appendLog(version, QStringLiteral("$ %1%2\n")
                               .arg(asRoot ? s("(root) ") : QString(), argv.join(QLatin1Char(' ')))
                               .toUtf8());
        QProcess *p = rit->sandbox->startProcess(argv, {}, QString(), asRoot, this);
        rit->process = p;
        connect(p, &QProcess::readyReadStandardOutput, this,
                [this, version, p] { appendLog(version, p->readAllStandardOutput()); });
        connect(p, &QProcess::readyReadStandardError, this,
                [this, version, p] { appendLog(version, p->readAllStandardError()); });
        connect(p, &QProcess::finished, this,
                [this, version, p](int code, QProcess::ExitStatus status) {
                    appendLog(version, p->readAllStandardOutput());
                    appendLog(version, p->readAllStandardError());
                    auto it = m_running.find(version);
                    if (it == m_running.end() || it->process != p)
                        return;
                    it->process = nullptr;
                    p->deleteLater();
                    if (status != QProcess::NormalExit)
                        return finishBuild(version, false, -1, s("command killed by a signal"));
                    if (code != 0)
                        return finishBuild(version, false, code,
                                           QStringLiteral("command exited with code %1").arg(code));
                    runNextCommand(version);
                });
        connect(p, &QProcess::errorOccurred, this, [this, version, p](QProcess::ProcessError e) {
            if (e != QProcess::FailedToStart)
                return;
            auto it = m_running.find(version);
            if (it == m_running.end() || it->process != p)
                return;
            it->process = nullptr;
            p->deleteLater();
            finishBuild(version, false, -1,
                        QStringLiteral("start failed: %1").arg(p->errorString()));
        });
        if (p->state() == QProcess::NotRunning && p->error() == QProcess::FailedToStart) {
            rit->process = nullptr;
            p->deleteLater();
            return finishBuild(version, false, -1,
                               QStringLiteral("start failed: %1").arg(p->errorString()));
        }
        return;
    }
    finishBuild(version, true, 0, QString());
}

void ConfigService::finishBuild(const QString &version, bool ok, int exitCode,
                                const QString &message)
{
    auto bit = m_builds.find(version);
    if (bit == m_builds.end())
        return;
    BuildRecord &b = *bit;
    // Followers see the last line before their stream ends.
    appendLog(version, ok ? QStringLiteral("build succeeded: layer %1 is active at %2\n")
                                .arg(b.layerName, version)
                                .toUtf8()
                          : QStringLiteral("build failed: %1\n").arg(message).toUtf8());
    Running run = m_running.take(version);
    discardProcess(run.process);
    QString resultDir;
    if (run.sandbox) {
        // Unmounting runs on a worker thread; whoever stacks this result next (a runner or a
        // child build) waits for it (Sandbox::startAsync).
        run.sandbox->stopAsync();
        resultDir = run.sandbox->changesDir();
        run.sandbox->deleteLater();
    }
    LayerRecord &l = m_layers[b.layerHash];
    b.finishedAt = nowRfc3339();
    b.hasExitCode = true;
    b.exitCode = exitCode;
    if (ok) {
        if (resultDir.isEmpty()) {
            // Nothing ran (platform markers only): an empty result keeps the stacking uniform.
            resultDir = m_options.dataDir + s("/builds/") + version + s("/empty");
            QDir().mkpath(resultDir);
        }
        b.status = BuildStatus::Succeeded;
        l.status = LayerStatus::Active;
        l.currentVersion = version;
        l.resultDir = resultDir;
    } else {
        b.status = BuildStatus::Failed;
    }
    if (l.activeBuild == version)
        l.activeBuild.clear();
    saveLayer(l);
    saveBuild(b);
    for (const BuildLogFollower &f : std::as_const(run.followers))
        f.end();
    if (!m_pumpQueued) {
        m_pumpQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_pumpQueued = false;
            pump();
        });
    }
}

void ConfigService::appendLog(const QString &version, const QByteArray &text)
{
    if (text.isEmpty())
        return;
    const BuildRecord &b = m_builds[version];
    QFile log(b.logPath);
    if (log.open(QIODevice::Append))
        log.write(text);
    auto it = m_running.find(version);
    if (it == m_running.end())
        return;
    // A follower whose client went away says so and is dropped.
    QList<BuildLogFollower> followers = std::exchange(it->followers, {});
    followers.removeIf([&text](const BuildLogFollower &f) { return !f.data(text); });
    it = m_running.find(version); // a follower's write may have run other requests
    if (it != m_running.end())
        it->followers = followers + it->followers;
}

// ---------------------------------------------------------------- build list/log

Result<QList<BuildView>> ConfigService::builds(const QString &id) const
{
    const ConfigRecord *c = config(id);
    if (!c)
        return ServiceError::notFound(s("config not found"));
    QList<BuildView> out;
    for (const BuildRecord &b : m_builds)
        if (c->layerHashes.contains(b.layerHash))
            out.append(BuildView{
                c->layerNames.value(c->layerHashes.indexOf(b.layerHash), b.layerName), &b});
    std::sort(out.begin(), out.end(),
              [](const BuildView &a, const BuildView &b) { return a.build->seq < b.build->seq; });
    return out;
}

Result<BuildLog> ConfigService::buildLog(const QString &id, const QString &version) const
{
    const ConfigRecord *c = config(id);
    if (!c)
        return ServiceError::notFound(s("config not found"));
    auto it = m_builds.constFind(version);
    if (it == m_builds.constEnd() || !c->layerHashes.contains(it->layerHash))
        return ServiceError::notFound(QStringLiteral("build not found: %1").arg(version));
    BuildLog log{{}, it->inFlight()};
    QFile file(it->logPath);
    if (file.open(QIODevice::ReadOnly))
        log.text = file.readAll();
    return log;
}

void ConfigService::followBuildLog(const QString &version, BuildLogFollower follower)
{
    const auto b = m_builds.constFind(version);
    if (b == m_builds.cend() || !b->inFlight())
        return follower.end(); // nothing more will come
    // Queued or waiting builds get their slot now, so appendLog/finishBuild find the follower.
    m_running[version].followers.append(std::move(follower));
}

} // namespace capsule::local
