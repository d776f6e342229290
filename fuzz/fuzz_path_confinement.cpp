// Path confinement of the host file routes (src/local/rootfs.cpp, RunnerRoot::resolve): any bytes
// as a path, resolved against a temporary root that holds symlinks pointing up, out, to absolute
// paths, in loops and through each other, next to an `outside` folder with a secret. Checks:
// whatever resolves (the object and its folder) is the root or below it, never `outside`, and
// the in-sandbox path it reports is absolute and has no "..".
#include "fuzzcheck.h"
#include "local/rootfs.h"

#include <QDir>
#include <QFile>

#include <cstdlib>
#include <unistd.h>

namespace {

QByteArray g_root; // real path of the root

void makeTree()
{
    char base[] = "/tmp/capsule-fuzz-root-XXXXXX";
    FUZZ_CHECK(::mkdtemp(base) != nullptr, "mkdtemp");
    const QString b = QString::fromLocal8Bit(base);
    QDir().mkpath(b + QStringLiteral("/root/a/b/c"));
    QDir().mkpath(b + QStringLiteral("/root/etc"));
    QDir().mkpath(b + QStringLiteral("/outside/deeper"));
    auto file = [](const QString &p) {
        QFile f(p);
        FUZZ_CHECK(f.open(QIODevice::WriteOnly), "create a file");
        f.write("x");
    };
    file(b + QStringLiteral("/root/f"));
    file(b + QStringLiteral("/root/a/b/file"));
    file(b + QStringLiteral("/outside/secret"));
    const char *links[][2] = {
        {"up", "../../.."},
        {"abs", "/"},
        {"etc2", "/etc"},
        {"esc", "../outside"},
        {"esc2", "/../outside/secret"},
        {"loop", "loop"},
        {"ping", "pong"},
        {"pong", "ping"},
        {"deep", "a/b/c/../../../.."},
        {"a/b/back", "../../../outside/secret"},
        {"a/b/c/top", "/a/../../../../outside"},
        {"a/dotdot", ".."},
        {"a/b/viaup", "../../up/outside"},
        {"tofile", "f/.."},
        {"chain", "a/dotdot/a/b/back"},
    };
    for (const auto &l : links) {
        const QByteArray at = QFile::encodeName(b) + "/root/" + l[0];
        FUZZ_CHECK(::symlink(l[1], at.constData()) == 0, "symlink");
    }
    char real[PATH_MAX];
    FUZZ_CHECK(::realpath((QFile::encodeName(b) + "/root").constData(), real) != nullptr,
               "realpath");
    g_root = real;
    static const QString cleanup = b;
    std::atexit([] { QDir(cleanup).removeRecursively(); });
}

void checkInside(int fd, const char *what)
{
    if (fd < 0)
        return;
    char buf[PATH_MAX];
    const QByteArray proc = "/proc/self/fd/" + QByteArray::number(fd);
    const ssize_t n = ::readlink(proc.constData(), buf, sizeof buf - 1);
    FUZZ_CHECK(n > 0, "readlink of an fd");
    const QByteArray where(buf, int(n));
    FUZZ_CHECK(where == g_root || where.startsWith(g_root + '/'),
               qPrintable(QStringLiteral("%1 resolved outside the root: %2")
                              .arg(QLatin1String(what), QString::fromLocal8Bit(where))));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static capsule::local::RunnerRoot root;
    if (g_root.isEmpty()) {
        makeTree();
        QString error;
        FUZZ_CHECK(root.openDir(QFile::decodeName(g_root), &error), qPrintable(error));
    }
    const QByteArray raw(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString path = QLatin1Char('/') + QFile::decodeName(raw);
    capsule::local::Resolved r;
    root.resolve(path, &r);
    checkInside(r.node.get(), "the object");
    checkInside(r.dir.get(), "its folder");
    FUZZ_CHECK(r.path.startsWith(QLatin1Char('/')), "in-sandbox path not absolute");
    if (r.exists())
        FUZZ_CHECK(!r.path.split(QLatin1Char('/')).contains(QStringLiteral("..")),
                   "in-sandbox path with ..");
    return 0;
}
