#include "app/i18n/language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

namespace capsule::app {

namespace {

// The translators currently installed; owned by the application object.
QTranslator *g_qtTranslator = nullptr;
QTranslator *g_appTranslator = nullptr;

void replace(QTranslator *&slot, QTranslator *next)
{
    if (slot) {
        QCoreApplication::removeTranslator(slot);
        delete slot;
    }
    slot = next;
    if (slot)
        QCoreApplication::installTranslator(slot);
}

} // namespace

QStringList availableLanguages()
{
    return {QStringLiteral("de")};
}

QLocale localeForLanguage(const QString &language)
{
    return language.isEmpty() ? QLocale::system() : QLocale(language);
}

QLocale applyLanguageSetting()
{
    const QString language =
        QSettings().value(QLatin1String(kLanguageSettingKey)).toString().trimmed();
    const QLocale locale = localeForLanguage(language);
    QLocale::setDefault(locale);

    auto *app = QCoreApplication::instance();
    auto *qt = new QTranslator(app);
    if (!qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                  QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        delete qt;
        qt = nullptr;
    }
    replace(g_qtTranslator, qt);

    auto *own = new QTranslator(app);
    if (!own->load(locale, QStringLiteral("capsule-desktop"), QStringLiteral("_"),
                   QStringLiteral(":/i18n"))) {
        delete own;
        own = nullptr;
    }
    replace(g_appTranslator, own);
    return locale;
}

} // namespace capsule::app
