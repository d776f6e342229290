// A pseudo-terminal on this machine, read without blocking the GUI thread: for benchmarks, tests
// and anything that runs a local program in a TerminalView.
#pragma once

#include <memory>

#include <QByteArray>
#include <QObject>
#include <QStringList>

class QSocketNotifier;

namespace capsule::terminal {

// Reads the master side in 4096-byte read()s from a QSocketNotifier, as many as are available
// within a small time budget per wake-up that includes the consumer's work (so one event-loop
// turn never stalls for long), and emits them in blocks of up to EmitSize bytes. pause() stops
// reading: the kernel's PTY buffer then fills and the program writing to it blocks, which is the
// flow control a slow consumer needs.
class LocalPty : public QObject
{
    Q_OBJECT
public:
    static constexpr int ReadSize = 4096;
    static constexpr int ReadBudgetMs = 8;
    static constexpr int EmitSize = 64 * 1024; // dataReceived() at least every this many bytes

    explicit LocalPty(QObject *parent = nullptr);
    ~LocalPty() override;

    // A PTY pair with no program ("teletype"): whoever holds slaveFd() writes the output. Output
    // post-processing is off, so bytes arrive unchanged. False (and errorString()) on failure.
    bool open(int cols, int rows);
    // Runs argv[0] with argv on a new PTY as its controlling terminal (TERM=xterm-256color).
    bool start(const QStringList &argv, int cols, int rows);

    int masterFd() const { return m_master; }
    int slaveFd() const { return m_slave; }
    qint64 pid() const { return m_pid; }
    QString errorString() const { return m_error; }
    qint64 bytesRead() const { return m_bytesRead; }

    void write(const QByteArray &data);
    void resize(int cols, int rows);
    void pause();
    void resume();
    bool isPaused() const { return m_paused; }
    // Sends a signal to the program's process group (SIGINT, SIGTERM, SIGKILL).
    bool sendSignal(int signal);
    void close();

signals:
    void dataReceived(const QByteArray &data);
    void finished(int exitCode); // the program exited (start()) or the slave side closed

private:
    void onReadable();
    void reap();

    int m_master = -1;
    int m_slave = -1;
    qint64 m_pid = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    bool m_paused = false;
    qint64 m_bytesRead = 0;
    QString m_error;
};

} // namespace capsule::terminal
