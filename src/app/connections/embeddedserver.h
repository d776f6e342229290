// Starts and stops the capsule-local the app runs against when no remote server is configured.
#pragma once

#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>
#include <functional>

namespace capsule::app {

// Launches `capsule-local --port 0 --host-port 0 --data-dir <dir>` with a fresh token in
// CAPSULE_LOCAL_TOKEN and reads its ready line from stdout through QProcess signals: nothing here
// waits, so the GUI stays responsive while the server boots.
class EmbeddedServer : public QObject
{
    Q_OBJECT
public:
    explicit EmbeddedServer(QObject *parent = nullptr);
    ~EmbeddedServer() override;

    // Where the binary is looked for: next to the app, ../local/ (build tree), $CAPSULE_LOCAL_BIN,
    // then the build tree path compiled in.
    static QString findBinary();
    static QString defaultDataDir();

    void start(const QString &dataDir = defaultDataDir(), const QString &binary = findBinary());
    // SIGTERM, then SIGKILL after `graceMs`; `done` runs once the process is gone.
    void stop(std::function<void()> done = {}, int graceMs = 3000);

    bool isRunning() const;
    QString baseUrl() const { return m_baseUrl; }
    QString token() const { return m_token; }
    QStringList hosts() const { return m_hosts; }
    qint64 pid() const { return m_pid; }
    QString dataDir() const { return m_dataDir; }

signals:
    void ready();
    void failed(const QString &message);
    // The server went away after it was ready (crash or external kill).
    void exited(const QString &message);

private:
    void onStdout();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void fail(const QString &message);
    QString stderrTail() const;

    QProcess *m_process = nullptr;
    QTimer m_readyTimer;
    QTimer m_killTimer;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QString m_baseUrl;
    QString m_token;
    QStringList m_hosts;
    QString m_dataDir;
    qint64 m_pid = 0;
    bool m_ready = false;
    bool m_stopping = false;
    std::function<void()> m_onStopped;
};

} // namespace capsule::app
