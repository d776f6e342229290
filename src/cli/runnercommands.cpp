// Runner-side commands of `capsule`: exec (streamed), cp (with a progress bar) and shell (PTY).
#include "cli/cli.h"

#include "cli/rawterminal.h"
#include "core/blocking.h"
#include "core/client.h"
#include "core/runnersession.h"
#include "core/transfer.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSocketNotifier>

#include <cstdio>
#include <unistd.h>

namespace capsule::cli {

namespace {

void writeAll(int fd, const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        done += n;
    }
}

int remoteExit(int code)
{
    // -1 (killed, timed out, never started) has no exit status of its own.
    return code < 0 || code > 255 ? 255 : code;
}

int execCommand(Context &ctx, const ParsedArgs &args)
{
    if (args.command.isEmpty())
        return ctx.fail(ExitUsage, QStringLiteral("no command given (usage: capsule exec RUNNER "
                                                  "[options] -- CMD...)"));
    ExecRequest request;
    request.argv = args.command;
    for (const QString &e : args.all(QStringLiteral("env"))) {
        const int eq = e.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return ctx.fail(ExitUsage, QStringLiteral("--env needs KEY=VALUE, not \"%1\"").arg(e));
        request.env.insert(e.left(eq), e.mid(eq + 1));
    }
    request.workingDir = args.value(QStringLiteral("cwd"));
    if (args.has(QStringLiteral("timeout"))) {
        bool ok = false;
        request.timeoutSeconds = args.value(QStringLiteral("timeout")).toInt(&ok);
        if (!ok || request.timeoutSeconds < 0)
            return ctx.fail(ExitUsage, QStringLiteral("--timeout must be a whole number of "
                                                      "seconds"));
    }
    RunnerSession session(ctx.client()->hostResolver(), args.positional.first());
    ExecJob *job = session.exec(request);
    // Forward output as each line arrives, not at the end.
    QObject::connect(job, &ExecJob::stdoutData, job,
                     [](const QString &line) { writeAll(STDOUT_FILENO, line.toUtf8()); });
    QObject::connect(job, &ExecJob::stderrData, job,
                     [](const QString &line) { writeAll(STDERR_FILENO, line.toUtf8()); });
    QObject::connect(job, &ExecJob::errorMessage, job, [](const QString &message) {
        writeAll(STDERR_FILENO, QStringLiteral("capsule: %1\n").arg(message).toUtf8());
    });
    InterruptWatcher interrupts;
    QObject::connect(&interrupts, &InterruptWatcher::interrupted, job, &Job::cancel);
    waitFor(job);
    if (job->hasError())
        return job->error().kind == ErrorKind::Cancelled
                   ? ctx.fail(ExitInterrupted, QStringLiteral("interrupted"))
                   : ctx.fail(job->error());
    return remoteExit(job->result());
}

// RUNNER:/path -> (runner, path).
bool splitRemote(const QString &arg, QString *runner, QString *path)
{
    // \z, not $: "$" also matches before a final newline; the path may hold any character.
    static const QRegularExpression re(QStringLiteral("^([A-Za-z0-9][A-Za-z0-9_.-]*):(/.*)\\z"),
                                       QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch m = re.match(arg);
    if (!m.hasMatch())
        return false;
    *runner = m.captured(1);
    *path = m.captured(2);
    return true;
}

QString humanBytes(double bytes)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    return u == 0 ? QStringLiteral("%1 B").arg(qint64(bytes))
                  : QStringLiteral("%1 %2").arg(bytes, 0, 'f', 1).arg(QLatin1String(units[u]));
}

QString humanDuration(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("--:--");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
            .arg(s / 3600)
            .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
            .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2")
        .arg(s / 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

// One line: [#####-----]  42%  12.0 MiB / 28.5 MiB  3.1 MiB/s  ETA 00:05  (3/10 files)
QString progressLine(const TransferProgress &p)
{
    const int width = 24;
    const double fraction =
        p.bytesTotal > 0 ? std::min(1.0, double(p.bytesDone) / double(p.bytesTotal)) : 0.0;
    const int filled = int(fraction * width);
    QString line = QStringLiteral("[") + QString(filled, QLatin1Char('#')) +
                   QString(width - filled, QLatin1Char('-')) + QStringLiteral("] ");
    line += p.bytesTotal > 0 ? QStringLiteral("%1%").arg(int(fraction * 100), 3)
                             : QStringLiteral("  ?%");
    line += QStringLiteral("  %1 / %2  %3/s  ETA %4")
                .arg(humanBytes(double(p.bytesDone)),
                     p.bytesTotal >= 0 ? humanBytes(double(p.bytesTotal)) : QStringLiteral("?"),
                     humanBytes(p.bytesPerSecond), humanDuration(p.etaSeconds));
    if (p.filesTotal > 1)
        line += QStringLiteral("  (%1/%2 files)").arg(p.filesDone).arg(p.filesTotal);
    if (p.stage != capsule::TransferStage::Transferring)
        line += QStringLiteral("  %1").arg(capsule::transferStageName(p.stage));
    return line;
}

int cpCommand(Context &ctx, const ParsedArgs &args)
{
    const QString src = args.positional.at(0), dst = args.positional.at(1);
    QString srcRunner, srcPath, dstRunner, dstPath;
    const bool srcRemote = splitRemote(src, &srcRunner, &srcPath);
    const bool dstRemote = splitRemote(dst, &dstRunner, &dstPath);
    if (srcRemote == dstRemote)
        return ctx.fail(ExitUsage, srcRemote
                                       ? QStringLiteral("copying between two runners is not "
                                                        "supported; copy through a local folder")
                                       : QStringLiteral("one side must be RUNNER:/absolute/path"));
    const QString runner = srcRemote ? srcRunner : dstRunner;
    RunnerSession session(ctx.client()->hostResolver(), runner);
    TransferOptions options;
    options.verifyContent = !args.has(QStringLiteral("no-verify"));
    options.ownedByRunner = !args.has(QStringLiteral("no-chown"));
    TransferJob *job = nullptr;
    if (dstRemote) {
        const QFileInfo local(src);
        if (!local.exists())
            return ctx.fail(ExitLocalIo, QStringLiteral("no such file or folder: %1").arg(src));
        QString remote = dstPath;
        const QString base = QFileInfo(QDir::cleanPath(local.absoluteFilePath())).fileName();
        if (remote.endsWith(QLatin1Char('/'))) {
            remote += base;
        } else {
            // Like cp: copying into an existing folder puts the source inside it.
            auto *stat = session.stat(remote);
            waitFor(stat);
            if (stat->hasError())
                return ctx.fail(stat->error());
            if (stat->result().exists && stat->result().isDir)
                remote += QLatin1Char('/') + base;
        }
        job = TransferJob::upload(&session, src, remote, options, &session);
    } else {
        QString local = dst;
        const QString base = QFileInfo(QDir::cleanPath(srcPath)).fileName();
        if (local.endsWith(QLatin1Char('/')) || QFileInfo(local).isDir())
            local = QDir(local).filePath(base);
        job = TransferJob::download(&session, srcPath, local, options, &session);
    }
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    QString lastLine;
    if (tty) {
        QObject::connect(
            job, &TransferJob::progressChanged, job, [&lastLine](const TransferProgress &p) {
                const QString line = progressLine(p);
                // Pad over a longer previous line instead of clearing the terminal.
                const QString padded = line.leftJustified(std::max(line.size(), lastLine.size()));
                writeAll(STDERR_FILENO, ("\r" + padded).toUtf8());
                lastLine = line;
            });
    }
    // Ctrl-C cancels: the transfer removes its partial files before we exit.
    InterruptWatcher interrupts;
    QObject::connect(&interrupts, &InterruptWatcher::interrupted, job, &Job::cancel);
    waitFor(job);
    if (tty && !lastLine.isEmpty())
        writeAll(STDERR_FILENO, "\n");
    if (job->hasError())
        return job->error().kind == ErrorKind::Cancelled
                   ? ctx.fail(ExitInterrupted, QStringLiteral("interrupted"))
                   : ctx.fail(job->error());
    const TransferResult &r = job->result();
    if (ctx.json()) {
        ctx.printJson(QJsonObject{{QStringLiteral("local_path"), r.localPath},
                                  {QStringLiteral("remote_path"), r.remotePath},
                                  {QStringLiteral("bytes"), r.bytes},
                                  {QStringLiteral("bytes_transferred"), r.bytesTransferred},
                                  {QStringLiteral("files"), r.files},
                                  {QStringLiteral("duration_ms"), r.durationMs},
                                  {QStringLiteral("content_verified"), r.contentVerified},
                                  {QStringLiteral("resumed"), r.resumed}});
    } else if (tty) {
        const double seconds = std::max<qint64>(r.durationMs, 1) / 1000.0;
        writeAll(STDERR_FILENO,
                 QStringLiteral("copied %1 file(s), %2 in %3 s (%4/s)%5\n")
                     .arg(r.files)
                     .arg(humanBytes(double(r.bytes)))
                     .arg(seconds, 0, 'f', 1)
                     .arg(humanBytes(double(r.bytesTransferred) / seconds),
                          r.contentVerified ? QStringLiteral(", sha256 verified") : QString())
                     .toUtf8());
    }
    if (!r.ownershipProblem.isEmpty())
        writeAll(STDERR_FILENO,
                 QStringLiteral("warning: the uploaded paths stay owned by root: %1\n")
                     .arg(r.ownershipProblem)
                     .toUtf8());
    return ExitOk;
}

int shellCommand(Context &ctx, const ParsedArgs &args)
{
    RunnerSession session(ctx.client()->hostResolver(), args.positional.first());
    const QSize size = RawTerminal::windowSize();
    PtyOptions options;
    options.cols = size.width();
    options.rows = size.height();
    options.command = args.value(QStringLiteral("command"));
    PtyChannel *pty = session.shell(options);

    std::optional<int> exitCode;
    std::optional<Error> error;
    std::unique_ptr<RawTerminal> raw;
    QEventLoop loop;
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    input.setEnabled(false);
    WindowSizeWatcher watcher;

    QObject::connect(pty, &PtyChannel::connected, &loop, [&] {
        raw = std::make_unique<RawTerminal>();
        input.setEnabled(true);
    });
    QObject::connect(pty, &PtyChannel::stdout, &loop,
                     [](const QByteArray &data) { writeAll(STDOUT_FILENO, data); });
    QObject::connect(pty, &PtyChannel::exited, &loop, [&](int code) {
        exitCode = code;
        loop.quit();
    });
    QObject::connect(pty, &PtyChannel::errorOccurred, &loop, [&](const Error &e) { error = e; });
    QObject::connect(pty, &PtyChannel::disconnected, &loop, &QEventLoop::quit);
    QObject::connect(&watcher, &WindowSizeWatcher::resized, pty,
                     [pty](QSize s) { pty->resize(s.width(), s.height()); });
    QObject::connect(&input, &QSocketNotifier::activated, pty, [&] {
        char buf[4096];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n > 0) {
            pty->sendInput(QByteArray(buf, int(n)));
        } else if (n == 0 || errno != EINTR) {
            // End of piped input: ^D ends the remote shell once it has read everything.
            input.setEnabled(false);
            pty->sendInput(QByteArray("\x04"));
        }
    });
    pty->open();
    loop.exec();
    raw.reset();
    if (exitCode)
        return remoteExit(*exitCode);
    pty->close();
    if (error)
        return ctx.fail(*error);
    return ctx.fail(ExitConnection, QStringLiteral("the connection to the runner closed before "
                                                   "the shell exited"));
}

} // namespace

QList<Command> runnerCommands()
{
    QList<Command> c;
    c.append({QStringLiteral("exec"),
              QStringLiteral("RUNNER [options] [--] CMD [ARG...]"),
              QStringLiteral("Run a command on a runner, streaming its output."),
              QStringLiteral("No shell is involved: use `-- sh -c '...'` for one. Exits with the "
                             "command's exit code\n(255 when it was killed, timed out or did not "
                             "start)."),
              {{QStringLiteral("env"), QStringLiteral("KEY=VALUE"),
                QStringLiteral("set an environment variable"), true},
               {QStringLiteral("cwd"), QStringLiteral("DIR"),
                QStringLiteral("working directory (default /workspace)")},
               {QStringLiteral("timeout"), QStringLiteral("S"),
                QStringLiteral("kill the command after S seconds")}},
              1,
              execCommand,
              1,
              1});
    c.append({QStringLiteral("cp"),
              QStringLiteral("SRC DST"),
              QStringLiteral("Copy files or folders to or from a runner."),
              QStringLiteral("One side is RUNNER:/absolute/path. Folders are copied recursively; "
                             "copying into an\nexisting folder (or a path ending in /) puts the "
                             "source inside it. A progress bar\nis shown on a terminal. Sizes are "
                             "always checked; contents too (sha256) unless\n--no-verify is given."),
              {{QStringLiteral("no-verify"),
                {},
                QStringLiteral("skip the sha256 comparison (sizes are still checked)")},
               {QStringLiteral("no-chown"),
                {},
                QStringLiteral("leave uploaded paths owned by root (by default the runner's "
                               "user creates them)")}},
              -1,
              cpCommand,
              2,
              2});
    c.append({QStringLiteral("shell"),
              QStringLiteral("RUNNER [--command PATH]"),
              QStringLiteral("Open an interactive terminal on a runner."),
              QStringLiteral("Exits with the remote shell's exit code. Input from a pipe is sent "
                             "as typed, followed by ^D."),
              {{QStringLiteral("command"), QStringLiteral("PATH"),
                QStringLiteral("program to run instead of /bin/bash (no arguments)")}},
              -1,
              shellCommand,
              1,
              1});
    return c;
}

} // namespace capsule::cli
