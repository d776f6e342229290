#include "terminal/logging.h"

namespace capsule::terminal {

Q_LOGGING_CATEGORY(lcTerminal, "capsule.terminal", QtInfoMsg)

} // namespace capsule::terminal
