// capsule-local entry point: options, the ready line, signals, and an orderly shutdown.
#include "core/version.h"
#include "local/controlplane.h"
#include "local/logging.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QtDebug>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalFds[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] auto n = ::write(g_signalFds[0], &c, 1);
}

QString defaultDataDir()
{
    QString base = qEnvironmentVariable("XDG_DATA_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/share");
    return base + QStringLiteral("/capsule-local");
}

QString randomToken()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / 4);
    return QString::fromLatin1(bytes.toHex());
}

// Takes an exclusive flock on <dataDir>/capsule-local.lock for the life of the process (the fd
// is never closed; O_CLOEXEC keeps sandboxes from inheriting it) and writes our pid into it. A
// second server on the same data dir would unmount the first one's live runners, so it must not
// start: false + a message naming the process that holds the lock.
bool lockDataDir(const QString &dataDir, QString *error)
{
    if (!QDir().mkpath(dataDir)) {
        *error = QStringLiteral("cannot create data dir %1").arg(dataDir);
        return false;
    }
    const QString path = dataDir + QStringLiteral("/capsule-local.lock");
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = QStringLiteral("cannot open lock file %1: %2")
                     .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[32] = {};
        const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        const QByteArray pid = QByteArray(buf, n > 0 ? int(n) : 0).trimmed();
        ::close(fd);
        if (err != EWOULDBLOCK) {
            *error = QStringLiteral("cannot lock %1: %2")
                         .arg(path, QString::fromLocal8Bit(std::strerror(err)));
            return false;
        }
        *error =
            QStringLiteral("data dir %1 is in use by another capsule-local (pid %2); stop it "
                           "or choose another --data-dir")
                .arg(dataDir, pid.isEmpty() ? QStringLiteral("unknown") : QString::fromLatin1(pid));
        return false;
    }
    const QByteArray pid = QByteArray::number(qint64(::getpid())) + '\n';
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.constData(), pid.size(), 0) != pid.size())
        qCWarning(capsule::local::lcLocal).noquote()
            << "capsule-local: cannot write the pid into" << path;
    return true; // fd stays open: the lock lives as long as the process
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("capsule-local"));
    QCoreApplication::setApplicationVersion(capsule::appVersion());

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Single-machine Capsule: control plane and host agents on 127.0.0.1."));
    parser.addHelpOption();
    const QCommandLineOption versionOpt(QStringList{QStringLiteral("v"), QStringLiteral("version")},
                                        QStringLiteral("Print the versions and exit."));
    parser.addOption(versionOpt);
    const QCommandLineOption portOpt(QStringLiteral("port"),
                                     QStringLiteral("Control-plane port (0 = a free port)."),
                                     QStringLiteral("P"), QStringLiteral("8080"));
    const QCommandLineOption hostPortOpt(QStringLiteral("host-port"),
                                         QStringLiteral("Port of the first host agent."),
                                         QStringLiteral("H"));
    const QCommandLineOption hostsOpt(QStringLiteral("hosts"),
                                      QStringLiteral("Number of host agents."), QStringLiteral("N"),
                                      QStringLiteral("1"));
    const QCommandLineOption tokenOpt(QStringLiteral("token"),
                                      QStringLiteral("API token (prefer CAPSULE_LOCAL_TOKEN)."),
                                      QStringLiteral("T"));
    const QCommandLineOption dataOpt(QStringLiteral("data-dir"), QStringLiteral("State directory."),
                                     QStringLiteral("D"));
    const QCommandLineOption imageOpt(QStringLiteral("image"),
                                      QStringLiteral("Map a base_image name to a root directory."),
                                      QStringLiteral("NAME=DIR"));
    const QCommandLineOption openHostOpt(QStringLiteral("open-host"),
                                         QStringLiteral("Serve host routes without the token."));
    const QCommandLineOption unsafeOpt(QStringLiteral("unsafe-no-sandbox"),
                                       QStringLiteral("Allow runners without bubblewrap."));
    const QCommandLineOption maxOpt(QStringLiteral("max-runners-per-host"),
                                    QStringLiteral("Runners one host accepts before 429."),
                                    QStringLiteral("N"), QStringLiteral("128"));
    const QCommandLineOption pidsOpt(QStringLiteral("max-pids-per-runner"),
                                     QStringLiteral("Processes and threads one runner may have."),
                                     QStringLiteral("N"), QStringLiteral("1024"));
    const QCommandLineOption hostTokenOpt(
        QStringLiteral("host-token"),
        QStringLiteral("Host bootstrap token for POST /api/v1/hosts/heartbeat (prefer "
                       "CAPSULE_LOCAL_HOST_TOKEN); without one the route is not served."),
        QStringLiteral("T"));
    parser.addOption(hostTokenOpt);
    parser.addOptions({portOpt, hostPortOpt, hostsOpt, tokenOpt, dataOpt, imageOpt, openHostOpt,
                       unsafeOpt, maxOpt, pidsOpt});
    parser.process(app);
    if (parser.isSet(versionOpt)) {
        std::fputs(qPrintable(capsule::versionText(QStringLiteral("capsule-local"))), stdout);
        return 0;
    }

    auto fail = [](const QString &message) {
        std::fprintf(stderr, "capsule-local: %s\n", qPrintable(message));
        return 2;
    };
    bool ok = false;
    const uint port = parser.value(portOpt).toUInt(&ok);
    if (!ok || port > 65535)
        return fail(QStringLiteral("--port must be a port number (0-65535)"));
    uint hostPort = 0;
    if (parser.isSet(hostPortOpt)) {
        hostPort = parser.value(hostPortOpt).toUInt(&ok);
        if (!ok || hostPort > 65535)
            return fail(QStringLiteral("--host-port must be a port number (0-65535)"));
    } else if (port != 0 && port < 65535) {
        hostPort = port + 1;
    }
    const int hosts = parser.value(hostsOpt).toInt(&ok);
    if (!ok || hosts < 1 || hosts > 64)
        return fail(QStringLiteral("--hosts must be between 1 and 64"));

    capsule::local::ServerOptions options;
    options.maxRunnersPerHost = parser.value(maxOpt).toInt(&ok);
    if (!ok || options.maxRunnersPerHost < 1)
        return fail(QStringLiteral("--max-runners-per-host must be a positive number"));
    options.maxPidsPerRunner = parser.value(pidsOpt).toInt(&ok);
    if (!ok || options.maxPidsPerRunner < 16)
        return fail(QStringLiteral("--max-pids-per-runner must be a number >= 16"));
    options.token = qEnvironmentVariable("CAPSULE_LOCAL_TOKEN");
    if (parser.isSet(tokenOpt))
        options.token = parser.value(tokenOpt);
    if (options.token.isEmpty())
        options.token = randomToken();
    options.hostToken = qEnvironmentVariable("CAPSULE_LOCAL_HOST_TOKEN");
    if (parser.isSet(hostTokenOpt))
        options.hostToken = parser.value(hostTokenOpt);
    options.dataDir = parser.isSet(dataOpt) ? parser.value(dataOpt) : defaultDataDir();
    options.dataDir = QDir(options.dataDir).absolutePath();
    for (const QString &m : parser.values(imageOpt)) {
        const int eq = m.indexOf(QLatin1Char('='));
        if (eq <= 0 || eq == m.size() - 1)
            return fail(QStringLiteral("--image expects NAME=DIR, got \"%1\"").arg(m));
        const QString dir = m.mid(eq + 1);
        if (!QDir(dir).exists())
            return fail(
                QStringLiteral("--image %1: directory %2 does not exist").arg(m.left(eq), dir));
        options.images.insert(m.left(eq), QDir(dir).absolutePath());
    }
    options.openHost = parser.isSet(openHostOpt);
    options.unsafeNoSandbox = parser.isSet(unsafeOpt);

    // SIGTERM/SIGINT reach the event loop through a socket pair, so shutdown runs in order.
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return fail(QStringLiteral("cannot create the signal socket pair"));
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    QSocketNotifier notifier(g_signalFds[1], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        char c;
        [[maybe_unused]] auto n = ::read(g_signalFds[1], &c, 1);
        qCInfo(capsule::local::lcLocal, "capsule-local: stopping");
        QCoreApplication::quit();
    });

    QString error;
    if (!lockDataDir(options.dataDir, &error))
        return fail(error);

    capsule::local::ControlPlane cp(options);
    if (!cp.start(quint16(port), quint16(hostPort), hosts, &error))
        return fail(error);

    QJsonArray hostList;
    for (const QString &h : cp.hostAddresses())
        hostList.append(h);
    const QJsonObject ready{
        {QStringLiteral("event"), QStringLiteral("ready")},
        {QStringLiteral("base_url"), QStringLiteral("http://127.0.0.1:%1").arg(cp.port())},
        {QStringLiteral("token"), options.token},
        {QStringLiteral("hosts"), hostList},
        {QStringLiteral("pid"), qint64(QCoreApplication::applicationPid())}};
    std::fputs(QJsonDocument(ready).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    qCInfo(capsule::local::lcLocal).noquote()
        << "capsule-local: control plane on" << QStringLiteral("127.0.0.1:%1").arg(cp.port())
        << "hosts" << cp.hostAddresses().join(QLatin1Char(' ')) << "data" << options.dataDir;

    const int rc = app.exec();
    cp.shutdown();
    return rc;
}
