// Logging categories of the app (capsule.app.*). Enable with QT_LOGGING_RULES, e.g.
// "capsule.app.connection.debug=true". Messages never contain a token.
#pragma once

#include <QLoggingCategory>

namespace capsule::app {

Q_DECLARE_LOGGING_CATEGORY(lcConnection) // capsule.app.connection: server connection states
Q_DECLARE_LOGGING_CATEGORY(lcEmbedded)   // capsule.app.embedded: the embedded capsule-local
Q_DECLARE_LOGGING_CATEGORY(lcDragOut)    // capsule.app.dragout: drags to file managers

} // namespace capsule::app
