// Shared by the Files tests (tst_files*.cpp): a real capsule-local with one running runner (or
// two), and small helpers to read and write its files.
#pragma once

#include "core/blocking.h"
#include "core/client.h"
#include "core/runnerconfig.h"
#include "core/runnersession.h"
#include "support/localserver.h"

#include <QFile>
#include <QFileInfo>
#include <QWidget>
#include <QtTest>
#include <memory>
#include <optional>
#include <vector>

namespace capsule::test {

class FilesFixture
{
public:
    LocalServer server;
    std::unique_ptr<Client> client;
    std::vector<std::unique_ptr<RunnerSession>> sessions;

    // Starts the server, builds a trivial workload and starts `runners` runners of it.
    bool start(int runners, QString *error)
    {
        if (!server.start({}, error))
            return false;
        Settings s = server.clientSettings();
        s.operationTimeout = 60;
        client = std::make_unique<Client>(s);
        auto *onboard = client->workloads()->onboard(
            RunnerConfig(QStringLiteral("files-test")).withCommands(QStringList{"true"}));
        if (!waitFor(onboard, 120000) || onboard->hasError()) {
            *error = onboard->error().toString();
            return false;
        }
        const QString configId = onboard->result().configId;
        QElapsedTimer clock;
        clock.start();
        for (bool built = false; !built; QTest::qWait(200)) {
            auto *get = client->configs()->get(configId);
            built = waitFor(get, 30000) && !get->hasError() && get->result().buildFinished();
            if (clock.elapsed() > 120000) {
                *error = QStringLiteral("the build did not finish");
                return false;
            }
        }
        for (int i = 0; i < runners; ++i) {
            auto *a = client->runners()->allocateReady(QStringLiteral("files-test"));
            if (!waitFor(a, 120000) || a->hasError()) {
                *error = a->error().toString();
                return false;
            }
            const AllocateReply r = a->result();
            sessions.push_back(std::make_unique<RunnerSession>(
                client->hostResolver(), r.runnerId, r.sessionId, r.requestId, r.hostAddress));
        }
        return true;
    }

    RunnerSession *session(int i = 0) const { return sessions.at(size_t(i)).get(); }

    // Runs `script` with sh -c in the runner; its stdout, or nullopt when it failed.
    std::optional<QString> sh(const QString &script, int runner = 0) const
    {
        auto *job = session(runner)->execCollect({"sh", "-c", script});
        if (!waitFor(job, 60000) || job->hasError() || job->result().code != 0)
            return std::nullopt;
        return job->result().stdoutText;
    }

    QByteArray read(const QString &path, int runner = 0) const
    {
        auto *job = session(runner)->download(path);
        if (!waitFor(job, 60000) || job->hasError())
            return QByteArray("<missing>");
        return job->result();
    }

    bool write(const QString &path, const QByteArray &data, int runner = 0) const
    {
        auto *job = session(runner)->upload(path, data);
        return waitFor(job, 60000) && !job->hasError();
    }
};

// With CAPSULE_SCREENSHOTS_DIR set, saves `widget` (shown at `size`) there as `name`.png: the
// screenshots of docs/app.md are made this way (QT_QPA_PLATFORM=offscreen or under Xvfb).
inline void screenshot(QWidget *widget, const QString &name, QSize size = QSize(1000, 620))
{
    const QString dir = qEnvironmentVariable("CAPSULE_SCREENSHOTS_DIR");
    if (dir.isEmpty() || !widget)
        return;
    widget->resize(size);
    widget->show();
    QTest::qWait(300);
    widget->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

inline bool writeLocal(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

inline QByteArray readLocal(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

} // namespace capsule::test
