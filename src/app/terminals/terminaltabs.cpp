// The Terminals tab: one tab per runner PTY, titled from the program (OSC 0/2) or the runner.
#include "app/terminals/terminaltabs.h"
#include "app/terminals/terminalprefs.h"

#include "core/runnersession.h"
#include "terminal/terminalsession.h"
#include "terminal/terminalsurface.h"
#include "terminal/terminalview.h"

#include <QEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>

namespace capsule::app {

using terminal::TerminalSession;
using terminal::TerminalView;

TerminalTabs::TerminalTabs(QTabWidget *tabs, QObject *parent)
    : QObject(parent)
    , m_tabs(tabs)
    , m_hint(new QLabel(tabs))
{
    m_hint->setObjectName(QStringLiteral("terminalsHint"));
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::RichText);
    m_hint->setText(
        tr("<p><b>No terminal open.</b></p><p>Terminals are shells inside a running runner.<br>"
           "Select a runner on the Runners tab and choose <i>Open Terminal</i> "
           "(Ctrl+Shift+T), or double-click the runner.</p>"));
    m_hint->setEnabled(false); // greyed, like a placeholder
    // The hint fills the tab widget while it has no page.
    auto *layout = new QVBoxLayout(m_tabs);
    layout->addWidget(m_hint);
    connect(m_tabs, &QTabWidget::currentChanged, this, &TerminalTabs::updateHint);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        auto *view = qobject_cast<TerminalView *>(m_tabs->widget(index));
        m_tabs->removeTab(index);
        if (view) {
            m_info.remove(view);
            view->deleteLater();
        }
        updateHint();
    });
    updateHint();
}

QString TerminalTabs::shortId(const QString &runnerId)
{
    return runnerId.left(8);
}

TerminalView *TerminalTabs::open(RunnerSession *session, const QString &workload)
{
    const QString id = session->runnerId();
    auto *view = new TerminalView;
    view->setObjectName(QStringLiteral("terminal-%1").arg(id));
    view->installEventFilter(this);
    TerminalPreferences::instance()->track(view); // scheme, font, scrollback
    PtyChannel *channel = session->shell({}, view);
    auto *terminalSession = new TerminalSession(channel, view, view);
    Tab tab;
    tab.runnerId = id;
    const int n = ++m_opened[id];
    tab.baseTitle = QStringLiteral("%1 \u00b7 %2 \u00b7 %3")
                        .arg(workload.isEmpty() ? tr("runner") : workload, shortId(id))
                        .arg(n);
    m_info.insert(view, tab);
    const int index =
        m_tabs->addTab(view, QIcon(QStringLiteral(":/icons/terminal.svg")), tab.baseTitle);
    m_tabs->setTabToolTip(index, tr("Shell on runner %1 (%2)").arg(id, workload));
    connect(view->surface(), &terminal::TerminalSurface::titleChanged, this,
            [this, view](const QString &title) {
                if (!m_info.contains(view))
                    return;
                m_info[view].programTitle = title.trimmed();
                updateTitle(view);
            });
    connect(terminalSession, &TerminalSession::stateChanged, this,
            [this, view, terminalSession](TerminalSession::State state) {
                if (!m_info.contains(view) || m_info[view].gone)
                    return;
                QString text;
                if (state == TerminalSession::State::Exited)
                    text = tr("exited %1").arg(terminalSession->exitCode().value_or(-1));
                else if (state == TerminalSession::State::Disconnected)
                    text = tr("disconnected");
                else if (state == TerminalSession::State::Connecting)
                    text = tr("connecting");
                m_info[view].state = text;
                updateTitle(view);
            });
    m_tabs->setCurrentWidget(view);
    updateHint();
    terminalSession->start();
    return view;
}

void TerminalTabs::updateTitle(TerminalView *view)
{
    const int at = m_tabs->indexOf(view);
    if (at < 0)
        return;
    const Tab &tab = m_info.value(view);
    QString text = tab.programTitle.isEmpty() ? tab.baseTitle : tab.programTitle;
    if (text.size() > 40)
        text = text.left(39) + QChar(0x2026);
    if (!tab.state.isEmpty())
        text = tr("%1 (%2)").arg(text, tab.state);
    m_tabs->setTabText(at, text);
}

void TerminalTabs::closeCurrent()
{
    const int index = m_tabs->currentIndex();
    if (index >= 0)
        emit m_tabs->tabCloseRequested(index);
}

void TerminalTabs::markRunnerGone(const QString &runnerId, const QString &why)
{
    for (auto it = m_info.begin(); it != m_info.end(); ++it) {
        if (it->runnerId != runnerId)
            continue;
        TerminalView *view = it.key();
        it->state = why;
        it->gone = true;
        // Nothing may reconnect to a runner that is gone: drop the session, close the channel.
        for (auto *session : view->findChildren<TerminalSession *>()) {
            if (PtyChannel *channel = session->channel())
                channel->close();
            session->deleteLater();
        }
        view->setReadOnly(true);
        updateTitle(view);
    }
}

QStringList TerminalTabs::runnerIds() const
{
    QStringList ids;
    for (const Tab &tab : m_info) {
        if (!ids.contains(tab.runnerId))
            ids << tab.runnerId;
    }
    return ids;
}

void TerminalTabs::updateHint()
{
    const bool empty = m_tabs->count() == 0;
    m_hint->setVisible(empty);
    if (empty)
        m_hint->raise();
}

bool TerminalTabs::eventFilter(QObject *watched, QEvent *event)
{
    // A terminal takes every key for the program (ShortcutOverride accepted); a few application
    // shortcuts (Quit) must still work from inside it.
    if (event->type() == QEvent::ShortcutOverride && qobject_cast<TerminalView *>(watched)) {
        auto *key = static_cast<QKeyEvent *>(event);
        const QKeySequence pressed(key->keyCombination());
        for (const QKeySequence &pass : std::as_const(m_passThrough)) {
            if (pass.matches(pressed) == QKeySequence::ExactMatch) {
                event->ignore();
                return true;
            }
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace capsule::app
