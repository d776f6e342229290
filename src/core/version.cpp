// The version strings come from CMake (src/core/CMakeLists.txt), read off the build's own
// dependencies, so `--version` tells what a binary was really built with.
#include "core/version.h"

#include "core/settings.h"

#include <QtGlobal>

#ifndef CAPSULE_VERSION
#error "CAPSULE_VERSION is set by src/core/CMakeLists.txt"
#endif

namespace capsule {

QString appVersion()
{
    return QStringLiteral(CAPSULE_VERSION);
}

QString versionText(const QString &program)
{
    QString qt = QStringLiteral(QT_VERSION_STR);
    if (qt != QLatin1String(qVersion()))
        qt += QStringLiteral(" (running %1)").arg(QLatin1String(qVersion()));
    return QStringLiteral("%1 %2\n"
                          "Qt %3\n"
                          "libvterm %4\n"
                          "yaml-cpp %5\n"
                          "Capsule API: SDK %6\n")
        .arg(program, appVersion(), qt, QStringLiteral(CAPSULE_VTERM_VERSION),
             QStringLiteral(CAPSULE_YAMLCPP_VERSION), QLatin1String(kSdkVersion));
}

} // namespace capsule
