// Raw-mode terminal handling for `capsule shell`.
#include "cli/rawterminal.h"

#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace capsule::cli {

namespace {

// Saved state for the async-signal-safe restore paths (only one raw terminal exists at a time).
struct termios g_saved;
volatile sig_atomic_t g_haveSaved = 0;
int g_winchPipe[2] = {-1, -1};
int g_intPipe[2] = {-1, -1};

void restoreSaved()
{
    if (g_haveSaved) {
        ::tcsetattr(STDIN_FILENO, TCSADRAIN, &g_saved);
        g_haveSaved = 0;
    }
}

void onFatalSignal(int sig)
{
    restoreSaved();
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

void onWinch(int)
{
    const int saved = errno;
    if (g_winchPipe[1] >= 0) {
        const char c = 'w';
        [[maybe_unused]] const ssize_t n = ::write(g_winchPipe[1], &c, 1);
    }
    errno = saved;
}

void onInterrupt(int sig)
{
    const int saved = errno;
    // The next one terminates: a stuck cancellation must not trap the user.
    ::signal(sig, SIG_DFL);
    if (g_intPipe[1] >= 0) {
        const char c = 'i';
        [[maybe_unused]] const ssize_t n = ::write(g_intPipe[1], &c, 1);
    }
    errno = saved;
}

} // namespace

RawTerminal::RawTerminal()
{
    if (!stdinIsTerminal())
        return;
    if (::tcgetattr(STDIN_FILENO, &g_saved) != 0)
        return;
    struct termios raw = g_saved;
    ::cfmakeraw(&raw);
    // TCSANOW, not TCSAFLUSH: keys typed while the shell was connecting must reach it.
    if (::tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
        return;
    g_haveSaved = 1;
    m_raw = true;
    static bool hooksInstalled = false;
    if (!hooksInstalled) {
        hooksInstalled = true;
        std::atexit(restoreSaved);
        for (int sig : {SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV})
            ::signal(sig, onFatalSignal);
    }
}

RawTerminal::~RawTerminal()
{
    if (m_raw)
        restoreSaved();
}

bool RawTerminal::stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) == 1;
}

QSize RawTerminal::windowSize()
{
    struct winsize ws = {};
    for (int fd : {STDOUT_FILENO, STDIN_FILENO, STDERR_FILENO}) {
        if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0)
            return QSize(ws.ws_col, ws.ws_row);
    }
    return QSize(80, 24);
}

WindowSizeWatcher::WindowSizeWatcher(QObject *parent)
    : QObject(parent)
{
    if (g_winchPipe[0] < 0) {
        if (::pipe2(g_winchPipe, O_CLOEXEC | O_NONBLOCK) != 0)
            return;
    }
    struct sigaction sa = {};
    sa.sa_handler = onWinch;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGWINCH, &sa, nullptr);
    m_notifier = new QSocketNotifier(g_winchPipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char buf[64];
        while (::read(g_winchPipe[0], buf, sizeof buf) > 0) {
        }
        emit resized(RawTerminal::windowSize());
    });
}

WindowSizeWatcher::~WindowSizeWatcher()
{
    ::signal(SIGWINCH, SIG_DFL);
}

InterruptWatcher::InterruptWatcher(QObject *parent)
    : QObject(parent)
{
    if (g_intPipe[0] < 0) {
        if (::pipe2(g_intPipe, O_CLOEXEC | O_NONBLOCK) != 0)
            return;
    }
    ::signal(SIGINT, onInterrupt);
    ::signal(SIGTERM, onInterrupt);
    m_notifier = new QSocketNotifier(g_intPipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char buf[16];
        while (::read(g_intPipe[0], buf, sizeof buf) > 0) {
        }
        emit interrupted();
    });
}

InterruptWatcher::~InterruptWatcher()
{
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
}

} // namespace capsule::cli
