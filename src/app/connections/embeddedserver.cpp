// Starts and stops the capsule-local the app runs against when no remote server is configured.
#include "app/connections/embeddedserver.h"
#include "app/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QStandardPaths>

#include <cstring>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

namespace capsule::app {

namespace {

QString randomToken()
{
    // 256 bits from the system generator: the token guards every API call of the local server.
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / int(sizeof(quint32)));
    return QString::fromLatin1(bytes.toHex());
}

constexpr int kReadyTimeoutMs = 60000;
constexpr int kStderrKeep = 4096;

} // namespace

EmbeddedServer::EmbeddedServer(QObject *parent)
    : QObject(parent)
{
    m_readyTimer.setSingleShot(true);
    connect(&m_readyTimer, &QTimer::timeout, this, [this] {
        fail(tr("capsule-local did not report ready within %1 seconds.%2")
                 .arg(kReadyTimeoutMs / 1000)
                 .arg(stderrTail()));
        if (m_process)
            m_process->kill();
    });
    m_killTimer.setSingleShot(true);
    connect(&m_killTimer, &QTimer::timeout, this, [this] {
        if (m_process && m_process->state() != QProcess::NotRunning)
            m_process->kill();
    });
}

EmbeddedServer::~EmbeddedServer()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        // Last resort when the app is torn down without stop(): never leave a server behind.
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QString EmbeddedServer::findBinary()
{
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList candidates{
        appDir + QStringLiteral("/capsule-local"),
        appDir + QStringLiteral("/../local/capsule-local"),
        qEnvironmentVariable("CAPSULE_LOCAL_BIN"),
#ifdef CAPSULE_LOCAL_FALLBACK_BIN
        QStringLiteral(CAPSULE_LOCAL_FALLBACK_BIN),
#endif
    };
    for (const QString &candidate : candidates) {
        if (candidate.isEmpty())
            continue;
        const QFileInfo info(candidate);
        if (info.isFile() && info.isExecutable())
            return info.canonicalFilePath();
    }
    return {};
}

QString EmbeddedServer::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/local");
}

bool EmbeddedServer::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

void EmbeddedServer::start(const QString &dataDir, const QString &binary)
{
    if (isRunning())
        return;
    m_ready = false;
    m_stopping = false;
    m_stdout.clear();
    m_stderr.clear();
    m_baseUrl.clear();
    m_hosts.clear();
    m_pid = 0;
    m_dataDir = dataDir;
    if (binary.isEmpty()) {
        fail(tr("The capsule-local server was not found next to the application."));
        return;
    }
    if (!QDir().mkpath(dataDir)) {
        fail(tr("Cannot create the data folder %1.").arg(dataDir));
        return;
    }
    m_token = randomToken();
    qCInfo(lcEmbedded).noquote() << "starting" << binary << "on data dir" << dataDir;

    if (m_process) { // a server that ended before (start is not called while one runs)
        m_process->disconnect(this);
        m_process->deleteLater();
    }
    m_process = new QProcess(this);
#ifdef Q_OS_LINUX
    // If the app dies without its orderly shutdown (a signal, a crash), the kernel stops the
    // server too instead of leaving it running with nobody knowing its token.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CAPSULE_LOCAL_TOKEN"), m_token);
    m_process->setProcessEnvironment(env);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &EmbeddedServer::onStdout);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process->readAllStandardError();
        if (m_stderr.size() > kStderrKeep)
            m_stderr = m_stderr.right(kStderrKeep);
    });
    connect(m_process, &QProcess::finished, this, &EmbeddedServer::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            fail(tr("Cannot start capsule-local: %1").arg(m_process->errorString()));
    });
    m_process->start(binary,
                     {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host-port"),
                      QStringLiteral("0"), QStringLiteral("--data-dir"), dataDir});
    m_readyTimer.start(kReadyTimeoutMs);
}

void EmbeddedServer::onStdout()
{
    m_stdout += m_process->readAllStandardOutput();
    if (m_ready) {
        m_stdout.clear();
        return;
    }
    int newline;
    while ((newline = m_stdout.indexOf('\n')) >= 0) {
        const QByteArray line = m_stdout.left(newline).trimmed();
        m_stdout.remove(0, newline + 1);
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        if (event.value(QStringLiteral("event")).toString() != QLatin1String("ready"))
            continue;
        m_baseUrl = event.value(QStringLiteral("base_url")).toString();
        // The server echoes the token it uses; trust it over ours if it differs (e.g. a stored
        // one).
        const QString token = event.value(QStringLiteral("token")).toString();
        if (!token.isEmpty())
            m_token = token;
        for (const QJsonValue &host : event.value(QStringLiteral("hosts")).toArray())
            m_hosts << host.toString();
        m_pid = event.value(QStringLiteral("pid")).toInteger(m_process->processId());
        if (m_baseUrl.isEmpty()) {
            fail(tr("capsule-local reported ready without a base URL."));
            return;
        }
        m_ready = true;
        m_readyTimer.stop();
        m_stdout.clear();
        emit ready();
        return;
    }
}

void EmbeddedServer::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_readyTimer.stop();
    m_killTimer.stop();
    if (m_stopping) {
        m_stopping = false;
        m_ready = false;
        if (auto done = std::exchange(m_onStopped, {}))
            done();
        return;
    }
    // On a crash QProcess reports the signal number as the exit code.
    const QString how = status == QProcess::CrashExit
                            ? tr("capsule-local was killed by signal %1 (%2).")
                                  .arg(exitCode)
                                  .arg(QString::fromLocal8Bit(::strsignal(exitCode)))
                            : tr("capsule-local exited with code %1.").arg(exitCode);
    qCWarning(lcEmbedded).noquote() << how;
    if (m_ready) {
        m_ready = false;
        emit exited(how + stderrTail());
    } else {
        fail(how + stderrTail());
    }
}

void EmbeddedServer::stop(std::function<void()> done, int graceMs)
{
    m_readyTimer.stop();
    if (!isRunning()) {
        if (done)
            done();
        return;
    }
    qCInfo(lcEmbedded) << "stopping capsule-local";
    m_stopping = true;
    m_onStopped = std::move(done);
    m_process->terminate();
    m_killTimer.start(graceMs);
}

void EmbeddedServer::fail(const QString &message)
{
    qCWarning(lcEmbedded).noquote() << "capsule-local did not start:" << message;
    m_readyTimer.stop();
    emit failed(message);
}

QString EmbeddedServer::stderrTail() const
{
    const QString text = QString::fromUtf8(m_stderr).trimmed();
    if (text.isEmpty())
        return {};
    const QStringList lines = text.split(QLatin1Char('\n'));
    return QLatin1Char('\n') + lines.mid(qMax(0, lines.size() - 5)).join(QLatin1Char('\n'));
}

} // namespace capsule::app
