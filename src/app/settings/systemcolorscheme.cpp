// See systemcolorscheme.h.
#include "app/settings/systemcolorscheme.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>

namespace capsule::app {

namespace {
const QString kService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kInterface = QStringLiteral("org.freedesktop.portal.Settings");
const QString kNamespace = QStringLiteral("org.freedesktop.appearance");
const QString kKey = QStringLiteral("color-scheme");

// Read() answers a variant holding the value's variant (v of v of u); take what is inside.
uint innermostUInt(QVariant value)
{
    for (int depth = 0; depth < 3 && value.canConvert<QDBusVariant>(); ++depth)
        value = value.value<QDBusVariant>().variant();
    bool ok = false;
    const uint n = value.toUInt(&ok);
    return ok ? n : 0;
}
} // namespace

SystemColorScheme *SystemColorScheme::instance()
{
    static SystemColorScheme *scheme = new SystemColorScheme;
    return scheme;
}

SystemColorScheme::Preference SystemColorScheme::fromPortalValue(uint value)
{
    switch (value) {
    case 1:
        return Preference::Dark;
    case 2:
        return Preference::Light;
    default:
        return Preference::Unknown;
    }
}

SystemColorScheme::SystemColorScheme()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return; // no session bus: no portal, the platform theme decides
    // The whole message, not typed arguments: QtDBus then accepts the slot whatever the
    // signature the portal sends.
    bus.connect(kService, kPath, kInterface, QStringLiteral("SettingChanged"), this,
                SLOT(onSettingChanged(QDBusMessage)));
    QDBusMessage read =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Read"));
    read << kNamespace << kKey;
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(read, 3000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusMessage reply = w->reply();
        if (reply.type() == QDBusMessage::ReplyMessage && !reply.arguments().isEmpty())
            set(fromPortalValue(innermostUInt(reply.arguments().constFirst())));
    });
}

void SystemColorScheme::onSettingChanged(const QDBusMessage &message)
{
    const QVariantList args = message.arguments();
    if (args.size() == 3 && args.at(0).toString() == kNamespace && args.at(1).toString() == kKey)
        set(fromPortalValue(innermostUInt(args.at(2))));
}

void SystemColorScheme::set(Preference preference)
{
    if (preference == m_preference)
        return;
    m_preference = preference;
    emit changed(preference);
}

} // namespace capsule::app
