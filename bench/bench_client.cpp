// Client benchmarks against a real capsule-local: exec round trip, PTY echo latency, 1 GiB
// upload/download through transfers vs curl on the same routes, and a 2000-file folder upload.
#include "core/blocking.h"
#include "core/client.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "support/localserver.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>
#include <algorithm>
#include <cstdio>

using namespace capsule;

namespace {

QTextStream out(stdout);

[[noreturn]] void die(const QString &what)
{
    QTextStream(stderr) << "bench_client: " << what << Qt::endl;
    std::exit(1);
}

QByteArray runCli(const QString &cli, const test::LocalServer &server, const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("CAPSULE_BASE_URL", server.baseUrl());
    env.insert("CAPSULE_TOKEN", server.token());
    p.setProcessEnvironment(env);
    p.start(cli, args);
    if (!p.waitForFinished(600000) || p.exitCode() != 0)
        die(QStringLiteral("capsule %1 failed: %2 %3")
                .arg(args.join(' '), QString::fromUtf8(p.readAllStandardOutput()),
                     QString::fromUtf8(p.readAllStandardError())));
    return p.readAllStandardOutput();
}

QString percentiles(QList<double> ms)
{
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
        return ms.at(qMin(ms.size() - 1, int(q * ms.size())));
    };
    return QStringLiteral("p50=%1ms p95=%2ms n=%3")
        .arg(at(0.5), 0, 'f', 2)
        .arg(at(0.95), 0, 'f', 2)
        .arg(ms.size());
}

double processSeconds(const QString &program, const QStringList &args)
{
    QProcess p;
    QElapsedTimer t;
    t.start();
    p.start(program, args);
    if (!p.waitForFinished(1800000) || p.exitCode() != 0)
        die(program + " failed: " + QString::fromUtf8(p.readAllStandardError()));
    return t.elapsed() / 1000.0;
}

double curlSeconds(const QStringList &args)
{
    return processSeconds("curl", args);
}

template<class J>
void wait(J *job, const QString &what)
{
    if (!waitFor(job, 1800000) || job->hasError())
        die(what + ": " + job->error().toString());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QString build = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("build");
    const qint64 sizeMb = qEnvironmentVariableIntValue("BENCH_SIZE_MB") > 0
                              ? qEnvironmentVariableIntValue("BENCH_SIZE_MB")
                              : 1024;
    const int smallFiles = qEnvironmentVariableIntValue("BENCH_SMALL_FILES") > 0
                               ? qEnvironmentVariableIntValue("BENCH_SMALL_FILES")
                               : 2000;
    const int rounds = qEnvironmentVariableIntValue("BENCH_ROUNDS") > 0
                           ? qEnvironmentVariableIntValue("BENCH_ROUNDS")
                           : 3;
    if (qEnvironmentVariableIsEmpty("CAPSULE_LOCAL_BIN"))
        qputenv("CAPSULE_LOCAL_BIN", (build + "/src/local/capsule-local").toLocal8Bit());
    const QString cli = build + "/src/cli/capsule";

    test::LocalServer server;
    QString error;
    if (!server.start({}, &error))
        die(error);
    QTemporaryDir dir;
    {
        QFile yaml(dir.filePath("onboard.yaml"));
        yaml.open(QIODevice::WriteOnly);
        yaml.write("workload:\n  display_name: bench-client\n  layers:\n    - name: main\n"
                   "      init_commands:\n        - {type: shell, args: [\"true\"]}\n");
    }
    runCli(cli, server, {"onboard", dir.filePath("onboard.yaml")});
    runCli(cli, server, {"build", "bench-client", "--wait"});
    const QJsonObject started =
        QJsonDocument::fromJson(runCli(cli, server, {"start", "bench-client", "--output", "json"}))
            .object();
    const QString runnerId = started.value("runner_id").toString();
    const QString host = started.value("host_address").toString();
    if (runnerId.isEmpty() || host.isEmpty())
        die("no runner");

    SettingsOverrides o;
    o.baseUrl = server.baseUrl();
    o.token = server.token();
    Client client(Settings::resolve(o));
    RunnerSession session(client.hostResolver(), runnerId, {}, {}, host);

    // Exec-collect round trip.
    {
        QList<double> ms;
        for (int i = 0; i < 40; ++i) {
            QElapsedTimer t;
            t.start();
            auto *job = session.execCollect({"true"});
            wait(job, "exec");
            ms << t.nsecsElapsed() / 1e6;
        }
        out << "exec_collect_roundtrip " << percentiles(ms) << Qt::endl;
    }

    // PTY echo latency: one byte in, the same byte back through the terminal's echo.
    {
        PtyChannel *pty = session.shell(PtyOptions{80, 24, QStringLiteral("/bin/cat")});
        QByteArray seen;
        QObject::connect(pty, &PtyChannel::stdout, [&](const QByteArray &d) { seen += d; });
        QEventLoop loop;
        QObject::connect(pty, &PtyChannel::connected, &loop, &QEventLoop::quit);
        QObject::connect(pty, &PtyChannel::disconnected, &loop, &QEventLoop::quit);
        pty->open();
        loop.exec();
        if (!pty->isConnected())
            die("PTY did not connect");
        QList<double> ms;
        for (int i = 0; i < 40; ++i) {
            const char c = char('a' + i % 26);
            seen.clear();
            QElapsedTimer t;
            t.start();
            pty->sendInput(QByteArray(1, c));
            while (!seen.contains(c) && t.elapsed() < 5000)
                QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
            ms << t.nsecsElapsed() / 1e6;
            if (qEnvironmentVariableIsSet("BENCH_DEBUG"))
                out << "pty " << i << ' ' << seen.toHex() << ' ' << ms.last() << Qt::endl;
        }
        out << "pty_echo_latency " << percentiles(ms) << Qt::endl;
        pty->close();
    }

    // Big file: our transfer vs curl on the same routes. Each variant runs `rounds` times,
    // interleaved with the others so that they share the machine's ups and downs; the medians
    // are compared. curl gets `Expect:` so that it does not wait a second for a 100 Continue.
    {
        const QString big = dir.filePath("big.bin");
        QFile f(big);
        f.open(QIODevice::WriteOnly);
        QByteArray block(1 << 20, Qt::Uninitialized);
        QRandomGenerator gen(7);
        for (qint64 i = 0; i < sizeMb; ++i) {
            for (int j = 0; j < block.size(); j += 4)
                *reinterpret_cast<quint32 *>(block.data() + j) = gen.generate();
            f.write(block);
        }
        f.close();
        const double mib = double(sizeMb);
        const QString auth = "Authorization: Bearer " + server.token();
        const QString base = "http://" + host + "/api/v1/runners/" + runnerId + "/files/";

        enum Variant { Curl, Ours, OursVerified, Cp };
        QList<double> up[4], down[4]; // seconds per round
        for (int round = 0; round < rounds; ++round) {
            // The ceiling: a plain local cp of the same file (page cache to page cache, like the
            // transfers, none of which syncs). Both directions are the same copy.
            up[Cp] << processSeconds("cp", {big, dir.filePath("cp.out")});
            down[Cp] << up[Cp].last();
            QFile::remove(dir.filePath("cp.out"));
            up[Curl] << curlSeconds({"-sS", "-f", "-o", "/dev/null", "-X", "POST", "-H", auth, "-H",
                                     "Expect:", "-H", "Content-Type: application/octet-stream",
                                     "-T",
                                     big, // streamed: --data-binary would load it all
                                     base + "upload?path=/workspace/curl.bin&mode=overwrite"});
            down[Curl] << curlSeconds({"-sS", "-f", "-o", dir.filePath("curl.out"), "-H", auth,
                                       base + "download?path=/workspace/curl.bin"});
            QFile::remove(dir.filePath("curl.out"));
            for (Variant v : {Ours, OursVerified}) {
                TransferOptions opts;
                opts.verifyContent = v == OursVerified;
                QElapsedTimer t;
                t.start();
                auto *u = TransferJob::upload(&session, big, "/workspace/ours.bin", opts);
                wait(u, "upload");
                if (u->result().contentVerified != opts.verifyContent)
                    die("upload: content check did not run as asked");
                up[v] << t.elapsed() / 1000.0;
                t.restart();
                auto *d = TransferJob::download(&session, "/workspace/ours.bin",
                                                dir.filePath("ours.out"), opts);
                wait(d, "download");
                if (d->result().contentVerified != opts.verifyContent)
                    die("download: content check did not run as asked");
                down[v] << t.elapsed() / 1000.0;
                QFile::remove(dir.filePath("ours.out"));
            }
        }
        auto median = [](QList<double> v) {
            std::sort(v.begin(), v.end());
            return v.at(v.size() / 2);
        };
        for (const char *what : {"upload", "download"}) {
            const QList<double> *runs = QByteArray(what) == "upload" ? up : down;
            const double curl = median(runs[Curl]);
            const double cp = median(runs[Cp]);
            for (Variant v : {Ours, OursVerified}) {
                const double ours = median(runs[v]);
                out << QStringLiteral("%1%2 %3MiB ours=%4MiB/s curl=%5MiB/s ratio=%6 "
                                      "cp=%7MiB/s ratio_cp=%8 (medians of %9)")
                           .arg(QLatin1String(what), v == OursVerified ? "+sha256" : "")
                           .arg(sizeMb)
                           .arg(mib / ours, 0, 'f', 1)
                           .arg(mib / curl, 0, 'f', 1)
                           .arg(curl / ours, 0, 'f', 2)
                           .arg(mib / cp, 0, 'f', 1)
                           .arg(cp / ours, 0, 'f', 2)
                           .arg(rounds)
                    << Qt::endl;
            }
        }
        QFile::remove(big);
    }

    // A folder of small files: pipelined folder upload vs one file after another.
    {
        const QString tree = dir.filePath("tree");
        for (int i = 0; i < smallFiles; ++i) {
            const QString p = QStringLiteral("%1/d%2/f%3.txt").arg(tree).arg(i % 20).arg(i);
            QDir().mkpath(QFileInfo(p).absolutePath());
            QFile f(p);
            f.open(QIODevice::WriteOnly);
            f.write(QByteArray(200 + i % 300, char('a' + i % 26)));
        }
        QElapsedTimer t;
        t.start();
        auto *up = TransferJob::upload(&session, tree, "/workspace/tree", TransferOptions{});
        wait(up, "folder upload");
        const double ours = t.elapsed() / 1000.0;
        t.restart();
        for (int i = 0; i < smallFiles; ++i) {
            const QString rel = QStringLiteral("d%1/f%2.txt").arg(i % 20).arg(i);
            QFile f(tree + "/" + rel);
            f.open(QIODevice::ReadOnly);
            auto *job = session.upload("/workspace/seq/" + rel, f.readAll());
            wait(job, "sequential upload");
        }
        const double seq = t.elapsed() / 1000.0;
        out << QStringLiteral("folder_upload %1 files ours=%2 files/s sequential=%3 files/s "
                              "ratio=%4")
                   .arg(smallFiles)
                   .arg(smallFiles / ours, 0, 'f', 0)
                   .arg(smallFiles / seq, 0, 'f', 0)
                   .arg(seq / ours, 0, 'f', 2)
            << Qt::endl;
    }

    wait(session.release(), "release");
    return 0;
}
