// Security suite, upload memory (issue 15): a client that uploads a 1 GiB body must not be able
// to grow capsule-local's memory with it. The test performs the upload over a raw socket against
// a real capsule-local (the body is generated here, never held whole), and reads the server's
// peak RSS (VmHWM, reset through clear_refs before the upload) from /proc: it must grow by less
// than 64 MiB. Before issue 15 a 512 MiB upload raised the peak by 1.5 GiB (whole-body buffering).
// The upload rate is printed too (the 500 MiB/s figure itself is measured by `make bench`).
#include "support/localserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QtTest>

using namespace capsule::test;

namespace {

constexpr qint64 kBodyBytes = qint64(1) << 30;  // 1 GiB
constexpr qint64 kMaxGrowth = 64 * 1024 * 1024; // the bound
constexpr qint64 kBlock = 4 * 1024 * 1024;      // written per step
constexpr qint64 kInFlight = 16 * 1024 * 1024;  // unwritten bytes kept in our socket at most
constexpr int kTimeoutMs = 10 * 60 * 1000;      // a loaded machine: generous

// A "VmHWM:" / "VmRSS:" line of /proc/<pid>/status in bytes, -1 when missing.
qint64 procStatusBytes(qint64 pid, const QByteArray &field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (!line.startsWith(field + ':'))
            continue;
        QByteArray v = line.mid(field.size() + 1).trimmed();
        if (v.endsWith(" kB"))
            v.chop(3);
        bool ok = false;
        const qint64 kb = v.trimmed().toLongLong(&ok);
        return ok ? kb * 1024 : -1;
    }
    return -1;
}

} // namespace

class TestSecUploadMemory : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void gibUploadKeepsServerMemoryFlat();
    void cleanupTestCase();

private:
    QString hostUrl(const QString &rest) const;

    LocalServer m_server;
    QString m_host;
    QString m_runner;
};

void TestSecUploadMemory::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    const QString key =
        m_server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("sec-upload")), &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const HttpReply r = m_server.post(QStringLiteral("/api/v1/runners/allocate"),
                                      QJsonObject{{QStringLiteral("workload_key"), key}});
    m_host = r.json().value(QStringLiteral("host_address")).toString();
    m_runner = r.json().value(QStringLiteral("runner_id")).toString();
    QVERIFY2(!m_runner.isEmpty(), r.body.constData());
    QString status;
    for (int i = 0; i < 1200 && status != QLatin1String("ready"); ++i) {
        status = m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + m_runner)
                     .json()
                     .value(QStringLiteral("status"))
                     .toString();
        if (status != QLatin1String("ready"))
            QTest::qWait(50);
    }
    QCOMPARE(status, QStringLiteral("ready"));
}

void TestSecUploadMemory::cleanupTestCase()
{
    if (!m_runner.isEmpty())
        m_server.request("POST", hostUrl(QStringLiteral("files/remove")),
                         QJsonDocument(QJsonObject{{QStringLiteral("path"),
                                                    QStringLiteral("/workspace/big.bin")}})
                             .toJson(QJsonDocument::Compact));
}

QString TestSecUploadMemory::hostUrl(const QString &rest) const
{
    return QStringLiteral("http://%1/api/v1/runners/%2/%3").arg(m_host, m_runner, rest);
}

void TestSecUploadMemory::gibUploadKeepsServerMemoryFlat()
{
    const qint64 pid = m_server.pid();
    QVERIFY(pid > 0);
    // A small upload first, so one-time allocations (buffers, the route's first use) are not
    // counted as growth.
    const HttpReply warm = m_server.request(
        "POST", hostUrl(QStringLiteral("files/upload?path=/workspace/big.bin&mode=overwrite")),
        QByteArray(1024 * 1024, 'w'));
    QCOMPARE(warm.status, 200);

    // Peak RSS from here on: "5" to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    QFile clear(QStringLiteral("/proc/%1/clear_refs").arg(pid));
    const bool reset = clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
    clear.close();
    const qint64 before = reset ? procStatusBytes(pid, "VmRSS") : procStatusBytes(pid, "VmHWM");
    QVERIFY(before > 0);

    const int colon = m_host.lastIndexOf(QLatin1Char(':'));
    QTcpSocket socket;
    socket.connectToHost(m_host.left(colon), quint16(m_host.mid(colon + 1).toUInt()));
    QVERIFY2(socket.waitForConnected(30000), qPrintable(socket.errorString()));
    const QByteArray head =
        "POST /api/v1/runners/" + m_runner.toUtf8() +
        "/files/upload?path=/workspace/big.bin&mode=overwrite HTTP/1.1\r\nHost: " +
        m_host.toUtf8() + "\r\nAuthorization: Bearer " + m_server.token().toUtf8() +
        "\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
        QByteArray::number(kBodyBytes) + "\r\n\r\n";
    socket.write(head);
    QByteArray block(kBlock, Qt::Uninitialized);
    for (qint64 i = 0; i < kBlock; ++i)
        block[i] = char((i * 131) >> 3);

    QElapsedTimer timer;
    timer.start();
    qint64 sent = 0, peakSampled = before;
    while (sent < kBodyBytes) {
        while (socket.bytesToWrite() > kInFlight) {
            QVERIFY2(socket.waitForBytesWritten(kTimeoutMs), qPrintable(socket.errorString()));
            QVERIFY2(timer.elapsed() < kTimeoutMs, "upload took too long");
        }
        const qint64 n = qMin(kBlock, kBodyBytes - sent);
        socket.write(block.constData(), n);
        sent += n;
        if ((sent & (kBlock * 16 - 1)) == 0)
            peakSampled = qMax(peakSampled, procStatusBytes(pid, "VmRSS"));
    }
    while (socket.bytesToWrite() > 0)
        QVERIFY2(socket.waitForBytesWritten(kTimeoutMs), qPrintable(socket.errorString()));
    QByteArray answer;
    while (!answer.contains("\r\n\r\n") || !answer.trimmed().endsWith('}')) {
        QVERIFY2(socket.waitForReadyRead(kTimeoutMs), "no answer to the upload");
        answer += socket.readAll();
    }
    const double seconds = timer.nsecsElapsed() / 1e9;
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    const QJsonObject reply =
        QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4)).object();
    QCOMPARE(reply.value(QStringLiteral("bytes_written")).toInteger(), kBodyBytes);

    const qint64 peak = qMax(peakSampled, procStatusBytes(pid, "VmHWM"));
    const qint64 growth = peak - before;
    qInfo("1 GiB upload: %.0f MiB/s; server RSS %lld MiB before, peak %lld MiB (growth %lld MiB, "
          "VmHWM reset: %s)",
          kBodyBytes / 1048576.0 / seconds, before >> 20, peak >> 20, growth >> 20,
          reset ? "yes" : "no");
    QVERIFY2(
        growth < kMaxGrowth,
        qPrintable(
            QStringLiteral("server RSS grew by %1 MiB during a 1 GiB upload").arg(growth >> 20)));

    // The file is there, whole.
    const HttpReply stat = m_server.request(
        "POST", hostUrl(QStringLiteral("files/stat")),
        QJsonDocument(QJsonObject{{QStringLiteral("path"), QStringLiteral("/workspace/big.bin")}})
            .toJson(QJsonDocument::Compact));
    QCOMPARE(stat.status, 200);
    QCOMPARE(stat.json().value(QStringLiteral("size")).toInteger(), kBodyBytes);
}

QTEST_GUILESS_MAIN(TestSecUploadMemory)
#include "tst_sec_uploadmemory.moc"
