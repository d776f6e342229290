// KDE's drag-out protocol (the one Ark uses; Dolphin, the Plasma desktop and KMail are its
// targets): the drag carries a D-Bus service name and object path under
// application/x-kde-ark-dndextract-service and -path; on drop the target calls
// org.kde.ark.DndExtract.extractSelectedFilesTo(folder) there, and the source saves the dragged
// items into that folder. It works on X11 and Wayland alike (the data is two fixed strings).
#pragma once

#include <QObject>
#include <functional>

namespace capsule::app {

// One drag's object on the session bus. It answers one call (a second would be a replay), then
// leaves the bus; unused, it leaves after kLifetimeMs.
class ArkExtractTarget : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.ark.DndExtract")
public:
    static constexpr int kLifetimeMs = 10 * 60 * 1000;
    static QString serviceType()
    {
        return QStringLiteral("application/x-kde-ark-dndextract-service");
    }
    static QString pathType() { return QStringLiteral("application/x-kde-ark-dndextract-path"); }

    // `deliver` gets the local folder the target named (called from the event loop, never from
    // inside the D-Bus call).
    explicit ArkExtractTarget(std::function<void(const QString &folder)> deliver,
                              std::function<void(const QString &error)> fail,
                              QObject *parent = nullptr);
    ~ArkExtractTarget() override;

    // Puts the object on the session bus; false when there is no bus.
    bool publish();
    QString service() const;
    QString objectPath() const { return m_path; }

public slots:
    Q_SCRIPTABLE void extractSelectedFilesTo(const QString &path);

private:
    void retire();

    std::function<void(const QString &)> m_deliver;
    std::function<void(const QString &)> m_fail;
    QString m_path;
    bool m_published = false;
    bool m_used = false;
};

} // namespace capsule::app
