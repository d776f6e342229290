#include "local/logging.h"

namespace capsule::local {

Q_LOGGING_CATEGORY(lcLocal, "capsule.local", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRunners, "capsule.local.runners", QtInfoMsg)
Q_LOGGING_CATEGORY(lcBuilds, "capsule.local.builds", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSandbox, "capsule.local.sandbox", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHost, "capsule.local.host", QtInfoMsg)

} // namespace capsule::local
