// See uipreferences.h.
#include "app/settings/uipreferences.h"

#include "app/settings/systemcolorscheme.h"

#include <QApplication>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

#include <algorithm>
#include <memory>

namespace capsule::app {

namespace {
const QString kThemeKey = QStringLiteral("ui/theme");
const QString kRefreshKey = QStringLiteral("ui/refreshSeconds");

UiPreferences::Theme themeFromKey(const QString &key)
{
    if (key == QLatin1String("light"))
        return UiPreferences::Theme::Light;
    if (key == QLatin1String("dark"))
        return UiPreferences::Theme::Dark;
    return UiPreferences::Theme::System;
}

QPalette lightPalette()
{
    // Fusion's own palette is the light one.
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    return fusion ? fusion->standardPalette() : QPalette(Qt::white);
}

QPalette darkPalette()
{
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xdf, 0xe1, 0xe5);
    const QColor disabledText(0x80, 0x82, 0x86);
    const QColor highlight(0x3d, 0x7a, 0xd6);
    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabledText);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Light, window.lighter(150));
    p.setColor(QPalette::Midlight, window.lighter(125));
    p.setColor(QPalette::Mid, window.darker(120));
    p.setColor(QPalette::Dark, window.darker(150));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, highlight.lighter(140));
    p.setColor(QPalette::LinkVisited, QColor(0xa0, 0x7a, 0xd6));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Highlight, window.lighter(130));
    return p;
}

// What the app looked like before any theme was forced (captured on the first apply).
struct SystemLook
{
    QString style;
    QPalette palette;
};

const SystemLook &systemLook()
{
    static const SystemLook look{QApplication::style()->name(), QApplication::palette()};
    return look;
}
} // namespace

UiPreferences *UiPreferences::instance()
{
    static UiPreferences *prefs = new UiPreferences;
    return prefs;
}

UiPreferences::UiPreferences()
{
    QSettings settings;
    m_theme = themeFromKey(settings.value(kThemeKey).toString());
    m_refreshSeconds = std::clamp(settings.value(kRefreshKey, DefaultRefreshSeconds).toInt(),
                                  MinRefreshSeconds, MaxRefreshSeconds);
}

QString UiPreferences::themeKey(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

void UiPreferences::setTheme(Theme theme)
{
    if (theme == m_theme)
        return;
    m_theme = theme;
    QSettings().setValue(kThemeKey, themeKey(theme));
    emit changed();
}

void UiPreferences::setRefreshSeconds(int seconds)
{
    seconds = std::clamp(seconds, MinRefreshSeconds, MaxRefreshSeconds);
    if (seconds == m_refreshSeconds)
        return;
    m_refreshSeconds = seconds;
    QSettings().setValue(kRefreshKey, seconds);
    emit changed();
}

void applyTheme(UiPreferences::Theme theme)
{
    // The look in force; System = the platform's own, as the app started. Applying the same look
    // again does nothing (a palette change repaints and re-polishes every widget).
    static auto applied = UiPreferences::Theme::System;
    const SystemLook &look = systemLook();
    if (theme == UiPreferences::Theme::System) {
        // The desktop's preference (portal) wins over a platform palette of the other kind.
        const bool platformDark = look.palette.color(QPalette::Base).lightness() < 128;
        const auto wanted = SystemColorScheme::instance()->preference();
        if (wanted == SystemColorScheme::Preference::Dark && !platformDark)
            theme = UiPreferences::Theme::Dark;
        else if (wanted == SystemColorScheme::Preference::Light && platformDark)
            theme = UiPreferences::Theme::Light;
    }
    if (theme == applied)
        return;
    applied = theme;
    const QString wanted =
        theme == UiPreferences::Theme::System ? look.style : QStringLiteral("Fusion");
    if (QApplication::style()->name().compare(wanted, Qt::CaseInsensitive) != 0)
        QApplication::setStyle(wanted);
    switch (theme) {
    case UiPreferences::Theme::System:
        QApplication::setPalette(look.palette);
        break;
    case UiPreferences::Theme::Light:
        QApplication::setPalette(lightPalette());
        break;
    case UiPreferences::Theme::Dark:
        QApplication::setPalette(darkPalette());
        break;
    }
}

} // namespace capsule::app
