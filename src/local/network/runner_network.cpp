// A runner's network namespace, pasta and nftables (see runner_network.h).
#include "local/network/runner_network.h"

#include "local/network/policy.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>
#include <QtDebug>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace capsule::local::network {

namespace {

QString findTool(const QString &name)
{
    QString found = QStandardPaths::findExecutable(name);
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin"), QStringLiteral("/bin"),
                   QStringLiteral("/sbin")});
    return found;
}

// Joins the given cgroups and the network namespace `nsFd` (if >= 0) between fork and exec.
struct ChildJoin
{
    QList<QByteArray> cgroupFiles;
    int nsFd = -1;
    bool dieWithParent = false;
    void apply() const
    {
        if (dieWithParent)
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (const QByteArray &file : cgroupFiles) {
            const int fd = ::open(file.constData(), O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                (void)!::write(fd, "0", 1);
                ::close(fd);
            }
        }
        if (nsFd >= 0 && ::setns(nsFd, CLONE_NEWNET) != 0)
            ::_exit(126);
    }
};

QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"),
               QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    return env;
}

} // namespace

QString Support::status() const
{
    QString out = QStringLiteral("namespace per runner; ");
    if (egress())
        return out + QStringLiteral("egress via pasta (host loopback unreachable), policies via "
                                    "nftables in the runner's namespace");
    QStringList missing;
    if (pasta.isEmpty())
        missing << QStringLiteral("pasta (package passt)");
    if (nft.isEmpty())
        missing << QStringLiteral("nft (package nftables)");
    return out + QStringLiteral("loopback only, no egress: %1 not installed")
                     .arg(missing.join(QStringLiteral(" and ")));
}

const Support &support()
{
    static const Support s = [] {
        Support out;
        if (!qEnvironmentVariableIsSet("CAPSULE_NETWORK_NO_PASTA")) // tests: simulate a host
            out.pasta = findTool(QStringLiteral("pasta"));          // without pasta
        out.nft = findTool(QStringLiteral("nft"));
        return out;
    }();
    return s;
}

void logSupport()
{
    const Support &s = support();
    if (s.egress())
        qInfo().noquote() << "capsule-local: runner network:" << s.status();
    else
        qWarning().noquote() << "capsule-local: runner network:" << s.status();
}

RunnerNetwork::~RunnerNetwork()
{
    stop();
}

QStringList RunnerNetwork::bwrapArgs(const QString &stateDir, bool egress)
{
    if (!egress || !support().egress())
        return {};
    const QString dir = stateDir + QStringLiteral("/net");
    QDir().mkpath(dir);
    QFile f(dir + QStringLiteral("/resolv.conf"));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    f.write(QStringLiteral("# capsule-local: DNS is forwarded to the host's resolver by pasta\n"
                           "nameserver %1\n")
                .arg(QString::fromLatin1(kDnsForwardAddress))
                .toUtf8());
    f.close();
    return {QStringLiteral("--ro-bind"), f.fileName(), QStringLiteral("/etc/resolv.conf")};
}

bool RunnerNetwork::attach(qint64 initPid, bool egress, const QString &ruleset,
                           const QList<QByteArray> &cgroupProcFiles, const QString &stateDir,
                           const QList<int> &hostLoopbackPorts, QString *error)
{
    stop();
    const QByteArray nsPath = "/proc/" + QByteArray::number(initPid) + "/ns/net";
    m_nsFd = ::open(nsPath.constData(), O_RDONLY | O_CLOEXEC);
    if (m_nsFd < 0) {
        *error = QStringLiteral("cannot open the runner's network namespace: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    const Support &s = support();
    if (!s.egress()) {
        m_mode = QStringLiteral("loopback only (%1)").arg(s.status());
        return true; // nothing can leave a namespace without an interface: no ruleset needed
    }
    // The ruleset goes in before the interface exists, so nothing ever leaves unfiltered.
    if (!applyRuleset(ruleset, error))
        return false;
    if (!egress) {
        m_mode = QStringLiteral("loopback only (policy denies all egress)");
        return true;
    }
    // pasta: attach to the namespace by path (as root: as nobody it could not open it), no port
    // forwarding in either direction (-t/-u: host -> runner, -T/-U: runner -> host loopback),
    // the gateway is not mapped to the host (--no-map-gw), DNS to kDnsForwardAddress goes to the
    // host's resolver. It daemonizes once the namespace is configured; -P gives its pid.
    const QString pidFile = stateDir + QStringLiteral("/net/pasta.pid");
    QDir().mkpath(stateDir + QStringLiteral("/net"));
    QFile::remove(pidFile);
    QStringList toHost;
    for (int port : hostLoopbackPorts)
        toHost << QString::number(port);
    const QString tcpToHost =
        toHost.isEmpty() ? QStringLiteral("none") : toHost.join(QLatin1Char(','));
    // In the foreground, as our child with PR_SET_PDEATHSIG: a kill -9 of the server ends it too
    // (a daemonized pasta outlived the server and kept the namespace alive).
    m_pasta = new QProcess;
    m_pasta->setProcessEnvironment(cleanEnvironment()); // never the server's token
    m_pasta->setStandardInputFile(QProcess::nullDevice());
    m_pasta->setStandardOutputFile(QProcess::nullDevice());
    m_pasta->setStandardErrorFile(stateDir + QStringLiteral("/net/pasta.log"));
    const ChildJoin join{cgroupProcFiles, -1, true};
    m_pasta->setChildProcessModifier([join] { join.apply(); });
    m_pasta->start(
        s.pasta, {QStringLiteral("--foreground"), QStringLiteral("--runas"), QStringLiteral("0"),
                  QStringLiteral("--netns"), QString::fromLatin1(nsPath), QStringLiteral("--quiet"),
                  QStringLiteral("--config-net"), QStringLiteral("-t"), QStringLiteral("none"),
                  QStringLiteral("-u"), QStringLiteral("none"), QStringLiteral("-T"), tcpToHost,
                  QStringLiteral("-U"), QStringLiteral("none"), QStringLiteral("--no-map-gw"),
                  QStringLiteral("--dns-forward"), QString::fromLatin1(kDnsForwardAddress)});
    m_pastaPid = m_pasta->waitForStarted(5000) ? m_pasta->processId() : 0;
    // Ready once the namespace has a route (pasta configures address and routes at start).
    const QString routes = QStringLiteral("/proc/%1/net/route").arg(initPid);
    QDeadlineTimer deadline(10000);
    bool ready = false;
    while (m_pastaPid > 0 && m_pasta->state() == QProcess::Running && !deadline.hasExpired()) {
        QFile f(routes);
        if (f.open(QIODevice::ReadOnly) && f.readAll().count('\n') > 1) {
            ready = true;
            break;
        }
        QThread::msleep(2);
    }
    if (!ready) {
        QFile log(stateDir + QStringLiteral("/net/pasta.log"));
        QString out;
        if (log.open(QIODevice::ReadOnly))
            for (const QByteArray &line : log.readAll().split('\n'))
                if (!line.isEmpty() && !line.startsWith("Failed to send")) // its syslog noise
                    out += QString::fromLocal8Bit(line) + QLatin1Char(' ');
        const bool running = m_pasta->state() == QProcess::Running;
        stop();
        m_nsFd = ::open(nsPath.constData(), O_RDONLY | O_CLOEXEC);
        m_mode =
            QStringLiteral("loopback only (pasta failed%1: %2)")
                .arg(running ? QStringLiteral(" to configure the namespace in 10 s") : QString(),
                     out.trimmed());
        qWarning().noquote() << "capsule-local: runner network:" << m_mode;
        return true;
    }
    QFile pf(pidFile);
    if (pf.open(QIODevice::WriteOnly))
        pf.write(QByteArray::number(m_pastaPid) + '\n');
    m_mode = QStringLiteral("pasta");
    return true;
}

bool RunnerNetwork::applyRuleset(const QString &ruleset, QString *error)
{
    if (m_nsFd < 0) {
        *error = QStringLiteral("the runner has no network namespace");
        return false;
    }
    if (support().nft.isEmpty())
        return true; // loopback only: nothing to filter
    QProcess nft;
    nft.setProcessEnvironment(cleanEnvironment());
    nft.setProcessChannelMode(QProcess::MergedChannels);
    const ChildJoin join{{}, m_nsFd, false};
    nft.setChildProcessModifier([join] { join.apply(); });
    nft.start(support().nft, {QStringLiteral("-f"), QStringLiteral("-")});
    nft.write(ruleset.toUtf8());
    nft.closeWriteChannel();
    if (!nft.waitForFinished(10000) || nft.exitStatus() != QProcess::NormalExit ||
        nft.exitCode() != 0) {
        nft.kill();
        *error = QStringLiteral("cannot load the network policy (nft): %1")
                     .arg(QString::fromLocal8Bit(nft.readAll()).trimmed());
        return false;
    }
    return true;
}

void RunnerNetwork::stop()
{
    if (m_pasta) {
        if (m_pasta->state() != QProcess::NotRunning) {
            m_pasta->terminate();
            if (!m_pasta->waitForFinished(2000)) {
                m_pasta->kill();
                m_pasta->waitForFinished(2000);
            }
        }
        delete m_pasta;
        m_pasta = nullptr;
    }
    m_pastaPid = 0;
    if (m_nsFd >= 0)
        ::close(m_nsFd);
    m_nsFd = -1;
    m_mode.clear();
}

} // namespace capsule::local::network
