// Issue 10 "Faults": every client operation through a fault-injecting proxy (RST, stall,
// truncation at a random point, slow trickle) between the client library / the `capsule` command
// and a real capsule-local. Each operation must either finish with the right result or fail with
// a clear error (an Error kind other than Generic and a message), and never run past its
// timeouts plus a margin. Randomness is seeded: CAPSULE_FAULT_SEED=<n> replays a run; the seed is
// printed at the start and in every failure message.
#include "core/blocking.h"
#include "core/client.h"
#include "core/runners.h"
#include "core/runnersession.h"
#include "support/faultproxy.h"
#include "support/localserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QRandomGenerator>
#include <QTimer>
#include <QtTest>

using namespace capsule;
using capsule::test::FaultProxy;
using capsule::test::LocalServer;
using Kind = FaultProxy::Fault::Kind;

namespace {

// Client timeouts of this test (seconds): short, so stalls end quickly.
constexpr double kRequestTimeout = 1.5;
constexpr double kOperationTimeout = 1.5;
constexpr double kStartupTimeout = 5;
// On top of what the retry policy allows: the machine is loaded.
constexpr int kMarginMs = 25000;

QByteArray randomBytes(QRandomGenerator &gen, int size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        out[i] = char(gen.bounded(256));
    return out;
}

// FNV-1a: qHash is seeded per process, this is not.
quint32 stableHash(const char *text)
{
    quint32 h = 2166136261u;
    for (const char *c = text; *c; ++c)
        h = (h ^ quint8(*c)) * 16777619u;
    return h;
}

// What one operation ended with.
struct Outcome
{
    bool finished = false;
    bool ok = false;          // finished with the expected result
    bool wrongResult = false; // "succeeded" with a wrong result: always a failure
    Error error;
    QString detail;
};

} // namespace

class TestFaultProxy final : public QObject
{
    Q_OBJECT

private:
    LocalServer m_local;
    quint64 m_seed = 0;
    QString m_key;
    AllocateReply m_runner;
    std::unique_ptr<Client> m_direct; // no proxy: setup and verification
    std::unique_ptr<RunnerSession> m_directSession;
    QByteArray m_content; // /workspace/proxy-read.bin
    FaultProxy m_cp;      // in front of the control plane
    FaultProxy m_host;    // in front of the host agent
    int m_appliedBefore = 0;

    Settings proxiedSettings() const
    {
        Settings s = m_local.clientSettings();
        s.baseUrl = m_cp.url();
        s.requestTimeout = kRequestTimeout;
        s.operationTimeout = kOperationTimeout;
        s.startupTimeout = kStartupTimeout;
        s.backoffBase = 0.2;
        s.backoffJitter = 0.1;
        return s;
    }

    // Budget of one operation under its retry policy (contract 1.6), in ms, before the margin.
    static int budgetMs(const QString &op)
    {
        if (op == QLatin1String("list"))
            return int(4 * kRequestTimeout * 1000) + 2000; // 4 attempts + backoff
        if (op == QLatin1String("allocate"))
            return int(kStartupTimeout * 1000) + int(3 * kRequestTimeout * 1000);
        // host calls: at most 2 attempts plus one status re-resolution
        return int(2 * kOperationTimeout * 1000) + int(4 * kRequestTimeout * 1000) + 2000;
    }

    template<class J>
    static bool wait(J *job, int ms)
    {
        return waitFor(job, ms);
    }

    template<class J, class Check>
    Outcome judge(J *job, int ms, Check check)
    {
        Outcome o;
        o.finished = wait(job, ms);
        if (!o.finished) {
            job->cancel();
            return o;
        }
        if (job->hasError()) {
            o.error = job->error();
            return o;
        }
        o.detail = check(job->result());
        o.ok = o.detail.isEmpty();
        o.wrongResult = !o.ok;
        return o;
    }

    Outcome runOp(const QString &op, Client &client, RunnerSession &session, int ms,
                  QRandomGenerator &gen)
    {
        if (op == QLatin1String("list"))
            return judge(client.runners()->list(), ms, [this](const RunnerList &l) {
                for (const auto &r : l.runners)
                    if (r.runnerId == m_runner.runnerId)
                        return QString();
                return QStringLiteral("the runner is missing from the list");
            });
        if (op == QLatin1String("allocate")) {
            Outcome o = judge(client.runners()->allocate(m_key), ms, [](const AllocateReply &a) {
                return a.runnerId.isEmpty() ? QStringLiteral("no runner id") : QString();
            });
            return o;
        }
        if (op == QLatin1String("exec"))
            return judge(session.execCollect({"sh", "-c", "echo exec-ok-$((6*7))"}), ms,
                         [](const ExecResult &r) {
                             return r.code == 0 && r.stdoutText == QLatin1String("exec-ok-42\n")
                                        ? QString()
                                        : QStringLiteral("exec gave code %1 and %2")
                                              .arg(r.code)
                                              .arg(r.stdoutText);
                         });
        if (op == QLatin1String("read"))
            return judge(session.readBytes(QStringLiteral("/workspace/proxy-read.bin")), ms,
                         [this](const QByteArray &b) {
                             return b == m_content
                                        ? QString()
                                        : QStringLiteral("read %1 wrong bytes").arg(b.size());
                         });
        if (op == QLatin1String("download"))
            return judge(session.download(QStringLiteral("/workspace/proxy-read.bin")), ms,
                         [this](const QByteArray &b) {
                             return b == m_content
                                        ? QString()
                                        : QStringLiteral("downloaded %1 wrong bytes").arg(b.size());
                         });
        if (op == QLatin1String("write") || op == QLatin1String("upload")) {
            const QByteArray data = randomBytes(gen, 3000);
            const QString path = QStringLiteral("/workspace/proxy-%1.bin").arg(op);
            auto *job = op == QLatin1String("write") ? session.writeBytes(path, data)
                                                     : session.upload(path, data);
            return judge(job, ms, [this, data, path](const WriteResult &w) {
                if (w.bytesWritten != data.size())
                    return QStringLiteral("bytes_written %1").arg(w.bytesWritten);
                auto *back = m_directSession->readBytes(path);
                if (!waitFor(back, 30000) || back->hasError() || back->result() != data)
                    return QStringLiteral("the file does not hold what was written");
                return QString();
            });
        }
        if (op == QLatin1String("pty"))
            return runPty(session, ms);
        return {};
    }

    // Open a PTY, echo a computed word, wait for it, close.
    Outcome runPty(RunnerSession &session, int ms)
    {
        Outcome o;
        PtyChannel *pty = session.shell();
        QByteArray seen;
        QEventLoop loop;
        bool errored = false;
        connect(pty, &PtyChannel::connected, &loop,
                [pty] { pty->sendText(QStringLiteral("echo pty-ok-$((6*7))\n")); });
        connect(pty, &PtyChannel::stdout, &loop, [&](const QByteArray &d) {
            seen += d;
            if (seen.contains("pty-ok-42"))
                loop.quit();
        });
        connect(pty, &PtyChannel::errorOccurred, &loop, [&](const Error &e) {
            o.error = e;
            errored = true;
            loop.quit();
        });
        connect(pty, &PtyChannel::disconnected, &loop, [&] {
            if (!errored && !seen.contains("pty-ok-42")) {
                o.error = Error(ErrorKind::Generic, {});
                o.detail = QStringLiteral("disconnected without an error");
            }
            loop.quit();
        });
        QTimer::singleShot(ms, &loop, &QEventLoop::quit);
        pty->open();
        loop.exec();
        o.ok = seen.contains("pty-ok-42");
        o.finished = o.ok || errored || !o.detail.isEmpty();
        pty->close();
        pty->deleteLater();
        return o;
    }

private slots:
    void initTestCase()
    {
        const QByteArray fixed = qgetenv("CAPSULE_FAULT_SEED");
        m_seed = fixed.isEmpty() ? QRandomGenerator::global()->generate() : fixed.toULongLong();
        qInfo("fault proxy seed: %llu (CAPSULE_FAULT_SEED=%llu replays it)", m_seed, m_seed);
        QString error;
        QVERIFY2(m_local.start({}, &error), qPrintable(error));
        m_key =
            m_local.createAndBuild(LocalServer::trivialConfig(QStringLiteral("proxied")), &error);
        QVERIFY2(!m_key.isEmpty(), qPrintable(error));
        m_direct = std::make_unique<Client>(m_local.clientSettings());
        auto *allocated = m_direct->runners()->allocateReady(m_key);
        QVERIFY(waitFor(allocated, 60000));
        QVERIFY2(!allocated->hasError(), qPrintable(allocated->error().toString()));
        m_runner = allocated->result();
        m_directSession =
            std::make_unique<RunnerSession>(m_direct->hostResolver(), m_runner.runnerId,
                                            m_runner.sessionId, QString(), m_runner.hostAddress);
        QRandomGenerator gen{quint32(m_seed)};
        m_content = randomBytes(gen, 3000);
        auto *w = m_directSession->upload(QStringLiteral("/workspace/proxy-read.bin"), m_content);
        QVERIFY(waitFor(w, 30000));
        QVERIFY2(!w->hasError(), qPrintable(w->error().toString()));
        QVERIFY(m_cp.listen(m_local.baseUrl()));
        QVERIFY(m_host.listen(m_runner.hostAddress));
    }

    void cleanupTestCase()
    {
        m_cp.closeAll();
        m_host.closeAll();
        if (m_directSession) {
            auto *r = m_directSession->release();
            waitFor(r, 30000);
        }
    }

    void operation_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("afterHead");
        const QStringList ops{"list",  "allocate", "exec",     "read",
                              "write", "upload",   "download", "pty"};
        const QList<Kind> kinds{Kind::Pass, Kind::Reset, Kind::Stall, Kind::Truncate,
                                Kind::Trickle};
        for (const QString &op : ops)
            for (Kind k : kinds)
                QTest::newRow(qPrintable(op + QLatin1Char('/') + FaultProxy::kindName(k)))
                    << op << int(k) << false;
        // Faults right after the head, i.e. between frames of an open PTY / after a complete
        // HTTP head: the client must notice a connection that went silent.
        for (Kind k : {Kind::Stall, Kind::Truncate, Kind::Reset})
            QTest::newRow(
                qPrintable(QStringLiteral("pty/%1-after-open").arg(FaultProxy::kindName(k))))
                << QStringLiteral("pty") << int(k) << true;
    }

    void operation()
    {
        QFETCH(QString, op);
        QFETCH(int, kind);
        QFETCH(bool, afterHead);
        // One generator per row, derived from the seed and the row: any row replays alone.
        QRandomGenerator gen(quint32(m_seed) ^ stableHash(QTest::currentDataTag()));
        FaultProxy::Fault f;
        f.kind = Kind(kind);
        // A random point of the reply: in its head, in its body, or just after it.
        // Replies here are 100 bytes to a few KiB: most points fall in the head or the body.
        f.afterBytes = op == QLatin1String("pty") ? 120 + gen.bounded(400) : gen.bounded(300);
        if (afterHead) {
            f.afterHead = true;
            f.afterBytes = 0;
        }
        f.trickleBytes = 16 + int(gen.bounded(64));
        f.trickleMs = 5 + int(gen.bounded(20));
        m_cp.setFault(f);
        m_host.setFault(f);
        const QString where =
            QStringLiteral("seed %1, row %2, fault %3 after %4 bytes")
                .arg(m_seed)
                .arg(QString::fromUtf8(QTest::currentDataTag()), FaultProxy::kindName(f.kind))
                .arg(f.afterBytes);

        Client client(proxiedSettings());
        RunnerSession session(client.hostResolver(), m_runner.runnerId, m_runner.sessionId,
                              QString(), m_host.address());
        const int budget = budgetMs(op);
        QElapsedTimer clock;
        clock.start();
        const Outcome o = runOp(op, client, session, budget + kMarginMs, gen);
        const qint64 elapsed = clock.elapsed();
        const int applied = m_cp.faultsApplied() + m_host.faultsApplied() - m_appliedBefore;
        m_appliedBefore += applied;
        m_cp.closeAll();
        m_host.closeAll();
        qInfo("%s (applied %d times): %s in %lld ms%s", qPrintable(where), applied,
              o.ok ? "ok"
                   : qPrintable(QStringLiteral("error %1: %2")
                                    .arg(Error::kindName(o.error.kind), o.error.message)),
              elapsed,
              qPrintable(o.detail.isEmpty() ? QString() : QStringLiteral(" (") + o.detail + ')'));

        QVERIFY2(
            o.finished,
            qPrintable(QStringLiteral("hung: no result after %1 ms (%2)").arg(elapsed).arg(where)));
        QVERIFY2(!o.wrongResult, qPrintable(o.detail + QStringLiteral(" (") + where + ')'));
        if (!o.ok) {
            QVERIFY2(o.error.kind != ErrorKind::Generic && !o.error.message.trimmed().isEmpty(),
                     qPrintable(QStringLiteral("unclear error \"%1\" %2 (%3)")
                                    .arg(o.error.message, o.detail, where)));
        }
        QVERIFY2(elapsed < budget + kMarginMs,
                 qPrintable(QStringLiteral("took %1 ms, budget %2 ms (%3)")
                                .arg(elapsed)
                                .arg(budget)
                                .arg(where)));
        // Without a fault, and with a trickle (bytes keep coming within the timeouts), every
        // operation must succeed.
        if (f.kind == Kind::Pass || f.kind == Kind::Trickle)
            QVERIFY2(o.ok, qPrintable(QStringLiteral("failed without a real fault: %1 (%2)")
                                          .arg(o.error.toString(), where)));
    }

    // The PTY keep-alive must not end a healthy idle session: idle for 4x the operation
    // timeout behind a passing proxy, then it still echoes.
    void idlePtyStaysOpen()
    {
        m_cp.setFault({});
        m_host.setFault({});
        Client client(proxiedSettings());
        RunnerSession session(client.hostResolver(), m_runner.runnerId, m_runner.sessionId,
                              QString(), m_host.address());
        PtyChannel *pty = session.shell();
        QByteArray seen;
        bool lost = false;
        connect(pty, &PtyChannel::stdout, this, [&](const QByteArray &d) { seen += d; });
        connect(pty, &PtyChannel::disconnected, this, [&] { lost = true; });
        pty->open();
        QTRY_VERIFY_WITH_TIMEOUT(pty->isConnected(), 30000);
        QTest::qWait(int(4 * kOperationTimeout * 1000));
        QVERIFY2(!lost && pty->isConnected(), "an idle, healthy PTY was closed");
        QVERIFY(pty->sendText(QStringLiteral("echo idle-ok-$((6*7))\n")));
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("idle-ok-42"), 30000);
        pty->close();
        m_host.closeAll();
    }

    // The `capsule` command through the proxy: a stall or reset ends with a non-zero exit and a
    // message on stderr within its timeouts.
    void cliThroughProxy_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("stall") << int(Kind::Stall);
        QTest::newRow("reset") << int(Kind::Reset);
        QTest::newRow("truncate") << int(Kind::Truncate);
    }

    void cliThroughProxy()
    {
        QFETCH(int, kind);
        const QString bin = qEnvironmentVariable("CAPSULE_CLI_BIN");
        QVERIFY2(!bin.isEmpty(), "CAPSULE_CLI_BIN is not set");
        FaultProxy::Fault f;
        f.kind = Kind(kind);
        QRandomGenerator gen(quint32(m_seed) + quint32(kind));
        f.afterBytes = gen.bounded(200);
        m_cp.setFault(f);
        QProcess p; // driven by this thread's event loop: the proxy runs here too
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("CAPSULE_BASE_URL"), m_cp.url());
        env.insert(QStringLiteral("CAPSULE_TOKEN"), m_local.token());
        env.insert(QStringLiteral("CAPSULE_REQUEST_TIMEOUT"), QString::number(kRequestTimeout));
        p.setProcessEnvironment(env);
        QEventLoop loop;
        connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
        const int budget = int(4 * kRequestTimeout * 1000) + 8000; // 4 attempts + SDK backoff
        QTimer::singleShot(budget + kMarginMs, &loop, &QEventLoop::quit);
        QElapsedTimer clock;
        clock.start();
        p.start(bin, {QStringLiteral("runners")});
        loop.exec();
        const qint64 elapsed = clock.elapsed();
        const bool finished = p.state() == QProcess::NotRunning;
        if (!finished) {
            p.kill();
            p.waitForFinished(5000);
        }
        m_cp.closeAll();
        const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
        const QString where = QStringLiteral("seed %1, %2 after %3 bytes")
                                  .arg(m_seed)
                                  .arg(FaultProxy::kindName(f.kind))
                                  .arg(f.afterBytes);
        qInfo("capsule runners via proxy (%s): exit %d in %lld ms: %s", qPrintable(where),
              p.exitCode(), elapsed, qPrintable(err.left(300)));
        QVERIFY2(finished, qPrintable(QStringLiteral("capsule hung (%1)").arg(where)));
        if (p.exitCode() != 0)
            QVERIFY2(!err.isEmpty(), qPrintable(QStringLiteral("no message (%1)").arg(where)));
        else
            QVERIFY(p.readAllStandardOutput().contains(m_runner.runnerId.toUtf8()));
        QVERIFY2(elapsed < budget + kMarginMs, qPrintable(where));
    }
};

QTEST_GUILESS_MAIN(TestFaultProxy)
#include "tst_fault_proxy.moc"
