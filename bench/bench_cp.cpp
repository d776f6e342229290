// Control-plane benchmark of capsule-local: allocate-to-ready and exec round trip against the same
// command in bare bubblewrap, and 50 concurrent runners each running an exec loop.
#include "support/localserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTimer>
#include <algorithm>
#include <cstdio>

using capsule::test::HttpReply;
using capsule::test::LocalServer;

namespace {

double percentile(QList<double> v, double p)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    const int i = std::clamp(int(p * (v.size() - 1) + 0.5), 0, int(v.size()) - 1);
    return v.at(i);
}

double bareBwrapMs()
{
    QElapsedTimer t;
    t.start();
    QProcess p;
    p.start(QStringLiteral("bwrap"),
            {QStringLiteral("--ro-bind"), QStringLiteral("/"), QStringLiteral("/"),
             QStringLiteral("--dev"), QStringLiteral("/dev"), QStringLiteral("--proc"),
             QStringLiteral("/proc"), QStringLiteral("--tmpfs"), QStringLiteral("/tmp"),
             QStringLiteral("--unshare-all"), QStringLiteral("--die-with-parent"),
             QStringLiteral("true")});
    p.waitForFinished(10000);
    return t.nsecsElapsed() / 1e6;
}

void report(const char *what, const QList<double> &v, double baseline)
{
    const double p50 = percentile(v, 0.5), p95 = percentile(v, 0.95);
    std::printf("%-28s n=%-3lld p50=%7.2f ms  p95=%7.2f ms  ratio(p50 vs bare bwrap p50)=%.2fx\n",
                what, qlonglong(v.size()), p50, p95, baseline > 0 ? p50 / baseline : 0.0);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int rounds = qEnvironmentVariableIntValue("BENCH_ROUNDS") > 0
                           ? qEnvironmentVariableIntValue("BENCH_ROUNDS")
                           : 20;

    QList<double> bare;
    for (int i = 0; i < rounds; ++i)
        bare << bareBwrapMs();
    const double base = percentile(bare, 0.5);
    report("bare bwrap `true`", bare, base);

    LocalServer server;
    QString error;
    if (!server.start({}, &error)) {
        std::fprintf(stderr, "bench_cp: %s\n", qPrintable(error));
        return 1;
    }
    const QString key =
        server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("bench-cp")), &error);
    if (key.isEmpty()) {
        std::fprintf(stderr, "bench_cp: %s\n", qPrintable(error));
        return 1;
    }
    const QByteArray allocBody = QJsonDocument(QJsonObject{{QStringLiteral("workload_key"), key}})
                                     .toJson(QJsonDocument::Compact);

    // Allocate -> ready (allocate, then status until ready), then release.
    QList<double> ready;
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer t;
        t.start();
        const HttpReply a =
            server.request("POST", QStringLiteral("/api/v1/runners/allocate"), allocBody);
        const QString id = a.json().value(QStringLiteral("runner_id")).toString();
        while (a.status == 200) {
            const HttpReply s =
                server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id);
            if (s.json().value(QStringLiteral("status")).toString() == QLatin1String("ready") ||
                s.status >= 400)
                break;
        }
        ready << t.nsecsElapsed() / 1e6;
        server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}});
    }
    report("allocate -> ready", ready, base);

    // Exec round trip of `true` on one runner.
    const HttpReply a =
        server.request("POST", QStringLiteral("/api/v1/runners/allocate"), allocBody);
    const QString id = a.json().value(QStringLiteral("runner_id")).toString();
    const QString host = a.json().value(QStringLiteral("host_address")).toString();
    const QByteArray execBody = R"({"command":["true"]})";
    const QString execUrl = QStringLiteral("http://%1/api/v1/runners/%2/exec").arg(host, id);
    QList<double> exec;
    int execErrors = 0;
    for (int i = 0; i < rounds * 2; ++i) {
        QElapsedTimer t;
        t.start();
        const HttpReply r = server.request("POST", execUrl, execBody);
        exec << t.nsecsElapsed() / 1e6;
        if (r.status != 200 || !r.body.contains("\"exit\""))
            ++execErrors;
    }
    report("exec `true` round trip", exec, base);
    std::printf("exec errors: %d of %lld\n", execErrors, qlonglong(exec.size()));
    server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}});

    // 50 runners alive at once, each running an exec loop concurrently.
    const int runners = 50, loops = 5;
    QStringList ids, hosts;
    int allocErrors = 0;
    QElapsedTimer wall;
    wall.start();
    for (int i = 0; i < runners; ++i) {
        const HttpReply r =
            server.request("POST", QStringLiteral("/api/v1/runners/allocate"), allocBody);
        if (r.status != 200) {
            ++allocErrors;
            continue;
        }
        ids << r.json().value(QStringLiteral("runner_id")).toString();
        hosts << r.json().value(QStringLiteral("host_address")).toString();
    }
    const double allocWall = wall.nsecsElapsed() / 1e6;
    const HttpReply listed = server.get(QStringLiteral("/api/v1/runners"));
    int alive = 0;
    for (const QJsonValue &v : listed.json().value(QStringLiteral("runners")).toArray())
        alive += v.toObject().value(QStringLiteral("status")).toString() == QLatin1String("busy");

    QNetworkAccessManager nam;
    int pending = 0, ok = 0, failed = 0;
    QEventLoop loop;
    std::function<void(int, int)> runOne = [&](int idx, int left) {
        if (left == 0) {
            if (--pending == 0)
                loop.quit();
            return;
        }
        QNetworkRequest req(QUrl(
            QStringLiteral("http://%1/api/v1/runners/%2/exec").arg(hosts.at(idx), ids.at(idx))));
        req.setRawHeader("Authorization", "Bearer " + server.token().toUtf8());
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        QNetworkReply *reply = nam.post(req, QByteArray(R"({"command":["sh","-c","echo loop"]})"));
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, idx, left] {
            const QByteArray data = reply->readAll();
            if (reply->error() == QNetworkReply::NoError && data.contains("\"code\":0"))
                ++ok;
            else
                ++failed;
            reply->deleteLater();
            runOne(idx, left - 1);
        });
    };
    wall.restart();
    pending = ids.size();
    for (int i = 0; i < ids.size(); ++i)
        runOne(i, loops);
    QTimer::singleShot(300000, &loop, &QEventLoop::quit);
    if (pending > 0)
        loop.exec();
    const double loopWall = wall.nsecsElapsed() / 1e6;
    std::printf("50 runners: allocated=%lld alive(busy)=%d allocate errors=%d (%.0f ms total)\n",
                qlonglong(ids.size()), alive, allocErrors, allocWall);
    std::printf("50 runners x %d execs: ok=%d errors=%d in %.0f ms (%.2f ms per exec, %.2fx bare "
                "bwrap p50)\n",
                loops, ok, failed, loopWall, loopWall / std::max(1, ok + failed),
                (loopWall / std::max(1, ok + failed)) / base);
    for (const QString &r : ids)
        server.post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), r}});
    return (allocErrors || failed || execErrors) ? 1 : 0;
}
