// The desktop's light/dark preference, read from the XDG desktop portal
// (org.freedesktop.portal.Settings, namespace org.freedesktop.appearance, key color-scheme:
// 0 no preference, 1 prefer dark, 2 prefer light), asked asynchronously at start and followed
// through the portal's SettingChanged signal. GNOME, KDE and others answer through their portal
// backends; with no portal (a bare X server, CI) the preference stays Unknown and the platform
// theme's palette is used as it is. Qt 6.4 has no such API (QStyleHints::colorScheme is 6.5).
#pragma once

#include <QDBusMessage>
#include <QObject>

namespace capsule::app {

class SystemColorScheme : public QObject
{
    Q_OBJECT
public:
    enum class Preference { Unknown, Light, Dark };
    Q_ENUM(Preference)

    static SystemColorScheme *instance();

    Preference preference() const { return m_preference; }
    // The portal's value (0, 1, 2) as a preference.
    static Preference fromPortalValue(uint value);

signals:
    void changed(Preference preference);

private slots:
    void onSettingChanged(const QDBusMessage &message); // (namespace, key, value)

private:
    SystemColorScheme();
    void set(Preference preference);

    Preference m_preference = Preference::Unknown;
};

} // namespace capsule::app
