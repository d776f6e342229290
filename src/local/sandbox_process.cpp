// Runner sandbox, processes: environment, start checks, nsenter wrapping, exec, PTY, the
// start_command service and sockets inside the sandbox's network namespace.
#include "local/sandbox.h"
#include "local/sandbox_p.h"

#include "local/api/jsonfields.h"
#include "local/sandbox_cgroups.h"
#include "local/sandbox_util.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

namespace capsule::local {

namespace {

// A QProcess whose failure to start can carry our own reason (checkStart's Go-like message).
class SandboxProcess : public QProcess
{
public:
    using QProcess::QProcess;
    void failStart(const QString &reason)
    {
        start(QString()); // sets FailedToStart synchronously
        setErrorString(reason);
    }
};

} // namespace

// ---- processes ----

QMap<QString, QString> Sandbox::processEnvironment(const QMap<QString, QString> &env,
                                                   bool asRoot) const
{
    QMap<QString, QString> out;
    const QString user = asRoot ? QStringLiteral("root") : m_spec.runnerUser;
    const QString home = asRoot ? QStringLiteral("/root") : d->home;
    out.insert(QStringLiteral("PATH"), kDefaultPath);
    out.insert(QStringLiteral("USER"), user);
    out.insert(QStringLiteral("LOGNAME"), user);
    out.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    for (const QMap<QString, QString> *extra :
         std::initializer_list<const QMap<QString, QString> *>{&m_spec.env, &env}) {
        for (auto it = extra->cbegin(); it != extra->cend(); ++it) {
            if (it.key() == QLatin1String("PATH")) {
                if (!it.value().isEmpty())
                    out[QStringLiteral("PATH")] += QLatin1Char(':') + it.value();
            } else if (!it.key().isEmpty() && !it.key().contains(QLatin1Char('='))) {
                out.insert(it.key(), it.value());
            }
        }
    }
    out.insert(QStringLiteral("HOME"), home);
    if (m_spec.unsafeNoSandbox) {
        // No private root: keep the path mapping visible through the environment.
        out.insert(QStringLiteral("HOME"), hostPath(home));
        out.insert(QStringLiteral("TMPDIR"), hostPath(QStringLiteral("/tmp")));
    }
    return out;
}

// True when execve(2) would fail with E2BIG: one string (with its NUL) over MAX_ARG_STRLEN (32
// pages), or argv + envp (strings and pointers) beyond ARG_MAX. The nsenter/env wrapper adds a few
// hundred bytes, hence the slack.
static bool argumentsTooLong(const QStringList &argv, const QMap<QString, QString> &env)
{
    constexpr qint64 kMaxArgStrlen = 32 * 4096;
    constexpr qint64 kWrapperSlack = 4096;
    const long argMax = ::sysconf(_SC_ARG_MAX);
    qint64 total = kWrapperSlack + qint64(argv.size() + env.size() + 2) * qint64(sizeof(char *));
    for (const QString &a : argv) {
        const qint64 n = a.toUtf8().size() + 1;
        if (n > kMaxArgStrlen)
            return true;
        total += n;
    }
    for (auto it = env.cbegin(); it != env.cend(); ++it) {
        const qint64 n = it.key().toUtf8().size() + it.value().toUtf8().size() + 2;
        if (n > kMaxArgStrlen)
            return true;
        total += n;
    }
    return argMax > 0 && total > argMax;
}

static QString absoluteIn(const QString &dir, const QString &path)
{
    if (path.startsWith(QLatin1Char('/')))
        return QDir::cleanPath(path);
    return QDir::cleanPath(dir + QLatin1Char('/') + path);
}

QString Sandbox::checkStart(const QStringList &argv, const QMap<QString, QString> &env,
                            const QString &workingDir) const
{
    if (argv.isEmpty() || argv.first().isEmpty())
        return QStringLiteral("exec: no command");
    if (!d->running)
        return QStringLiteral("sandbox is not running");
    const QString wd = absoluteIn(QStringLiteral("/workspace"),
                                  workingDir.isEmpty() ? QStringLiteral("/workspace") : workingDir);
    const QFileInfo wdInfo(hostPath(resolvePath(wd)));
    if (!wdInfo.exists())
        return QStringLiteral("chdir %1: no such file or directory").arg(wd);
    if (!wdInfo.isDir())
        return QStringLiteral("chdir %1: not a directory").arg(wd);
    const QString program = argv.first();
    auto executable = [this](const QString &path, QString *why) {
        const QFileInfo info(hostPath(resolvePath(path)));
        if (!info.exists()) {
            *why = QStringLiteral("no such file or directory");
            return false;
        }
        if (info.isDir() ||
            !(info.permissions() & (QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther))) {
            *why = QStringLiteral("permission denied");
            return false;
        }
        return true;
    };
    // What execve(2) would refuse with E2BIG, checked up front like the other start failures.
    if (argumentsTooLong(argv, processEnvironment(env, false)))
        return QStringLiteral("fork/exec %1: argument list too long").arg(program);
    QString why;
    if (program.contains(QLatin1Char('/'))) {
        if (!executable(absoluteIn(wd, program), &why))
            return QStringLiteral("fork/exec %1: %2").arg(program, why);
        return {};
    }
    if (program.contains(QLatin1Char('=')))
        return QStringLiteral("exec: \"%1\": executable file not found in $PATH").arg(program);
    const QString path = processEnvironment(env, false).value(QStringLiteral("PATH"));
    for (const QString &dir : path.split(QLatin1Char(':'))) {
        if (dir.isEmpty() || !dir.startsWith(QLatin1Char('/')))
            continue;
        if (executable(dir + QLatin1Char('/') + program, &why))
            return {};
    }
    return QStringLiteral("exec: \"%1\": executable file not found in $PATH").arg(program);
}

// The argv that runs `argv` inside the sandbox: nsenter into the init's namespaces, then env(1)
// changes to the working directory (nsenter -w resolves paths outside the new root).
QStringList Sandbox::wrapCommand(const QStringList &argv, const QString &workingDir, bool asRoot,
                                 const QMap<QString, QString> &env) const
{
    const QString wd = absoluteIn(QStringLiteral("/workspace"),
                                  workingDir.isEmpty() ? QStringLiteral("/workspace") : workingDir);
    if (m_spec.unsafeNoSandbox) {
        QStringList out = argv;
        if (!out.first().contains(QLatin1Char('/'))) {
            const QString path = env.value(QStringLiteral("PATH"));
            for (const QString &dir : path.split(QLatin1Char(':'))) {
                const QString candidate = hostPath(dir + QLatin1Char('/') + out.first());
                if (!dir.isEmpty() && QFileInfo(candidate).isExecutable()) {
                    out[0] = candidate;
                    break;
                }
            }
        } else {
            out[0] = hostPath(absoluteIn(wd, out.first()));
        }
        return out;
    }
    QStringList out{findTool(QStringLiteral("nsenter")),
                    QStringLiteral("-t"),
                    QString::number(d->initPid),
                    QStringLiteral("-m"),
                    QStringLiteral("-u"),
                    QStringLiteral("-i"),
                    QStringLiteral("-p")};
    out << QStringLiteral("-n") << QStringLiteral("-r");
    if (!asRoot)
        out << QStringLiteral("-S") << QString::number(d->uid) << QStringLiteral("-G")
            << QString::number(d->uid);
    out << QStringLiteral("--");
    // Root in a runner is the host's root in the runner's namespaces: keep only what package
    // managers need (Docker's default set without mknod/net_raw), never net_admin (the egress
    // ruleset), sys_admin (mounts, setns), sys_module/rawio/ptrace.
    if (asRoot && !d->setprivBin.isEmpty())
        out << d->setprivBin
            << QStringLiteral("--bounding-set=-all,+chown,+dac_override,+fowner,+fsetid,+kill,"
                              "+setgid,+setuid,+setpcap,+net_bind_service,+sys_chroot,"
                              "+audit_write,+setfcap")
            << QStringLiteral("--");
    out << d->envBin << QStringLiteral("-C") << wd << QStringLiteral("--");
    out += argv;
    return out;
}

QProcess *Sandbox::startProcess(const QStringList &argv, const QMap<QString, QString> &env,
                                const QString &workingDir, bool asRoot, QObject *parent)
{
    return launch(argv, env, workingDir, asRoot, QString(), parent);
}

QProcess *Sandbox::launch(const QStringList &argv, const QMap<QString, QString> &env,
                          const QString &workingDir, bool asRoot, const QString &logFile,
                          QObject *parent)
{
    auto *process = new SandboxProcess(parent);
    const QString problem = checkStart(argv, env, workingDir);
    if (!problem.isEmpty()) {
        process->failStart(problem);
        return process;
    }
    const QMap<QString, QString> environment = processEnvironment(env, asRoot);
    QProcessEnvironment pe;
    for (auto it = environment.cbegin(); it != environment.cend(); ++it)
        pe.insert(it.key(), it.value());
    process->setProcessEnvironment(pe);
    const QStringList command = wrapCommand(argv, workingDir, asRoot, environment);
    if (m_spec.unsafeNoSandbox)
        process->setWorkingDirectory(hostPath(resolvePath(
            absoluteIn(QStringLiteral("/workspace"),
                       workingDir.isEmpty() ? QStringLiteral("/workspace") : workingDir))));
    if (!logFile.isEmpty()) {
        process->setProcessChannelMode(QProcess::MergedChannels);
        process->setStandardOutputFile(logFile, QIODevice::Append);
        process->setStandardInputFile(QProcess::nullDevice());
    }
    const ChildSetup setup = childSetup(d->cgroupProcFiles(), d->limits, m_spec.memoryMb);
    process->setChildProcessModifier([setup] { setup.apply(); });
    process->start(command.first(), command.mid(1));
    if (process->processId() > 0)
        d->launched << process->processId();
    return process;
}

void Sandbox::signalProcess(qint64 pid, int sig) const
{
    if (pid <= 0)
        return;
    if (sig == SIGKILL) {
        killTree(pid, SIGKILL);
        return;
    }
    if (m_spec.unsafeNoSandbox) {
        ::kill(pid_t(pid), sig);
        return;
    }
    // `pid` is nsenter; the command is its child inside the sandbox (nsenter does not forward).
    const QList<qint64> children = childPids(pid);
    if (children.isEmpty())
        ::kill(pid_t(pid), sig);
    for (qint64 child : children)
        ::kill(pid_t(child), sig);
}

qint64 Sandbox::startPty(const QStringList &argv, const QMap<QString, QString> &env,
                         const QString &workingDir, int cols, int rows, int *masterFd,
                         QString *error)
{
    QMap<QString, QString> environment;
    environment.insert(QStringLiteral("TERM"), QStringLiteral("xterm-256color"));
    environment.insert(QStringLiteral("HOME"),
                       m_spec.unsafeNoSandbox ? hostPath(d->home) : d->home);
    environment.insert(QStringLiteral("USER"), m_spec.runnerUser);
    environment.insert(QStringLiteral("PATH"), kDefaultPath);
    for (const QMap<QString, QString> *extra :
         std::initializer_list<const QMap<QString, QString> *>{&m_spec.env, &env})
        for (auto it = extra->cbegin(); it != extra->cend(); ++it)
            if (!it.key().isEmpty() && !it.key().contains(QLatin1Char('=')))
                environment.insert(it.key(), it.value());
    const QString problem = checkStart(argv, {}, workingDir);
    if (!problem.isEmpty()) {
        *error = problem;
        return -1;
    }
    QStringList inner = argv;
    if (!m_spec.unsafeNoSandbox && !d->setsidBin.isEmpty())
        inner = QStringList{d->setsidBin, QStringLiteral("-c")} + argv; // session + ctty inside
    const QStringList command = wrapCommand(inner, workingDir, false, environment);

    // The terminal comes from the sandbox's own devpts (bwrap --dev), so that it is
    // /dev/pts/N inside the sandbox; the slave is opened from the master (TIOCGPTPEER).
    const QByteArray ptmx =
        m_spec.unsafeNoSandbox || d->initPid <= 0
            ? QByteArray("/dev/ptmx")
            : QByteArray("/proc/") + QByteArray::number(d->initPid) + "/root/dev/pts/ptmx";
    const int master = ::open(ptmx.constData(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    int slave = -1;
    if (master < 0 || ::unlockpt(master) != 0 ||
        (slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        *error = QStringLiteral("openpty: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        if (master >= 0)
            ::close(master);
        return -1;
    }
    if (!m_spec.unsafeNoSandbox) {
        (void)!::fchown(slave, d->uid, -1);
        ::fchmod(slave, 0620);
    }
    struct winsize ws = {};
    ws.ws_col = quint16(cols);
    ws.ws_row = quint16(rows);
    ::ioctl(master, TIOCSWINSZ, &ws);
    const bool takeTerminal = m_spec.unsafeNoSandbox || d->setsidBin.isEmpty();

    // Everything the child touches is built now: after fork() it may only make syscalls.
    std::vector<QByteArray> argStore, envStore;
    for (const QString &a : command)
        argStore.push_back(a.toLocal8Bit());
    for (auto it = environment.cbegin(); it != environment.cend(); ++it)
        envStore.push_back((it.key() + QLatin1Char('=') + it.value()).toLocal8Bit());
    std::vector<char *> args, envp;
    for (QByteArray &a : argStore)
        args.push_back(a.data());
    args.push_back(nullptr);
    for (QByteArray &e : envStore)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const QByteArray cwd =
        m_spec.unsafeNoSandbox
            ? QFile::encodeName(hostPath(resolvePath(
                  absoluteIn(QStringLiteral("/workspace"),
                             workingDir.isEmpty() ? QStringLiteral("/workspace") : workingDir))))
            : QByteArray("/");
    const ChildSetup setup = childSetup(d->cgroupProcFiles(), d->limits, m_spec.memoryMb);

    const pid_t pid = ::fork();
    if (pid < 0) {
        *error = QStringLiteral("fork: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(master);
        ::close(slave);
        return -1;
    }
    if (pid == 0) {
        // Inside the sandbox setsid(1) makes the terminal the controlling one of a session in the
        // sandbox's pid namespace (job control works); here we only leave capsule-local's session.
        ::setsid();
        if (takeTerminal)
            ::ioctl(slave, TIOCSCTTY, 0);
        ::dup2(slave, 0);
        ::dup2(slave, 1);
        ::dup2(slave, 2);
        setup.apply();
        ::syscall(SYS_close_range, 3U, ~0U, 0U);
        if (::chdir(cwd.constData()) != 0)
            ::_exit(127);
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    ::close(slave);
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
    d->launched << pid;
    *masterFd = master;
    return pid;
}

bool Sandbox::startService(const QJsonObject &startCommand, const QMap<QString, QString> &env,
                           QString *error)
{
    QString localError;
    if (!error)
        error = &localError;
    if (d->service)
        return true;
    QStringList argv;
    for (const QJsonValue &v : startCommand.value(QStringLiteral("command")).toArray())
        argv << v.toString();
    if (argv.isEmpty()) {
        *error = QStringLiteral("start_command has no command");
        return false;
    }
    QMap<QString, QString> merged = env;
    const QJsonObject extra = startCommand.value(QStringLiteral("env")).toObject();
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        merged.insert(it.key(), it.value().toVariant().toString());
    const bool asRoot =
        startCommand.value(QStringLiteral("run_as")).toString() == QLatin1String("root");
    d->serviceLog = m_spec.stateDir + QStringLiteral("/service.log");
    QProcess *p = launch(argv, merged, QString(), asRoot, d->serviceLog, this);
    if (p->error() == QProcess::FailedToStart) {
        *error = p->errorString();
        QFile log(d->serviceLog);
        if (log.open(QIODevice::Append))
            log.write(QStringLiteral("start failed: %1\n").arg(*error).toUtf8());
        delete p;
        return false;
    }
    d->service = p;
    return true;
}

int Sandbox::openTcpSocket(QString *error) const
{
    if (m_spec.unsafeNoSandbox || d->initPid <= 0) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 && error)
            *error = QString::fromLocal8Bit(std::strerror(errno));
        return fd;
    }
    // setns() is per thread: a short-lived thread enters the sandbox's network namespace and
    // creates the socket there; the socket stays in that namespace for its whole life.
    const QByteArray nsPath = QByteArray("/proc/") + QByteArray::number(d->initPid) + "/ns/net";
    int fd = -1;
    int err = 0;
    std::thread worker([&] {
        const int ns = ::open(nsPath.constData(), O_RDONLY | O_CLOEXEC);
        if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0) {
            err = errno;
            if (ns >= 0)
                ::close(ns);
            return;
        }
        ::close(ns);
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            err = errno;
    });
    worker.join();
    if (fd < 0 && error)
        *error = QString::fromLocal8Bit(std::strerror(err));
    return fd;
}

} // namespace capsule::local
