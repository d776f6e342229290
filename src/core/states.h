// Typed states of the client: a runner's state, a layer's status, a build's status and a build
// request's answer. The replies carry them as strings; this file maps them once (fromWire /
// toWire) and everything else compares the enums. Views turn the enums into tr() text.
// A server may send a state this client does not know: it maps to Unknown, and the reply's raw
// string is kept next to it for display.
#pragma once

#include <QObject>
#include <QString>

namespace capsule {
Q_NAMESPACE

// A runner. GET /api/v1/runners gives the host's raw state (cold, booting, initializing, idle,
// busy, running, pausing, quarantined, draining, retiring, terminated; capsule-local adds
// suspended for a paused session); GET /api/v1/runners/status answers pending, ready,
// unavailable or suspended (contract 2.2 and 2.3: the two routes use different words).
enum class RunnerState {
    Unknown,
    Cold,
    Booting,
    Initializing,
    Pending,
    Ready,
    Idle,
    Busy,
    Running,
    Pausing,
    Paused,
    Suspended,
    Quarantined,
    Draining,
    Retiring,
    Terminated,
    Unavailable,
};
Q_ENUM_NS(RunnerState)

// A layer of a config (GET /layered-configs/{id}): pending (never built), active (has a current
// version), inactive (its config was deleted), unknown.
enum class LayerState { Unknown, Pending, Active, Inactive };
Q_ENUM_NS(LayerState)

// A build: the section-10 builds list's status, and a layer's build_status while one is in
// flight (None: the field is absent or empty, no build in flight).
enum class BuildState {
    None,
    Unknown,
    Queued,
    WaitingParent,
    Running,
    Succeeded,
    Failed,
    Cancelled,
};
Q_ENUM_NS(BuildState)

// The answer to POST .../build or .../refresh: enqueued (build_enqueued / refresh_enqueued) or
// nothing to do (no_build_needed / no_refresh_needed).
enum class BuildRequestState { Unknown, Enqueued, NotNeeded };
Q_ENUM_NS(BuildRequestState)

RunnerState runnerStateFromWire(const QString &text);
LayerState layerStateFromWire(const QString &text);
BuildState buildStateFromWire(const QString &text);
BuildRequestState buildRequestStateFromWire(const QString &text);
// The wire word of a state (empty for Unknown and None).
QString toWire(RunnerState state);
QString toWire(LayerState state);
QString toWire(BuildState state);

// idle, busy, running or ready: the runner is up (the control plane stores busy at allocate
// and never changes it, so all four mean the same to a user).
bool isUp(RunnerState state);
// cold, booting, initializing or pending.
bool isStarting(RunnerState state);
// paused or suspended: a snapshot that resume brings back.
bool isPaused(RunnerState state);
// States after which waiting for the runner to become ready is pointless (the SDK's
// wait_ready list: terminated, unavailable, quarantined, suspended, paused).
bool endsReadyWait(RunnerState state);
// queued, waiting_parent or running.
bool isInFlight(BuildState state);
// failed or cancelled.
bool isFailure(BuildState state);

} // namespace capsule
