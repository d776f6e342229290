// Issue 10 "Faults": capsule-local killed with SIGKILL during an upload, a build and an open PTY,
// then restarted on the same data dir. Clients fail with a clear error; afterwards no file looks
// complete with the wrong content (sha256 of what exists vs what was sent), a build in flight
// becomes failed (never "active" without a version), sessions resume with their files, and
// the lists of configs and sessions are the same before and after.
#include "core/blocking.h"
#include "core/client.h"
#include "core/runners.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "support/localserver.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace capsule;
using capsule::test::HttpReply;
using capsule::test::LocalServer;

namespace {

QByteArray sha256(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

class TestFaultRestart final : public QObject
{
    Q_OBJECT

private:
    LocalServer m_local;
    QString m_key;
    QTemporaryDir m_here;

    Settings settings() const
    {
        Settings s = m_local.clientSettings();
        s.requestTimeout = 10;
        s.operationTimeout = 10;
        return s;
    }

    // "config_id=leaf_key" of every config, and the session ids of suspended and live runners.
    QStringList configsState() const
    {
        QStringList out;
        const HttpReply r = m_local.get(QStringLiteral("/api/v1/layered-configs"));
        for (const QJsonValue &v : r.json().value(QStringLiteral("configs")).toArray())
            out << v[QStringLiteral("config_id")].toString() + QLatin1Char('=') +
                       v[QStringLiteral("leaf_workload_key")].toString();
        return out;
    }
    QStringList sessionsState() const
    {
        QStringList out;
        const HttpReply r = m_local.get(QStringLiteral("/api/v1/snapshots"));
        for (const QJsonValue &v : r.json().value(QStringLiteral("snapshots")).toArray())
            out << v[QStringLiteral("SessionID")].toString();
        // Live sessions are in the runner listing (snapshots list suspended ones only).
        const HttpReply live = m_local.get(QStringLiteral("/api/v1/runners"));
        for (const QJsonValue &v : live.json().value(QStringLiteral("runners")).toArray())
            if (v[QStringLiteral("status")].toString() != QLatin1String("terminated"))
                out << v[QStringLiteral("session_id")].toString();
        out.removeAll(QString());
        out.sort();
        out.removeDuplicates();
        return out;
    }

    // A runner whose session was paused once and resumed: such a session survives a restart as
    // suspended (docs/local.md, durability), so its files can be checked after the kill.
    bool durableRunner(Client &client, AllocateReply *out)
    {
        auto *a = client.runners()->allocateReady(m_key);
        if (!waitFor(a, 90000) || a->hasError()) {
            qWarning() << "allocate:" << (a->hasError() ? a->error().toString() : "timeout");
            return false;
        }
        const AllocateReply first = a->result();
        auto *p = client.runners()->pause(first.runnerId);
        if (!waitFor(p, 90000) || p->hasError())
            return false;
        return resume(client, first.sessionId, out) && out->runnerId == first.runnerId;
    }

    bool resume(Client &client, const QString &sessionId, AllocateReply *out)
    {
        auto *r = client.runners()->resume(m_key, sessionId);
        if (!waitFor(r, 90000) || r->hasError()) {
            qWarning() << "resume:" << (r->hasError() ? r->error().toString() : "timeout");
            return false;
        }
        *out = r->result();
        return true;
    }

    void killAndRestart(QStringList *configsBefore, QStringList *sessionsBefore)
    {
        m_local.kill9();
        QString error;
        QVERIFY2(m_local.restart(&error), qPrintable(error));
        QCOMPARE(configsState(), *configsBefore);
        // Every session that existed before is still listed (a live one is now suspended).
        const QStringList after = sessionsState();
        for (const QString &s : *sessionsBefore)
            QVERIFY2(after.contains(s), qPrintable(QStringLiteral("session %1 lost").arg(s)));
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_local.start({}, &error), qPrintable(error));
        m_key = m_local.createAndBuild(LocalServer::trivialConfig(QStringLiteral("durable")),
                                       &error, 90000);
        QVERIFY2(!m_key.isEmpty(), qPrintable(error));
    }

    // SIGKILL while a 48 MiB transfer and a raw upload stream: the client sees a clear error;
    // after the restart the destination is absent or whole with the right sha256, and the
    // partials hold a prefix of what was sent (never other bytes).
    void killDuringUpload()
    {
        Client client(settings());
        AllocateReply runner;
        QVERIFY(durableRunner(client, &runner));
        QStringList configsBefore = configsState();
        QStringList sessionsBefore = sessionsState();
        QVERIFY(sessionsBefore.contains(runner.sessionId));

        QRandomGenerator gen(0xfa17);
        QByteArray data(48 * 1024 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i + 4 <= data.size(); i += 4) {
            const quint32 v = gen.generate();
            memcpy(data.data() + i, &v, 4);
        }
        const QString local = m_here.filePath(QStringLiteral("big.bin"));
        {
            QFile f(local);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QCOMPARE(f.write(data), data.size());
        }
        RunnerSession session(client.hostResolver(), runner.runnerId, runner.sessionId, QString(),
                              runner.hostAddress);
        TransferOptions opts;
        opts.chunkSize = 8 * 1024 * 1024;
        opts.ownedByRunner = false;
        TransferJob *transfer =
            TransferJob::upload(&session, local, QStringLiteral("/workspace/big.bin"), opts);
        QFile rawSource(local);
        QVERIFY(rawSource.open(QIODevice::ReadOnly));
        // A streamed upload of 48 MiB takes well under a second here, so progress handlers time
        // the kill: the raw upload starts once the transfer is well under way (some chunks
        // written, not all), and the server dies as soon as the raw upload is mid-body too.
        QObject context;
        ResultJob<WriteResult> *raw = nullptr;
        bool killed = false;
        bool transferRunning = false;
        connect(transfer, &TransferJob::progressChanged, &context, [&](const TransferProgress &p) {
            if (raw || p.bytesDone < 16 * 1024 * 1024)
                return;
            raw =
                session.uploadDevice(QStringLiteral("/workspace/raw.bin"), &rawSource, data.size());
            connect(raw, &Job::progress, &context, [&](qint64 sent, qint64) {
                if (killed || sent < 4 * 1024 * 1024)
                    return;
                killed = true;
                transferRunning = !transfer->isFinished();
                m_local.kill9();
            });
        });
        QElapsedTimer clock;
        clock.start();
        while (!killed && !transfer->isFinished() && clock.elapsed() < 60000)
            spin(5);
        QVERIFY2(killed && transferRunning,
                 "the transfer finished before the kill; make it larger");
        clock.restart();
        QVERIFY(waitFor(transfer, 60000));
        QVERIFY(waitFor(raw, 60000));
        qInfo("after the kill the client failed in %lld ms: transfer: %s; raw upload: %s",
              clock.elapsed(), qPrintable(transfer->error().toString()),
              qPrintable(raw->error().toString()));
        QVERIFY(transfer->hasError());
        QVERIFY(transfer->error().kind != ErrorKind::Generic);
        QVERIFY(!transfer->error().message.isEmpty());
        QVERIFY(raw->hasError());
        QVERIFY(raw->error().kind != ErrorKind::Generic && !raw->error().message.isEmpty());

        QString error;
        QVERIFY2(m_local.restart(&error), qPrintable(error));
        QCOMPARE(configsState(), configsBefore);
        const QStringList sessionsAfter = sessionsState();
        for (const QString &s : sessionsBefore)
            QVERIFY2(sessionsAfter.contains(s), qPrintable(s));

        Client again(settings());
        AllocateReply resumed;
        QVERIFY(resume(again, runner.sessionId, &resumed));
        QCOMPARE(resumed.runnerId, runner.runnerId);
        QVERIFY(resumed.resumed);
        RunnerSession after(again.hostResolver(), resumed.runnerId, resumed.sessionId, QString(),
                            resumed.hostAddress);
        auto *hashes = after.execCollect(
            {"sh", "-c",
             "cd /workspace && for f in big.bin big.bin.capsule-part raw.bin; do "
             "if [ -e $f ]; then echo $f $(stat -c %s $f) $(sha256sum < $f | cut -d' ' -f1); "
             "fi; done"});
        QVERIFY(waitFor(hashes, 60000));
        QVERIFY2(!hashes->hasError(), qPrintable(hashes->error().toString()));
        qInfo("after restart: %s", qPrintable(hashes->result().stdoutText.trimmed()));
        for (const QString &line :
             hashes->result().stdoutText.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QStringList f = line.split(QLatin1Char(' '));
            QCOMPARE(f.size(), 3);
            const qint64 size = f[1].toLongLong();
            QVERIFY(size <= data.size());
            // Whatever exists is a prefix of what was sent: never other bytes.
            QCOMPARE(f[2].toUtf8(), sha256(data.left(size)));
            if (f[0] == QLatin1String("big.bin"))
                QCOMPARE(size, data.size()); // the final name only ever holds the whole file
        }
        auto *rel = after.release();
        QVERIFY(waitFor(rel, 30000));
    }

    // SIGKILL during a build: after the restart the build is failed, the layer is not active
    // without a version, a new build can be enqueued, and the built config still allocates.
    void killDuringBuild()
    {
        QJsonObject body = LocalServer::trivialConfig(QStringLiteral("slowbuild"));
        QJsonArray layers = body.value(QStringLiteral("layers")).toArray();
        QJsonObject layer = layers.at(0).toObject();
        layer.insert(
            QStringLiteral("init_commands"),
            QJsonArray{QJsonObject{{"type", "shell"}, {"args", QJsonArray{"sleep", "60"}}}});
        layers.replace(0, layer);
        body.insert(QStringLiteral("layers"), layers);
        QCOMPARE(m_local.post(QStringLiteral("/api/v1/layered-configs"), body).status, 201);
        const QString cfg = QStringLiteral("/api/v1/layered-configs/slowbuild");
        QVERIFY(m_local.request("POST", cfg + QStringLiteral("/build")).status / 100 == 2);
        QTRY_VERIFY_WITH_TIMEOUT(m_local.get(cfg).body.contains("\"build_status\":\"running\""),
                                 60000);
        QStringList configsBefore = configsState();
        QStringList sessionsBefore = sessionsState();
        killAndRestart(&configsBefore, &sessionsBefore);

        const QJsonObject detail = m_local.get(cfg).json();
        const QJsonObject leaf = detail.value(QStringLiteral("layers")).toArray().last().toObject();
        qInfo() << "leaf after restart:" << leaf;
        QVERIFY(!leaf.contains(QStringLiteral("build_status"))); // not still "running"
        QVERIFY(leaf.value(QStringLiteral("status")).toString() != QLatin1String("active"));
        QVERIFY(leaf.value(QStringLiteral("current_version")).toString().isEmpty());
        const QJsonArray builds =
            m_local.get(cfg + QStringLiteral("/builds")).json().value("builds").toArray();
        QVERIFY(!builds.isEmpty());
        for (const QJsonValue &b : builds)
            QCOMPARE(b[QStringLiteral("status")].toString(), QStringLiteral("failed"));
        // Allocating it says why it cannot run (not built), not "ready" with missing layers.
        const HttpReply alloc = m_local.post(
            QStringLiteral("/api/v1/runners/allocate"),
            {{"workload_key",
              configsBefore.filter(QStringLiteral("slowbuild=")).value(0).section('=', 1)}});
        QCOMPARE(alloc.status, 503);
        QVERIFY(alloc.body.contains("build"));
        // A new build can be enqueued (nothing stuck "in flight"); then drop the config.
        QCOMPARE(m_local.request("POST", cfg + QStringLiteral("/build")).status, 202);
        QCOMPARE(m_local.request("DELETE", cfg).status, 204);
        // The config built before the kill still has its layers: a runner starts and runs.
        Client client(settings());
        auto *a = client.runners()->allocateReady(m_key);
        QVERIFY(waitFor(a, 90000));
        QVERIFY2(!a->hasError(), qPrintable(a->error().toString()));
        RunnerSession s(client.hostResolver(), a->result().runnerId, a->result().sessionId,
                        QString(), a->result().hostAddress);
        auto *e = s.execCollect({"sh", "-c", "echo built-ok"});
        QVERIFY(waitFor(e, 60000));
        QVERIFY2(!e->hasError(), qPrintable(e->error().toString()));
        QCOMPARE(e->result().stdoutText, QStringLiteral("built-ok\n"));
        auto *rel = s.release();
        QVERIFY(waitFor(rel, 30000));
    }

    // SIGKILL with an open PTY: the channel reports an error or a close at once; after the
    // restart the runner is reported suspended (not ready), its session resumes with the same
    // runner id and its files, and a new PTY works.
    void killDuringPty()
    {
        Client client(settings());
        AllocateReply runner;
        QVERIFY(durableRunner(client, &runner));
        RunnerSession session(client.hostResolver(), runner.runnerId, runner.sessionId, QString(),
                              runner.hostAddress);
        auto *w = session.writeText(QStringLiteral("/workspace/marker.txt"), QStringLiteral("m1"));
        QVERIFY(waitFor(w, 30000));
        QVERIFY(!w->hasError());
        PtyChannel *pty = session.shell();
        QByteArray seen;
        bool gone = false;
        QString why;
        connect(pty, &PtyChannel::connected, this,
                [pty] { pty->sendText(QStringLiteral("echo pty-up-$((6*7))\n")); });
        connect(pty, &PtyChannel::stdout, this, [&](const QByteArray &d) { seen += d; });
        connect(pty, &PtyChannel::errorOccurred, this,
                [&](const Error &e) { why = Error::kindName(e.kind) + ": " + e.message; });
        connect(pty, &PtyChannel::disconnected, this, [&] { gone = true; });
        pty->open();
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("pty-up-42"), 60000);
        QStringList configsBefore = configsState();
        QStringList sessionsBefore = sessionsState();
        QElapsedTimer clock;
        clock.start();
        m_local.kill9();
        QTRY_VERIFY_WITH_TIMEOUT(gone, 30000);
        qInfo("PTY after SIGKILL: disconnected in %lld ms (%s), state %d", clock.elapsed(),
              qPrintable(why.isEmpty() ? QStringLiteral("closed") : why), int(pty->state()));
        QVERIFY(!pty->isConnected());
        QString error;
        QVERIFY2(m_local.restart(&error), qPrintable(error));
        QCOMPARE(configsState(), configsBefore);
        const QStringList sessionsAfter = sessionsState();
        for (const QString &s : sessionsBefore)
            QVERIFY2(sessionsAfter.contains(s), qPrintable(s));

        Client again(settings());
        auto *st = again.runners()->status(runner.runnerId);
        QVERIFY(waitFor(st, 30000));
        QVERIFY(!st->hasError());
        QCOMPARE(st->result().status, QStringLiteral("suspended")); // reported, not "ready"
        AllocateReply resumed;
        QVERIFY(resume(again, runner.sessionId, &resumed));
        QCOMPARE(resumed.runnerId, runner.runnerId);
        RunnerSession after(again.hostResolver(), resumed.runnerId, resumed.sessionId, QString(),
                            resumed.hostAddress);
        auto *r = after.readText(QStringLiteral("/workspace/marker.txt"));
        QVERIFY(waitFor(r, 30000));
        QVERIFY2(!r->hasError(), qPrintable(r->error().toString()));
        QCOMPARE(r->result(), QStringLiteral("m1"));
        PtyChannel *pty2 = after.shell();
        QByteArray seen2;
        connect(pty2, &PtyChannel::connected, this,
                [pty2] { pty2->sendText(QStringLiteral("echo pty-again-$((6*7))\n")); });
        connect(pty2, &PtyChannel::stdout, this, [&](const QByteArray &d) { seen2 += d; });
        pty2->open();
        QTRY_VERIFY_WITH_TIMEOUT(seen2.contains("pty-again-42"), 60000);
        pty2->close();
        auto *rel = after.release();
        QVERIFY(waitFor(rel, 30000));
    }
};

QTEST_GUILESS_MAIN(TestFaultRestart)
#include "tst_fault_restart.moc"
