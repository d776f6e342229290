// Sessions end to end against a real capsule-local (contract 9.31 and the transfer flows): exec
// streaming, timeout and start failure, file round trips incl. binary, a PTY, transfers.
#include "core/blocking.h"
#include "core/client.h"
#include "core/runnerconfig.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "support/filehashes.h"
#include "support/localserver.h"

#include <QDir>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule;
using capsule::test::LocalServer;

using capsule::test::fileSha256;
using capsule::test::treeSha256;

namespace {

template<class J>
bool finish(J *job)
{
    return waitFor(job, 60000);
}

} // namespace

class TestExecE2e final : public QObject
{
    Q_OBJECT

private:
    LocalServer m_local;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<RunnerSession> m_session;
    QTemporaryDir m_here;

    QString makeFile(const QString &rel, qint64 size, quint32 seed)
    {
        const QString path = m_here.filePath(rel);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        QRandomGenerator gen(seed);
        QByteArray data(size, Qt::Uninitialized);
        for (qint64 i = 0; i < size; ++i)
            data[i] = char(gen.generate() & 0xff);
        f.write(data);
        return path;
    }

    static TransferOptions small()
    {
        TransferOptions o;
        o.chunkSize = 64 * 1024;
        return o;
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_local.start({}, &error), qPrintable(error));
        Settings s = m_local.clientSettings();
        s.operationTimeout = 30;
        m_client = std::make_unique<Client>(s);
        auto *onboard = m_client->workloads()->onboard(
            RunnerConfig(QStringLiteral("sessions")).withCommands(QStringList{"true"}));
        QVERIFY(finish(onboard));
        QVERIFY2(!onboard->hasError(), qPrintable(onboard->error().toString()));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                auto *get = m_client->configs()->get(onboard->result().configId);
                return finish(get) && !get->hasError() && get->result().buildFinished();
            }(),
            60000);
        auto *allocated = m_client->runners()->allocateReady(QStringLiteral("sessions"));
        QVERIFY(finish(allocated));
        QVERIFY2(!allocated->hasError(), qPrintable(allocated->error().toString()));
        const AllocateReply a = allocated->result();
        m_session = std::make_unique<RunnerSession>(m_client->hostResolver(), a.runnerId,
                                                    a.sessionId, a.requestId, a.hostAddress);
    }

    void cleanupTestCase()
    {
        if (!m_session)
            return;
        auto *r1 = m_session->release();
        QVERIFY(finish(r1));
        QVERIFY2(!r1->hasError(), qPrintable(r1->error().toString()));
        QVERIFY(r1->result());
        auto *r2 = m_session->release();
        QVERIFY(finish(r2));
        QVERIFY(r2->result());
    }

    // 9.31: `sh -lc "printf X"` -> exit 0, stdout X.
    void execPrintf()
    {
        auto *job = m_session->execCollect({"sh", "-lc", "printf X"});
        QVERIFY(finish(job));
        QVERIFY2(!job->hasError(), qPrintable(job->error().toString()));
        QCOMPARE(job->result().code, 0);
        QCOMPARE(job->result().stdoutText, QStringLiteral("X\n")); // every line ends in \n
    }

    // Events arrive as they are produced, in order, exit last.
    void execStreams()
    {
        ExecJob *job = m_session->exec({"sh", "-c", "echo one; sleep 0.3; echo two; exit 3"});
        QStringList lines;
        QElapsedTimer clock;
        clock.start();
        qint64 firstAt = -1;
        connect(job, &ExecJob::stdoutData, this, [&](const QString &l) {
            if (firstAt < 0)
                firstAt = clock.elapsed();
            lines << l;
        });
        QVERIFY(finish(job));
        QCOMPARE(lines, (QStringList{"one\n", "two\n"}));
        QCOMPARE(job->result(), 3);
        QVERIFY(job->events().last().isExit());
        QVERIFY2(firstAt < clock.elapsed() - 200, "the first line came only at the end");
    }

    void execEnvAndDir()
    {
        auto *job =
            m_session->execCollect({"sh", "-c", "echo $FOO; pwd"}, {{"FOO", "bar"}}, "/tmp");
        QVERIFY(finish(job));
        QCOMPARE(job->result().stdoutText, QStringLiteral("bar\n/tmp\n"));
    }

    void execTimeout()
    {
        ExecJob *job = m_session->exec({"sleep", "10"}, {}, {}, 1);
        QSignalSpy messages(job, &ExecJob::errorMessage);
        QVERIFY(finish(job));
        QCOMPARE(job->result(), -1);
        QCOMPARE(messages.count(), 1);
        QCOMPARE(messages.first().first().toString(), QStringLiteral("timeout"));
    }

    void execStartFailure()
    {
        ExecJob *job = m_session->exec({"no-such-program-xyz"});
        QSignalSpy messages(job, &ExecJob::errorMessage);
        QSignalSpy exited(job, &ExecJob::exited);
        QVERIFY(finish(job));
        QVERIFY(!job->hasError());
        QCOMPARE(job->result(), -1);
        QCOMPARE(exited.count(), 0);
        QVERIFY(messages.first().first().toString().startsWith("start failed"));
    }

    // 9.31: write/read round trip, stat, listing, binary upload/download, remove.
    void files()
    {
        auto *w = m_session->writeText("/workspace/e2e.txt", "hello e2e");
        QVERIFY(finish(w));
        QVERIFY2(!w->hasError(), qPrintable(w->error().toString()));
        QCOMPARE(w->result().bytesWritten, 9);
        auto *r = m_session->readText("/workspace/e2e.txt");
        QVERIFY(finish(r));
        QCOMPARE(r->result(), QStringLiteral("hello e2e"));
        auto *st = m_session->stat("/workspace/e2e.txt");
        QVERIFY(finish(st));
        QVERIFY(st->result().exists);
        QCOMPARE(st->result().size, 9);
        auto *ls = m_session->list("/workspace");
        QVERIFY(finish(ls));
        bool listed = false;
        for (const FileInfo &f : ls->result().entries)
            listed = listed || f.name == QLatin1String("e2e.txt");
        QVERIFY(listed);

        const QByteArray bin("\x00\x01sdk-e2e", 9);
        auto *up = m_session->upload("/workspace/bin.dat", bin);
        QVERIFY(finish(up));
        QCOMPARE(up->result().bytesWritten, 9);
        auto *down = m_session->download("/workspace/bin.dat");
        QVERIFY(finish(down));
        QCOMPARE(down->result(), bin);
        auto *rb = m_session->readBytes("/workspace/bin.dat");
        QVERIFY(finish(rb));
        QCOMPARE(rb->result(), bin);

        // Names with a space and a '+' survive the query encoding of upload/download.
        auto *odd = m_session->upload("/workspace/with space+plus.txt", "odd");
        QVERIFY(finish(odd));
        QVERIFY2(!odd->hasError(), qPrintable(odd->error().toString()));
        QCOMPARE(odd->result().path, QStringLiteral("/workspace/with space+plus.txt"));
        auto *oddBack = m_session->download("/workspace/with space+plus.txt");
        QVERIFY(finish(oddBack));
        QCOMPARE(oddBack->result(), QByteArray("odd"));

        auto *rm = m_session->remove("/workspace/e2e.txt");
        QVERIFY(finish(rm));
        QVERIFY(rm->result());
        auto *gone = m_session->stat("/workspace/e2e.txt");
        QVERIFY(finish(gone));
        QVERIFY(!gone->result().exists);
    }

    // 9.31: a /bin/sh PTY echoes a marker; exit code arrives.
    void pty()
    {
        PtyChannel *ch = m_session->shell(PtyOptions{100, 30, QStringLiteral("/bin/sh")});
        QByteArray seen;
        connect(ch, &PtyChannel::stdout, this, [&](const QByteArray &d) { seen += d; });
        QSignalSpy connected(ch, &PtyChannel::connected);
        QSignalSpy exited(ch, &PtyChannel::exited);
        ch->open();
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 20000);
        QVERIFY(ch->sendInput("echo mark-$((6*7))\n"));
        QTRY_VERIFY_WITH_TIMEOUT(seen.contains("mark-42"), 10000);
        QVERIFY(ch->sendInput("exit 5\n"));
        QTRY_COMPARE_WITH_TIMEOUT(exited.count(), 1, 10000);
        QCOMPARE(exited.first().first().toInt(), 5);
    }

    // Transfers: multi-chunk round trip with identical sha256, cancel, resume, folder.
    void transferRoundTrip()
    {
        const QString src = makeFile("big.bin", 1024 * 1024 + 77, 3);
        auto *up = TransferJob::upload(m_session.get(), src, "/workspace/big.bin", small());
        QVERIFY(finish(up));
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QVERIFY(up->result().contentVerified);
        const QString dst = m_here.filePath("big.out");
        auto *down = TransferJob::download(m_session.get(), "/workspace/big.bin", dst, small());
        QVERIFY(finish(down));
        QVERIFY2(!down->hasError(), qPrintable(down->error().toString()));
        QVERIFY(down->result().contentVerified);
        QCOMPARE(fileSha256(dst), fileSha256(src));
        auto *part = m_session->stat("/workspace/big.bin.capsule-part");
        QVERIFY(finish(part));
        QVERIFY(!part->result().exists);
    }

    void transferCancelAndResume()
    {
        const QString src = makeFile("c.bin", 4 * 1024 * 1024, 4);
        TransferOptions o = small();
        auto *up = TransferJob::upload(m_session.get(), src, "/workspace/c.bin", o);
        QTRY_VERIFY(up->progressInfo().bytesDone > 256 * 1024);
        up->cancel();
        auto *st = m_session->stat("/workspace/c.bin");
        QVERIFY(finish(st));
        QVERIFY(!st->result().exists);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                auto *p = m_session->stat("/workspace/c.bin.capsule-part");
                return finish(p) && !p->result().exists;
            }(),
            10000);

        // A partial left by an earlier attempt is continued, not restarted.
        auto *seed = m_session->upload("/workspace/c.bin.capsule-part", [&] {
            QFile f(src);
            f.open(QIODevice::ReadOnly);
            return f.read(1024 * 1024);
        }());
        QVERIFY(finish(seed));
        auto *resumed = TransferJob::upload(m_session.get(), src, "/workspace/c.bin", o);
        QVERIFY(finish(resumed));
        QVERIFY2(!resumed->hasError(), qPrintable(resumed->error().toString()));
        QVERIFY(resumed->result().resumed);
        QCOMPARE(resumed->result().bytesTransferred, 3 * 1024 * 1024);
        QVERIFY(resumed->result().contentVerified);
    }

    void transferFolder()
    {
        for (int i = 0; i < 30; ++i)
            makeFile(QStringLiteral("proj/src/f%1.txt").arg(i), 50 + i, i);
        makeFile("proj/deep/a/b.bin", 200 * 1024, 9);
        QDir().mkpath(m_here.filePath("proj/empty"));
        auto *up = TransferJob::upload(m_session.get(), m_here.filePath("proj"), "/workspace/proj",
                                       small());
        QVERIFY(finish(up));
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QCOMPARE(up->result().files, 31);
        auto *down = TransferJob::download(m_session.get(), "/workspace/proj",
                                           m_here.filePath("copy"), small());
        QVERIFY(finish(down));
        QVERIFY2(!down->hasError(), qPrintable(down->error().toString()));
        QCOMPARE(treeSha256(m_here.filePath("copy")), treeSha256(m_here.filePath("proj")));
    }
};

QTEST_GUILESS_MAIN(TestExecE2e)
#include "tst_exec_e2e.moc"
