// The Terminals tab: one tab per runner PTY, titled from the program (OSC 0/2) or the runner.
#pragma once

#include <QHash>
#include <QKeySequence>
#include <QList>
#include <QObject>

class QLabel;
class QTabWidget;

namespace capsule {
class RunnerSession;
}

namespace capsule::terminal {
class TerminalView;
}

namespace capsule::app {

// Owns the tab pages of `tabs`: opens shells, keeps titles current, marks the tabs of a runner
// that is gone, and shows a hint while there is no tab.
class TerminalTabs : public QObject
{
    Q_OBJECT
public:
    explicit TerminalTabs(QTabWidget *tabs, QObject *parent = nullptr);

    // Opens a shell on `session` in a new tab titled "WORKLOAD · SHORTID · N" until the program
    // sets a title (OSC 0/2); the tooltip has the full runner id.
    terminal::TerminalView *open(RunnerSession *session, const QString &workload);
    void closeCurrent();
    // The runner's tabs stop (their channel is closed, Enter no longer reconnects) and their
    // titles say `why` (e.g. "released").
    void markRunnerGone(const QString &runnerId, const QString &why);
    // Every runner that has a tab.
    QStringList runnerIds() const;
    // Application shortcuts a terminal lets through although it owns the keyboard (Ctrl+Q).
    void setPassThroughShortcuts(const QList<QKeySequence> &keys) { m_passThrough = keys; }
    // The hint shown while there is no tab (tests read it).
    QLabel *emptyHint() const { return m_hint; }

    static QString shortId(const QString &runnerId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Tab
    {
        QString runnerId;
        QString baseTitle; // workload · short id · n
        QString programTitle;
        QString state;     // "", "exited 3", "disconnected", "released"...
        bool gone = false; // the runner is gone: the state no longer changes
    };
    void updateTitle(terminal::TerminalView *view);
    void updateHint();

    QTabWidget *m_tabs;
    QLabel *m_hint;
    QHash<terminal::TerminalView *, Tab> m_info;
    QHash<QString, int> m_opened; // runner id -> tabs opened so far (numbers the titles)
    QList<QKeySequence> m_passThrough;
};

} // namespace capsule::app
