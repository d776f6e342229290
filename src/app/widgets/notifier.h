// Desktop notifications for long operations (a build, a runner start, a long transfer) that end
// while the window is not the active one: a tray balloon when the desktop has a system tray, and
// QApplication::alert (task bar highlight) always. Nothing happens while the window is active.
#pragma once

#include <QObject>
#include <QPointer>
#include <functional>

class QSystemTrayIcon;
class QWidget;

namespace capsule::app {

class Notifier : public QObject
{
    Q_OBJECT
public:
    // What a notification shows (and how), for the test seam.
    struct Shown
    {
        QString title;
        QString message;
        bool tray = false;  // a tray message was shown
        bool error = false; // the operation failed
    };

    explicit Notifier(QWidget *window);

    // Notifies unless the window is active. Returns whether it did.
    bool notify(const QString &title, const QString &message, bool error = false);

    // Test seam: every notification shown is passed here too (empty = none).
    static void setObserver(std::function<void(const Shown &)> observer);
    // Test seam: treat the window as inactive even when it is active (offscreen has no focus).
    static void setForceInactive(bool on);

private:
    QPointer<QWidget> m_window;
    QSystemTrayIcon *m_tray = nullptr;
};

} // namespace capsule::app
