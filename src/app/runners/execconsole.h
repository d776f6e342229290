// Run a command in a runner (contract 3.2 exec): command line with history, working directory,
// environment and timeout; stdout and stderr streamed as they arrive (stderr in its own colour),
// exit code and duration, Stop, Copy and Save. Several consoles live in ExecConsoles' tabs.
#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QMap>
#include <QPointer>
#include <QStringList>
#include <QTabWidget>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace capsule {
class ExecJob;
class RunnerSession;
} // namespace capsule

namespace capsule::app {

class ExecConsole : public QWidget
{
    Q_OBJECT
public:
    enum class State { Idle, Running, Finished, Stopped, Failed };
    Q_ENUM(State)
    struct Line
    {
        bool isStderr = false;
        QString text;
    };

    ExecConsole(RunnerSession *session, QWidget *parent = nullptr);
    ~ExecConsole() override;

    QString runnerId() const { return m_runnerId; }
    void setCommand(const QString &line);
    void setWorkingDir(const QString &dir);
    // "KEY=VALUE" per entry, separated by spaces or newlines.
    void setEnvironmentText(const QString &text);
    void setTimeoutSeconds(int seconds);
    // Shell line (sh -c LINE, the default) or an argv split like a shell would split it.
    void setUseShell(bool shell);

    State state() const { return m_state; }
    int exitCode() const { return m_exitCode; } // -1 while running or when none came
    qint64 durationMs() const { return m_durationMs; }
    const QList<Line> &lines() const { return m_lines; }
    QString outputText() const; // stdout and stderr in arrival order
    QString statusText() const;
    QStringList history() const;

    // The argv the console would send for `line` (shell: sh -c LINE).
    static QStringList argvFor(const QString &line, bool shell);
    // Parses "A=1 B=two" / one per line; *error names the first bad entry.
    static QMap<QString, QString> parseEnvironment(const QString &text, QString *error);

public slots:
    void run();
    void stop();
    void copyOutput();
    void saveOutput();
    // Marks the console as finished because its runner went away (released, server changed).
    void detach(const QString &why);

signals:
    void stateChanged(capsule::app::ExecConsole::State state);
    void message(const QString &text);

private:
    void append(bool isStderr, const QString &text);
    void finish(State state, const QString &status);
    void updateButtons();
    void rememberCommand(const QString &line);

    QPointer<RunnerSession> m_session;
    QString m_runnerId;
    QPointer<ExecJob> m_job;
    QComboBox *m_command;
    QCheckBox *m_shell;
    QLineEdit *m_cwd;
    QLineEdit *m_env;
    QSpinBox *m_timeout;
    QPushButton *m_runButton;
    QPushButton *m_stopButton;
    QPushButton *m_copyButton;
    QPushButton *m_saveButton;
    QLabel *m_status;
    QLabel *m_envError;
    QPlainTextEdit *m_output;
    QList<Line> m_lines;
    QElapsedTimer m_clock;
    State m_state = State::Idle;
    int m_exitCode = -1;
    qint64 m_durationMs = 0;
    QString m_statusText;
    bool m_stopRequested = false;
    bool m_detached = false;
};

// The Run tab: one closable tab per console.
class ExecConsoles : public QTabWidget
{
    Q_OBJECT
public:
    explicit ExecConsoles(QWidget *parent = nullptr);

    // A new console on `session`, titled "Run · SHORTID · N"; made current.
    ExecConsole *open(RunnerSession *session, const QString &workload = {});
    QList<ExecConsole *> consoles() const;
    // Consoles on that runner stop and say why (released, server changed).
    void detachRunner(const QString &runnerId, const QString &why);
    void detachAll(const QString &why);
    int runningCount() const;

signals:
    void message(const QString &text);
};

} // namespace capsule::app
