// What the host agent needs from the control plane's runner registry (and nothing more).
#pragma once

#include "local/service.h"

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
    // unknown -> NotFound "runner not found: <id>"; quarantined/terminated -> Conflict "runner is
    // <state>"; suspended/paused -> auto-resume (async, <= 30 s; failure Unavailable
    // "auto-resume failed: ..."); pausing -> Conflict "runner unavailable: ..."; a draining host
    // is the caller's to check. Then calls `done` with the runner or the error; the host agent
    // turns the error kind into the status of 3.1 (api/status.h).
    using AcquireCallback = std::function<void(const Result<const HostRunner *> &runner)>;
    virtual void acquireRunner(const QString &hostId, const QString &id, AcquireCallback done) = 0;

    // Exec, file, PTY and proxy traffic count as activity (resets the TTL idle clock).
    virtual void noteActivity(const QString &id) = 0;

    // True while the host `hostId` is draining (the host agent refuses every runner route
    // meanwhile).
    virtual bool isHostDraining(const QString &hostId) const = 0;

    // Runners placed on host `hostId` whose VM is up (booting, busy or quarantined): the n of
    // `GET /ready` -> "Ready: <n> runners".
    virtual int runnersOnHost(const QString &hostId) const = 0;
};

} // namespace capsule::local
