// Runner sandbox, filesystem side: machine capabilities, stale mounts, the layered root
// (overlay), the runner user, and in-sandbox path mapping/resolution.
#include "local/logging.h"
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

QString s_dataDir;

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
        qCInfo(lcSandbox).noquote() << "capsule-local: removed" << removed << "leftover cgroups";
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

// Everything before the init is launched: directories, the layered root, the runner user,
// cgroups, tools. False + error on failure (the caller stops the sandbox). Only touches the
// filesystem and this sandbox's private data: startAsync() runs it on a worker thread.
bool Sandbox::prepare(QString *error)
{
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
    d->setprivBin.clear();
    if (QFileInfo(hostPath(QStringLiteral("/usr/bin/setpriv"))).isExecutable())
        d->setprivBin = QStringLiteral("/usr/bin/setpriv");
    d->envBin.clear();
    for (const QString &candidate : {QStringLiteral("/usr/bin/env"), QStringLiteral("/bin/env")})
        if (QFileInfo(hostPath(candidate)).isExecutable()) {
            d->envBin = candidate;
            break;
        }

    if (!m_spec.unsafeNoSandbox) {
        if (!bubblewrapAvailable()) {
            *error = QStringLiteral("bubblewrap (bwrap) is not available");
            return false;
        }
        if (d->envBin.isEmpty()) {
            *error = QStringLiteral("the sandbox root has no env(1) at /usr/bin/env");
            return false;
        }
    }
    return true;
}

} // namespace capsule::local
