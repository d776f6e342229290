// Runner sandbox: overlay root + one long-lived bwrap "init" per sandbox, processes join via
// nsenter.
#include "local/sandbox.h"

#include "local/api/jsonfields.h"
#include "local/network/policy.h"
#include "local/network/runner_network.h"
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

const QString kDefaultPath =
    QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

QString s_dataDir; // masked in every sandbox; set by cleanStaleMounts()

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

bool writeFile(const QString &path, const QByteArray &data)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, data.constData(), data.size()) == data.size();
    ::close(fd);
    return ok;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

// Pids listed in a cgroup's cgroup.procs.
QList<qint64> cgroupPids(const QString &dir)
{
    QList<qint64> pids;
    for (const QByteArray &line : readFile(dir + QStringLiteral("/cgroup.procs")).split('\n')) {
        bool ok = false;
        const qint64 pid = line.trimmed().toLongLong(&ok);
        if (ok)
            pids << pid;
    }
    return pids;
}

// Escapes a path for an overlay lowerdir/upperdir option (',' separates options, ':' layers).
QString overlayEscape(QString path)
{
    path.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    path.replace(QLatin1Char(':'), QStringLiteral("\\:"));
    path.replace(QLatin1Char(','), QStringLiteral("\\,"));
    return path;
}

bool isUnder(const QString &path, const QString &root)
{
    return path == root || path.startsWith(root + QLatin1Char('/'));
}

QString findTool(const QString &name)
{
    QString found = QStandardPaths::findExecutable(name);
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin"), QStringLiteral("/bin"),
                   QStringLiteral("/sbin")});
    return found;
}

} // namespace

struct Sandbox::Private
{
    FsMode mode = FsMode::Overlay;
    QProcess *init = nullptr; // the bwrap process
    qint64 initPid = 0;       // host pid of the sandbox's pid 1 (target of nsenter)
    bool running = false;
    bool stopping = false;
    QStringList mounts; // mount points this sandbox mounted, in mount order
    bool frozen = false;
    int uid = 1000;
    QString home;
    QString upper, work, merged, tmp, varTmp, etc;
    // cgroup directories this sandbox created (empty = not used)
    QString cgV2, cgFreezer, cgMemory, cgCpu, cgPids;
    QString limits;
    QString envBin;         // in-sandbox path of env(1), used for the working directory
    QString setsidBin;      // in-sandbox path of setsid(1), used for PTY sessions
    QList<qint64> launched; // pids of started processes (SIGSTOP fallback, no cgroup)
    QProcess *service = nullptr;
    QString serviceLog;
    // In-sandbox path of setpriv(1): root processes lose capabilities (wrapCommand).
    QString setprivBin;
    // The runner's network namespace: pasta + nftables (local/network/).
    network::RunnerNetwork net;

    QList<QByteArray> cgroupProcFiles() const
    {
        QList<QByteArray> files;
        for (const QString &dir : {cgV2, cgFreezer, cgMemory, cgCpu, cgPids})
            if (!dir.isEmpty())
                files << QFile::encodeName(dir + QStringLiteral("/cgroup.procs"));
        return files;
    }
};

// ---- static machine capabilities ----

Sandbox::FsMode Sandbox::fsMode()
{
    static const FsMode mode = [] {
        if (qEnvironmentVariable("CAPSULE_SANDBOX_FS") == QLatin1String("readonly-root"))
            return FsMode::ReadOnlyRoot;
        QTemporaryDir dir;
        if (!dir.isValid())
            return FsMode::ReadOnlyRoot;
        const QString base = dir.path();
        for (const char *sub : {"lower", "upper", "work", "merged"})
            QDir(base).mkpath(QString::fromLatin1(sub));
        const QByteArray opts =
            QStringLiteral("lowerdir=%1/lower,upperdir=%1/upper,workdir=%1/work")
                .arg(overlayEscape(base))
                .toLocal8Bit();
        const QByteArray target = QFile::encodeName(base + QStringLiteral("/merged"));
        if (::mount("overlay", target.constData(), "overlay", 0, opts.constData()) != 0)
            return FsMode::ReadOnlyRoot;
        ::umount2(target.constData(), MNT_DETACH);
        return FsMode::Overlay;
    }();
    return mode;
}

QString Sandbox::fsModeName(FsMode mode)
{
    return mode == FsMode::Overlay ? QStringLiteral("overlay") : QStringLiteral("readonly-root");
}

bool Sandbox::bubblewrapAvailable()
{
    static const bool available = [] {
        if (qEnvironmentVariableIsSet("CAPSULE_SANDBOX_NO_BWRAP"))
            return false;
        return !findTool(QStringLiteral("bwrap")).isEmpty() &&
               !findTool(QStringLiteral("nsenter")).isEmpty();
    }();
    return available;
}

void Sandbox::cleanStaleMounts(const QString &dataDir)
{
    const QString root = QDir(dataDir).absolutePath();
    s_dataDir = root;
    QStringList stale;
    for (const QByteArray &line : readFile(QStringLiteral("/proc/self/mountinfo")).split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() < 5)
            continue;
        const QString point = unescapeMountPath(fields.at(4));
        if (isUnder(point, root) && point != root)
            stale << point;
    }
    // Deepest first, so nested mounts go before their parents.
    std::sort(stale.begin(), stale.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &point : stale)
        ::umount2(QFile::encodeName(point).constData(), MNT_DETACH);
    // Cgroups of this data dir's sandboxes that a kill -9 left behind (runners and builds).
    const int removed = cgroups::removeLeftovers(cgroups::dataDirKey(root));
    network::logSupport();
    if (removed > 0)
        qInfo().noquote() << "capsule-local: removed" << removed << "leftover cgroups";
}

// ---- lifetime ----

Sandbox::Sandbox(SandboxSpec spec, QObject *parent)
    : QObject(parent)
    , m_spec(std::move(spec))
    , d(new Private)
{
    if (m_spec.runnerUser.isEmpty())
        m_spec.runnerUser = QStringLiteral("runner");
    if (m_spec.baseRoot.isEmpty())
        m_spec.baseRoot = QStringLiteral("/");
    m_spec.stateDir = QDir(m_spec.stateDir).absolutePath();
    d->mode = fsMode();
    d->home = QStringLiteral("/home/") + m_spec.runnerUser;
    d->upper = m_spec.stateDir + QStringLiteral("/upper");
    d->work = m_spec.stateDir + QStringLiteral("/work");
    d->merged = m_spec.stateDir + QStringLiteral("/root");
    d->tmp = m_spec.stateDir + QStringLiteral("/tmp");
    d->varTmp = m_spec.stateDir + QStringLiteral("/vartmp");
    d->etc = m_spec.stateDir + QStringLiteral("/etc");
}

Sandbox::~Sandbox()
{
    stop();
    delete d;
}

bool Sandbox::isRunning() const
{
    return d->running;
}

int Sandbox::runnerUid() const
{
    return d->uid;
}

QString Sandbox::changesDir() const
{
    return d->upper;
}

QString Sandbox::limitsApplied() const
{
    return d->limits;
}

QString Sandbox::serviceLogPath() const
{
    return d->serviceLog;
}

QString Sandbox::hostPath(const QString &sandboxPath) const
{
    QString p = QDir::cleanPath(sandboxPath);
    if (!p.startsWith(QLatin1Char('/')))
        p.prepend(QLatin1Char('/'));
    if (isUnder(p, QStringLiteral("/tmp")))
        return d->tmp + p.mid(4);
    if (isUnder(p, QStringLiteral("/var/tmp")))
        return d->varTmp + p.mid(8);
    if (d->mode == FsMode::Overlay)
        return p == QLatin1String("/") ? d->merged : d->merged + p;
    if (isUnder(p, QStringLiteral("/workspace")) || isUnder(p, d->home))
        return d->upper + p;
    if (p == QLatin1String("/etc/passwd") || p == QLatin1String("/etc/group"))
        return d->etc + p.mid(4); // the generated files bound over the base root's
    const QString base =
        m_spec.baseRoot.endsWith(QLatin1Char('/')) ? m_spec.baseRoot.chopped(1) : m_spec.baseRoot;
    return p == QLatin1String("/") ? (base.isEmpty() ? QStringLiteral("/") : base) : base + p;
}

int Sandbox::openRootDir() const
{
    if (m_spec.unsafeNoSandbox || d->initPid <= 0) {
        errno = ESRCH;
        return -1;
    }
    const QByteArray root = "/proc/" + QByteArray::number(d->initPid) + "/root";
    return ::open(root.constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
}

QString Sandbox::resolvePath(const QString &sandboxPath) const
{
    QStringList todo = QDir::cleanPath(sandboxPath).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QString resolved = QStringLiteral("/");
    int links = 0;
    while (!todo.isEmpty()) {
        const QString part = todo.takeFirst();
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            resolved = QFileInfo(resolved).path();
            continue;
        }
        const QString candidate = resolved == QLatin1String("/")
                                      ? QLatin1Char('/') + part
                                      : resolved + QLatin1Char('/') + part;
        const QByteArray host = QFile::encodeName(hostPath(candidate));
        struct stat st;
        if (::lstat(host.constData(), &st) != 0) {
            // Missing: keep the rest as written (the deepest existing ancestor is resolved).
            todo.prepend(part);
            return QDir::cleanPath(resolved + QLatin1Char('/') + todo.join(QLatin1Char('/')));
        }
        if (!S_ISLNK(st.st_mode)) {
            resolved = candidate;
            continue;
        }
        if (++links > 40) // like ELOOP: give up resolving, the caller sees a path that fails
            return QDir::cleanPath(candidate + QLatin1Char('/') + todo.join(QLatin1Char('/')));
        char buf[PATH_MAX];
        const ssize_t n = ::readlink(host.constData(), buf, sizeof buf - 1);
        if (n <= 0)
            return QDir::cleanPath(candidate + QLatin1Char('/') + todo.join(QLatin1Char('/')));
        const QString target = QFile::decodeName(QByteArray(buf, int(n)));
        if (target.startsWith(QLatin1Char('/')))
            resolved = QStringLiteral("/"); // absolute links restart at the SANDBOX root
        todo = target.split(QLatin1Char('/'), Qt::SkipEmptyParts) + todo;
    }
    return resolved;
}

// ---- filesystem preparation ----

namespace {

struct PasswdView
{
    QSet<int> uids, gids;
    int userUid = -1, userGid = -1;
    bool groupExists = false;
};

PasswdView scanPasswd(const QByteArray &passwd, const QByteArray &group, const QString &user)
{
    PasswdView v;
    for (const QByteArray &line : passwd.split('\n')) {
        const QList<QByteArray> f = line.split(':');
        if (f.size() < 4)
            continue;
        v.uids << f.at(2).toInt();
        if (QString::fromUtf8(f.at(0)) == user) {
            v.userUid = f.at(2).toInt();
            v.userGid = f.at(3).toInt();
        }
    }
    for (const QByteArray &line : group.split('\n')) {
        const QList<QByteArray> f = line.split(':');
        if (f.size() < 3)
            continue;
        v.gids << f.at(2).toInt();
        if (QString::fromUtf8(f.at(0)) == user)
            v.groupExists = true;
    }
    return v;
}

} // namespace

// Makes sure the runner user exists in the sandbox's /etc/passwd and /etc/group. In overlay mode
// the entries are appended to the layered root's files (the copy lands in the upper dir): a bind
// mount over /etc/passwd would make useradd/apt-get fail (they rename over the file).
static bool ensureUser(const QString &passwdIn, const QString &groupIn, const QString &passwdOut,
                       const QString &groupOut, const QString &user, const QString &home, int *uid,
                       QString *error)
{
    QByteArray passwd = readFile(passwdIn);
    QByteArray group = readFile(groupIn);
    const PasswdView v = scanPasswd(passwd, group, user);
    int gid = v.userGid;
    if (v.userUid >= 0) {
        *uid = v.userUid;
    } else {
        int n = 1000;
        while (v.uids.contains(n) || v.gids.contains(n))
            ++n;
        *uid = gid = n;
        if (!passwd.isEmpty() && !passwd.endsWith('\n'))
            passwd += '\n';
        passwd += QStringLiteral("%1:x:%2:%2::%3:/bin/bash\n").arg(user).arg(n).arg(home).toUtf8();
    }
    if (!v.groupExists) {
        if (!group.isEmpty() && !group.endsWith('\n'))
            group += '\n';
        group += QStringLiteral("%1:x:%2:\n").arg(user).arg(gid).toUtf8();
    }
    for (const auto &[path, data] : {std::pair{passwdOut, passwd}, std::pair{groupOut, group}}) {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size()) {
            *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
            return false;
        }
    }
    return true;
}

static bool makeOwnedDir(const QString &path, int uid, QString *error)
{
    if (!QDir().mkpath(path)) {
        *error = QStringLiteral("cannot create %1").arg(path);
        return false;
    }
    struct stat st;
    const QByteArray p = QFile::encodeName(path);
    if (::stat(p.constData(), &st) == 0 && (int(st.st_uid) != uid || int(st.st_gid) != uid))
        (void)!::chown(p.constData(), uid, uid);
    return true;
}

static bool mountOverlay(const QString &target, const QString &options, QString *error)
{
    const QByteArray opts = options.toLocal8Bit();
    if (opts.size() >= 4000) {
        *error = QStringLiteral("too many layers for one overlay mount (%1 bytes of options)")
                     .arg(opts.size());
        return false;
    }
    if (::mount("overlay", QFile::encodeName(target).constData(), "overlay", 0, opts.constData()) !=
        0) {
        *error = QStringLiteral("cannot mount the layered root: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

// Mounts the layered root at d->merged. Layers live on the same filesystem as a base root of "/",
// and overlayfs refuses a lower layer below another one (ELOOP); so with layers the base root is
// first wrapped in a read-only overlay of its own (a different superblock), which then serves as
// the bottom layer.
bool Sandbox::mountRoot(QString *error)
{
    const QByteArray merged = QFile::encodeName(d->merged);
    ::umount2(merged.constData(), MNT_DETACH); // leftover of a crash with the same state dir
    QString bottom = m_spec.baseRoot;
    if (!m_spec.lowerLayers.isEmpty()) {
        const QString empty = m_spec.stateDir + QStringLiteral("/mnt/empty");
        const QString base = m_spec.stateDir + QStringLiteral("/mnt/base");
        for (const QString &dir : {base, empty}) {
            ::umount2(QFile::encodeName(dir).constData(), MNT_DETACH);
            QDir().mkpath(dir);
        }
        if (::mount("tmpfs", QFile::encodeName(empty).constData(), "tmpfs", MS_RDONLY,
                    "size=4k,mode=755") != 0) {
            *error = QStringLiteral("cannot mount the layered root: tmpfs: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        d->mounts << empty;
        if (!mountOverlay(base,
                          QStringLiteral("lowerdir=%1:%2")
                              .arg(overlayEscape(empty), overlayEscape(m_spec.baseRoot)),
                          error))
            return false;
        d->mounts << base;
        bottom = base;
    }
    QStringList lowers;
    for (auto it = m_spec.lowerLayers.crbegin(); it != m_spec.lowerLayers.crend(); ++it)
        lowers << overlayEscape(QDir(*it).absolutePath());
    lowers << overlayEscape(bottom);
    if (!mountOverlay(d->merged,
                      QStringLiteral("lowerdir=%1,upperdir=%2,workdir=%3")
                          .arg(lowers.join(QLatin1Char(':')), overlayEscape(d->upper),
                               overlayEscape(d->work)),
                      error))
        return false;
    d->mounts << d->merged;
    return true;
}

bool Sandbox::start(QString *error)
{
    QString localError;
    if (!error)
        error = &localError;
    if (d->running)
        return true;
    d->stopping = false;
    // It becomes a line of /etc/passwd and a home path: never anything but a plain user name
    // (the config routes refuse others; this also covers records stored by older versions).
    if (!api::isPosixUserName(m_spec.runnerUser)) {
        *error = QStringLiteral("invalid runner user %1: not a POSIX user name")
                     .arg(api::describe(m_spec.runnerUser));
        return false;
    }
    for (const QString &dir : {d->upper, d->work, d->merged, d->tmp, d->varTmp, d->etc}) {
        if (!QDir().mkpath(dir)) {
            *error = QStringLiteral("cannot create %1").arg(dir);
            return false;
        }
    }
    ::chmod(QFile::encodeName(d->tmp).constData(), 01777);
    ::chmod(QFile::encodeName(d->varTmp).constData(), 01777);

    if (d->mode == FsMode::Overlay && d->mounts.isEmpty() && !mountRoot(error)) {
        stop();
        return false;
    }

    // Runner user, home and /workspace.
    bool ok;
    if (d->mode == FsMode::Overlay) {
        const QString passwd = d->merged + QStringLiteral("/etc/passwd");
        const QString group = d->merged + QStringLiteral("/etc/group");
        ok = ensureUser(passwd, group, passwd, group, m_spec.runnerUser, d->home, &d->uid, error);
    } else {
        ok = ensureUser(QDir(m_spec.baseRoot).filePath(QStringLiteral("etc/passwd")),
                        QDir(m_spec.baseRoot).filePath(QStringLiteral("etc/group")),
                        d->etc + QStringLiteral("/passwd"), d->etc + QStringLiteral("/group"),
                        m_spec.runnerUser, d->home, &d->uid, error);
    }
    ok = ok && makeOwnedDir(hostPath(d->home), d->uid, error) &&
         makeOwnedDir(hostPath(QStringLiteral("/workspace")), d->uid, error);
    if (!ok) {
        stop();
        return false;
    }
    setupCgroups();

    d->setsidBin.clear();
    for (const QString &candidate :
         {QStringLiteral("/usr/bin/setsid"), QStringLiteral("/bin/setsid")})
        if (QFileInfo(hostPath(candidate)).isExecutable()) {
            d->setsidBin = candidate;
            break;
        }
    d->envBin.clear();
    d->setprivBin.clear();
    if (QFileInfo(hostPath(QStringLiteral("/usr/bin/setpriv"))).isExecutable())
        d->setprivBin = QStringLiteral("/usr/bin/setpriv");
    for (const QString &candidate : {QStringLiteral("/usr/bin/env"), QStringLiteral("/bin/env")})
        if (QFileInfo(hostPath(candidate)).isExecutable()) {
            d->envBin = candidate;
            break;
        }

    if (!m_spec.unsafeNoSandbox) {
        if (!bubblewrapAvailable()) {
            *error = QStringLiteral("bubblewrap (bwrap) is not available");
            stop();
            return false;
        }
        if (d->envBin.isEmpty()) {
            *error = QStringLiteral("the sandbox root has no env(1) at /usr/bin/env");
            stop();
            return false;
        }
        if (!startInit(error)) {
            stop();
            return false;
        }
    }
    d->running = true;
    return true;
}

void Sandbox::setupCgroups()
{
    // <data dir key>-<id>-<hash of state dir>: the key lets start-up remove this data dir's
    // leftovers without touching other servers' sandboxes.
    const QString name =
        QStringLiteral("%1-%2-%3")
            .arg(cgroups::dataDirKey(s_dataDir.isEmpty() ? QFileInfo(m_spec.stateDir).path()
                                                         : s_dataDir),
                 QString(m_spec.id).replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")),
                                            QStringLiteral("_")),
                 QString::fromLatin1(QCryptographicHash::hash(QFile::encodeName(m_spec.stateDir),
                                                              QCryptographicHash::Sha1)
                                         .toHex()
                                         .left(8)));
    auto make = [&](const QString &root, const QString &probe) -> QString {
        if (!QFileInfo::exists(root + QStringLiteral("/cgroup.procs")))
            return {};
        const QString dir = root + QStringLiteral("/capsule-local/") + name;
        if (QFileInfo::exists(dir)) {
            // Stale (a crash): end what is left so the sandbox starts clean.
            for (qint64 pid : cgroupPids(dir))
                ::kill(pid_t(pid), SIGKILL);
            // A runner paused by a server that was then killed leaves its cgroup frozen, and a
            // fork into a frozen cgroup blocks forever: thaw it (v2 / v1 freezer). [localcp]
            writeFile(dir + QStringLiteral("/cgroup.freeze"), "0");
            writeFile(dir + QStringLiteral("/freezer.state"), "THAWED");
        } else if (!QDir().mkpath(dir)) {
            return {};
        }
        if (!probe.isEmpty() && !QFileInfo::exists(dir + QLatin1Char('/') + probe)) {
            QDir().rmdir(dir);
            return {};
        }
        return dir;
    };
    QStringList applied;
    d->cgV2 = make(cgroups::kV2, QStringLiteral("cgroup.freeze"));
    if (d->cgV2.isEmpty())
        d->cgFreezer = make(cgroups::kV1Freezer, QStringLiteral("freezer.state"));
    if (m_spec.pidsMax > 0) {
        // A fork bomb stops at pids.max (fork fails with EAGAIN) instead of filling the host's
        // process table. v2 here has no pids controller: the v1 pids hierarchy is used.
        const QByteArray max = QByteArray::number(m_spec.pidsMax);
        if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/pids.max")) &&
            writeFile(d->cgV2 + QStringLiteral("/pids.max"), max)) {
            applied << QStringLiteral("cgroup v2 pids.max=%1").arg(m_spec.pidsMax);
        } else {
            d->cgPids = make(cgroups::kV1Pids, QStringLiteral("pids.max"));
            if (!d->cgPids.isEmpty() && writeFile(d->cgPids + QStringLiteral("/pids.max"), max))
                applied << QStringLiteral("cgroup v1 pids.max=%1").arg(m_spec.pidsMax);
            else
                applied << QStringLiteral("pids not limited (no pids cgroup)");
        }
    }
    if (m_spec.memoryMb > 0) {
        const QByteArray bytes = QByteArray::number(qint64(m_spec.memoryMb) * 1024 * 1024);
        if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/memory.max")) &&
            writeFile(d->cgV2 + QStringLiteral("/memory.max"), bytes)) {
            applied << QStringLiteral("cgroup v2 memory.max=%1M").arg(m_spec.memoryMb);
        } else {
            d->cgMemory = make(cgroups::kV1Memory, QStringLiteral("memory.limit_in_bytes"));
            if (!d->cgMemory.isEmpty() &&
                writeFile(d->cgMemory + QStringLiteral("/memory.limit_in_bytes"), bytes))
                applied
                    << QStringLiteral("cgroup v1 memory.limit_in_bytes=%1M").arg(m_spec.memoryMb);
            else
                applied << QStringLiteral("rlimit AS=%1M").arg(m_spec.memoryMb);
        }
    }
    if (m_spec.cpuMillis > 0) {
        const qint64 period = 100000;
        const qint64 quota = qMax<qint64>(1000, period * m_spec.cpuMillis / 1000);
        if (!d->cgV2.isEmpty() && QFileInfo::exists(d->cgV2 + QStringLiteral("/cpu.max")) &&
            writeFile(d->cgV2 + QStringLiteral("/cpu.max"),
                      QByteArray::number(quota) + ' ' + QByteArray::number(period))) {
            applied << QStringLiteral("cgroup v2 cpu.max=%1/%2").arg(quota).arg(period);
        } else {
            d->cgCpu = make(cgroups::kV1Cpu, QStringLiteral("cpu.cfs_quota_us"));
            if (!d->cgCpu.isEmpty() &&
                writeFile(d->cgCpu + QStringLiteral("/cpu.cfs_period_us"),
                          QByteArray::number(period)) &&
                writeFile(d->cgCpu + QStringLiteral("/cpu.cfs_quota_us"),
                          QByteArray::number(quota)))
                applied
                    << QStringLiteral("cgroup v1 cpu.cfs_quota_us=%1/%2").arg(quota).arg(period);
            else
                applied << QStringLiteral("cpu not limited (no cpu cgroup)");
        }
    }
    if (!d->cgV2.isEmpty())
        applied << QStringLiteral("freeze: cgroup v2");
    else if (!d->cgFreezer.isEmpty())
        applied << QStringLiteral("freeze: cgroup v1 freezer");
    else
        applied << QStringLiteral("freeze: SIGSTOP");
    d->limits = applied.join(QStringLiteral(", "));
}

// Everything a child needs after fork(): prepared before, so the child only makes syscalls.
struct ChildSetup
{
    QList<QByteArray> cgroupFiles;
    qint64 memoryBytes = 0; // rlimit fallback, 0 = none

    void apply() const
    {
        for (const QByteArray &file : cgroupFiles) {
            const int fd = ::open(file.constData(), O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                (void)!::write(fd, "0", 1);
                ::close(fd);
            }
        }
        if (memoryBytes > 0) {
            struct rlimit rl = {rlim_t(memoryBytes), rlim_t(memoryBytes)};
            ::setrlimit(RLIMIT_AS, &rl);
        }
        ::signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
    }
};

static ChildSetup childSetup(const QList<QByteArray> &cgroupFiles, const QString &limits,
                             int memoryMb)
{
    ChildSetup setup;
    setup.cgroupFiles = cgroupFiles;
    if (limits.contains(QLatin1String("rlimit AS")))
        setup.memoryBytes = qint64(memoryMb) * 1024 * 1024;
    return setup;
}

bool Sandbox::startInit(QString *error)
{
    QStringList args{QStringLiteral("--unshare-pid"),
                     QStringLiteral("--unshare-uts"),
                     QStringLiteral("--unshare-ipc"),
                     QStringLiteral("--hostname"),
                     m_spec.id,
                     QStringLiteral("--die-with-parent"),
                     QStringLiteral("--unshare-net")}; // always: see local/network/
    if (d->mode == FsMode::Overlay) {
        args << QStringLiteral("--bind") << d->merged << QStringLiteral("/");
    } else {
        // bwrap's new root is a tmpfs: bind the base root's top-level entries read-only into
        // it, so that /workspace and /home/<user> can be created as mount points.
        const QDir base(m_spec.baseRoot);
        static const QStringList skip{QStringLiteral("proc"), QStringLiteral("dev"),
                                      QStringLiteral("sys"),  QStringLiteral("tmp"),
                                      QStringLiteral("home"), QStringLiteral("workspace")};
        for (const QFileInfo &entry : base.entryInfoList(QDir::AllEntries | QDir::Hidden |
                                                         QDir::System | QDir::NoDotAndDotDot)) {
            if (skip.contains(entry.fileName()))
                continue;
            const QString inside = QLatin1Char('/') + entry.fileName();
            if (entry.isSymLink())
                args << QStringLiteral("--symlink")
                     << entry.symLinkTarget().replace(
                            m_spec.baseRoot == QLatin1String("/") ? QString() : m_spec.baseRoot,
                            QString())
                     << inside;
            else
                args << QStringLiteral("--ro-bind-try") << entry.absoluteFilePath() << inside;
        }
        args << QStringLiteral("--tmpfs") << QStringLiteral("/home") << QStringLiteral("--bind")
             << hostPath(QStringLiteral("/workspace")) << QStringLiteral("/workspace")
             << QStringLiteral("--bind") << hostPath(d->home) << d->home
             << QStringLiteral("--ro-bind") << d->etc + QStringLiteral("/passwd")
             << QStringLiteral("/etc/passwd") << QStringLiteral("--ro-bind")
             << d->etc + QStringLiteral("/group") << QStringLiteral("/etc/group");
    }
    args << QStringLiteral("--proc") << QStringLiteral("/proc") << QStringLiteral("--dev")
         << QStringLiteral("/dev") << QStringLiteral("--tmpfs") << QStringLiteral("/dev/shm")
         << QStringLiteral("--ro-bind-try") << QStringLiteral("/sys") << QStringLiteral("/sys")
         << QStringLiteral("--bind") << d->tmp << QStringLiteral("/tmp") << QStringLiteral("--bind")
         << d->varTmp << QStringLiteral("/var/tmp");
    args += d->net.bwrapArgs(m_spec.stateDir, m_spec.network);
    // Hide capsule-local's data (other runners' layers and state) from the sandbox.
    QStringList masks{QFileInfo(m_spec.stateDir).path()};
    if (!s_dataDir.isEmpty())
        masks << s_dataDir;
    for (const QString &mask : masks) {
        if (mask == QLatin1String("/") || isUnder(mask, QStringLiteral("/tmp")) ||
            isUnder(mask, QStringLiteral("/var/tmp")) || isUnder(mask, QStringLiteral("/proc")) ||
            isUnder(mask, QStringLiteral("/dev")) || !QFileInfo(hostPath(mask)).isDir())
            continue;
        args << QStringLiteral("--tmpfs") << mask;
    }
    args << QStringLiteral("--info-fd") << QStringLiteral("1") << QStringLiteral("--")
         << QStringLiteral("/bin/sh") << QStringLiteral("-c")
         << QStringLiteral("echo capsule-sandbox-ready >&2; exec sleep infinity");

    d->init = new QProcess(this);
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"), kDefaultPath);
    d->init->setProcessEnvironment(env);
    d->init->setProcessChannelMode(QProcess::SeparateChannels);
    const ChildSetup setup = childSetup(d->cgroupProcFiles(), d->limits, m_spec.memoryMb);
    d->init->setChildProcessModifier([setup] { setup.apply(); });
    connect(d->init, &QProcess::finished, this, [this] {
        if (d->stopping)
            return;
        // The sandbox's pid 1 died underneath us: the sandbox is gone.
        d->running = false;
        d->initPid = 0;
        emit stopped();
    });
    d->init->start(findTool(QStringLiteral("bwrap")), args);
    if (!d->init->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start bwrap: %1").arg(d->init->errorString());
        return false;
    }
    // bwrap writes {"child-pid": N, ...} to the info fd (our stdout) as soon as the namespaces
    // exist; the payload reports on stderr once it runs inside the new root (bwrap closes the
    // info fd in the child). waitForReadyRead() only wakes for the current read channel, so wait
    // on the channel whose data is still missing: waiting on the wrong one cost a full timeout
    // on every sandbox start.
    static const QByteArray marker("capsule-sandbox-ready\n");
    QByteArray info, status;
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        info += d->init->readAllStandardOutput();
        status += d->init->readAllStandardError();
        const qint64 pid =
            QJsonDocument::fromJson(info).object().value(QStringLiteral("child-pid")).toInteger();
        const bool ready = status.contains(marker);
        if (ready && pid > 0) {
            d->initPid = pid;
            break;
        }
        d->init->setReadChannel(ready ? QProcess::StandardOutput : QProcess::StandardError);
        if (d->init->state() == QProcess::NotRunning)
            break;
        d->init->waitForReadyRead(100);
    }
    if (d->initPid <= 0) {
        *error =
            QStringLiteral("bwrap did not start: %1")
                .arg(QString::fromLocal8Bit(status + d->init->readAllStandardError()).trimmed());
        return false;
    }
    d->launched << d->init->processId();
    return d->net.attach(d->initPid, m_spec.network,
                         m_spec.egressRuleset.isEmpty()
                             ? network::compilePolicy(QString(), QJsonObject()).ruleset
                             : m_spec.egressRuleset,
                         d->cgroupProcFiles(), m_spec.stateDir, m_spec.hostLoopbackPorts, error);
}

void Sandbox::stop()
{
    d->stopping = true;
    if (d->service) {
        d->service->disconnect(this);
        d->service = nullptr; // killed with the cgroup below; deleted with `this` as its parent
    }
    killAll();
    d->net.stop();
    if (d->init) {
        d->init->disconnect(this);
        if (d->init->state() != QProcess::NotRunning) {
            d->init->kill();
            d->init->waitForFinished(3000);
        }
        delete d->init;
        d->init = nullptr;
    }
    d->initPid = 0;
    for (auto it = d->mounts.crbegin(); it != d->mounts.crend(); ++it) {
        const QByteArray point = QFile::encodeName(*it);
        // MNT_DETACH only if something still holds it (a process in the middle of exiting).
        if (::umount2(point.constData(), 0) != 0)
            ::umount2(point.constData(), MNT_DETACH);
    }
    d->mounts.clear();
    for (QString *dir : {&d->cgV2, &d->cgFreezer, &d->cgMemory, &d->cgCpu, &d->cgPids}) {
        if (dir->isEmpty())
            continue;
        QDeadlineTimer deadline(3000);
        while (!QDir().rmdir(*dir) && !deadline.hasExpired())
            QThread::msleep(5);
        dir->clear();
    }
    d->frozen = false;
    d->launched.clear();
    const bool wasRunning = d->running;
    d->running = false;
    if (wasRunning)
        emit stopped();
}

// SIGKILLs every process of the sandbox and waits (briefly) until they are gone.
void Sandbox::killAll()
{
    if (!d->cgFreezer.isEmpty())
        writeFile(d->cgFreezer + QStringLiteral("/freezer.state"), "THAWED");
    QDeadlineTimer deadline(5000);
    for (const QString &dir : {d->cgV2, d->cgFreezer, d->cgMemory, d->cgCpu, d->cgPids}) {
        if (dir.isEmpty())
            continue;
        const bool v2Kill =
            dir == d->cgV2 && QFileInfo::exists(dir + QStringLiteral("/cgroup.kill"));
        while (!deadline.hasExpired()) {
            const QList<qint64> pids = cgroupPids(dir);
            if (pids.isEmpty())
                break;
            if (v2Kill)
                writeFile(dir + QStringLiteral("/cgroup.kill"), "1");
            else
                for (qint64 pid : pids)
                    ::kill(pid_t(pid), SIGKILL);
            if (dir == d->cgV2 && d->frozen)
                writeFile(dir + QStringLiteral("/cgroup.freeze"), "0");
            QThread::msleep(2);
        }
    }
    // Without cgroups: the processes we started and their descendants.
    for (qint64 pid : std::as_const(d->launched))
        killTree(pid, SIGKILL);
}

bool Sandbox::freeze(QString *error)
{
    if (!d->running) {
        if (error)
            *error = QStringLiteral("sandbox is not running");
        return false;
    }
    if (d->frozen)
        return true;
    if (!d->cgV2.isEmpty()) {
        writeFile(d->cgV2 + QStringLiteral("/cgroup.freeze"), "1");
        QDeadlineTimer deadline(5000);
        while (!readFile(d->cgV2 + QStringLiteral("/cgroup.events")).contains("frozen 1")) {
            if (deadline.hasExpired()) {
                writeFile(d->cgV2 + QStringLiteral("/cgroup.freeze"), "0");
                if (error)
                    *error = QStringLiteral("the sandbox's cgroup did not freeze in time");
                return false;
            }
            QThread::msleep(1);
        }
    } else if (!d->cgFreezer.isEmpty()) {
        writeFile(d->cgFreezer + QStringLiteral("/freezer.state"), "FROZEN");
        QDeadlineTimer deadline(5000);
        while (!readFile(d->cgFreezer + QStringLiteral("/freezer.state")).startsWith("FROZEN")) {
            if (deadline.hasExpired()) {
                writeFile(d->cgFreezer + QStringLiteral("/freezer.state"), "THAWED");
                if (error)
                    *error = QStringLiteral("the sandbox's freezer cgroup did not freeze in time");
                return false;
            }
            QThread::msleep(1);
        }
    } else {
        for (qint64 pid : std::as_const(d->launched))
            killTree(pid, SIGSTOP);
    }
    d->frozen = true;
    return true;
}

bool Sandbox::thaw(QString *error)
{
    Q_UNUSED(error);
    if (!d->frozen)
        return true;
    if (!d->cgV2.isEmpty())
        writeFile(d->cgV2 + QStringLiteral("/cgroup.freeze"), "0");
    else if (!d->cgFreezer.isEmpty())
        writeFile(d->cgFreezer + QStringLiteral("/freezer.state"), "THAWED");
    else
        for (qint64 pid : std::as_const(d->launched))
            killTree(pid, SIGCONT);
    d->frozen = false;
    return true;
}

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

bool Sandbox::setEgressRuleset(const QString &ruleset, QString *error)
{
    if (m_spec.unsafeNoSandbox)
        return true; // no namespace: the host's network (said at start-up)
    return d->net.applyRuleset(ruleset, error);
}

QString Sandbox::networkMode() const
{
    return m_spec.unsafeNoSandbox ? QStringLiteral("host network (--unsafe-no-sandbox)")
                                  : d->net.mode();
}

} // namespace capsule::local
