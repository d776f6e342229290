// Capsule Desktop entry point: the main window over an embedded or remote Capsule server.
#include "app/connections/serverconnection.h"
#include "app/mainwindow.h"
#include "app/unixsignals.h"

#include <QApplication>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <csignal>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Capsule"));
    QApplication::setApplicationName(QStringLiteral("Capsule Desktop"));
    QApplication::setApplicationVersion(QStringLiteral(CAPSULE_APP_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.capsule.Desktop"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/capsule.svg")));

    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    QTranslator appTranslator;
    if (appTranslator.load(QLocale(), QStringLiteral("capsule-desktop"), QStringLiteral("_"),
                           QStringLiteral(":/i18n")))
        QApplication::installTranslator(&appTranslator);

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
