// Logging categories of the terminal (capsule.terminal.*). Enable with QT_LOGGING_RULES, e.g.
// "capsule.terminal.debug=true". Messages carry states and exit codes, never typed input.
#pragma once

#include <QLoggingCategory>

namespace capsule::terminal {

Q_DECLARE_LOGGING_CATEGORY(lcTerminal) // capsule.terminal: sessions bound to runner PTYs

} // namespace capsule::terminal
