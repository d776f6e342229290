// Logging categories of capsule-local (capsule.local.*). Enable with QT_LOGGING_RULES, e.g.
// "capsule.local.runners.debug=true". Messages never contain a token.
#pragma once

#include <QLoggingCategory>

namespace capsule::local {

Q_DECLARE_LOGGING_CATEGORY(lcLocal)   // capsule.local: start-up, shutdown, data dir
Q_DECLARE_LOGGING_CATEGORY(lcRunners) // capsule.local.runners: the runner registry
Q_DECLARE_LOGGING_CATEGORY(lcBuilds)  // capsule.local.builds: configs, layers, builds
Q_DECLARE_LOGGING_CATEGORY(lcSandbox) // capsule.local.sandbox: bwrap, mounts, cgroups
Q_DECLARE_LOGGING_CATEGORY(lcHost)    // capsule.local.host: the host agents

} // namespace capsule::local
