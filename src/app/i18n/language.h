// The UI language: QSettings "ui/language" ("" follows the system locale, "en", "de") picks the
// locale; the app's own translation (embedded as :/i18n/capsule-desktop_<lang>.qm) and Qt's
// qtbase_<lang>.qm (when installed) are loaded for it, and QLocale's default is set to it so sizes
// and numbers printed through QLocale() follow the same choice.
#pragma once

#include <QLocale>
#include <QString>
#include <QStringList>

namespace capsule::app {

// The QSettings key the settings dialog writes ("", "en" or "de").
inline constexpr const char *kLanguageSettingKey = "ui/language";

// Languages the app ships a translation for, besides the built-in English.
QStringList availableLanguages();

// The locale for a "ui/language" value: empty means QLocale::system().
QLocale localeForLanguage(const QString &language);

// Reads "ui/language", sets QLocale's default and (re)installs the translators on the running
// QCoreApplication. Calling it again replaces the previous translators. Returns the locale used.
QLocale applyLanguageSetting();

} // namespace capsule::app
