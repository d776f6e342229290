// Capsule Desktop entry point: the main window over an embedded or remote Capsule server.
#include "app/mainwindow.h"
#include "app/serverconnection.h"

#include <QApplication>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

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
    window.show();
    connection.start();
    return app.exec();
}
