// Test helper for the `capsule` command: runs the real binary against a real capsule-local.
#pragma once

#include <QByteArray>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTimer>

namespace capsule::test {

struct CliResult
{
    int code = -1;
    QByteArray out;
    QByteArray err;
    bool finished = false;
};

// Runs $CAPSULE_CLI_BIN with `args`; CAPSULE_BASE_URL/CAPSULE_TOKEN come from baseUrl/token
// (empty = unset), stdin gets `input` and is then closed.
inline CliResult runCli(const QStringList &args, const QString &baseUrl = {},
                        const QString &token = {}, const QByteArray &input = {},
                        int timeoutMs = 120000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CAPSULE_BASE_URL"));
    env.remove(QStringLiteral("CAPSULE_TOKEN"));
    if (!baseUrl.isEmpty())
        env.insert(QStringLiteral("CAPSULE_BASE_URL"), baseUrl);
    if (!token.isEmpty())
        env.insert(QStringLiteral("CAPSULE_TOKEN"), token);
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("CAPSULE_CLI_BIN"), args);
    CliResult r;
    if (!p.waitForStarted(10000))
        return r;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    r.finished = p.waitForFinished(timeoutMs);
    if (!r.finished) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return r;
}

// Peak resident memory of a process in KiB (VmHWM of /proc/<pid>/status); 0 when unknown.
inline qint64 peakRssKb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

// Like runCli, but this thread's event loop keeps running while the command runs, so a
// FaultServer living in the test process can answer it. *peakKb gets the command's peak RSS,
// sampled every 10 ms.
inline CliResult runCliServed(const QStringList &args, const QString &baseUrl,
                              qint64 *peakKb = nullptr, int timeoutMs = 120000)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CAPSULE_TOKEN"));
    env.insert(QStringLiteral("CAPSULE_BASE_URL"), baseUrl);
    p.setProcessEnvironment(env);
    CliResult r;
    QEventLoop loop;
    QTimer sampler;
    qint64 peak = 0;
    QObject::connect(&sampler, &QTimer::timeout, &loop, [&] {
        if (p.processId() > 0)
            peak = std::max(peak, peakRssKb(p.processId()));
    });
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&p, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    p.start(qEnvironmentVariable("CAPSULE_CLI_BIN"), args);
    p.closeWriteChannel();
    sampler.start(10);
    loop.exec();
    sampler.stop();
    r.finished = p.state() == QProcess::NotRunning && p.exitStatus() == QProcess::NormalExit;
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.code = r.finished ? p.exitCode() : -1;
    if (peakKb)
        *peakKb = peak;
    return r;
}

} // namespace capsule::test
