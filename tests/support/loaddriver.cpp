// Load driver implementation: runner slots own runners (allocate -> lease of operations -> release
// -> allocate again), clients run operations on their slot's runner and verify every result.
#include "support/loaddriver.h"

#include "core/client.h"
#include "core/runners.h"
#include "core/runnersession.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <memory>

namespace capsule::test {

namespace {

qint64 procStatusKb(qint64 pid, const QByteArray &field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).trimmed().split(' ').first().toLongLong();
    return -1;
}

int countDescendants(qint64 pid)
{
    QMap<qint64, qint64> parent;
    for (const QString &e : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool ok = false;
        const qint64 p = e.toLongLong(&ok);
        if (ok)
            parent.insert(p, procStatusKb(p, "PPid"));
    }
    int n = 0;
    for (auto it = parent.cbegin(); it != parent.cend(); ++it)
        for (qint64 up = it.value(); up > 1; up = parent.value(up, 0))
            if (up == pid) {
                ++n;
                break;
            }
    return n;
}

// Cgroup folders of a data dir's sandboxes: `<hierarchy>/capsule-local/d<8 hex of
// sha1(data dir)>-*` (src/local/sandbox_cgroups.*; repeated here so that the test support library
// does not link the server).
int countCgroups(const QString &dataDir)
{
    const QString key =
        QLatin1Char('d') + QString::fromLatin1(QCryptographicHash::hash(
                                                   QFile::encodeName(QDir(dataDir).absolutePath()),
                                                   QCryptographicHash::Sha1)
                                                   .toHex()
                                                   .left(8));
    int n = 0;
    for (const char *h : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup/freezer",
                          "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/pids"})
        n += int(QDir(QString::fromLatin1(h) + QStringLiteral("/capsule-local"))
                     .entryList({key + QStringLiteral("-*")}, QDir::Dirs | QDir::NoDotAndDotDot)
                     .size());
    return n;
}

QByteArray randomBytes(QRandomGenerator &gen, int size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        out[i] = char(gen.bounded(256));
    return out;
}

struct Slot
{
    enum class State { Allocating, Live, Draining, Releasing, Done };
    State state = State::Allocating;
    std::unique_ptr<Client> client; // the slot's own control-plane client
    AllocateReply runner;
    int generation = 0;
    int inFlight = 0;
    int opsThisLease = 0;
};

} // namespace

struct LoadRun : QObject
{
    const LocalServer &server;
    QString key;
    LoadOptions opt;
    LoadFigures fig;
    QList<Slot *> pool;
    QRandomGenerator gen;
    QElapsedTimer clock;
    bool stopping = false;
    int activeClients = 0;
    QEventLoop loop;

    struct ClientState
    {
        int index = 0;
        Slot *slot = nullptr;
        std::unique_ptr<Client> client;
        std::unique_ptr<RunnerSession> session;
        int generation = -1;
    };
    QList<ClientState *> clients;

    LoadRun(const LocalServer &s, QString k, const LoadOptions &o)
        : server(s)
        , key(std::move(k))
        , opt(o)
        , gen(o.seed)
    {}
    ~LoadRun() override
    {
        qDeleteAll(clients);
        for (Slot *s : pool)
            delete s;
    }

    Settings settings() const
    {
        Settings s = server.clientSettings();
        s.requestTimeout = 60;
        s.operationTimeout = 60;
        s.startupTimeout = 120;
        return s;
    }

    void record(const QString &kind, qint64 ms, const QString &error, qint64 bytes = 0)
    {
        ++fig.operations;
        ++fig.byKind[kind];
        fig.latencyMs[kind].append(ms);
        if (!error.isEmpty()) {
            ++fig.failures;
            if (fig.errors.size() < 20)
                fig.errors << kind + QStringLiteral(": ") + error;
        } else {
            fig.bytesVerified += bytes;
        }
    }

    // ---- slots: allocate, lease, release ------------------------------------------------------
    void allocate(Slot *slot)
    {
        slot->state = Slot::State::Allocating;
        QElapsedTimer t;
        t.start();
        auto *job = slot->client->runners()->allocateReady(key);
        job->then(
            this,
            [this, slot, t](const AllocateReply &a) {
                record(QStringLiteral("allocate"), t.elapsed(),
                       a.runnerId.isEmpty() ? QStringLiteral("no runner id") : QString());
                slot->runner = a;
                slot->opsThisLease = 0;
                ++slot->generation;
                slot->state = stopping ? Slot::State::Draining : Slot::State::Live;
                maybeRelease(slot);
            },
            [this, slot, t](const Error &e) {
                record(QStringLiteral("allocate"), t.elapsed(), e.toString());
                if (stopping) {
                    slot->state = Slot::State::Done;
                    maybeQuit();
                } else {
                    QTimer::singleShot(500, this, [this, slot] { allocate(slot); });
                }
            });
    }

    void maybeRelease(Slot *slot)
    {
        if (slot->state != Slot::State::Draining || slot->inFlight > 0)
            return;
        slot->state = Slot::State::Releasing;
        QElapsedTimer t;
        t.start();
        auto *job = slot->client->runners()->release(slot->runner.runnerId);
        auto next = [this, slot] {
            if (stopping) {
                slot->state = Slot::State::Done;
                maybeQuit();
            } else {
                allocate(slot);
            }
        };
        job->then(
            this,
            [this, t, next](const ReleaseReply &) {
                record(QStringLiteral("release"), t.elapsed(), {});
                next();
            },
            [this, t, next](const Error &e) {
                record(QStringLiteral("release"), t.elapsed(), e.toString());
                next();
            });
    }

    // ---- clients: one operation after another ----------------------------------------------
    void step(ClientState *c)
    {
        if (stopping) {
            --activeClients;
            maybeQuit();
            return;
        }
        Slot *slot = c->slot;
        if (slot->state != Slot::State::Live) {
            QTimer::singleShot(50, this, [this, c] { step(c); });
            return;
        }
        if (c->generation != slot->generation) {
            c->session = std::make_unique<RunnerSession>(
                c->client->hostResolver(), slot->runner.runnerId, slot->runner.sessionId, QString(),
                slot->runner.hostAddress);
            c->generation = slot->generation;
        }
        ++slot->inFlight;
        if (++slot->opsThisLease >= opt.opsPerLease)
            slot->state = Slot::State::Draining;
        auto done = [this, c, slot](const QString &kind, qint64 ms, const QString &error,
                                    qint64 bytes) {
            record(kind, ms, error, bytes);
            --slot->inFlight;
            maybeRelease(slot);
            QTimer::singleShot(0, this, [this, c] { step(c); });
        };
        const int pick = int(gen.bounded(100));
        if (pick < 30)
            opExec(c, done);
        else if (pick < 55)
            opWriteRead(c, done);
        else if (pick < 75)
            opUploadDownload(c, done);
        else if (pick < 90)
            opPty(c, done);
        else
            opList(c, done);
    }

    using Done = std::function<void(const QString &, qint64, const QString &, qint64)>;

    // Runs `job`; a job still running after opTimeoutMs is cancelled and counted as hung.
    template<class J, class Ok>
    void watch(J *job, const QString &kind, Done done, Ok ok)
    {
        auto t = std::make_shared<QElapsedTimer>();
        t->start();
        QPointer<J> guard(job);
        QTimer::singleShot(opt.opTimeoutMs, this, [guard] {
            if (guard && !guard->isFinished())
                guard->cancel();
        });
        job->then(
            this,
            [t, kind, done, ok](const auto &result) {
                qint64 bytes = 0;
                const QString error = ok(result, &bytes);
                done(kind, t->elapsed(), error, bytes);
            },
            [t, kind, done](const Error &e) { done(kind, t->elapsed(), e.toString(), 0); });
    }

    void opExec(ClientState *c, Done done)
    {
        const int a = int(gen.bounded(100000)), b = int(gen.bounded(100000));
        const QString want = QStringLiteral("sum-%1\n").arg(a + b);
        watch(c->session->execCollect(
                  {"sh", "-c", QStringLiteral("echo sum-$((%1+%2))").arg(a).arg(b)}),
              QStringLiteral("exec"), done, [want](const ExecResult &r, qint64 *bytes) {
                  *bytes = want.size();
                  return r.code == 0 && r.stdoutText == want
                             ? QString()
                             : QStringLiteral("exec: code %1, stdout \"%2\"")
                                   .arg(r.code)
                                   .arg(r.stdoutText.left(80));
              });
    }

    void opWriteRead(ClientState *c, Done done)
    {
        const QByteArray data = randomBytes(gen, 1024 + int(gen.bounded(64 * 1024)));
        const QString path = QStringLiteral("/workspace/load-%1.bin").arg(c->index);
        auto t = std::make_shared<QElapsedTimer>();
        t->start();
        auto *w = c->session->writeBytes(path, data);
        w->then(
            this,
            [this, c, done, data, path, t](const WriteResult &) {
                auto *r = c->session->readBytes(path);
                r->then(
                    this,
                    [done, data, t](const QByteArray &back) {
                        done(QStringLiteral("write+read"), t->elapsed(),
                             back == data ? QString()
                                          : QStringLiteral("read back %1 bytes, not the %2 "
                                                           "written")
                                                .arg(back.size())
                                                .arg(data.size()),
                             data.size());
                    },
                    [done, t](const Error &e) {
                        done(QStringLiteral("write+read"), t->elapsed(), e.toString(), 0);
                    });
            },
            [done, t](const Error &e) {
                done(QStringLiteral("write+read"), t->elapsed(), e.toString(), 0);
            });
    }

    void opUploadDownload(ClientState *c, Done done)
    {
        const QByteArray data = randomBytes(gen, 64 * 1024 + int(gen.bounded(512 * 1024)));
        const QByteArray sum = QCryptographicHash::hash(data, QCryptographicHash::Sha256);
        const QString path = QStringLiteral("/workspace/upload-%1.bin").arg(c->index);
        auto t = std::make_shared<QElapsedTimer>();
        t->start();
        auto *u = c->session->upload(path, data);
        u->then(
            this,
            [this, c, done, sum, path, t, size = data.size()](const WriteResult &) {
                auto *d = c->session->download(path);
                d->then(
                    this,
                    [done, sum, t, size](const QByteArray &back) {
                        const bool same =
                            QCryptographicHash::hash(back, QCryptographicHash::Sha256) == sum;
                        done(QStringLiteral("upload+download"), t->elapsed(),
                             same ? QString()
                                  : QStringLiteral("downloaded %1 bytes with another sha256")
                                        .arg(back.size()),
                             size);
                    },
                    [done, t](const Error &e) {
                        done(QStringLiteral("upload+download"), t->elapsed(), e.toString(), 0);
                    });
            },
            [done, t](const Error &e) {
                done(QStringLiteral("upload+download"), t->elapsed(), e.toString(), 0);
            });
    }

    void opPty(ClientState *c, Done done)
    {
        const int a = int(gen.bounded(100000)), b = int(gen.bounded(100000));
        const QByteArray want = "pty-" + QByteArray::number(a + b);
        PtyChannel *pty = c->session->shell({}, this);
        auto t = std::make_shared<QElapsedTimer>();
        t->start();
        auto seen = std::make_shared<QByteArray>();
        auto finished = std::make_shared<bool>(false);
        auto end = [pty, done, t, finished, want](const QString &error) {
            if (*finished)
                return;
            *finished = true;
            done(QStringLiteral("pty"), t->elapsed(), error, error.isEmpty() ? want.size() : 0);
            pty->disconnect();
            pty->close();
            pty->deleteLater();
        };
        connect(pty, &PtyChannel::connected, this, [pty, a, b] {
            pty->sendText(QStringLiteral("echo pty-$((%1+%2)); exit\n").arg(a).arg(b));
        });
        connect(pty, &PtyChannel::stdout, this, [seen, want, end](const QByteArray &d) {
            *seen += d;
            if (seen->contains(want))
                end({});
        });
        connect(pty, &PtyChannel::errorOccurred, this,
                [end](const Error &e) { end(QStringLiteral("pty: ") + e.toString()); });
        connect(pty, &PtyChannel::disconnected, this,
                [end] { end(QStringLiteral("pty closed before the echo")); });
        QTimer::singleShot(opt.opTimeoutMs, pty, [end] { end(QStringLiteral("pty hung")); });
        pty->open();
    }

    void opList(ClientState *c, Done done)
    {
        watch(c->client->runners()->list(), QStringLiteral("list"), done,
              [](const RunnerList &l, qint64 *) {
                  return l.runners.isEmpty() ? QStringLiteral("empty runner list") : QString();
              });
    }

    void maybeQuit()
    {
        if (activeClients > 0)
            return;
        bool allDone = true;
        for (Slot *s : pool) {
            if (s->state == Slot::State::Live)
                s->state = Slot::State::Draining;
            maybeRelease(s);
            allDone = allDone && s->state == Slot::State::Done;
        }
        if (allDone)
            loop.quit();
    }

    void run()
    {
        fig.startRssKb = procStatusKb(server.pid(), "VmRSS");
        QTimer sampler;
        connect(&sampler, &QTimer::timeout, this, [this] {
            fig.peakRssKb = std::max(fig.peakRssKb, procStatusKb(server.pid(), "VmRSS"));
        });
        sampler.start(100);
        clock.start();
        for (int i = 0; i < std::max(1, opt.runners); ++i) {
            auto *s = new Slot;
            s->client = std::make_unique<Client>(settings());
            pool << s;
            allocate(s);
        }
        for (int i = 0; i < opt.clients; ++i) {
            auto *c = new ClientState;
            c->index = i;
            c->slot = pool.at(i % pool.size());
            c->client = std::make_unique<Client>(settings());
            clients << c;
            ++activeClients;
            QTimer::singleShot(0, this, [this, c] { step(c); });
        }
        QTimer::singleShot(opt.durationMs, this, [this] { stopping = true; });
        // A hard stop so that a stuck run still reports (then as failures).
        QTimer::singleShot(opt.durationMs + opt.opTimeoutMs + 60000, &loop, [this] {
            fig.failures += 1;
            fig.errors << QStringLiteral("the run did not end in time");
            loop.quit();
        });
        loop.exec();
        fig.elapsedMs = clock.elapsed();
        sampler.stop();
        fig.peakRssKb = std::max(fig.peakRssKb, procStatusKb(server.pid(), "VmRSS"));
    }
};

qint64 LoadFigures::percentile(QList<qint64> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype i = std::min<qsizetype>(values.size() - 1, qsizetype(p * values.size()));
    return values.at(i);
}

QList<qint64> LoadFigures::allLatencies() const
{
    QList<qint64> all;
    for (const auto &l : latencyMs)
        all += l;
    return all;
}

QStringList LoadFigures::summary(const LoadOptions &o) const
{
    QStringList out;
    QStringList kinds;
    for (auto it = byKind.cbegin(); it != byKind.cend(); ++it)
        kinds << QStringLiteral("%1 %2 (p50 %3 ms, p99 %4 ms)")
                     .arg(it.key())
                     .arg(it.value())
                     .arg(percentile(latencyMs.value(it.key()), 0.5))
                     .arg(percentile(latencyMs.value(it.key()), 0.99));
    out << QStringLiteral("mix: %1").arg(kinds.join(QStringLiteral(", ")));
    out << QStringLiteral("clients: %1, runners at once: %2, duration: %3 s (ran %4 s)")
               .arg(o.clients)
               .arg(o.runners)
               .arg(o.durationMs / 1000.0)
               .arg(elapsedMs / 1000.0, 0, 'f', 1);
    out << QStringLiteral("leaks: live runners %1, runner dirs %2, sandbox processes %3, "
                          "cgroups %4")
               .arg(liveRunners)
               .arg(runnerDirs)
               .arg(sandboxProcesses)
               .arg(cgroups);
    out << QStringLiteral("operations: %1").arg(operations);
    out << QStringLiteral("failures: %1").arg(failures);
    out << QStringLiteral("bytes verified: %1").arg(bytesVerified);
    const QList<qint64> all = allLatencies();
    out << QStringLiteral("latency: p50 %1 ms, p99 %2 ms")
               .arg(percentile(all, 0.5))
               .arg(percentile(all, 0.99));
    out << QStringLiteral("peak RSS: %1 MiB (start %2 MiB)")
               .arg(peakRssKb / 1024.0, 0, 'f', 1)
               .arg(startRssKb / 1024.0, 0, 'f', 1);
    return out;
}

LoadFigures runLoad(const LocalServer &server, const QString &workloadKey,
                    const LoadOptions &options)
{
    LoadRun run(server, workloadKey, options);
    run.run();
    LoadFigures fig = run.fig;

    // Leaks: wait (bounded) for the sandboxes to go, then count what is left.
    const qint64 pid = server.pid();
    auto count = [&] {
        const HttpReply list = server.get(QStringLiteral("/api/v1/runners"));
        int live = 0;
        for (const QJsonValue &v : list.json().value(QStringLiteral("runners")).toArray()) {
            const QString st = v[QStringLiteral("status")].toString();
            if (st == QLatin1String("booting") || st == QLatin1String("busy") ||
                st == QLatin1String("pausing") || st == QLatin1String("quarantined"))
                ++live;
        }
        fig.liveRunners = list.status == 200 ? live : -1;
        fig.runnerDirs = int(QDir(server.dataDir() + QStringLiteral("/runners"))
                                 .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                                 .size());
        fig.sandboxProcesses = countDescendants(pid);
        fig.cgroups = countCgroups(server.dataDir());
        return fig.liveRunners == 0 && fig.runnerDirs == 0 && fig.sandboxProcesses == 0 &&
               fig.cgroups == 0;
    };
    QElapsedTimer t;
    t.start();
    while (!count() && t.elapsed() < 30000) {
        QEventLoop wait;
        QTimer::singleShot(250, &wait, &QEventLoop::quit);
        wait.exec();
    }
    return fig;
}

} // namespace capsule::test
