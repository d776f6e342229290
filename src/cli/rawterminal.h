// Raw-mode terminal handling for `capsule shell`: termios, window size and SIGWINCH.
#pragma once

#include <QObject>
#include <QSize>

class QSocketNotifier;

namespace capsule::cli {

// Puts stdin's terminal in raw mode for its lifetime (no-op when stdin is not a terminal) and
// restores it on destruction, on normal exit and on fatal signals.
class RawTerminal
{
public:
    RawTerminal();
    ~RawTerminal();
    RawTerminal(const RawTerminal &) = delete;
    RawTerminal &operator=(const RawTerminal &) = delete;

    bool isRaw() const { return m_raw; }
    static bool stdinIsTerminal();
    // Columns x rows of the terminal on stdout (or stdin); 80x24 when unknown.
    static QSize windowSize();

private:
    bool m_raw = false;
};

// Emits resized() on SIGWINCH, delivered through a self-pipe into the event loop.
class WindowSizeWatcher : public QObject
{
    Q_OBJECT
public:
    explicit WindowSizeWatcher(QObject *parent = nullptr);
    ~WindowSizeWatcher() override;

signals:
    void resized(QSize size);

private:
    QSocketNotifier *m_notifier = nullptr;
};

// Emits interrupted() on SIGINT/SIGTERM (self-pipe), so a command can cancel its job and clean
// up (e.g. remove a partial download) instead of dying mid-way. Restores the default handlers on
// destruction; a second signal while the first is handled kills as usual.
class InterruptWatcher : public QObject
{
    Q_OBJECT
public:
    explicit InterruptWatcher(QObject *parent = nullptr);
    ~InterruptWatcher() override;

signals:
    void interrupted();

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace capsule::cli
