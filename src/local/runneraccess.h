// What the host agent needs from the control plane's runner registry (and nothing more).
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <functional>

namespace capsule::local {

class Sandbox;

// A runner as the host agent sees it while serving one exec/files/PTY/proxy request.
struct HostRunner
{
    QString id;
    QString runnerUser = QStringLiteral("runner");
    Sandbox *sandbox = nullptr; // running (thawed) sandbox
    QJsonObject startCommand;   // the config's start_command, if any
    QMap<QString, QString> env; // extra env for exec/PTY (proxy variables of section 10)
};

// Implemented by the control plane's runner registry; the host agent calls it for every request.
class RunnerAccess
{
public:
    virtual ~RunnerAccess() = default;

    // Applies the preconditions of contract 3.1 for runner `id` on host `hostId`, in order:
    // unknown -> 404 "runner not found: <id>"; quarantined/terminated -> 409 "runner is <state>";
    // suspended/paused -> auto-resume (async, <= 30 s; failure 503 "auto-resume failed: ...");
    // pausing -> 409 "runner unavailable: ..."; a draining host -> 503 json draining (the caller
    // formats that one). Then calls `done` with the runner (status 0) or with status + message.
    using AcquireCallback =
        std::function<void(const HostRunner *runner, int status, const QString &message)>;
    virtual void acquireRunner(const QString &hostId, const QString &id, AcquireCallback done) = 0;

    // Exec, file, PTY and proxy traffic count as activity (resets the TTL idle clock).
    virtual void noteActivity(const QString &id) = 0;

    // True while the host `hostId` is draining (all runner routes answer 503 + Retry-After: 5).
    virtual bool isHostDraining(const QString &hostId) const = 0;

    // Runners placed on host `hostId` whose VM is up (booting, busy or quarantined): the n of
    // `GET /ready` -> "Ready: <n> runners".
    virtual int runnersOnHost(const QString &hostId) const = 0;
};

} // namespace capsule::local
