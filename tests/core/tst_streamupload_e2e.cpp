// The streaming upload (RunnerSession::uploadDevice, StreamUploadJob) against a real capsule-local:
// byte-identical round trips, the server's own error messages (also when it answers before the
// body was sent), cancel mid-body, and a connection closed mid-body (through a FaultProxy).
#include "core/blocking.h"
#include "core/client.h"
#include "core/runnerconfig.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "support/faultproxy.h"
#include "support/filehashes.h"
#include "support/localserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

using namespace capsule;
using capsule::test::FaultProxy;
using capsule::test::fileSha256;
using capsule::test::LocalServer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;

bool finish(Job *job, int ms = 120000)
{
    return waitFor(job, ms);
}

} // namespace

class TestStreamUploadE2e final : public QObject
{
    Q_OBJECT

private:
    LocalServer m_local;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<RunnerSession> m_session;
    AllocateReply m_runner;
    QTemporaryDir m_here;

    // `size` bytes: a random MiB repeated, each copy stamped with its index (misplaced or
    // repeated blocks change the hash).
    QString makeFile(const QString &name, qint64 size)
    {
        const QString path = m_here.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        QByteArray block(kMiB, Qt::Uninitialized);
        QRandomGenerator gen{quint32(size)};
        for (qint64 i = 0; i + 4 <= kMiB; i += 4)
            *reinterpret_cast<quint32 *>(block.data() + i) = gen.generate();
        for (qint64 at = 0; at < size; at += kMiB) {
            memcpy(block.data(), &at, sizeof at);
            f.write(block.constData(), qMin(kMiB, size - at));
        }
        return path;
    }

    QString writeFile(const QString &name, const QByteArray &data)
    {
        const QString path = m_here.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    FileInfo remoteStat(const QString &path)
    {
        auto *job = m_session->stat(path);
        if (!finish(job) || job->hasError())
            qFatal("stat %s failed", qPrintable(path));
        return job->result();
    }

    // Downloads `remote` and compares it with `local` byte for byte (by sha256).
    bool sameContent(const QString &remote, const QString &local)
    {
        const QString back = local + ".back";
        TransferOptions o;
        o.verifyContent = false;
        auto *down = TransferJob::download(m_session.get(), remote, back, o);
        if (!finish(down) || down->hasError())
            return false;
        const bool same = fileSha256(back) == fileSha256(local);
        QFile::remove(back);
        return same;
    }

    // A second client whose host calls go through `proxy` (its own resolver: the runner's
    // cached address is per client).
    std::unique_ptr<Client> proxiedClient(FaultProxy *proxy, std::unique_ptr<RunnerSession> *out)
    {
        Settings s = m_local.clientSettings();
        s.operationTimeout = 60; // a hang would show as a test timeout, not as this error
        auto client = std::make_unique<Client>(s);
        *out = std::make_unique<RunnerSession>(client->hostResolver(), m_runner.runnerId,
                                               m_runner.sessionId, QString(), proxy->address());
        return client;
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
            RunnerConfig(QStringLiteral("uploads")).withCommands(QStringList{"true"}));
        QVERIFY(finish(onboard));
        QVERIFY2(!onboard->hasError(), qPrintable(onboard->error().toString()));
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                auto *get = m_client->configs()->get(onboard->result().configId);
                return finish(get) && !get->hasError() && get->result().buildFinished();
            }(),
            60000);
        auto *allocated = m_client->runners()->allocateReady(QStringLiteral("uploads"));
        QVERIFY(finish(allocated));
        QVERIFY2(!allocated->hasError(), qPrintable(allocated->error().toString()));
        m_runner = allocated->result();
        m_session = std::make_unique<RunnerSession>(m_client->hostResolver(), m_runner.runnerId,
                                                    m_runner.sessionId, m_runner.requestId,
                                                    m_runner.hostAddress);
    }

    void cleanupTestCase()
    {
        if (m_session)
            QVERIFY(finish(m_session->release()));
    }

    // A raw upload and a chunked transfer arrive byte for byte; an empty body makes an empty
    // file.
    void roundTripByteIdentical()
    {
        const qint64 size = 40 * kMiB + 123;
        const QString src = makeFile(QStringLiteral("rt.bin"), size);
        QFile file(src);
        QVERIFY(file.open(QIODevice::ReadOnly));
        auto *raw = m_session->uploadDevice(QStringLiteral("/workspace/rt-raw.bin"), &file, size);
        QVERIFY(finish(raw));
        QVERIFY2(!raw->hasError(), qPrintable(raw->error().toString()));
        QCOMPARE(raw->result().bytesWritten, size);
        QCOMPARE(raw->result().path, QStringLiteral("/workspace/rt-raw.bin"));
        QVERIFY(sameContent(QStringLiteral("/workspace/rt-raw.bin"), src));

        TransferOptions o;
        o.chunkSize = 16 * kMiB; // three requests: overwrite, append, append
        auto *up =
            TransferJob::upload(m_session.get(), src, QStringLiteral("/workspace/rt.bin"), o);
        QVERIFY(finish(up));
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QVERIFY(up->result().contentVerified);
        QVERIFY(sameContent(QStringLiteral("/workspace/rt.bin"), src));

        QFile empty(makeFile(QStringLiteral("empty.bin"), 0));
        QVERIFY(empty.open(QIODevice::ReadOnly));
        auto *none = m_session->uploadDevice(QStringLiteral("/workspace/empty.bin"), &empty, 0);
        QVERIFY(finish(none));
        QVERIFY2(!none->hasError(), qPrintable(none->error().toString()));
        const FileInfo info = remoteStat(QStringLiteral("/workspace/empty.bin"));
        QVERIFY(info.exists);
        QCOMPARE(info.size, 0);
    }

    // The server refuses at the request head, before reading the 32 MiB body: the client
    // reports the server's message and status (as the QNAM path does), not a broken connection.
    void serverErrorSurfaces_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("outside the allowed roots")
            << "/etc/capsule-upload.bin" << 403 << "path outside allowed roots";
        QTest::newRow("a directory") << "/workspace" << 500 << "open /workspace: ";
    }
    void serverErrorSurfaces()
    {
        QFETCH(QString, path);
        QFETCH(int, status);
        QFETCH(QString, message);
        const QString src = makeFile(QStringLiteral("refused.bin"), 32 * kMiB);
        QFile file(src);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QElapsedTimer clock;
        clock.start();
        auto *job = m_session->uploadDevice(path, &file, file.size());
        QVERIFY(finish(job, 30000));
        QVERIFY(clock.elapsed() < 20000);
        QVERIFY(job->hasError());
        const Error e = job->error();
        QCOMPARE(e.status, status);
        QCOMPARE(e.kind, Error::kindForStatus(status));
        QVERIFY2(e.message.startsWith(message), qPrintable(e.message));
        QCOMPARE(e.toString(), QStringLiteral("HTTP %1: %2").arg(status).arg(e.message));
        QVERIFY(!QUuid::fromString(e.requestId).isNull());

        auto *viaQnam = m_session->upload(path, QByteArray("x"));
        QVERIFY(finish(viaQnam));
        QCOMPARE(viaQnam->error().status, e.status);
        QCOMPARE(viaQnam->error().message, e.message);
    }

    // Cancel mid-body: the job says Cancelled; the raw target is not complete, and a transfer
    // leaves neither the destination nor its partial.
    void cancelMidUpload()
    {
        const qint64 size = 256 * kMiB;
        const QString src = makeFile(QStringLiteral("cancel.bin"), size);
        QFile file(src);
        QVERIFY(file.open(QIODevice::ReadOnly));
        auto *raw =
            m_session->uploadDevice(QStringLiteral("/workspace/cancel-raw.bin"), &file, size);
        connect(raw, &Job::progress, raw, [raw](qint64 done, qint64) {
            if (done >= 16 * kMiB)
                raw->cancel();
        });
        QVERIFY(finish(raw));
        QCOMPARE(raw->error().kind, ErrorKind::Cancelled);
        const FileInfo part = remoteStat(QStringLiteral("/workspace/cancel-raw.bin"));
        QVERIFY2(!part.exists || part.size < size, qPrintable(QString::number(part.size)));

        TransferOptions o;
        o.chunkSize = 32 * kMiB;
        auto *up =
            TransferJob::upload(m_session.get(), src, QStringLiteral("/workspace/cancel.bin"), o);
        connect(up, &TransferJob::progressChanged, up, [up](const TransferProgress &p) {
            if (p.bytesDone >= 40 * kMiB)
                up->cancel();
        });
        QVERIFY(finish(up));
        QCOMPARE(up->error().kind, ErrorKind::Cancelled);
        QVERIFY(!remoteStat(QStringLiteral("/workspace/cancel.bin")).exists);
        QTRY_VERIFY_WITH_TIMEOUT(
            !remoteStat(QStringLiteral("/workspace/cancel.bin.capsule-part")).exists, 10000);
    }

    // The connection closes mid-body (the proxy drops both sides): the upload fails at once with
    // an error saying so, and what the runner kept is a prefix of the source (a transfer resumes
    // from there).
    void connectionClosedMidBody()
    {
        FaultProxy proxy;
        QVERIFY(proxy.listen(m_runner.hostAddress));
        std::unique_ptr<RunnerSession> session;
        auto client = proxiedClient(&proxy, &session);
        const qint64 size = 128 * kMiB;
        const QString src = makeFile(QStringLiteral("closed.bin"), size);
        QFile file(src);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QString remote = QStringLiteral("/workspace/closed-raw.bin");
        auto *raw = session->uploadDevice(remote, &file, size);
        bool dropped = false;
        connect(raw, &Job::progress, &proxy, [&](qint64 done, qint64) {
            if (done >= 16 * kMiB && !std::exchange(dropped, true))
                proxy.closeAll();
        });
        QElapsedTimer clock;
        clock.start();
        QVERIFY(finish(raw, 30000));
        QVERIFY2(clock.elapsed() < 15000, "the client hung on a closed connection");
        QVERIFY(dropped);
        QCOMPARE(raw->error().kind, ErrorKind::Connection);
        QVERIFY2(raw->error().message.startsWith(
                     QStringLiteral("Connection failed: the server closed the connection after ")),
                 qPrintable(raw->error().message));
        QVERIFY(!raw->error().requestId.isEmpty());

        // Once the host has written what reached it, the file is a prefix of the source.
        qint64 kept = -1;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const qint64 before = kept;
                QTest::qWait(300);
                kept = remoteStat(remote).size;
                return kept == before;
            }(),
            20000);
        QVERIFY(kept > 0 && kept < size);
        QVERIFY(file.seek(0));
        const QByteArray prefix = file.read(kept);
        QVERIFY(sameContent(remote, writeFile(QStringLiteral("prefix.bin"), prefix)));
    }
};

QTEST_GUILESS_MAIN(TestStreamUploadE2e)
#include "tst_streamupload_e2e.moc"
