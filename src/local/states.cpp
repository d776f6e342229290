#include "local/states.h"

#include <array>
#include <utility>

namespace capsule::local {

namespace {

template<typename E, std::size_t N>
using Table = std::array<std::pair<E, const char *>, N>;

constexpr Table<RunnerState, 6> kRunnerStates{{{RunnerState::Booting, "booting"},
                                               {RunnerState::Busy, "busy"},
                                               {RunnerState::Pausing, "pausing"},
                                               {RunnerState::Suspended, "suspended"},
                                               {RunnerState::Quarantined, "quarantined"},
                                               {RunnerState::Terminated, "terminated"}}};
constexpr Table<LayerStatus, 3> kLayerStatuses{{{LayerStatus::Pending, "pending"},
                                                {LayerStatus::Active, "active"},
                                                {LayerStatus::Inactive, "inactive"}}};
constexpr Table<BuildStatus, 6> kBuildStatuses{{{BuildStatus::Queued, "queued"},
                                                {BuildStatus::WaitingParent, "waiting_parent"},
                                                {BuildStatus::Running, "running"},
                                                {BuildStatus::Succeeded, "succeeded"},
                                                {BuildStatus::Failed, "failed"},
                                                {BuildStatus::Cancelled, "cancelled"}}};

template<typename E, std::size_t N>
QString wire(const Table<E, N> &table, E value)
{
    for (const auto &[e, text] : table)
        if (e == value)
            return QString::fromLatin1(text);
    return {};
}

template<typename E, std::size_t N>
std::optional<E> parse(const Table<E, N> &table, const QString &text)
{
    for (const auto &[e, name] : table)
        if (text == QLatin1String(name))
            return e;
    return std::nullopt;
}

} // namespace

QString toWire(RunnerState state)
{
    return wire(kRunnerStates, state);
}
QString toWire(LayerStatus status)
{
    return wire(kLayerStatuses, status);
}
QString toWire(BuildStatus status)
{
    return wire(kBuildStatuses, status);
}
std::optional<RunnerState> runnerStateFromWire(const QString &text)
{
    return parse(kRunnerStates, text);
}
std::optional<LayerStatus> layerStatusFromWire(const QString &text)
{
    return parse(kLayerStatuses, text);
}
std::optional<BuildStatus> buildStatusFromWire(const QString &text)
{
    return parse(kBuildStatuses, text);
}

bool isLive(RunnerState state)
{
    return state == RunnerState::Booting || state == RunnerState::Busy ||
           state == RunnerState::Pausing || state == RunnerState::Quarantined;
}

bool isInFlight(BuildStatus status)
{
    return status == BuildStatus::Queued || status == BuildStatus::WaitingParent ||
           status == BuildStatus::Running;
}

} // namespace capsule::local
