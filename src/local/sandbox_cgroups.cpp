// Cgroup housekeeping of capsule-local's sandboxes (see sandbox_cgroups.h).
#include "local/sandbox_cgroups.h"
#include "local/logging.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QThread>
#include <QtDebug>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

namespace capsule::local::cgroups {

const QString kV2 = QStringLiteral("/sys/fs/cgroup/unified");
const QString kV1Freezer = QStringLiteral("/sys/fs/cgroup/freezer");
const QString kV1Memory = QStringLiteral("/sys/fs/cgroup/memory");
const QString kV1Cpu = QStringLiteral("/sys/fs/cgroup/cpu");
const QString kV1Pids = QStringLiteral("/sys/fs/cgroup/pids");

QStringList hierarchies()
{
    return {kV2, kV1Freezer, kV1Memory, kV1Cpu, kV1Pids};
}

QString enforcedLimits()
{
    auto has = [](const QString &root, const char *file) {
        return QFileInfo::exists(root + QLatin1Char('/') + QLatin1String(file));
    };
    // The v2 root has no *.max files: look at whether v2 delegates the controller at all.
    QFile controllers(kV2 + QStringLiteral("/cgroup.controllers"));
    const QList<QByteArray> v2 = controllers.open(QIODevice::ReadOnly)
                                     ? controllers.readAll().simplified().split(' ')
                                     : QList<QByteArray>();
    auto pick = [&](const char *v2Name, const QString &v1Root, const char *v1File,
                    const QString &what) -> QString {
        if (v2.contains(QByteArray(v2Name)))
            return QStringLiteral("cgroup v2 %1.max (%2)").arg(QLatin1String(v2Name), what);
        if (has(v1Root, v1File))
            return QStringLiteral("cgroup v1 %1 (%2)").arg(QLatin1String(v1File), what);
        return QStringLiteral("not enforced (no %1 controller)").arg(QLatin1String(v2Name));
    };
    QString memory = pick("memory", kV1Memory, "memory.limit_in_bytes", QStringLiteral("tier MiB"));
    if (memory.startsWith(QLatin1String("not")))
        memory = QStringLiteral("RLIMIT_AS per process (tier MiB; no memory cgroup)");
    return QStringLiteral("memory: %1; cpu: %2; pids: %3; disk: not enforced")
        .arg(memory, pick("cpu", kV1Cpu, "cpu.cfs_quota_us", QStringLiteral("tier vCPU")),
             pick("pids", kV1Pids, "pids.max", QStringLiteral("--max-pids-per-runner")));
}

QString dataDirKey(const QString &dataDir)
{
    return QLatin1Char('d') +
           QString::fromLatin1(
               QCryptographicHash::hash(QFile::encodeName(QDir(dataDir).absolutePath()),
                                        QCryptographicHash::Sha1)
                   .toHex()
                   .left(8));
}

namespace {

void write(const QString &path, const QByteArray &data)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    (void)!::write(fd, data.constData(), data.size());
    ::close(fd);
}

QList<qint64> pids(const QString &dir)
{
    QList<qint64> out;
    QFile f(dir + QStringLiteral("/cgroup.procs"));
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        bool ok = false;
        const qint64 pid = line.trimmed().toLongLong(&ok);
        if (ok)
            out << pid;
    }
    return out;
}

// Removes the cgroups `<hierarchy>/capsule-local/<name>` for which `match(name)` holds.
template<typename Match>
int removeMatching(Match match)
{
    int removed = 0;
    for (const QString &root : hierarchies()) {
        const QDir parent(root + QStringLiteral("/capsule-local"));
        if (!parent.exists())
            continue;
        for (const QString &name : parent.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            if (!match(name))
                continue;
            const QString dir = parent.filePath(name);
            // A paused runner's cgroup is frozen: thaw it so that SIGKILL can be delivered.
            write(dir + QStringLiteral("/cgroup.freeze"), "0");
            write(dir + QStringLiteral("/freezer.state"), "THAWED");
            QDeadlineTimer deadline(5000);
            while (!QDir().rmdir(dir)) {
                if (deadline.hasExpired()) {
                    qCWarning(lcSandbox).noquote()
                        << "capsule-local: cannot remove leftover cgroup" << dir;
                    break;
                }
                if (QFileInfo::exists(dir + QStringLiteral("/cgroup.kill")))
                    write(dir + QStringLiteral("/cgroup.kill"), "1");
                for (qint64 pid : pids(dir))
                    ::kill(pid_t(pid), SIGKILL);
                QThread::msleep(5);
            }
            if (!QFileInfo::exists(dir))
                ++removed;
        }
    }
    return removed;
}

} // namespace

int removeLeftovers(const QString &key)
{
    const QString prefix = key + QLatin1Char('-');
    return removeMatching([&](const QString &name) { return name.startsWith(prefix); });
}

int removeLegacy(const QString &id, const QString &stateDir)
{
    const QString legacy =
        QString(id).replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")),
                            QStringLiteral("_")) +
        QLatin1Char('-') +
        QString::fromLatin1(
            QCryptographicHash::hash(QFile::encodeName(QDir(stateDir).absolutePath()),
                                     QCryptographicHash::Sha1)
                .toHex()
                .left(8));
    return removeMatching([&](const QString &name) { return name == legacy; });
}

} // namespace capsule::local::cgroups
