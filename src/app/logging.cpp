#include "app/logging.h"

namespace capsule::app {

Q_LOGGING_CATEGORY(lcConnection, "capsule.app.connection", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEmbedded, "capsule.app.embedded", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDragOut, "capsule.app.dragout", QtInfoMsg)

} // namespace capsule::app
