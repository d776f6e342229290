// Service logs and reverse proxy to the runner's start command (contract 3.5).
#include "local/host_http.h"
#include "local/runneraccess.h"
#include "local/sandbox.h"

#include <QFile>
#include <QTimer>

namespace capsule::local {

namespace {

// ?follow=true: streams the log as it grows (chunked) until the client leaves or the runner goes.
class LogFollower : public QObject
{
public:
    LogFollower(const HostRequest &req, const QString &path, QObject *parent)
        : QObject(parent)
        , m_req(req)
        , m_file(path)
    {
        m_file.open(QIODevice::ReadOnly);
        beginStream(
            req, 200,
            {{"Content-Type", "text/plain; charset=utf-8"}, {"Transfer-Encoding", "chunked"}});
        connect(&m_timer, &QTimer::timeout, this, &LogFollower::poll);
        connect(req.socket, &QAbstractSocket::disconnected, this, [this] { deleteLater(); });
        m_timer.start(200);
        poll();
    }
    ~LogFollower() override { endChunks(m_req); }

private:
    void poll()
    {
        if (!m_req.socket) {
            deleteLater();
            return;
        }
        const QByteArray data = m_file.read(1024 * 1024);
        writeChunk(m_req, data);
    }

    HostRequest m_req;
    QFile m_file;
    QTimer m_timer;
};

} // namespace

QObject *serveServiceLogs(const HostRequest &req, const HostRunner &runner, QObject *parent)
{
    if (!runner.startCommand.isEmpty())
        runner.sandbox->startService(runner.startCommand, runner.env, nullptr);
    const QString path = runner.sandbox->serviceLogPath();
    if (path.isEmpty() || !QFile::exists(path)) {
        sendText(req, 404, QStringLiteral("no service logs for runner %1").arg(runner.id));
        return nullptr;
    }
    if (req.query.queryItemValue(QStringLiteral("follow")) == QLatin1String("true"))
        return new LogFollower(req, path, parent);
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    sendRaw(req, 200, "text/plain; charset=utf-8", f.readAll());
    return nullptr;
}

QObject *startProxy(const HostRequest &req, const HostRunner &runner, const QString &path,
                    QObject *parent)
{
    Q_UNUSED(runner);
    Q_UNUSED(path);
    Q_UNUSED(parent);
    sendText(req, 502, QStringLiteral("bad gateway: proxy not available"));
    return nullptr;
}

} // namespace capsule::local
