// Race-free path resolution and fd-based file operations inside a runner's root (see rootfs.h).
#include "local/rootfs.h"
#include "local/sandbox.h"

#include <QDir>
#include <QFile>

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

namespace capsule::local {

namespace {

constexpr int kMaxLinks = 40; // like the kernel's ELOOP bound
// Components handled per resolution, symlink expansions included.
constexpr int kMaxSteps = 16384;
// Folders held open at once (PATH_MAX / 2).
constexpr size_t kMaxDepth = 2048;

QString joinPath(const QString &dir, const QString &name)
{
    return dir == QLatin1String("/") ? QLatin1Char('/') + name : dir + QLatin1Char('/') + name;
}

// Opens one path component below `dir` without following it: a symlink comes back as an O_PATH
// fd of the link itself (`flags` contains O_PATH), or fails with ELOOP. openat2 additionally
// guarantees that nothing resolves outside `dir` (kernels >= 5.6; ENOSYS -> plain openat).
int openComponent(int dir, const char *name, int flags)
{
    static bool haveOpenat2 = true;
    if (haveOpenat2) {
        struct open_how how;
        std::memset(&how, 0, sizeof how);
        how.flags = quint64(flags | O_NOFOLLOW | O_CLOEXEC);
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
        const int fd = int(::syscall(SYS_openat2, dir, name, &how, sizeof how));
        if (fd >= 0 || errno != ENOSYS)
            return fd;
        haveOpenat2 = false;
    }
    return ::openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC);
}

QList<QByteArray> components(const QByteArray &path)
{
    return path.split('/');
}

bool anyNonEmpty(const QList<QByteArray> &parts)
{
    return std::any_of(parts.cbegin(), parts.cend(),
                       [](const QByteArray &p) { return !p.isEmpty() && p != "."; });
}

} // namespace

void Fd::reset(int fd)
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
}

bool RunnerRoot::open(const Sandbox &sandbox, QString *error)
{
    m_binds.clear();
    if (!sandbox.spec().unsafeNoSandbox) {
        m_root = Fd(sandbox.openRootDir());
        if (!m_root.valid()) {
            *error = QStringLiteral("runner root unavailable: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)).toLower());
            return false;
        }
        return true;
    }
    // No namespace to look into: the in-sandbox folders that are separate host folders.
    const QString user =
        sandbox.spec().runnerUser.isEmpty() ? QStringLiteral("runner") : sandbox.spec().runnerUser;
    for (const QString &p : {QStringLiteral("/tmp"), QStringLiteral("/var/tmp"),
                             QStringLiteral("/workspace"), QStringLiteral("/home/") + user})
        m_binds.append({p, sandbox.hostPath(p)});
    m_root = Fd(::open(QFile::encodeName(sandbox.hostPath(QStringLiteral("/"))).constData(),
                       O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!m_root.valid()) {
        *error = QStringLiteral("runner root unavailable: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)).toLower());
        return false;
    }
    return true;
}

bool RunnerRoot::openDir(const QString &hostDir, QString *error)
{
    m_binds.clear();
    m_root = Fd(::open(QFile::encodeName(hostDir).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!m_root.valid())
        *error =
            QStringLiteral("%1: %2").arg(hostDir, QString::fromLocal8Bit(std::strerror(errno)));
    return m_root.valid();
}

void RunnerRoot::resolve(const QString &path, Resolved *out) const
{
    struct Frame
    {
        QString path;
        QByteArray name;
        Fd fd;
    };
    std::vector<Frame> stack; // stack.front() is "/", stack.back() the folder we are in
    stack.push_back({QStringLiteral("/"), {}, Fd(::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 0))});
    QList<QByteArray> todo = components(QFile::encodeName(path));
    int links = 0, steps = 0;
    auto fail = [&](int err, const QByteArray &part, const QString &at) {
        QList<QByteArray> rest{part};
        for (const QByteArray &p : std::as_const(todo))
            if (!p.isEmpty() && p != ".")
                rest << p;
        out->missing = rest;
        out->error = err;
        out->name = part;
        QString full = at;
        for (const QByteArray &p : std::as_const(rest))
            full = joinPath(full, QFile::decodeName(p));
        out->path = QDir::cleanPath(full);
        out->dir = std::move(stack.back().fd);
    };
    while (!todo.isEmpty()) {
        const QByteArray part = todo.takeFirst();
        if (part.isEmpty() || part == ".")
            continue;
        if (++steps > kMaxSteps || stack.size() > kMaxDepth)
            return fail(ENAMETOOLONG, part, stack.back().path);
        if (part == "..") {
            if (stack.size() > 1)
                stack.pop_back();
            continue;
        }
        const Frame &cur = stack.back();
        const QString childPath = joinPath(cur.path, QFile::decodeName(part));
        Fd fd;
        for (const auto &[inside, host] : m_binds)
            if (inside == childPath)
                fd = Fd(
                    ::open(QFile::encodeName(host).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!fd.valid())
            fd = Fd(openComponent(cur.fd.get(), part.constData(), O_PATH));
        struct stat st;
        if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
            return fail(errno, part, cur.path);
        if (S_ISLNK(st.st_mode)) {
            if (++links > kMaxLinks)
                return fail(ELOOP, part, cur.path);
            char buf[PATH_MAX];
            const ssize_t n = ::readlinkat(fd.get(), "", buf, sizeof buf);
            if (n <= 0 || size_t(n) >= sizeof buf)
                return fail(n < 0 ? errno : ENAMETOOLONG, part, cur.path);
            const QByteArray target(buf, int(n));
            if (target.startsWith('/'))
                while (stack.size() > 1)
                    stack.pop_back();
            todo = components(target) + todo;
            continue;
        }
        if (!S_ISDIR(st.st_mode) && anyNonEmpty(todo)) {
            stack.push_back({childPath, part, std::move(fd)});
            const QByteArray next = todo.takeFirst();
            return fail(ENOTDIR, next.isEmpty() ? QByteArrayLiteral(".") : next, childPath);
        }
        stack.push_back({childPath, part, std::move(fd)});
    }
    out->path = stack.back().path;
    out->name = stack.back().name;
    out->node = std::move(stack.back().fd);
    if (stack.size() > 1)
        out->dir = std::move(stack[stack.size() - 2].fd);
}

int reopenFile(int pathFd, int flags)
{
    const QByteArray proc = "/proc/self/fd/" + QByteArray::number(pathFd);
    return ::open(proc.constData(), flags | O_CLOEXEC);
}

int reopenDir(int pathFd)
{
    return ::openat(pathFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

Fd makeDirs(int dir, const QList<QByteArray> &names, mode_t perm)
{
    Fd cur(::fcntl(dir, F_DUPFD_CLOEXEC, 0));
    for (const QByteArray &name : names) {
        if (::mkdirat(cur.get(), name.constData(), perm) != 0 && errno != EEXIST)
            return Fd();
        // Whatever is there now must be a real folder: a symlink put there meanwhile fails.
        Fd next(openComponent(cur.get(), name.constData(), O_PATH | O_DIRECTORY));
        if (!next.valid())
            return Fd();
        cur = std::move(next);
    }
    return cur;
}

int readDirAt(int dirFd, QList<DirEntry> *out, qint64 maxEntries)
{
    out->clear();
    const int fd = ::fcntl(dirFd, F_DUPFD_CLOEXEC, 0);
    DIR *dp = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!dp) {
        const int err = errno;
        if (fd >= 0)
            ::close(fd);
        return err;
    }
    int result = 0;
    while (struct dirent *e = ::readdir(dp)) {
        if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, ".."))
            continue;
        if (out->size() >= maxEntries) {
            result = E2BIG;
            break;
        }
        DirEntry entry;
        if (::fstatat(dirFd, e->d_name, &entry.st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; // vanished or unreadable: skipped
        entry.name = QByteArray(e->d_name);
        out->append(std::move(entry));
    }
    ::closedir(dp);
    std::sort(out->begin(), out->end(),
              [](const DirEntry &a, const DirEntry &b) { return a.name < b.name; });
    return result;
}

TreeResult
walkTree(int dirPathFd, const QString &path, const TreeLimits &limits,
         const std::function<void(const QByteArray &, const QString &, const struct stat &)> &visit)
{
    struct Frame
    {
        Fd fd;
        QString path;
        QList<DirEntry> entries;
        qsizetype next = 0;
    };
    std::vector<Frame> stack;
    qint64 seen = 0;
    auto push = [&](Fd fd, const QString &at) {
        Frame frame{std::move(fd), at, {}, 0};
        const int err = readDirAt(frame.fd.get(), &frame.entries, limits.maxEntries - seen + 1);
        if (err == E2BIG)
            return false;
        stack.push_back(std::move(frame)); // an unreadable folder is listed without its entries
        return true;
    };
    Fd top(reopenDir(dirPathFd));
    if (!top.valid())
        return TreeResult::Ok;
    if (!push(std::move(top), path))
        return TreeResult::TooMany;
    while (!stack.empty()) {
        Frame &frame = stack.back();
        if (frame.next >= frame.entries.size()) {
            stack.pop_back();
            continue;
        }
        const DirEntry &e = frame.entries.at(frame.next++);
        if (++seen > limits.maxEntries)
            return TreeResult::TooMany;
        const QString p = joinPath(frame.path, QFile::decodeName(e.name));
        visit(e.name, p, e.st);
        if (!S_ISDIR(e.st.st_mode))
            continue;
        if (stack.size() >= size_t(limits.maxDepth))
            return TreeResult::TooDeep;
        Fd child(openComponent(frame.fd.get(), e.name.constData(), O_RDONLY | O_DIRECTORY));
        if (!child.valid())
            continue; // replaced or unreadable: skipped
        if (!push(std::move(child), p))
            return TreeResult::TooMany;
    }
    return TreeResult::Ok;
}

TreeResult removeTree(int dir, const QByteArray &name, const TreeLimits &limits)
{
    if (::unlinkat(dir, name.constData(), 0) == 0)
        return TreeResult::Ok;
    if (errno == ENOENT)
        return TreeResult::Ok;
    if (errno != EISDIR && errno != EPERM)
        return TreeResult::Failed;
    struct Frame
    {
        DIR *dp;
        QByteArray name; // in the parent frame's folder (or `dir`)
    };
    QList<Frame> stack;
    auto closeAll = [&] {
        for (const Frame &f : std::as_const(stack))
            ::closedir(f.dp);
        stack.clear();
    };
    auto push = [&](int parent, const QByteArray &child) {
        const int fd = openComponent(parent, child.constData(), O_RDONLY | O_DIRECTORY);
        if (fd < 0)
            return false;
        DIR *dp = ::fdopendir(fd);
        if (!dp) {
            ::close(fd);
            return false;
        }
        stack.append({dp, child});
        return true;
    };
    if (!push(dir, name))
        return TreeResult::Failed;
    qint64 seen = 0;
    while (!stack.isEmpty()) {
        const int fd = ::dirfd(stack.last().dp);
        errno = 0;
        struct dirent *e = ::readdir(stack.last().dp);
        if (!e) {
            if (errno != 0) {
                const int err = errno;
                closeAll();
                errno = err;
                return TreeResult::Failed;
            }
            const Frame done = stack.takeLast();
            ::closedir(done.dp);
            const int parent = stack.isEmpty() ? dir : ::dirfd(stack.last().dp);
            if (::unlinkat(parent, done.name.constData(), AT_REMOVEDIR) != 0) {
                const int err = errno;
                closeAll();
                errno = err;
                return TreeResult::Failed;
            }
            continue;
        }
        if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, ".."))
            continue;
        if (++seen > limits.maxEntries) {
            closeAll();
            return TreeResult::TooMany;
        }
        if (::unlinkat(fd, e->d_name, 0) == 0 || errno == ENOENT)
            continue;
        if (errno != EISDIR && errno != EPERM) {
            const int err = errno;
            closeAll();
            errno = err;
            return TreeResult::Failed;
        }
        if (stack.size() >= limits.maxDepth) {
            closeAll();
            return TreeResult::TooDeep;
        }
        const QByteArray child(e->d_name);
        if (!push(fd, child)) {
            const int err = errno;
            closeAll();
            errno = err;
            return TreeResult::Failed;
        }
    }
    return TreeResult::Ok;
}

} // namespace capsule::local
