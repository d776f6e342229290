// The one mapping between the wire's state strings and the client's enums (see states.h).
#include "core/states.h"

#include <array>
#include <utility>

namespace capsule {

namespace {

template<typename E, size_t N>
E fromTable(const std::array<std::pair<E, const char *>, N> &table, const QString &text, E other)
{
    for (const auto &[value, word] : table)
        if (text == QLatin1String(word))
            return value;
    return other;
}

template<typename E, size_t N>
QString toTable(const std::array<std::pair<E, const char *>, N> &table, E state)
{
    for (const auto &[value, word] : table)
        if (value == state)
            return QString::fromLatin1(word);
    return {};
}

using R = RunnerState;
constexpr std::array<std::pair<R, const char *>, 16> kRunner{{
    {R::Cold, "cold"},
    {R::Booting, "booting"},
    {R::Initializing, "initializing"},
    {R::Pending, "pending"},
    {R::Ready, "ready"},
    {R::Idle, "idle"},
    {R::Busy, "busy"},
    {R::Running, "running"},
    {R::Pausing, "pausing"},
    {R::Paused, "paused"},
    {R::Suspended, "suspended"},
    {R::Quarantined, "quarantined"},
    {R::Draining, "draining"},
    {R::Retiring, "retiring"},
    {R::Terminated, "terminated"},
    {R::Unavailable, "unavailable"},
}};

constexpr std::array<std::pair<LayerState, const char *>, 3> kLayer{{
    {LayerState::Pending, "pending"},
    {LayerState::Active, "active"},
    {LayerState::Inactive, "inactive"},
}};

using B = BuildState;
constexpr std::array<std::pair<B, const char *>, 6> kBuild{{
    {B::Queued, "queued"},
    {B::WaitingParent, "waiting_parent"},
    {B::Running, "running"},
    {B::Succeeded, "succeeded"},
    {B::Failed, "failed"},
    {B::Cancelled, "cancelled"},
}};

constexpr std::array<std::pair<BuildRequestState, const char *>, 4> kRequest{{
    {BuildRequestState::Enqueued, "build_enqueued"},
    {BuildRequestState::Enqueued, "refresh_enqueued"},
    {BuildRequestState::NotNeeded, "no_build_needed"},
    {BuildRequestState::NotNeeded, "no_refresh_needed"},
}};

} // namespace

RunnerState runnerStateFromWire(const QString &text)
{
    return fromTable(kRunner, text, RunnerState::Unknown);
}

LayerState layerStateFromWire(const QString &text)
{
    return fromTable(kLayer, text, LayerState::Unknown);
}

BuildState buildStateFromWire(const QString &text)
{
    return text.isEmpty() ? BuildState::None : fromTable(kBuild, text, BuildState::Unknown);
}

BuildRequestState buildRequestStateFromWire(const QString &text)
{
    return fromTable(kRequest, text, BuildRequestState::Unknown);
}

QString toWire(RunnerState state)
{
    return toTable(kRunner, state);
}

QString toWire(LayerState state)
{
    return toTable(kLayer, state);
}

QString toWire(BuildState state)
{
    return toTable(kBuild, state);
}

bool isUp(RunnerState state)
{
    return state == R::Idle || state == R::Busy || state == R::Running || state == R::Ready;
}

bool isStarting(RunnerState state)
{
    return state == R::Cold || state == R::Booting || state == R::Initializing ||
           state == R::Pending;
}

bool isPaused(RunnerState state)
{
    return state == R::Paused || state == R::Suspended;
}

bool endsReadyWait(RunnerState state)
{
    return state == R::Terminated || state == R::Unavailable || state == R::Quarantined ||
           isPaused(state);
}

bool isInFlight(BuildState state)
{
    return state == B::Queued || state == B::WaitingParent || state == B::Running;
}

bool isFailure(BuildState state)
{
    return state == B::Failed || state == B::Cancelled;
}

} // namespace capsule
