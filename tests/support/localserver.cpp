// Test fixture implementation: launch capsule-local and parse its ready line.
#include "support/localserver.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRandomGenerator>

#include <signal.h>

namespace capsule::test {

LocalServer::LocalServer() = default;

LocalServer::~LocalServer()
{
    stop();
}

bool LocalServer::start(const QStringList &extraArgs, QString *error)
{
    m_args = extraArgs;
    if (m_token.isEmpty())
        m_token = QStringLiteral("test-token-%1").arg(QRandomGenerator::global()->generate64(), 0, 16);
    return restart(error);
}

bool LocalServer::restart(QString *error)
{
    stop();
    const QString bin = qEnvironmentVariable("CAPSULE_LOCAL_BIN");
    if (bin.isEmpty()) {
        if (error)
            *error = QStringLiteral("CAPSULE_LOCAL_BIN is not set");
        return false;
    }
    m_process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CAPSULE_LOCAL_TOKEN"), m_token);
    m_process->setProcessEnvironment(env);
    QStringList args{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host-port"),
                     QStringLiteral("0"), QStringLiteral("--data-dir"), m_dataDir.path()};
    args += m_args;
    m_stderr.clear();
    QObject::connect(m_process.get(), &QProcess::readyReadStandardError, m_process.get(),
                     [this] { m_stderr += m_process->readAllStandardError(); });
    m_process->start(bin, args);
    if (!m_process->waitForStarted(10000)) {
        if (error)
            *error = QStringLiteral("cannot start %1: %2").arg(bin, m_process->errorString());
        return false;
    }
    QByteArray out;
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        if (!m_process->waitForReadyRead(200)) {
            if (m_process->state() == QProcess::NotRunning)
                break;
            continue;
        }
        out += m_process->readAllStandardOutput();
        const int nl = out.indexOf('\n');
        if (nl < 0)
            continue;
        const QJsonObject o = QJsonDocument::fromJson(out.left(nl)).object();
        if (o.value(QStringLiteral("event")).toString() != QLatin1String("ready")) {
            out.remove(0, nl + 1);
            continue;
        }
        m_baseUrl = o.value(QStringLiteral("base_url")).toString();
        m_hosts.clear();
        for (const QJsonValue &h : o.value(QStringLiteral("hosts")).toArray())
            m_hosts << h.toString();
        return true;
    }
    m_stderr += m_process->readAllStandardError();
    if (error)
        *error = QStringLiteral("capsule-local did not become ready: %1")
                     .arg(QString::fromUtf8(m_stderr).right(2000));
    stop();
    return false;
}

void LocalServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_stderr += m_process->readAllStandardError();
    m_process.reset();
}

void LocalServer::kill9()
{
    if (!m_process)
        return;
    ::kill(static_cast<pid_t>(m_process->processId()), SIGKILL);
    m_process->waitForFinished(5000);
    m_process.reset();
}

QString LocalServer::stderrText() const
{
    return QString::fromUtf8(m_stderr);
}

} // namespace capsule::test
