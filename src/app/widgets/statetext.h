// The words the views show for the client's typed states (core/states.h), translated. A state
// this client does not know is shown as the server's own word.
#pragma once

#include "core/models.h"

#include <QString>

namespace capsule::app {

// "queued", "building", "failed", ... for a build.
QString buildStateText(BuildState state, const QString &raw);
// A layer as one phrase: its build while one is in flight, else "built", "not built", ...
QString layerStateText(const LayerStatus &layer);

} // namespace capsule::app
