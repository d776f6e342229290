// The app-wide preferences that are not the terminal's or a connection's: the colour theme and
// the refresh interval of the server views. Stored with QSettings ("ui/theme",
// "ui/refreshSeconds"); `changed` lets the window re-apply them at once.
#pragma once

#include <QObject>

namespace capsule::app {

class UiPreferences : public QObject
{
    Q_OBJECT
public:
    // System: the platform's palette and style (KDE, GTK platform themes follow the desktop's
    // light/dark choice); Light and Dark force the Fusion style with that palette.
    enum class Theme { System, Light, Dark };
    Q_ENUM(Theme)

    static constexpr int MinRefreshSeconds = 1;
    static constexpr int MaxRefreshSeconds = 300;
    static constexpr int DefaultRefreshSeconds = 3;

    static UiPreferences *instance();

    Theme theme() const { return m_theme; }
    void setTheme(Theme theme);
    // How often the runners, workloads and hosts views and the connection check refresh.
    int refreshSeconds() const { return m_refreshSeconds; }
    int refreshMs() const { return m_refreshSeconds * 1000; }
    void setRefreshSeconds(int seconds);

    static QString themeKey(Theme theme); // "system", "light", "dark"

signals:
    void changed();

private:
    UiPreferences();

    Theme m_theme = Theme::System;
    int m_refreshSeconds = DefaultRefreshSeconds;
};

// Applies a theme to the running QApplication: Light and Dark set Fusion and a palette of that
// kind; System follows the desktop's preference from the portal (SystemColorScheme) when the
// platform palette is of the other kind, else restores the style and palette the app started
// with. Idempotent.
void applyTheme(UiPreferences::Theme theme);

} // namespace capsule::app
