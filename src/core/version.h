// Version information of the three programs and the libraries they were built with.
#pragma once

#include <QString>

namespace capsule {

// The project's version (CMake's PROJECT_VERSION), e.g. "0.1.0".
QString appVersion();

// What `--version` prints for `program`: its name and version on the first line, then the
// versions of Qt (built against and running), libvterm, yaml-cpp and the SDK wire level it
// speaks, one per line. Ends with a newline.
QString versionText(const QString &program);

} // namespace capsule
