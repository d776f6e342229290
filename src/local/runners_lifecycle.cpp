// Runner registry, sandbox lifecycle: bring-up (start or thaw, without blocking), stop, pause
// (freeze on a worker thread), resume of a session, the proxy CA fetch.
#include "local/api/json.h"
#include "local/runners.h"
#include "local/runners_p.h"

#include "local/configs.h"
#include "local/logging.h"
#include "local/metrics.h"
#include "local/network/policy.h"
#include "local/network/runner_network.h"
#include "local/sandbox.h"
#include "local/sandbox_cgroups.h"
#include "local/store.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHostAddress>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSysInfo>
#include <QThread>
#include <QThreadPool>
#include <QUrlQuery>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>
#include <QtDebug>

#include <unistd.h>

namespace capsule::local {

// ---------------------------------------------------------------- sandbox lifecycle

void RunnerRegistry::bringUp(Runner *run, std::function<void(const QString &)> done)
{
    run->readyWaiters.append(std::move(done));
    if (run->readyWaiters.size() > 1)
        return; // a bring-up is already under way
    run->state = RunnerState::Booting;
    const QString id = run->id;
    // Deferred so the event loop can answer other requests (a status poll sees "pending") before
    // the start.
    QTimer::singleShot(0, this, [this, id] {
        Runner *run = find(id);
        if (!run || run->readyWaiters.isEmpty())
            return;
        QString error;
        if (run->sandbox && run->frozen) {
            if (run->sandbox->thaw(&error))
                run->frozen = false;
            else
                stopSandbox(run); // fall back to a fresh boot on the same state dir
        }
        if (run->sandbox)
            return finishBringUp(run, QString());
        if (!Sandbox::bubblewrapAvailable() && !m_options.unsafeNoSandbox)
            return finishBringUp(run, s("bubblewrap (bwrap) is not installed: runners need it "
                                        "(install bubblewrap or start capsule-local with "
                                        "--unsafe-no-sandbox)"));
        startSandbox(run);
    });
}

QString egressRuleset(const Runner &run)
{
    if (run.egressBlocked)
        return network::denyAllRuleset();
    return network::compilePolicy(run.networkPolicyPreset, run.networkPolicyJson).ruleset;
}

// Starts a new sandbox for the runner without blocking; finishBringUp() runs when it is ready.
void RunnerRegistry::startSandbox(Runner *run)
{
    SandboxSpec spec;
    spec.id = run->id;
    spec.stateDir = run->stateDir;
    spec.lowerLayers = run->lowerLayers;
    spec.baseRoot = run->baseRoot;
    spec.runnerUser = run->runnerUser;
    spec.network = run->network;
    spec.egressRuleset = egressRuleset(*run);
    if (const QUrl proxy(s("http://") + run->proxyAddr);
        !run->proxyAddr.isEmpty() && proxy.port() > 0 &&
        (proxy.host() == QLatin1String("localhost") || QHostAddress(proxy.host()).isLoopback()))
        spec.hostLoopbackPorts << proxy.port(); // the proxy on the host's loopback
    const TierLimits limits = tierLimits(run->tier);
    spec.memoryMb = limits.memoryMb;
    spec.cpuMillis = limits.vcpu * 1000;
    spec.pidsMax = m_options.maxPidsPerRunner;
    spec.env = run->host.env;
    spec.unsafeNoSandbox = m_options.unsafeNoSandbox;
    auto *sandbox = new Sandbox(spec, this);
    run->starting = sandbox;
    const QString id = run->id;
    sandbox->startAsync([this, id, sandbox](const QString &error) {
        Runner *run = find(id);
        if (!run || run->starting != sandbox) { // released meanwhile (stopSandbox took it)
            sandbox->deleteLater();
            return;
        }
        run->starting = nullptr;
        if (!error.isEmpty()) {
            sandbox->deleteLater();
            return finishBringUp(run, QStringLiteral("sandbox start failed: %1").arg(error));
        }
        adoptSandbox(run, sandbox);
        finishBringUp(run, QString());
    });
}

void RunnerRegistry::adoptSandbox(Runner *run, Sandbox *sandbox)
{
    const QString id = run->id;
    run->sandbox = sandbox;
    run->frozen = false;
    if (!run->startCommand.value(QStringLiteral("command")).toArray().isEmpty()) {
        // A service that fails to start does not fail the runner (upstream the VM is up either
        // way); its log says why.
        QString serviceError;
        if (!sandbox->startService(run->startCommand, run->host.env, &serviceError))
            qCWarning(lcRunners).noquote()
                << "runner" << id << "start_command failed:" << serviceError;
    }
    connect(sandbox, &Sandbox::stopped, this, [this, id, sandbox] {
        Runner *run = find(id);
        if (!run || run->sandbox != sandbox)
            return;
        // The sandbox's init died underneath us: the runner is gone.
        qCWarning(lcRunners).noquote() << "runner" << id << "sandbox stopped unexpectedly";
        run->sandbox = nullptr;
        sandbox->deleteLater();
        if (run->state != RunnerState::Suspended) {
            run->state = RunnerState::Terminated;
            save(*run);
        }
    });
}

void RunnerRegistry::finishBringUp(Runner *run, const QString &error)
{
    run->host.sandbox = run->sandbox;
    run->lastActivityMs = nowMs();
    // A runner that was paused before is resuming its session; any other is a new allocation.
    Metrics::instance().runnerOperation(run->pauseCount > 0 ? s("resume") : s("allocate"),
                                        error.isEmpty());
    if (error.isEmpty())
        run->state = RunnerState::Busy;
    else
        run->state = run->pauseCount > 0 ? RunnerState::Suspended : RunnerState::Terminated;
    const auto waiters = std::exchange(run->readyWaiters, {});
    if (error.isEmpty())
        save(*run);
    for (const auto &w : waiters)
        w(error);
}

void RunnerRegistry::stopSandbox(Runner *run, bool removeStateDir, bool wait)
{
    if (m_closeSessions)
        m_closeSessions(run->hostId, run->id);
    if (Sandbox *starting = std::exchange(run->starting, nullptr)) {
        starting->stopAsync(removeStateDir); // abandons the start: its callback never runs
        removeStateDir = false;
        starting->deleteLater();
    }
    Sandbox *sandbox = std::exchange(run->sandbox, nullptr);
    run->host.sandbox = nullptr;
    run->frozen = false;
    if (!sandbox) {
        if (removeStateDir)
            Sandbox::removeStateDirAsync(run->stateDir);
        return;
    }
    sandbox->disconnect(this);
    if (wait)
        sandbox->stop();
    else
        sandbox->stopAsync(removeStateDir);
    sandbox->deleteLater();
}

void RunnerRegistry::pauseRunner(Runner *run, bool syncFs,
                                 std::function<void(const QString &error)> done)
{
    run->state = RunnerState::Pausing;
    if (m_closeSessions)
        m_closeSessions(run->hostId, run->id);
    const QString id = run->id;
    Sandbox *sandbox = run->frozen ? nullptr : run->sandbox;
    auto finish = [this, id, sandbox, done](const QString &error) {
        Runner *run = find(id);
        if (!run || run->state != RunnerState::Pausing)
            return done(s("runner was released while pausing"));
        if (!error.isEmpty()) {
            run->state = RunnerState::Busy;
            Metrics::instance().runnerOperation(s("pause"), false);
            return done(error);
        }
        if (sandbox && run->sandbox == sandbox) {
            sandbox->setFrozen(true);
            run->frozen = true;
        }
        run->host.sandbox = nullptr;
        run->pauseCount++;
        run->pausedAt = nowRfc3339();
        const QString changes = run->sandbox ? run->sandbox->changesDir() : QString();
        run->snapshotSize = changes.isEmpty() ? diskUsage(run->stateDir) : diskUsage(changes);
        run->layer =
            QStringLiteral("session/%1/snapshot-%2").arg(run->sessionId).arg(run->pauseCount);
        run->state = RunnerState::Suspended;
        save(*run);
        Metrics::instance().runnerOperation(s("pause"), true);
        done(QString());
    };
    if (!sandbox) {
        if (syncFs) // nothing to freeze; the flush still runs off the event loop
            QThreadPool::globalInstance()->start([] { ::sync(); });
        return finish(QString());
    }
    // sync_fs and the freeze wait run on a worker thread: the event loop keeps serving the
    // other runners' streams meanwhile.
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [watcher, finish] {
        watcher->deleteLater();
        finish(watcher->result());
    });
    watcher->setFuture(sandbox->freezeAsync(syncFs));
}

void RunnerRegistry::resumeSession(Runner *run, ResultCallback<AllocateReply> done)
{
    QString error;
    const QString hostId = pickHost(run->hostId, &error);
    if (hostId.isEmpty())
        return done(ServiceError::noCapacity(error + s(" for tier ") + run->tier));
    run->hostId = hostId;
    const QString id = run->id;
    bringUp(run, [this, id, done](const QString &error) {
        Runner *run = find(id);
        if (!error.isEmpty() || !run)
            return done(
                ServiceError::unavailable(error.isEmpty() ? s("runner was released") : error));
        run->resumed = true;
        save(*run);
        done(allocateReply(*run));
    });
}

void RunnerRegistry::fetchCaCert(Runner *run)
{
    const int colon = run->proxyAddr.lastIndexOf(QLatin1Char(':'));
    const QString hostPart = colon > 0 ? run->proxyAddr.left(colon) : run->proxyAddr;
    QNetworkRequest req(
        QUrl(QStringLiteral("http://%1:%2/ca.crt").arg(hostPart).arg(run->caCertPort)));
    req.setTransferTimeout(3000);
    QNetworkReply *reply = m_nam->get(req);
    const QString id = run->id;
    connect(reply, &QNetworkReply::finished, this, [this, reply, id] {
        reply->deleteLater();
        Runner *run = find(id);
        if (!run)
            return;
        if (reply->error() != QNetworkReply::NoError) {
            run->caCertStatus = QStringLiteral("failed: %1").arg(reply->errorString());
        } else {
            QFile f(run->stateDir + s("/proxy-ca.crt"));
            if (f.open(QIODevice::WriteOnly))
                f.write(reply->readAll());
            run->caCertStatus = s("fetched");
        }
        save(*run);
    });
}

} // namespace capsule::local
