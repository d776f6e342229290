// Small process and mount helpers of the sandbox (Linux /proc based).
#include "local/sandbox_util.h"

#include <QProcess>

#include <QDir>
#include <QFile>
#include <QPointer>

#include <signal.h>

namespace capsule::local {

QList<qint64> childPids(qint64 pid)
{
    QList<qint64> children;
    const QString taskDir = QStringLiteral("/proc/%1/task").arg(pid);
    const QStringList tasks = QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &task : tasks) {
        QFile f(taskDir + QLatin1Char('/') + task + QStringLiteral("/children"));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &item : f.readAll().split(' ')) {
            bool ok = false;
            const qint64 child = item.trimmed().toLongLong(&ok);
            if (ok && !children.contains(child))
                children << child;
        }
    }
    return children;
}

void killTree(qint64 pid, int sig)
{
    if (pid <= 0)
        return;
    QList<qint64> tree{pid};
    for (int i = 0; i < tree.size() && tree.size() < 100000; ++i)
        for (qint64 child : childPids(tree.at(i)))
            if (!tree.contains(child))
                tree << child;
    for (qint64 p : std::as_const(tree))
        ::kill(pid_t(p), sig);
}

QString unescapeMountPath(const QByteArray &field)
{
    QByteArray out;
    out.reserve(field.size());
    for (int i = 0; i < field.size(); ++i) {
        if (field.at(i) == '\\' && i + 3 < field.size()) {
            bool ok = false;
            const int value = field.mid(i + 1, 3).toInt(&ok, 8);
            if (ok) {
                out += char(value);
                i += 3;
                continue;
            }
        }
        out += field.at(i);
    }
    return QFile::decodeName(out);
}

namespace {
// Killed processes Qt has not reaped yet; each deletes itself when it finishes. GUI thread only.
QList<QPointer<QProcess>> s_discarded;
} // namespace

void discardProcess(QProcess *process)
{
    if (!process)
        return;
    process->disconnect();
    process->setParent(nullptr);
    if (process->state() == QProcess::NotRunning) {
        process->deleteLater();
        return;
    }
    s_discarded.append(process);
    QObject::connect(process, &QProcess::finished, process, [process] {
        s_discarded.removeAll(process);
        process->deleteLater();
    });
    process->kill();
}

void reapDiscardedProcesses()
{
    for (const QPointer<QProcess> &process : std::exchange(s_discarded, {})) {
        if (process) {
            process->disconnect();
            process->waitForFinished(3000);
            delete process.data();
        }
    }
}

} // namespace capsule::local
