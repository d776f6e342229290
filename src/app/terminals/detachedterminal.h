// Terminal tabs that can be detached into their own window and put back.
#pragma once

#include <QPointer>
#include <QWidget>

class QTabWidget;

namespace capsule::app {

// A window holding one detached terminal page. "Put Back" (or closing the window) returns the
// page to its tab widget; if that is gone, closing the window closes the page.
class DetachedTerminalWindow : public QWidget
{
    Q_OBJECT
public:
    DetachedTerminalWindow(QWidget *page, QTabWidget *tabs, const QString &title, const QIcon &icon,
                           const QString &toolTip);
    QWidget *page() const { return m_page; }

public slots:
    void putBack();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QPointer<QWidget> m_page;
    QPointer<QTabWidget> m_tabs;
    QString m_toolTip;
};

// Detaches the tab at index into a DetachedTerminalWindow (shown); returns it, or nullptr.
DetachedTerminalWindow *detachTerminalTab(QTabWidget *tabs, int index);
// Gives the tab bar a context menu with "Detach Tab".
void enableTerminalTabDetach(QTabWidget *tabs);

} // namespace capsule::app
