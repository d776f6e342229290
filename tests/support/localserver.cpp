// Test fixture implementation: launch capsule-local and parse its ready line.
#include "support/localserver.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>

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
        m_token =
            QStringLiteral("test-token-%1").arg(QRandomGenerator::global()->generate64(), 0, 16);
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
    QStringList args{QStringLiteral("--port"),      QStringLiteral("0"),
                     QStringLiteral("--host-port"), QStringLiteral("0"),
                     QStringLiteral("--data-dir"),  m_dataDir.path()};
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

qint64 LocalServer::pid() const
{
    return m_process ? m_process->processId() : 0;
}

void LocalServer::kill9()
{
    if (!m_process)
        return;
    ::kill(static_cast<pid_t>(m_process->processId()), SIGKILL);
    m_process->waitForFinished(5000);
    m_process.reset();
}

QJsonObject HttpReply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpReply LocalServer::request(const QByteArray &method, const QString &path,
                               const QByteArray &body, bool withToken,
                               const QList<QPair<QByteArray, QByteArray>> &headers,
                               int timeoutMs) const
{
    static thread_local QNetworkAccessManager nam;
    const QUrl url(path.startsWith(QLatin1Char('/')) ? m_baseUrl + path : path);
    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                     QNetworkRequest::ManualRedirectPolicy);
    if (withToken)
        req.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    if (!body.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    for (const auto &h : headers)
        req.setRawHeader(h.first, h.second);
    QNetworkReply *reply = nam.sendCustomRequest(req, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    HttpReply out;
    if (!reply->isFinished()) {
        reply->abort();
        out.error = QStringLiteral("timeout");
    }
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = reply->readAll();
    for (const auto &h : reply->rawHeaderPairs())
        out.headers.insert(h.first.toLower(), h.second);
    if (out.status == 0 && out.error.isEmpty())
        out.error = reply->errorString();
    reply->deleteLater();
    return out;
}

HttpReply LocalServer::post(const QString &path, const QJsonObject &body) const
{
    return request("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

capsule::Settings LocalServer::clientSettings() const
{
    capsule::Settings s;
    s.baseUrl = m_baseUrl;
    s.token = m_token;
    s.startupTimeout = 60;
    s.pollInterval = 0.1;
    s.retryPollInterval = 0.1;
    return s;
}

QJsonObject LocalServer::trivialConfig(const QString &displayName)
{
    const QJsonObject trueCommand{{QStringLiteral("type"), QStringLiteral("shell")},
                                  {QStringLiteral("args"), QJsonArray{QStringLiteral("true")}}};
    return {{QStringLiteral("display_name"), displayName},
            {QStringLiteral("layers"),
             QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("main")},
                                    {QStringLiteral("init_commands"), QJsonArray{trueCommand}}}}}};
}

QString LocalServer::createAndBuild(const QJsonObject &body, QString *error, int timeoutMs) const
{
    auto failWith = [error](const QString &m) {
        if (error)
            *error = m;
        return QString();
    };
    const HttpReply created = post(QStringLiteral("/api/v1/layered-configs"), body);
    if (created.status != 201)
        return failWith(QStringLiteral("create: %1 %2")
                            .arg(created.status)
                            .arg(QString::fromUtf8(created.body)));
    const QString id = created.json().value(QStringLiteral("config_id")).toString();
    const QString key = created.json().value(QStringLiteral("leaf_workload_key")).toString();
    const HttpReply built =
        request("POST", QStringLiteral("/api/v1/layered-configs/%1/build").arg(id));
    if (built.status != 202 && built.status != 200)
        return failWith(
            QStringLiteral("build: %1 %2").arg(built.status).arg(QString::fromUtf8(built.body)));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const HttpReply got = get(QStringLiteral("/api/v1/layered-configs/%1").arg(id));
        const QJsonArray layers = got.json().value(QStringLiteral("layers")).toArray();
        if (!layers.isEmpty()) {
            const QJsonObject leaf = layers.last().toObject();
            if (leaf.value(QStringLiteral("status")).toString() == QLatin1String("active") &&
                !leaf.value(QStringLiteral("current_version")).toString().isEmpty())
                return key;
            if (!leaf.contains(QStringLiteral("build_status"))) {
                bool anyBuilding = false;
                for (const QJsonValue &l : layers)
                    anyBuilding =
                        anyBuilding || l.toObject().contains(QStringLiteral("build_status"));
                if (!anyBuilding)
                    return failWith(QStringLiteral("build of %1 failed").arg(id));
            }
        }
        QEventLoop loop;
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return failWith(QStringLiteral("build of %1 did not finish in time").arg(id));
}

QString LocalServer::stderrText() const
{
    return QString::fromUtf8(m_stderr);
}

} // namespace capsule::test
