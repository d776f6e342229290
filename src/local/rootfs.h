// Race-free access to a runner's files for the host file routes (issue 8). Every path is
// resolved component by component from a directory fd of the runner's own root (what its
// processes see, mounts included), one component at a time with O_NOFOLLOW (openat2 with
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS where the kernel has it); symlinks are followed by us, by
// their text, an absolute target restarting at the runner's root. Every operation is then done
// on the fds found (fstat, pread/write, getdents, unlinkat, mkdirat), never by opening a path
// string again, so a runner that swaps a folder for a symlink meanwhile cannot redirect anything.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <functional>
#include <utility>

namespace capsule::local {

class Sandbox;

// An owned file descriptor.
class Fd
{
public:
    Fd() = default;
    explicit Fd(int fd)
        : m_fd(fd)
    {}
    Fd(Fd &&other) noexcept
        : m_fd(other.release())
    {}
    Fd &operator=(Fd &&other) noexcept
    {
        reset(other.release());
        return *this;
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { reset(); }

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void reset(int fd = -1);

private:
    int m_fd = -1;
};

// Where a path led.
struct Resolved
{
    QString path;    // in-sandbox path, symlinks resolved; a missing tail is kept as written
    Fd node;         // O_PATH fd of the object; invalid when it does not exist
    Fd dir;          // O_PATH fd of the folder holding it (the deepest existing folder if missing)
    QByteArray name; // the object's name in `dir` (exists), else missing.first()
    QList<QByteArray> missing; // components not found, the first one directly below `dir`
    int error = 0;             // why `missing` is not empty: ENOENT, ENOTDIR, ELOOP...
    bool creatable() const { return error == ENOENT && !missing.contains(QByteArrayLiteral("..")); }
    bool exists() const { return node.valid(); }
};

// The root of one runner's file tree.
class RunnerRoot
{
public:
    // The sandbox's root as its processes see it (/proc/<init>/root: their mount namespace, so
    // /workspace, /tmp and home are the bound folders); with --unsafe-no-sandbox the host
    // folders that back the in-sandbox paths. False + message when there is none.
    bool open(const Sandbox &sandbox, QString *error);
    // A plain host folder as the root (no binds): tests and the path-confinement fuzzer.
    bool openDir(const QString &hostDir, QString *error);
    // Resolves an absolute path. Symlinks are followed (at most 40), ".." never climbs above the
    // root. An unresolvable tail is reported in Resolved::missing / error, not as a failure.
    void resolve(const QString &path, Resolved *out) const;

private:
    Fd m_root;
    QList<std::pair<QString, QString>> m_binds; // unsafe mode: in-sandbox folder -> host folder
};

// Opens `pathFd` (an O_PATH fd of a file) for I/O with `flags` through /proc/self/fd.
int reopenFile(int pathFd, int flags);
// Opens the folder `pathFd` for reading its entries.
int reopenDir(int pathFd);
// Creates `names` as nested folders below `dir` (existing ones are kept if they are folders).
// Returns the fd of the last one, or an invalid Fd with errno set.
Fd makeDirs(int dir, const QList<QByteArray> &names, mode_t perm);

struct DirEntry
{
    QByteArray name;
    struct stat st;
};
// The entries of the folder `dirFd` (a readable fd), lstat'ed, sorted by name; errno or 0.
// More than `maxEntries` entries: E2BIG.
int readDirAt(int dirFd, QList<DirEntry> *out, qint64 maxEntries);

struct TreeLimits
{
    int maxDepth;
    qint64 maxEntries;
};
enum class TreeResult { Ok, TooDeep, TooMany, Failed };

// Pre-order, name-sorted walk below the folder `dirPathFd` (O_PATH is fine) without following
// symlinks and without recursion; unreadable folders are skipped. `visit` gets each entry's
// name, in-sandbox path and lstat.
TreeResult walkTree(
    int dirPathFd, const QString &path, const TreeLimits &limits,
    const std::function<void(const QByteArray &, const QString &, const struct stat &)> &visit);
// Removes `name` in the folder `dir` and everything below it, unlinking symlinks (never
// following them). Failed: errno is set.
TreeResult removeTree(int dir, const QByteArray &name, const TreeLimits &limits);

} // namespace capsule::local
