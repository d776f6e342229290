// A pseudo-terminal on this machine, read without blocking the GUI thread.
#include "terminal/localpty.h"

#include <QElapsedTimer>
#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

namespace capsule::terminal {

LocalPty::LocalPty(QObject *parent)
    : QObject(parent)
{}

LocalPty::~LocalPty()
{
    close();
}

bool LocalPty::open(int cols, int rows)
{
    close();
    m_master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m_master < 0 || ::grantpt(m_master) != 0 || ::unlockpt(m_master) != 0) {
        m_error =
            QStringLiteral("cannot open a PTY: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        close();
        return false;
    }
    const char *name = ::ptsname(m_master);
    m_slave = name ? ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    if (m_slave < 0) {
        m_error = QStringLiteral("cannot open the PTY's slave side: %1")
                      .arg(QString::fromLocal8Bit(strerror(errno)));
        close();
        return false;
    }
    termios tio{};
    if (::tcgetattr(m_slave, &tio) == 0) {
        tio.c_oflag &= ~OPOST; // bytes arrive as written
        ::tcsetattr(m_slave, TCSANOW, &tio);
    }
    ::fcntl(m_master, F_SETFL, ::fcntl(m_master, F_GETFL) | O_NONBLOCK);
    resize(cols, rows);
    m_notifier = std::make_unique<QSocketNotifier>(qintptr(m_master), QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, &LocalPty::onReadable);
    m_notifier->setEnabled(!m_paused);
    return true;
}

bool LocalPty::start(const QStringList &argv, int cols, int rows)
{
    if (argv.isEmpty() || !open(cols, rows))
        return false;
    // Output processing back on for a real program (ONLCR: "\n" -> "\r\n").
    termios tio{};
    if (::tcgetattr(m_slave, &tio) == 0) {
        tio.c_oflag |= OPOST;
        ::tcsetattr(m_slave, TCSANOW, &tio);
    }
    std::vector<QByteArray> args;
    for (const QString &a : argv)
        args.push_back(a.toLocal8Bit());
    std::vector<char *> cargs;
    for (QByteArray &a : args)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        m_error = QStringLiteral("cannot start %1: %2")
                      .arg(argv.first(), QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    if (pid == 0) {
        ::setsid();
        ::ioctl(m_slave, TIOCSCTTY, 0);
        ::dup2(m_slave, 0);
        ::dup2(m_slave, 1);
        ::dup2(m_slave, 2);
        ::setenv("TERM", "xterm-256color", 1);
        ::execvp(cargs[0], cargs.data());
        ::_exit(127);
    }
    m_pid = pid;
    // The program has its own descriptors now; when it exits, reads fail with EIO.
    ::close(m_slave);
    m_slave = -1;
    return true;
}

void LocalPty::onReadable()
{
    QElapsedTimer budget;
    budget.start();
    QByteArray block;
    bool closed = false;
    for (;;) {
        const qsizetype at = block.size();
        block.resize(at + ReadSize);
        const ssize_t n = ::read(m_master, block.data() + at, ReadSize);
        if (n > 0) {
            block.resize(at + n);
            if (block.size() >= EmitSize) {
                // Hand it over now: the consumer's parsing counts against the same budget, so
                // one wake-up (reading + parsing) stays near ReadBudgetMs however fast data comes.
                m_bytesRead += block.size();
                emit dataReceived(block);
                block.clear();
            }
            if (budget.elapsed() >= ReadBudgetMs)
                break;
            continue;
        }
        block.resize(at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            closed = true; // EIO: every slave descriptor is closed
        break;
    }
    if (!block.isEmpty()) {
        m_bytesRead += block.size();
        emit dataReceived(block);
    }
    if (closed) {
        if (m_notifier)
            m_notifier->setEnabled(false);
        reap();
    }
}

void LocalPty::reap()
{
    int code = 0;
    if (m_pid > 0) {
        int status = 0;
        if (::waitpid(pid_t(m_pid), &status, 0) == pid_t(m_pid))
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        m_pid = -1;
    }
    emit finished(code);
}

void LocalPty::write(const QByteArray &data)
{
    if (m_master < 0)
        return;
    qsizetype off = 0;
    while (off < data.size()) {
        const ssize_t n = ::write(m_master, data.constData() + off, size_t(data.size() - off));
        if (n > 0) {
            off += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            ::usleep(1000); // input is small (keys, pastes); the line discipline drains it
        } else {
            break;
        }
    }
}

void LocalPty::resize(int cols, int rows)
{
    if (m_master < 0)
        return;
    winsize ws{};
    ws.ws_col = static_cast<unsigned short>(cols);
    ws.ws_row = static_cast<unsigned short>(rows);
    ::ioctl(m_master, TIOCSWINSZ, &ws);
}

void LocalPty::pause()
{
    m_paused = true;
    if (m_notifier)
        m_notifier->setEnabled(false);
}

void LocalPty::resume()
{
    m_paused = false;
    if (m_notifier)
        m_notifier->setEnabled(true);
}

bool LocalPty::sendSignal(int signal)
{
    if (m_master < 0)
        return false;
    // The foreground process group of the terminal, like Ctrl+C in a shell would reach.
    pid_t group = ::tcgetpgrp(m_master);
    if (group <= 0 && m_pid > 0)
        group = pid_t(m_pid);
    return group > 0 && ::kill(-group, signal) == 0;
}

void LocalPty::close()
{
    m_notifier.reset();
    if (m_pid > 0) {
        ::kill(pid_t(m_pid), SIGHUP);
        int status = 0;
        if (::waitpid(pid_t(m_pid), &status, WNOHANG) == 0) {
            ::kill(pid_t(m_pid), SIGKILL);
            ::waitpid(pid_t(m_pid), &status, 0);
        }
        m_pid = -1;
    }
    if (m_slave >= 0)
        ::close(m_slave);
    if (m_master >= 0)
        ::close(m_master);
    m_slave = m_master = -1;
}

} // namespace capsule::terminal
