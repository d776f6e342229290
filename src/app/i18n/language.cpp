#include "app/i18n/language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>
#include <memory>

namespace capsule::app {

namespace {

// The translators currently installed.
std::unique_ptr<QTranslator> g_qtTranslator;
std::unique_ptr<QTranslator> g_appTranslator;

void replace(std::unique_ptr<QTranslator> &slot, std::unique_ptr<QTranslator> next)
{
    if (slot)
        QCoreApplication::removeTranslator(slot.get());
    slot = std::move(next);
    if (slot)
        QCoreApplication::installTranslator(slot.get());
}

// A translator of `name` for `locale` from `folder`, or none when there is no such file.
std::unique_ptr<QTranslator> loaded(const QLocale &locale, const QString &name,
                                    const QString &folder)
{
    auto translator = std::make_unique<QTranslator>();
    if (!translator->load(locale, name, QStringLiteral("_"), folder))
        translator.reset();
    return translator;
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

    replace(g_qtTranslator, loaded(locale, QStringLiteral("qtbase"),
                                   QLibraryInfo::path(QLibraryInfo::TranslationsPath)));
    replace(g_appTranslator,
            loaded(locale, QStringLiteral("capsule-desktop"), QStringLiteral(":/i18n")));
    return locale;
}

} // namespace capsule::app
