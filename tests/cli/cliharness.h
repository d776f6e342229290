// Test helper for the `capsule` command: runs the real binary against a real capsule-local.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

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

} // namespace capsule::test
