// Typed states of capsule-local: a runner's state, a layer's status, a build's status. The wire
// (JSON replies, the SQLite records, metrics labels) carries their strings; everything else
// compares the enums. The strings are the contract's and must never change
// (tests/local/tst_wire_types, tests/local/tst_states).
#pragma once

#include <QString>

#include <optional>

namespace capsule::local {

// The raw host states of contract 2.2 (the runner listing's `status`).
enum class RunnerState { Booting, Busy, Pausing, Suspended, Quarantined, Terminated };
// A layer of a config: `pending` (never built), `active` (has a current version), `inactive`
// (its config was deleted; a new config with the same layer revives it).
enum class LayerStatus { Pending, Active, Inactive };
// A build in the builds list (section 10).
enum class BuildStatus { Queued, WaitingParent, Running, Succeeded, Failed, Cancelled };

QString toWire(RunnerState state);
QString toWire(LayerStatus status);
QString toWire(BuildStatus status);
// The enum for a wire string, or nothing for an unknown one.
std::optional<RunnerState> runnerStateFromWire(const QString &text);
std::optional<LayerStatus> layerStatusFromWire(const QString &text);
std::optional<BuildStatus> buildStatusFromWire(const QString &text);

// booting, busy, pausing or quarantined: the runner has (or is getting) a sandbox.
bool isLive(RunnerState state);
// queued, waiting_parent or running.
bool isInFlight(BuildStatus status);

} // namespace capsule::local
