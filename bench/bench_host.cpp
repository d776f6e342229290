// Benchmark: host agent file listing of a 10 000-entry directory (target < 100 ms) through a real
// capsule-local, against the baseline of listing the same directory with ls inside the runner.
#include "support/localserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace capsule::test;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    LocalServer server;
    QString error;
    if (!server.start({}, &error)) {
        std::fprintf(stderr, "cannot start capsule-local: %s\n", qPrintable(error));
        return 1;
    }
    const QString key =
        server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("bench-host")), &error);
    if (key.isEmpty()) {
        std::fprintf(stderr, "build failed: %s\n", qPrintable(error));
        return 1;
    }
    const HttpReply a = server.post(QStringLiteral("/api/v1/runners/allocate"),
                                    QJsonObject{{QStringLiteral("workload_key"), key}});
    const QString host = a.json().value(QStringLiteral("host_address")).toString();
    const QString id = a.json().value(QStringLiteral("runner_id")).toString();
    const QString base = QStringLiteral("http://%1/api/v1/runners/%2/").arg(host, id);
    auto exec = [&](const QString &script) {
        const QJsonObject body{{QStringLiteral("command"),
                                QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"), script}}};
        return server.request("POST", base + QStringLiteral("exec"),
                              QJsonDocument(body).toJson(QJsonDocument::Compact), true, {}, 120000);
    };
    for (int i = 0; i < 100; ++i) { // the runner may still be booting
        if (exec(QStringLiteral(
                     "mkdir -p /workspace/big && cd /workspace/big && seq 1 10000 | xargs touch"))
                .body.contains("\"code\":0"))
            break;
        QThread::msleep(100);
    }
    const QByteArray listBody = R"({"path":"/workspace/big"})";
    QList<qint64> list, ls;
    int entries = 0;
    for (int i = 0; i < 7; ++i) {
        QElapsedTimer t;
        t.start();
        const HttpReply r = server.request("POST", base + QStringLiteral("files/list"), listBody);
        list << t.nsecsElapsed() / 1000;
        entries = r.json().value(QStringLiteral("entries")).toArray().size();
        t.restart();
        exec(QStringLiteral("ls -la /workspace/big > /dev/null"));
        ls << t.nsecsElapsed() / 1000;
    }
    std::sort(list.begin(), list.end());
    std::sort(ls.begin(), ls.end());
    const double listMs = list.at(list.size() / 2) / 1000.0;
    const double lsMs = ls.at(ls.size() / 2) / 1000.0;
    std::printf("list of %d entries: median %.1f ms (target < 100 ms) %s\n", entries, listMs,
                listMs < 100 ? "OK" : "SLOW");
    std::printf("baseline exec 'ls -la' of the same dir: median %.1f ms; ratio list/ls = %.2f\n",
                lsMs, listMs / lsMs);
    return entries == 10000 ? 0 : 1;
}
