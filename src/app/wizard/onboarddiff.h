// What creating a workload over an existing one of the same name would change, in words.
#pragma once

#include <QJsonObject>
#include <QStringList>

namespace capsule::app {

// One line per difference between the stored definition (`before`, as GET layered-configs/{id}
// returns it) and a create body (`after`): "base image: (none) -> ubuntu:24.04",
// "config.ttl: 0 -> 600", "layer main: init commands change", "layers: main -> base, main".
// Missing keys and empty/false/0 values count as equal (the server stores defaults explicitly).
QStringList describeWorkloadChanges(const QJsonObject &before, const QJsonObject &after);

// True when the difference touches what the server keeps fixed for an existing name (layer
// count, names, init commands, drives, tier), so the create would be refused.
bool workloadStructureChanges(const QJsonObject &before, const QJsonObject &after);

} // namespace capsule::app
