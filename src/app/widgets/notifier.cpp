// See notifier.h.
#include "app/widgets/notifier.h"

#include <QApplication>
#include <QSystemTrayIcon>
#include <QWidget>

namespace capsule::app {

namespace {
std::function<void(const Notifier::Shown &)> &observer()
{
    static std::function<void(const Notifier::Shown &)> o;
    return o;
}
bool g_forceInactive = false;
// How long a tray message stays up.
constexpr int kTrayMessageMs = 8000;
} // namespace

Notifier::Notifier(QWidget *window)
    : QObject(window)
    , m_window(window)
{}

void Notifier::setObserver(std::function<void(const Shown &)> o)
{
    observer() = std::move(o);
}

void Notifier::setForceInactive(bool on)
{
    g_forceInactive = on;
}

bool Notifier::notify(const QString &title, const QString &message, bool error)
{
    if (!m_window || (m_window->isActiveWindow() && !g_forceInactive))
        return false;
    Shown shown{title, message, false, error};
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(m_window->windowIcon(), this);
            m_tray->setToolTip(QApplication::applicationDisplayName());
            // A click on the message brings the window back.
            connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
                if (m_window) {
                    m_window->showNormal();
                    m_window->raise();
                    m_window->activateWindow();
                }
            });
        }
        m_tray->show();
        m_tray->showMessage(title, message,
                            error ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information,
                            kTrayMessageMs);
        shown.tray = true;
    }
    QApplication::alert(m_window);
    if (observer())
        observer()(shown);
    return true;
}

} // namespace capsule::app
