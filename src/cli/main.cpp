// capsule: the command-line companion of Capsule Desktop (see docs/cli.md).
#include "cli/cli.h"
#include "core/version.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("capsule"));
    QCoreApplication::setApplicationVersion(capsule::appVersion());
    return capsule::cli::run(argc, argv);
}
