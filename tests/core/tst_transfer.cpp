// Transfers (chunked, resumable, verified uploads/downloads and the TransferQueue) against a small
// host double in the test that keeps the runner's files in a temporary folder. The same flows
// run against a real capsule-local in tst_transfer_e2e once its host routes exist.
#include "core/hostresolver.h"
#include "core/http.h"
#include "core/runnersession.h"
#include "core/transfer.h"
#include "support/faultserver.h"
#include "support/filehashes.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace capsule;
using capsule::test::FaultServer;

using capsule::test::fileSha256;
using capsule::test::treeSha256;

namespace {

constexpr qint64 kChunk = 64 * 1024;

// Serves files/{stat,list,upload,download,remove,mkdir} and exec of `sha256sum`, `openssl dgst`
// and `mv -f -T`
// on a folder, like the host agent does for a runner (contract 3.2, 3.3).
class HostDouble
{
public:
    FaultServer server;
    QTemporaryDir root;
    bool hasSha256sum = true;
    bool hasOpenssl = false;
    bool opensslFails = false; // openssl exists but exits 1 (an old or odd build)
    QStringList hashTools;     // argv[0] of every hashing exec, in order
    bool corruptUploads = false;
    bool mvRefused = false;  // like a sticky /tmp: the runner user may not rename root's files
    int failUploadAt = -1;   // index (0-based) of the upload request answered with 500
    int failDownloadAt = -1; // index of the download request answered with 500
    int dropUploadAt = -1;   // this upload is applied, then the connection drops mid-reply
    int dropDownloadAt = -1; // this download sends half its bytes, then the connection drops
    int uploadDelayMs = 0;
    int uploads = 0;
    int downloads = 0;
    QStringList uploadModes;
    QList<QByteArray> ranges;

    HostDouble()
    {
        server.listen();
        server.setHandler([this](const FaultServer::Request &r) { return handle(r); });
    }

    QString local(const QString &path) const { return root.path() + path; }

private:
    static FaultServer::Reply ok(const QJsonObject &o) { return FaultServer::json(200, o); }

    QJsonObject info(const QString &path) const
    {
        const QFileInfo fi(local(path));
        return {{"name", fi.fileName()},
                {"path", path},
                {"size", fi.isDir() ? 4096 : fi.size()},
                {"mode", fi.isDir() ? "drwxr-xr-x" : "-rw-r--r--"},
                {"mod_time", fi.lastModified().toUTC().toString(Qt::ISODate)},
                {"is_dir", fi.isDir()},
                {"exists", fi.exists()}};
    }

    FaultServer::Reply handle(const FaultServer::Request &r)
    {
        const QString prefix = QStringLiteral("/api/v1/runners/r-1/");
        if (!r.path.startsWith(prefix))
            return {};
        const QString op = r.path.mid(prefix.size());
        const QJsonObject body = r.json();
        const QString path =
            op == QLatin1String("files/upload") || op == QLatin1String("files/download")
                ? r.query.queryItemValue("path", QUrl::FullyDecoded)
                : body.value("path").toString();
        if (op == QLatin1String("files/stat"))
            return ok(info(path));
        if (op == QLatin1String("files/mkdir")) {
            QDir().mkpath(local(path));
            return ok({{"path", path}, {"created", true}});
        }
        if (op == QLatin1String("files/remove")) {
            const QFileInfo fi(local(path));
            if (fi.isDir())
                QDir(local(path)).removeRecursively();
            else
                QFile::remove(local(path));
            return ok({{"path", path}, {"removed", true}});
        }
        if (op == QLatin1String("files/list")) {
            QJsonArray entries;
            if (!QFileInfo::exists(local(path)))
                return FaultServer::text(200, "[]");
            entries.append(info(path));
            QStringList all;
            QDirIterator it(local(path), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                            QDirIterator::Subdirectories);
            while (it.hasNext())
                all << it.next().mid(root.path().size());
            all.sort();
            for (const QString &p : all)
                entries.append(info(p));
            return ok({{"path", path}, {"entries", entries}});
        }
        if (op == QLatin1String("files/upload")) {
            const int index = uploads++;
            const QString mode = r.query.queryItemValue("mode");
            uploadModes << mode;
            FaultServer::Reply reply;
            if (index == failUploadAt) {
                reply = FaultServer::text(500, "disk trouble\n");
            } else {
                QDir().mkpath(QFileInfo(local(path)).absolutePath());
                QFile f(local(path));
                f.open(mode == QLatin1String("append")
                           ? QIODevice::Append
                           : QIODevice::WriteOnly | QIODevice::Truncate);
                QByteArray data = r.body;
                if (corruptUploads && !data.isEmpty())
                    data[0] = char(data[0] ^ 0x55);
                f.write(data);
                reply = ok({{"path", path}, {"bytes_written", r.body.size()}});
                if (index == dropUploadAt) {
                    reply.body = "{";
                    reply.action = FaultServer::Reply::Action::DropMidBody;
                }
            }
            reply.delayMs = uploadDelayMs;
            return reply;
        }
        if (op == QLatin1String("files/download")) {
            const int index = downloads++;
            const QByteArray range = r.header("Range");
            ranges << range;
            if (index == failDownloadAt)
                return FaultServer::text(500, "disk trouble\n");
            QFile f(local(path));
            if (!f.open(QIODevice::ReadOnly))
                return FaultServer::text(404, "not found\n");
            const QByteArray all = f.readAll();
            FaultServer::Reply reply;
            reply.contentType = "application/octet-stream";
            if (range.startsWith("bytes=")) {
                const QList<QByteArray> se = range.mid(6).split('-');
                const qint64 start = se.at(0).toLongLong();
                const qint64 end = se.at(1).isEmpty() ? all.size() - 1 : se.at(1).toLongLong();
                reply.status = 206;
                reply.body = all.mid(start, end - start + 1);
            } else {
                reply.body = all;
            }
            if (index == dropDownloadAt) {
                reply.body = reply.body.left(reply.body.size() / 2);
                reply.action = FaultServer::Reply::Action::DropMidBody;
            }
            return reply;
        }
        if (op == QLatin1String("exec"))
            return exec(body.value("command").toVariant().toStringList());
        return {};
    }

    FaultServer::Reply exec(const QStringList &argv)
    {
        QByteArray out;
        auto line = [&out](const QJsonObject &o) {
            out += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        };
        int code = 0;
        // Prints "<hex><separator><path>" per path, like the tool; code 1 if any is unreadable.
        auto hashLines = [&](const QStringList &paths, const QString &separator,
                             const QString &tool) {
            for (const QString &p : paths) {
                QFile f(local(p));
                if (!f.open(QIODevice::ReadOnly)) {
                    line({{"type", "stderr"}, {"data", tool + ": " + p + ": No such file\n"}});
                    code = 1;
                    continue;
                }
                const QByteArray h =
                    QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
                line({{"type", "stdout"}, {"data", QString(h) + separator + p + "\n"}});
            }
        };
        if (argv.value(0) == QLatin1String("sha256sum") ||
            argv.value(0) == QLatin1String("openssl"))
            hashTools << argv.value(0);
        if (argv.value(0) == QLatin1String("openssl") && hasOpenssl) {
            const QStringList expected{"openssl", "dgst", "-sha256", "-r", "--"};
            if (argv.mid(0, 5) != expected || opensslFails) {
                line({{"type", "stderr"}, {"data", "dgst: unknown option\n"}});
                code = 1;
            } else {
                hashLines(argv.mid(5), " *", "openssl");
            }
        } else if (argv.value(0) == QLatin1String("sha256sum") && hasSha256sum) {
            hashLines(argv.mid(2), "  ", "sha256sum");
        } else if (argv.value(0) == QLatin1String("mv") && mvRefused) {
            line({{"type", "stderr"}, {"data", "mv: cannot move: Operation not permitted\n"}});
            code = 1;
        } else if (argv.value(0) == QLatin1String("cp") && argv.size() == 7) {
            QFile::remove(local(argv.at(6)));
            if (!QFile::copy(local(argv.at(5)), local(argv.at(6)))) {
                line({{"type", "stderr"}, {"data", "cp: cannot copy\n"}});
                code = 1;
            }
        } else if (argv.value(0) == QLatin1String("mv") && argv.size() == 6) {
            const QString from = local(argv.at(4));
            const QString to = local(argv.at(5));
            if (QFileInfo(to).isDir())
                QDir(to).removeRecursively();
            else
                QFile::remove(to);
            if (!QFile::rename(from, to)) {
                line({{"type", "stderr"}, {"data", "mv: cannot move\n"}});
                code = 1;
            }
        } else {
            line({{"type", "error"}, {"message", "start failed: exec: not found"}});
            FaultServer::Reply r;
            r.body = out;
            r.contentType = "application/x-ndjson";
            return r;
        }
        line({{"type", "exit"}, {"code", code}});
        FaultServer::Reply r;
        r.body = out;
        r.contentType = "application/x-ndjson";
        return r;
    }
};

struct Rig
{
    HostDouble host;
    std::unique_ptr<Http> http;
    std::unique_ptr<HostResolver> resolver;
    std::unique_ptr<RunnerSession> session;
    QTemporaryDir here;

    Rig()
    {
        QDir().mkpath(host.local("/workspace"));
        Settings s;
        s.baseUrl = host.server.baseUrl();
        s.token = QStringLiteral("tok");
        s.backoffBase = 0.01;
        s.backoffJitter = 0;
        s.operationTimeout = 10;
        http = std::make_unique<Http>(s);
        resolver = std::make_unique<HostResolver>(http.get());
        session = std::make_unique<RunnerSession>(resolver.get(), "r-1", QString(), QString(),
                                                  host.server.hostAddress());
    }

    QString makeFile(const QString &rel, qint64 size, quint32 seed = 1)
    {
        const QString path = here.path() + '/' + rel;
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
};

TransferOptions small()
{
    TransferOptions o;
    o.chunkSize = kChunk;
    o.parallelFiles = 4;
    return o;
}

void waitJob(Job *job)
{
    QTRY_VERIFY_WITH_TIMEOUT(job->isFinished(), 30000);
}

} // namespace

class TestTransfer final : public QObject
{
    Q_OBJECT

private slots:
    // A multi-chunk file up and down: identical sha256, chunked requests, nothing left over.
    void multiChunkRoundTrip()
    {
        Rig rig;
        const qint64 size = 10 * kChunk + 123;
        const QString src = rig.makeFile("big.bin", size);
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/big.bin", small());
        QSignalSpy progress(up, &TransferJob::progressChanged);
        waitJob(up);
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QCOMPARE(up->result().bytes, size);
        QVERIFY(up->result().contentVerified);
        QCOMPARE(fileSha256(rig.host.local("/workspace/big.bin")), fileSha256(src));
        QVERIFY(!QFileInfo::exists(rig.host.local("/workspace/big.bin.capsule-part")));
        QCOMPARE(rig.host.uploads, 11);
        QCOMPARE(rig.host.uploadModes.first(), QStringLiteral("overwrite"));
        QCOMPARE(rig.host.uploadModes.count("append"), 10);
        QVERIFY(progress.count() >= 1);
        const auto last = progress.last().first().value<TransferProgress>();
        QCOMPARE(last.bytesDone, size);
        QCOMPARE(last.bytesTotal, size);
        QCOMPARE(last.stage, capsule::TransferStage::Done);

        const QString dst = rig.here.path() + "/back.bin";
        auto *down = TransferJob::download(rig.session.get(), "/workspace/big.bin", dst, small());
        waitJob(down);
        QVERIFY2(!down->hasError(), qPrintable(down->error().toString()));
        QVERIFY(down->result().contentVerified);
        QCOMPARE(fileSha256(dst), fileSha256(src));
        QVERIFY(!QFileInfo::exists(dst + ".part"));
        QCOMPARE(rig.host.downloads, 11);
        QCOMPARE(rig.host.ranges.first(), QByteArray("bytes=0-65535"));
        QCOMPARE(rig.host.ranges.last(), QByteArray("bytes=") + QByteArray::number(10 * kChunk) +
                                             '-' + QByteArray::number(size - 1));
    }

    void emptyFileRoundTrip()
    {
        Rig rig;
        const QString src = rig.makeFile("empty", 0);
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/empty", small());
        waitJob(up);
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QVERIFY(QFileInfo(rig.host.local("/workspace/empty")).isFile());
        auto *down = TransferJob::download(rig.session.get(), "/workspace/empty",
                                           rig.here.path() + "/empty2", small());
        waitJob(down);
        QVERIFY2(!down->hasError(), qPrintable(down->error().toString()));
        QCOMPARE(QFileInfo(rig.here.path() + "/empty2").size(), 0);
    }

    // Cancel mid-way: no file that looks complete, and the partial goes away.
    void cancelUpload()
    {
        Rig rig;
        rig.host.uploadDelayMs = 20;
        const QString src = rig.makeFile("big.bin", 20 * kChunk);
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/c.bin", small());
        QTRY_VERIFY(rig.host.uploads >= 3);
        up->cancel();
        QVERIFY(up->isFinished());
        QCOMPARE(up->error().kind, ErrorKind::Cancelled);
        QTRY_VERIFY(!QFileInfo::exists(rig.host.local("/workspace/c.bin.capsule-part")));
        QVERIFY(!QFileInfo::exists(rig.host.local("/workspace/c.bin")));
    }

    // A source that shrinks mid-upload fails with a message saying so; nothing looks complete.
    void sourceShrinksMidUpload()
    {
        Rig rig;
        rig.host.uploadDelayMs = 20;
        const QString src = rig.makeFile("shrink.bin", 20 * kChunk);
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/s.bin", small());
        QTRY_VERIFY(rig.host.uploads >= 2);
        QVERIFY(QFile::resize(src, kChunk / 2));
        waitJob(up);
        QVERIFY(up->hasError());
        QVERIFY2(up->error().message.contains("changed while it was being uploaded"),
                 qPrintable(up->error().toString()));
        QVERIFY(!QFileInfo::exists(rig.host.local("/workspace/s.bin")));
    }

    void cancelDownload()
    {
        Rig rig;
        const QString remote = rig.host.local("/workspace/d.bin");
        QFile::copy(rig.makeFile("d.bin", 20 * kChunk), remote);
        const QString dst = rig.here.path() + "/d-out.bin";
        auto *down = TransferJob::download(rig.session.get(), "/workspace/d.bin", dst, small());
        QTRY_VERIFY(rig.host.downloads >= 3);
        down->cancel();
        QCOMPARE(down->error().kind, ErrorKind::Cancelled);
        QVERIFY(!QFileInfo::exists(dst));
        QVERIFY(!QFileInfo::exists(dst + ".part"));
    }

    // A failure keeps the partial; the next attempt continues from its size.
    void resumeUpload()
    {
        Rig rig;
        const QString src = rig.makeFile("r.bin", 8 * kChunk + 7);
        rig.host.failUploadAt = 4;
        auto *first = TransferJob::upload(rig.session.get(), src, "/workspace/r.bin", small());
        waitJob(first);
        QVERIFY(first->hasError());
        QCOMPARE(first->error().status, 500);
        QVERIFY(!QFileInfo::exists(rig.host.local("/workspace/r.bin")));
        QCOMPARE(QFileInfo(rig.host.local("/workspace/r.bin.capsule-part")).size(), 4 * kChunk);

        rig.host.uploadModes.clear();
        auto *second = TransferJob::upload(rig.session.get(), src, "/workspace/r.bin", small());
        waitJob(second);
        QVERIFY2(!second->hasError(), qPrintable(second->error().toString()));
        QVERIFY(second->result().resumed);
        QCOMPARE(second->result().bytesTransferred, 4 * kChunk + 7);
        QCOMPARE(rig.host.uploadModes, QStringList(5, QStringLiteral("append")));
        QCOMPARE(fileSha256(rig.host.local("/workspace/r.bin")), fileSha256(src));
    }

    void resumeDownload()
    {
        Rig rig;
        const QString src = rig.makeFile("s.bin", 6 * kChunk + 1);
        QFile::copy(src, rig.host.local("/workspace/s.bin"));
        rig.host.failDownloadAt = 3;
        const QString dst = rig.here.path() + "/s-out.bin";
        auto *first = TransferJob::download(rig.session.get(), "/workspace/s.bin", dst, small());
        waitJob(first);
        QVERIFY(first->hasError());
        QVERIFY(!QFileInfo::exists(dst));
        QCOMPARE(QFileInfo(dst + ".part").size(), 3 * kChunk);
        rig.host.ranges.clear();
        auto *second = TransferJob::download(rig.session.get(), "/workspace/s.bin", dst, small());
        waitJob(second);
        QVERIFY2(!second->hasError(), qPrintable(second->error().toString()));
        QVERIFY(second->result().resumed);
        QCOMPARE(rig.host.ranges.first(), "bytes=" + QByteArray::number(3 * kChunk) + '-' +
                                              QByteArray::number(4 * kChunk - 1));
        QCOMPARE(fileSha256(dst), fileSha256(src));
        // The partial's prefix was hashed from disk, the rest as it arrived.
        QVERIFY(second->result().contentVerified);
    }

    // A partial whose prefix went bad is caught: its bytes are part of the local hash.
    void resumedDownloadWithBadPartialFails()
    {
        Rig rig;
        const QString src = rig.makeFile("p.bin", 5 * kChunk + 9);
        QFile::copy(src, rig.host.local("/workspace/p.bin"));
        rig.host.failDownloadAt = 2;
        const QString dst = rig.here.path() + "/p-out.bin";
        auto *first = TransferJob::download(rig.session.get(), "/workspace/p.bin", dst, small());
        waitJob(first);
        QVERIFY(first->hasError());
        QFile part(dst + ".part");
        QCOMPARE(part.size(), 2 * kChunk);
        QVERIFY(part.open(QIODevice::ReadWrite));
        QVERIFY(part.seek(kChunk + 5));
        const char flipped = char(~part.peek(1).at(0));
        QCOMPARE(part.write(&flipped, 1), 1);
        part.close();

        rig.host.ranges.clear();
        auto *second = TransferJob::download(rig.session.get(), "/workspace/p.bin", dst, small());
        waitJob(second);
        QVERIFY(second->hasError());
        QVERIFY2(second->error().message.contains("Content check failed"),
                 qPrintable(second->error().message));
        QCOMPARE(rig.host.ranges.first(), "bytes=" + QByteArray::number(2 * kChunk) + '-' +
                                              QByteArray::number(3 * kChunk - 1));
        QVERIFY(!QFileInfo::exists(dst));
        QVERIFY(!QFileInfo::exists(dst + ".part"));
    }

    // A host that drops mid-transfer: the transfer continues from what really arrived.
    void hostDropsMidTransfer()
    {
        Rig rig;
        const QString src = rig.makeFile("h.bin", 6 * kChunk + 3);
        rig.host.dropUploadAt = 2;
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/h.bin", small());
        waitJob(up);
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QCOMPARE(fileSha256(rig.host.local("/workspace/h.bin")), fileSha256(src));
        QCOMPARE(rig.host.uploads, 7); // nothing appended twice

        rig.host.dropDownloadAt = 3;
        const QString dst = rig.here.path() + "/h-out.bin";
        auto *down = TransferJob::download(rig.session.get(), "/workspace/h.bin", dst, small());
        waitJob(down);
        QVERIFY2(!down->hasError(), qPrintable(down->error().toString()));
        QCOMPARE(fileSha256(dst), fileSha256(src));
        const qint64 resumeAt = 3 * kChunk + kChunk / 2; // after the half that arrived
        QCOMPARE(rig.host.ranges.at(4), "bytes=" + QByteArray::number(resumeAt) + '-' +
                                            QByteArray::number(resumeAt + kChunk - 1));
    }

    // A content mismatch fails the transfer and never puts the file in place.
    void corruptionDetected()
    {
        Rig rig;
        rig.host.corruptUploads = true;
        const QString src = rig.makeFile("x.bin", 3 * kChunk);
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/x.bin", small());
        waitJob(up);
        QVERIFY(up->hasError());
        QVERIFY2(up->error().message.contains("Content check failed"),
                 qPrintable(up->error().message));
        QVERIFY(!QFileInfo::exists(rig.host.local("/workspace/x.bin")));
        QTRY_VERIFY(!QFileInfo::exists(rig.host.local("/workspace/x.bin.capsule-part")));
    }

    // When `mv` may not rename the partial, it is copied into place and removed.
    void mvRefusedFallsBackToCopy()
    {
        Rig rig;
        rig.host.mvRefused = true;
        const QString src = rig.makeFile("t.bin", 2 * kChunk + 1);
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/t.bin", small());
        waitJob(up);
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QCOMPARE(fileSha256(rig.host.local("/workspace/t.bin")), fileSha256(src));
        QVERIFY(!QFileInfo::exists(rig.host.local("/workspace/t.bin.capsule-part")));
    }

    // Without sha256sum in the runner only sizes are checked.
    void noSha256sum()
    {
        Rig rig;
        rig.host.hasSha256sum = false;
        const QString src = rig.makeFile("n.bin", kChunk + 5);
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/n.bin", small());
        waitJob(up);
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QVERIFY(!up->result().contentVerified);
        QCOMPARE(fileSha256(rig.host.local("/workspace/n.bin")), fileSha256(src));
    }

    // The runner hashes with `openssl dgst` when it has it (it uses the SHA instructions), with
    // sha256sum when openssl is missing or fails, and always with sha256sum for names that openssl
    // would print ambiguously.
    void remoteHashTool_data()
    {
        QTest::addColumn<bool>("hasOpenssl");
        QTest::addColumn<bool>("opensslFails");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("tools");
        QTest::addColumn<bool>("verified");
        QTest::newRow("openssl") << true << false << "o.bin" << QStringList{"openssl"} << true;
        QTest::newRow("no openssl")
            << false << false << "o.bin" << QStringList{"openssl", "sha256sum"} << true;
        QTest::newRow("openssl fails")
            << true << true << "o.bin" << QStringList{"openssl", "sha256sum"} << true;
        QTest::newRow("backslash name")
            << true << false << "back\\slash.bin" << QStringList{"sha256sum"} << true;
    }

    void remoteHashTool()
    {
        QFETCH(bool, hasOpenssl);
        QFETCH(bool, opensslFails);
        QFETCH(QString, name);
        QFETCH(QStringList, tools);
        QFETCH(bool, verified);
        Rig rig;
        rig.host.hasOpenssl = hasOpenssl;
        rig.host.opensslFails = opensslFails;
        const QString src = rig.makeFile("src.bin", 2 * kChunk + 3);
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/" + name, small());
        waitJob(up);
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QCOMPARE(up->result().contentVerified, verified);
        QCOMPARE(rig.host.hashTools, tools);
        QCOMPARE(fileSha256(rig.host.local("/workspace/" + name)), fileSha256(src));
    }

    // The local hash matches an independent one on a download, with either runner tool.
    void downloadHashedWithOpenssl()
    {
        Rig rig;
        rig.host.hasOpenssl = true;
        const QString src = rig.makeFile("d.bin", 3 * kChunk + 11);
        QVERIFY(QFile::copy(src, rig.host.local("/workspace/d.bin")));
        const QString dst = rig.here.filePath("d.out");
        auto *down = TransferJob::download(rig.session.get(), "/workspace/d.bin", dst, small());
        waitJob(down);
        QVERIFY2(!down->hasError(), qPrintable(down->error().toString()));
        QVERIFY(down->result().contentVerified);
        QCOMPARE(rig.host.hashTools, QStringList{"openssl"});
        QCOMPARE(fileSha256(dst), fileSha256(src));
    }

    // A folder with nesting, an empty folder, small files and a multi-chunk file, up and down.
    void folderRoundTrip()
    {
        Rig rig;
        for (int i = 0; i < 40; ++i)
            rig.makeFile(QStringLiteral("proj/src/f%1.txt").arg(i), 100 + i, i + 10);
        rig.makeFile("proj/deep/a/b/c.bin", 3 * kChunk + 9, 99);
        rig.makeFile("proj/.hidden", 3, 5);
        QDir().mkpath(rig.here.path() + "/proj/empty");
        const QString src = rig.here.path() + "/proj";
        auto *up = TransferJob::upload(rig.session.get(), src, "/workspace/proj", small());
        waitJob(up);
        QVERIFY2(!up->hasError(), qPrintable(up->error().toString()));
        QCOMPARE(up->result().files, 42);
        QVERIFY(up->result().contentVerified);
        QCOMPARE(treeSha256(rig.host.local("/workspace/proj")), treeSha256(src));
        QVERIFY(!QFileInfo::exists(rig.host.local("/workspace/proj.capsule-part")));

        const QString dst = rig.here.path() + "/copy";
        auto *down = TransferJob::download(rig.session.get(), "/workspace/proj", dst, small());
        waitJob(down);
        QVERIFY2(!down->hasError(), qPrintable(down->error().toString()));
        QCOMPARE(down->result().files, 42);
        QCOMPARE(treeSha256(dst), treeSha256(src));
        QVERIFY(!QFileInfo::exists(dst + ".part"));
    }

    void missingSourcesAreClearErrors()
    {
        Rig rig;
        auto *up = TransferJob::upload(rig.session.get(), rig.here.path() + "/nope",
                                       "/workspace/nope", small());
        waitJob(up);
        QCOMPARE(up->error().kind, ErrorKind::Io);
        QVERIFY(up->error().message.contains("nope"));
        auto *down = TransferJob::download(rig.session.get(), "/workspace/nope",
                                           rig.here.path() + "/nope", small());
        waitJob(down);
        QCOMPARE(down->error().kind, ErrorKind::NotFound);
        auto *rel = TransferJob::upload(rig.session.get(), rig.makeFile("a", 1), "relative/x");
        waitJob(rel);
        QCOMPARE(rel->error().kind, ErrorKind::Value);
    }

    // The queue runs items a few at a time and reports each one.
    void queue()
    {
        Rig rig;
        TransferQueue q;
        q.setMaxConcurrent(1);
        QSignalSpy added(&q, &TransferQueue::added);
        QSignalSpy started(&q, &TransferQueue::started);
        QSignalSpy finished(&q, &TransferQueue::finished);
        QSignalSpy failed(&q, &TransferQueue::failed);
        QSignalSpy idle(&q, &TransferQueue::idle);
        const int a = q.enqueueUpload(rig.session.get(), rig.makeFile("q1", 2 * kChunk, 1),
                                      "/workspace/q1", small());
        const int b =
            q.enqueueUpload(rig.session.get(), rig.makeFile("q2", 10, 2), "/workspace/q2", small());
        const int c = q.enqueueDownload(rig.session.get(), "/workspace/missing",
                                        rig.here.path() + "/m", small());
        QCOMPARE(added.count(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(q.isIdle() && idle.count() >= 1, 20000);
        QCOMPARE(finished.count(), 2);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.first().first().toInt(), c);
        QCOMPARE(started.at(0).first().toInt(), a);
        QCOMPARE(started.at(1).first().toInt(), b);
        QCOMPARE(q.item(a)->state, TransferQueue::State::Finished);
        QCOMPARE(q.item(c)->state, TransferQueue::State::Failed);
        QVERIFY(QFileInfo::exists(rig.host.local("/workspace/q2")));
        QVERIFY(q.retry(c));
        QTRY_COMPARE(failed.count(), 2);
        q.removeFinished();
        QVERIFY(q.items().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestTransfer)
#include "tst_transfer.moc"
