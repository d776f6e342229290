// A runner's network namespace, pasta and nftables (see runner_network.h).
#include "local/network/runner_network.h"

#include "local/network/policy.h"
#include "local/sandbox_util.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>
#include <QtDebug>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

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

namespace {

// pasta: attach to the namespace by path (as root: as nobody it could not open it), no port
// forwarding in either direction (-t/-u: host -> runner, -T/-U: runner -> host loopback, except
// `hostLoopbackPorts`), the gateway is not mapped to the host (--no-map-gw), DNS to
// kDnsForwardAddress goes to the host's resolver. In the foreground, as our child with
// PR_SET_PDEATHSIG: a kill -9 of the server ends it too (a daemonized pasta outlived the server
// and kept the namespace alive). Returned configured, not started.
QProcess *newPasta(const QByteArray &nsPath, const QString &stateDir,
                   const QList<QByteArray> &cgroupProcFiles, const QList<int> &hostLoopbackPorts)
{
    QDir().mkpath(stateDir + QStringLiteral("/net"));
    QFile::remove(stateDir + QStringLiteral("/net/pasta.pid"));
    QStringList toHost;
    for (int port : hostLoopbackPorts)
        toHost << QString::number(port);
    auto *pasta = new QProcess;
    pasta->setProcessEnvironment(cleanEnvironment()); // never the server's token
    pasta->setStandardInputFile(QProcess::nullDevice());
    pasta->setStandardOutputFile(QProcess::nullDevice());
    pasta->setStandardErrorFile(stateDir + QStringLiteral("/net/pasta.log"));
    const ChildJoin join{cgroupProcFiles, -1, true};
    pasta->setChildProcessModifier([join] { join.apply(); });
    pasta->setProgram(support().pasta);
    pasta->setArguments(
        {QStringLiteral("--foreground"), QStringLiteral("--runas"), QStringLiteral("0"),
         QStringLiteral("--netns"), QString::fromLatin1(nsPath), QStringLiteral("--quiet"),
         QStringLiteral("--config-net"), QStringLiteral("-t"), QStringLiteral("none"),
         QStringLiteral("-u"), QStringLiteral("none"), QStringLiteral("-T"),
         toHost.isEmpty() ? QStringLiteral("none") : toHost.join(QLatin1Char(',')),
         QStringLiteral("-U"), QStringLiteral("none"), QStringLiteral("--no-map-gw"),
         QStringLiteral("--dns-forward"), QString::fromLatin1(kDnsForwardAddress)});
    return pasta;
}

// pasta configures address and routes at start: ready once the namespace has a route.
bool namespaceHasRoute(qint64 initPid)
{
    QFile f(QStringLiteral("/proc/%1/net/route").arg(initPid));
    return f.open(QIODevice::ReadOnly) && f.readAll().count('\n') > 1;
}

// The mode text of a runner whose pasta did not come up, with pasta's own words.
QString pastaFailure(const QString &stateDir, bool stillRunning)
{
    QFile log(stateDir + QStringLiteral("/net/pasta.log"));
    QString out;
    if (log.open(QIODevice::ReadOnly))
        for (const QByteArray &line : log.readAll().split('\n'))
            if (!line.isEmpty() && !line.startsWith("Failed to send")) // its syslog noise
                out += QString::fromLocal8Bit(line) + QLatin1Char(' ');
    return QStringLiteral("loopback only (pasta failed%1: %2)")
        .arg(stillRunning ? QStringLiteral(" to configure the namespace in 10 s") : QString(),
             out.trimmed());
}

// nft in the namespace `nsFd`, reading the ruleset from stdin; configured, not started.
QProcess *newNft(int nsFd, QObject *parent)
{
    auto *nft = new QProcess(parent);
    nft->setProcessEnvironment(cleanEnvironment());
    nft->setProcessChannelMode(QProcess::MergedChannels);
    const ChildJoin join{{}, nsFd, false};
    nft->setChildProcessModifier([join] { join.apply(); });
    nft->setProgram(support().nft);
    nft->setArguments({QStringLiteral("-f"), QStringLiteral("-")});
    return nft;
}

QString nftFailure(QProcess *nft)
{
    return QStringLiteral("cannot load the network policy (nft): %1")
        .arg(QString::fromLocal8Bit(nft->readAll()).trimmed());
}

constexpr int kPastaReadyMs = 10000;

} // namespace

bool RunnerNetwork::openNamespace(qint64 initPid, QString *error, bool wait)
{
    stop(wait);
    m_nsPath = "/proc/" + QByteArray::number(initPid) + "/ns/net";
    m_nsFd = ::open(m_nsPath.constData(), O_RDONLY | O_CLOEXEC);
    if (m_nsFd < 0) {
        *error = QStringLiteral("cannot open the runner's network namespace: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

void RunnerNetwork::pastaReady(const QString &stateDir)
{
    QFile pf(stateDir + QStringLiteral("/net/pasta.pid"));
    if (pf.open(QIODevice::WriteOnly))
        pf.write(QByteArray::number(m_pastaPid) + '\n');
    m_mode = QStringLiteral("pasta");
}

void RunnerNetwork::pastaFailed(const QString &stateDir)
{
    const bool running = m_pasta && m_pasta->state() == QProcess::Running;
    const QString mode = pastaFailure(stateDir, running);
    const QByteArray nsPath = m_nsPath;
    stop(false);
    m_nsPath = nsPath;
    m_nsFd = ::open(nsPath.constData(), O_RDONLY | O_CLOEXEC);
    m_mode = mode;
    qWarning().noquote() << "capsule-local: runner network:" << m_mode;
}

bool RunnerNetwork::attach(qint64 initPid, bool egress, const QString &ruleset,
                           const QList<QByteArray> &cgroupProcFiles, const QString &stateDir,
                           const QList<int> &hostLoopbackPorts, QString *error)
{
    if (!openNamespace(initPid, error))
        return false;
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
    m_pasta = newPasta(m_nsPath, stateDir, cgroupProcFiles, hostLoopbackPorts);
    m_pasta->start();
    m_pastaPid = m_pasta->waitForStarted(5000) ? m_pasta->processId() : 0;
    QDeadlineTimer deadline(kPastaReadyMs);
    while (m_pastaPid > 0 && m_pasta->state() == QProcess::Running && !deadline.hasExpired()) {
        if (namespaceHasRoute(initPid)) {
            pastaReady(stateDir);
            return true;
        }
        QThread::msleep(2);
    }
    pastaFailed(stateDir);
    return true;
}

void RunnerNetwork::attachAsync(qint64 initPid, bool egress, const QString &ruleset,
                                const QList<QByteArray> &cgroupProcFiles, const QString &stateDir,
                                const QList<int> &hostLoopbackPorts, QObject *context,
                                std::function<void(const QString &error)> done)
{
    QString error;
    if (!openNamespace(initPid, &error, false))
        return done(error);
    const Support &s = support();
    if (!s.egress()) {
        m_mode = QStringLiteral("loopback only (%1)").arg(s.status());
        return done(QString());
    }
    // The ruleset goes in before the interface exists, so nothing ever leaves unfiltered.
    const quint64 serial = m_serial;
    m_nft = newNft(m_nsFd, context);
    auto finishNft = [this, serial, egress, initPid, stateDir, cgroupProcFiles, hostLoopbackPorts,
                      context, done](bool ok) {
        if (serial != m_serial || !m_nft)
            return; // stopped meanwhile (the sandbox abandoned its start), or already done
        QProcess *nft = std::exchange(m_nft, nullptr);
        const QString failure = ok ? QString() : nftFailure(nft);
        discardProcess(nft);
        if (!failure.isEmpty())
            return done(failure);
        if (!egress) {
            m_mode = QStringLiteral("loopback only (policy denies all egress)");
            return done(QString());
        }
        startPastaAsync(initPid, stateDir, cgroupProcFiles, hostLoopbackPorts, context, done);
    };
    QObject::connect(m_nft, &QProcess::finished, context,
                     [this, finishNft](int code, QProcess::ExitStatus status) {
                         finishNft(status == QProcess::NormalExit && code == 0);
                     });
    QObject::connect(m_nft, &QProcess::errorOccurred, context,
                     [finishNft](QProcess::ProcessError e) {
                         if (e == QProcess::FailedToStart)
                             finishNft(false);
                     });
    QTimer::singleShot(kPastaReadyMs, context, [finishNft] { finishNft(false); });
    m_nft->start();
    if (serial != m_serial || !m_nft)
        return; // it failed to start inside start() and is already reported
    m_nft->write(ruleset.toUtf8());
    m_nft->closeWriteChannel();
}

void RunnerNetwork::startPastaAsync(qint64 initPid, const QString &stateDir,
                                    const QList<QByteArray> &cgroupProcFiles,
                                    const QList<int> &hostLoopbackPorts, QObject *context,
                                    std::function<void(const QString &error)> done)
{
    const quint64 serial = m_serial;
    m_pasta = newPasta(m_nsPath, stateDir, cgroupProcFiles, hostLoopbackPorts);
    // The route appears within milliseconds; a short poll of /proc (no blocking read) finds it.
    m_poll = std::make_unique<QTimer>();
    m_poll->setInterval(2);
    auto deadline = std::make_shared<QDeadlineTimer>(kPastaReadyMs);
    auto finish = [this, serial, stateDir, done](bool ready) {
        if (serial != m_serial || !m_poll)
            return; // stopped meanwhile, or already done
        m_poll.reset();
        if (ready)
            pastaReady(stateDir);
        else
            pastaFailed(stateDir); // the runner stays loopback-only; not a start failure
        done(QString());
    };
    QObject::connect(m_poll.get(), &QTimer::timeout, context, [this, initPid, deadline, finish] {
        if (namespaceHasRoute(initPid))
            finish(true);
        else if (deadline->hasExpired() || !m_pasta || m_pasta->state() == QProcess::NotRunning)
            finish(false);
    });
    QObject::connect(m_pasta, &QProcess::errorOccurred, context,
                     [finish](QProcess::ProcessError e) {
                         if (e == QProcess::FailedToStart)
                             finish(false);
                     });
    m_poll->start(); // first: a failure inside start() deletes the timer
    m_pasta->start();
    if (serial != m_serial || !m_poll)
        return;                        // failed to start, already reported
    m_pastaPid = m_pasta->processId(); // forked by start(); known before started() arrives
}

bool RunnerNetwork::applyRuleset(const QString &ruleset, QString *error)
{
    if (m_nsFd < 0) {
        *error = QStringLiteral("the runner has no network namespace");
        return false;
    }
    if (support().nft.isEmpty())
        return true; // loopback only: nothing to filter
    std::unique_ptr<QProcess> nft(newNft(m_nsFd, nullptr));
    nft->start();
    nft->write(ruleset.toUtf8());
    nft->closeWriteChannel();
    if (!nft->waitForFinished(10000) || nft->exitStatus() != QProcess::NormalExit ||
        nft->exitCode() != 0) {
        nft->kill();
        *error = nftFailure(nft.get());
        return false;
    }
    return true;
}

void RunnerNetwork::stop(bool wait)
{
    ++m_serial; // an attach under way stops here: its callbacks see a newer serial
    m_poll.reset();
    discardProcess(std::exchange(m_nft, nullptr));
    if (QProcess *pasta = std::exchange(m_pasta, nullptr)) {
        pasta->disconnect(); // no callback of an abandoned attach, even from waitForFinished()
        if (!wait) {
            discardProcess(pasta); // SIGKILL; reaped by Qt when it has gone
        } else {
            if (pasta->state() != QProcess::NotRunning) {
                pasta->terminate();
                if (!pasta->waitForFinished(2000)) {
                    pasta->kill();
                    pasta->waitForFinished(2000);
                }
            }
            delete pasta;
        }
    }
    m_pastaPid = 0;
    if (m_nsFd >= 0)
        ::close(m_nsFd);
    m_nsFd = -1;
    m_nsPath.clear();
    m_mode.clear();
}

} // namespace capsule::local::network
