// Terminal tabs that can be detached into their own window and put back.
#include "app/terminals/detachedterminal.h"

#include <QCloseEvent>
#include <QMenu>
#include <QTabBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace capsule::app {

DetachedTerminalWindow::DetachedTerminalWindow(QWidget *page, QTabWidget *tabs,
                                               const QString &title, const QIcon &icon,
                                               const QString &toolTip)
    : QWidget(nullptr, Qt::Window)
    , m_page(page)
    , m_tabs(tabs)
    , m_toolTip(toolTip)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(title);
    setWindowIcon(icon);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto *back = new QToolButton(this);
    back->setObjectName(QStringLiteral("putBack"));
    back->setText(tr("Put Back into the Main Window"));
    back->setToolButtonStyle(Qt::ToolButtonTextOnly);
    connect(back, &QToolButton::clicked, this, &DetachedTerminalWindow::putBack);
    layout->addWidget(back, 0, Qt::AlignRight);
    page->setParent(this);
    layout->addWidget(page, 1);
    page->show();
    resize(page->size().expandedTo(QSize(640, 400)));
}

void DetachedTerminalWindow::putBack()
{
    if (m_page && m_tabs) {
        const int index = m_tabs->addTab(m_page, windowIcon(), windowTitle());
        m_tabs->setTabToolTip(index, m_toolTip);
        m_tabs->setCurrentIndex(index);
        m_tabs->window()->activateWindow();
        m_page->setFocus();
        m_page = nullptr;
    }
    close();
}

void DetachedTerminalWindow::closeEvent(QCloseEvent *event)
{
    // Closing the window puts the terminal back rather than killing its shell.
    if (m_page && m_tabs) {
        putBack();
        event->accept();
        return;
    }
    QWidget::closeEvent(event);
}

DetachedTerminalWindow *detachTerminalTab(QTabWidget *tabs, int index)
{
    QWidget *page = tabs->widget(index);
    if (!page)
        return nullptr;
    const QString title = tabs->tabText(index);
    const QIcon icon = tabs->tabIcon(index);
    const QString toolTip = tabs->tabToolTip(index);
    tabs->removeTab(index);
    auto *window = new DetachedTerminalWindow(page, tabs, title, icon, toolTip);
    window->show();
    page->setFocus();
    return window;
}

void enableTerminalTabDetach(QTabWidget *tabs)
{
    QTabBar *bar = tabs->tabBar();
    bar->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(bar, &QTabBar::customContextMenuRequested, tabs, [tabs, bar](QPoint pos) {
        const int index = bar->tabAt(pos);
        if (index < 0)
            return;
        auto *menu = new QMenu(tabs);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addAction(QObject::tr("Detach Tab"), tabs,
                        [tabs, page = QPointer<QWidget>(tabs->widget(index))] {
                            if (page)
                                detachTerminalTab(tabs, tabs->indexOf(page));
                        });
        menu->popup(bar->mapToGlobal(pos));
    });
}

} // namespace capsule::app
