// Capsule Desktop entry point: the main window over an embedded or remote Capsule server.
#include "app/connections/serverconnection.h"
#include "app/i18n/language.h"
#include "app/mainwindow.h"
#include "app/unixsignals.h"
#include "core/version.h"

#include <QApplication>
#include <QIcon>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace {

// --version and --help are answered before QApplication exists, so they work without a display
// (packaging checks, man page generation over ssh).
bool answerInfoOption(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::fputs(qPrintable(capsule::versionText(QStringLiteral("capsule-desktop"))), stdout);
            return true;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::fputs(
                "Usage: capsule-desktop [options]\n"
                "Capsule Desktop: workloads, runners, files and terminals of Capsule sandboxes.\n"
                "\n"
                "Without a configured remote server it starts its own capsule-local (found next "
                "to\nthe program) and connects to it.\n"
                "\n"
                "Options:\n"
                "  -h, --help     Display this help and exit.\n"
                "  -v, --version  Print the versions and exit.\n"
                "\n"
                "Qt's own options (e.g. -platform, -style) are accepted as well.\n"
                "\n"
                "Environment:\n"
                "  CAPSULE_BASE_URL, CAPSULE_TOKEN  connect to this server instead of the "
                "embedded one\n",
                stdout);
            return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    if (answerInfoOption(argc, argv))
        return 0;
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Capsule"));
    QApplication::setApplicationName(QStringLiteral("Capsule Desktop"));
    QApplication::setApplicationVersion(QStringLiteral(CAPSULE_APP_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.capsule.Desktop"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/capsule.svg")));

    // The language: QSettings ui/language ("" = the system locale) picks it (app/i18n/language.h).
    capsule::app::applyLanguageSetting();

    capsule::app::ServerConnection connection;
    capsule::app::MainWindow window(&connection);
    // Quit, the close button and SIGTERM/SIGINT/SIGHUP all take the same path: the window saves
    // its state, stops the embedded server (SIGTERM, then SIGKILL) and then ends the event loop.
    capsule::app::UnixSignalWatcher signalWatcher;
    signalWatcher.watch({SIGTERM, SIGINT, SIGHUP});
    QObject::connect(&signalWatcher, &capsule::app::UnixSignalWatcher::received, &window,
                     &capsule::app::MainWindow::quit);
    window.show();
    connection.start();
    return app.exec();
}
