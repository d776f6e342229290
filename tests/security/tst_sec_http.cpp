// Security suite, HTTP server (issue 8): bodies before auth, body/header limits, timeouts and
// the connection cap, Connection: close, one bearer check on both listeners, and the PTY route
// without an upgrade. Every case is an actual attack over raw sockets against a real
// capsule-local, started with short timeouts (CAPSULE_LOCAL_HTTP_*) so the suite runs fast.
#include "support/localserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTcpSocket>
#include <QtTest>

#include <arpa/inet.h>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace capsule::test;

namespace {

constexpr int kHeaderTimeoutMs = 2000;
constexpr int kIdleTimeoutMs = 3000;

struct Raw
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool closed = false; // the server closed the connection
};

// One response at the start of `data` (Content-Length bodies only). Returns the bytes it took,
// 0 when incomplete.
qsizetype parseOne(const QByteArray &data, Raw *out)
{
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return 0;
    const QList<QByteArray> lines = data.left(end).split('\n');
    Raw r;
    r.status = lines.first().split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            r.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    const qint64 length = r.headers.value("content-length", "0").toLongLong();
    if (data.size() < end + 4 + length)
        return 0;
    r.body = data.mid(end + 4, length);
    *out = r;
    return end + 4 + length;
}

// Sends `bytes` on a new connection and reads `count` responses (and, with waitClose, until the
// server closes).
QList<Raw> exchange(const QString &hostPort, const QByteArray &bytes, int count = 1,
                    bool waitClose = false, int timeoutMs = 15000)
{
    QTcpSocket s;
    s.connectToHost(hostPort.section(':', 0, 0), quint16(hostPort.section(':', 1).toUInt()));
    if (!s.waitForConnected(5000))
        return {};
    s.write(bytes);
    QByteArray data;
    QList<Raw> out;
    QElapsedTimer t;
    t.start();
    bool closed = false;
    while (t.elapsed() < timeoutMs) {
        Raw r;
        if (const qsizetype n = parseOne(data, &r)) {
            out << r;
            data.remove(0, n);
            continue;
        }
        if (out.size() >= count && !waitClose)
            break;
        if (s.state() != QAbstractSocket::ConnectedState) {
            closed = true;
            break;
        }
        s.waitForReadyRead(50);
        data += s.readAll();
    }
    if (!out.isEmpty())
        out.last().closed = closed;
    return out;
}

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

int openFds(qint64 pid)
{
    int n = 0;
    if (DIR *d = ::opendir(QByteArray("/proc/" + QByteArray::number(pid) + "/fd").constData())) {
        while (::readdir(d))
            ++n;
        ::closedir(d);
    }
    return n - 2;
}

// Sends a head announcing `total` body bytes, then streams the body while reading; stops at the
// first complete response. Returns it; `sent` = body bytes the client got to write.
Raw postHuge(const QString &hostPort, const QByteArray &path, const QByteArray &auth, qint64 total,
             qint64 *sent, qint64 *elapsedMs)
{
    QTcpSocket s;
    s.connectToHost(hostPort.section(':', 0, 0), quint16(hostPort.section(':', 1).toUInt()));
    if (!s.waitForConnected(5000))
        return {};
    QByteArray head = "POST " + path + " HTTP/1.1\r\nHost: " + hostPort.toLatin1() +
                      "\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                      QByteArray::number(total) + "\r\n";
    if (!auth.isEmpty())
        head += "Authorization: " + auth + "\r\n";
    s.write(head + "\r\n");
    const QByteArray piece(1 << 20, 'x');
    QByteArray data;
    Raw r;
    *sent = 0;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 120000) {
        if (*sent < total && s.bytesToWrite() < (4 << 20) &&
            s.state() == QAbstractSocket::ConnectedState) {
            const QByteArray p = piece.left(int(qMin<qint64>(piece.size(), total - *sent)));
            s.write(p);
            *sent += p.size();
        }
        s.waitForBytesWritten(5);
        if (s.bytesAvailable() || s.waitForReadyRead(*sent < total ? 1 : 100))
            data += s.readAll();
        if (parseOne(data, &r))
            break;
        if (s.state() != QAbstractSocket::ConnectedState) {
            data += s.readAll();
            parseOne(data, &r);
            break;
        }
    }
    *elapsedMs = t.elapsed();
    return r;
}

} // namespace

class TestSecHttp final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void bodyBeforeAuthIsNeverRead_data();
    void bodyBeforeAuthIsNeverRead();
    void uploadStreamsWithFlatMemory();
    void chunkedUploadWithContinue();
    void oversizedBodiesAre413_data();
    void oversizedBodiesAre413();
    void oversizedHeadsAre431();
    void headerTimeoutClosesHalfSentRequest();
    void idleKeepAliveIsClosed();
    void thousandsOfHalfSentConnections();
    void connectionCloseAndPipelining();
    void busyListenerRefusesWith503();
    void oneBearerCheckOnBothListeners_data();
    void oneBearerCheckOnBothListeners();
    void ptyWithoutUpgradeNeverReachesTheRunner();

private:
    QString cp() const { return m_server.baseUrl().mid(7); } // "127.0.0.1:P"
    QString host() const { return m_server.hostAddresses().value(0); }
    QByteArray bearer() const { return "Bearer " + m_server.token().toUtf8(); }

    LocalServer m_server;
    QString m_runner;
};

void TestSecHttp::initTestCase()
{
    qputenv("CAPSULE_LOCAL_HTTP_HEADER_TIMEOUT", QByteArray::number(kHeaderTimeoutMs / 1000.0));
    qputenv("CAPSULE_LOCAL_HTTP_IDLE_TIMEOUT", QByteArray::number(kIdleTimeoutMs / 1000.0));
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    const QString key =
        m_server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("sec-http")), &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error + m_server.stderrText()));
    const HttpReply a = m_server.post(QStringLiteral("/api/v1/runners/allocate"),
                                      QJsonObject{{QStringLiteral("workload_key"), key}});
    QCOMPARE(a.status, 200);
    m_runner = a.json().value(QStringLiteral("runner_id")).toString();
    QTRY_COMPARE_WITH_TIMEOUT(
        m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + m_runner)
            .json()
            .value(QStringLiteral("status"))
            .toString(),
        QStringLiteral("ready"), 60000);
}

// The old server read and copied a 200 MB body before answering 401 (648 MB of memory).
void TestSecHttp::bodyBeforeAuthIsNeverRead_data()
{
    QTest::addColumn<bool>("onHost");
    QTest::addColumn<QByteArray>("auth");
    QTest::newRow("allocate, no token") << false << QByteArray();
    QTest::newRow("allocate, wrong token") << false << QByteArray("Bearer wrong");
    QTest::newRow("upload, no token") << true << QByteArray();
    QTest::newRow("open path (control plane)") << false << QByteArray("/health");
    QTest::newRow("unknown path (host)") << true << QByteArray("/nope");
}

void TestSecHttp::bodyBeforeAuthIsNeverRead()
{
    QFETCH(bool, onHost);
    QFETCH(QByteArray, auth);
    QByteArray path =
        onHost ? "/api/v1/runners/" + m_runner.toUtf8() + "/files/upload?path=/workspace/evil.bin"
               : QByteArray("/api/v1/runners/allocate");
    int expected = 401;
    if (auth.startsWith('/')) { // a path that needs no token: answered without the body too
        path = std::exchange(auth, {});
        expected = path == "/health" ? 200 : 404;
    }
    const qint64 before = procStatusKb(m_server.pid(), "VmHWM");
    qint64 sent = 0, ms = 0;
    const Raw r = postHuge(onHost ? host() : cp(), path, auth, 200LL << 20, &sent, &ms);
    const qint64 grown = procStatusKb(m_server.pid(), "VmHWM") - before;
    qInfo("%d after %lld ms, %lld MiB sent, server peak RSS +%lld KiB", r.status, ms, sent >> 20,
          grown);
    QCOMPARE(r.status, expected);
    QVERIFY2(ms < 20000, "the answer must not wait for the body");
    QVERIFY2(grown < 32 * 1024, qPrintable(QStringLiteral("server grew by %1 KiB").arg(grown)));
    QVERIFY(m_server.get(QStringLiteral("/health")).status == 200);
}

// Uploads stream to disk: 200 MB with the token leaves the server's peak memory flat too.
void TestSecHttp::uploadStreamsWithFlatMemory()
{
    const QByteArray path =
        "/api/v1/runners/" + m_runner.toUtf8() + "/files/upload?path=/workspace/big.bin";
    const qint64 before = procStatusKb(m_server.pid(), "VmHWM");
    qint64 sent = 0, ms = 0;
    const qint64 total = 200LL << 20;
    const Raw r = postHuge(host(), path, bearer(), total, &sent, &ms);
    const qint64 grown = procStatusKb(m_server.pid(), "VmHWM") - before;
    qInfo("200 MiB upload in %lld ms (%.0f MiB/s), server peak RSS +%lld KiB", ms,
          200.0 * 1000 / qMax<qint64>(ms, 1), grown);
    QVERIFY2(r.status == 200, qPrintable(QString::number(r.status) + ' ' + r.body));
    QCOMPARE(QJsonDocument::fromJson(r.body).object().value("bytes_written").toInteger(), total);
    QVERIFY2(grown < 32 * 1024, qPrintable(QStringLiteral("server grew by %1 KiB").arg(grown)));
}

// The streamed upload path also takes a chunked body (extensions, trailer), after a
// 100 Continue, and the connection then serves the next request.
void TestSecHttp::chunkedUploadWithContinue()
{
    const QByteArray base = "/api/v1/runners/" + m_runner.toUtf8() + "/files/";
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), quint16(host().section(':', 1).toUInt()));
    QVERIFY(s.waitForConnected(5000));
    s.write("POST " + base + "upload?path=/workspace/chunked.bin HTTP/1.1\r\nHost: x\r\n" +
            "Authorization: " + bearer() +
            "\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");
    QByteArray data;
    QElapsedTimer t;
    t.start();
    while (!data.contains("\r\n\r\n") && t.elapsed() < 15000) {
        s.waitForReadyRead(100);
        data += s.readAll();
    }
    QVERIFY2(data.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), data.constData());
    data.clear();
    const QByteArray content = QByteArray("hello, ") + QByteArray(70000, 'z') + "!";
    s.write("7;ext=1\r\n" + content.left(7) + "\r\n" + QByteArray::number(content.size() - 7, 16) +
            "\r\n" + content.mid(7) + "\r\n0\r\nX-Trailer: yes\r\n\r\n");
    s.write("GET " + base + "download?path=/workspace/chunked.bin HTTP/1.1\r\nHost: x\r\n" +
            "Authorization: " + bearer() + "\r\n\r\n");
    QList<Raw> replies;
    t.restart();
    while (replies.size() < 2 && t.elapsed() < 15000) {
        s.waitForReadyRead(100);
        data += s.readAll();
        Raw r;
        while (const qsizetype n = parseOne(data, &r)) {
            replies << r;
            data.remove(0, n);
        }
    }
    QCOMPARE(replies.size(), 2);
    QVERIFY2(replies.at(0).status == 200, replies.at(0).body.constData());
    QCOMPARE(
        QJsonDocument::fromJson(replies.at(0).body).object().value("bytes_written").toInteger(),
        content.size());
    QCOMPARE(replies.at(1).status, 200);
    QVERIFY(replies.at(1).body == content);
}

void TestSecHttp::oversizedBodiesAre413_data()
{
    QTest::addColumn<bool>("onHost");
    QTest::addColumn<bool>("chunked");
    QTest::newRow("allocate, Content-Length") << false << false;
    QTest::newRow("allocate, chunked") << false << true;
    QTest::newRow("files/write, Content-Length") << true << false;
    QTest::newRow("files/write, chunked") << true << true;
}

void TestSecHttp::oversizedBodiesAre413()
{
    QFETCH(bool, onHost);
    QFETCH(bool, chunked);
    const QByteArray path = onHost ? "/api/v1/runners/" + m_runner.toUtf8() + "/files/write"
                                   : QByteArray("/api/v1/runners/allocate");
    const qint64 size = 9 << 20; // the limit of JSON routes is 8 MiB
    QByteArray request = "POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer() +
                         "\r\nContent-Type: application/json\r\n";
    if (chunked) {
        request += "Transfer-Encoding: chunked\r\n\r\n";
        const QByteArray piece(64 * 1024, ' ');
        for (qint64 n = 0; n < size; n += piece.size())
            request += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
        request += "0\r\n\r\n";
    } else {
        request +=
            "Content-Length: " + QByteArray::number(size) + "\r\n\r\n" + QByteArray(int(size), ' ');
    }
    const QList<Raw> r = exchange(onHost ? host() : cp(), request, 1, true);
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.first().status, 413);
    const QString message =
        QJsonDocument::fromJson(r.first().body).object().value("error").toString();
    QVERIFY2(message.contains(QLatin1String("8388608")), qPrintable(message));
    QVERIFY2(r.first().closed, "the connection must close after a 413");
}

void TestSecHttp::oversizedHeadsAre431()
{
    QByteArray many = "GET /health HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 200; ++i)
        many += "X-Pad-" + QByteArray::number(i) + ": y\r\n";
    QList<Raw> r = exchange(cp(), many + "\r\n", 1, true);
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.first().status, 431);
    QVERIFY(r.first().closed);

    const QByteArray big = "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(100000, 'a');
    r = exchange(host(), big, 1, true); // no end of head: the size alone is refused
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.first().status, 431);
}

void TestSecHttp::headerTimeoutClosesHalfSentRequest()
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), quint16(cp().section(':', 1).toUInt()));
    QVERIFY(s.waitForConnected(5000));
    s.write("GET /health HTTP/1.1\r\nHost: x\r\n"); // never finished
    QElapsedTimer t;
    t.start();
    while (s.state() == QAbstractSocket::ConnectedState && t.elapsed() < 30000)
        s.waitForReadyRead(100);
    qInfo("half-sent head closed after %lld ms (header timeout %d ms)", t.elapsed(),
          kHeaderTimeoutMs);
    QVERIFY(s.state() != QAbstractSocket::ConnectedState);
    QVERIFY(t.elapsed() >= kHeaderTimeoutMs / 2); // the server's clock starts at accept
    QVERIFY(t.elapsed() < kHeaderTimeoutMs + 15000);
}

void TestSecHttp::idleKeepAliveIsClosed()
{
    QTcpSocket s;
    s.connectToHost(QStringLiteral("127.0.0.1"), quint16(host().section(':', 1).toUInt()));
    QVERIFY(s.waitForConnected(5000));
    s.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray data;
    Raw r;
    QElapsedTimer t;
    t.start();
    while (!parseOne(data, &r) && t.elapsed() < 10000) {
        s.waitForReadyRead(100);
        data += s.readAll();
    }
    QCOMPARE(r.status, 200);
    t.restart();
    while (s.state() == QAbstractSocket::ConnectedState && t.elapsed() < 30000)
        s.waitForReadyRead(100);
    qInfo("idle keep-alive connection closed after %lld ms (idle timeout %d ms)", t.elapsed(),
          kIdleTimeoutMs);
    QVERIFY(s.state() != QAbstractSocket::ConnectedState);
    QVERIFY(t.elapsed() >= kIdleTimeoutMs / 2); // ... at the end of the response
}

// 3000 connections that never finish their head: the server keeps at most its cap open (the
// oldest unanswered ones make room), closes the rest within the header timeout, and a normal
// request still works meanwhile.
void TestSecHttp::thousandsOfHalfSentConnections()
{
    struct rlimit rl;
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    const int n = int(qMin<rlim_t>(3000, rl.rlim_cur > 300 ? rl.rlim_cur - 200 : 100));
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(quint16(cp().section(':', 1).toUInt()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    QList<pollfd> fds;
    for (int i = 0; i < n; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        QVERIFY(fd >= 0);
        ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        fds.append({fd, POLLOUT, 0});
    }
    // Send the half head on every socket once it is connected.
    QList<bool> sent(n, false);
    int pending = n;
    QElapsedTimer t;
    t.start();
    while (pending > 0 && t.elapsed() < 60000) {
        ::poll(fds.data(), nfds_t(fds.size()), 100);
        for (int i = 0; i < n; ++i) {
            if (sent[i] || !(fds[i].revents & (POLLOUT | POLLERR | POLLHUP)))
                continue;
            static const char half[] = "POST /api/v1/runners/allocate HTTP/1.1\r\nHost: x\r\n";
            [[maybe_unused]] auto w = ::send(fds[i].fd, half, sizeof half - 1, MSG_NOSIGNAL);
            sent[i] = true;
            fds[i].events = POLLIN | POLLRDHUP;
            --pending;
        }
    }
    QCOMPARE(pending, 0);
    const qint64 allSentAt = t.elapsed();
    const int serverFds = openFds(m_server.pid());
    qInfo("%d half-sent connections opened in %lld ms; server holds %d descriptors", n, allSentAt,
          serverFds);
    QVERIFY2(serverFds < 1024 + 300, "the per-listener cap must bound the server's sockets");

    const HttpReply ok = m_server.get(QStringLiteral("/api/v1/runners"));
    QCOMPARE(ok.status, 200);

    int open = n;
    QList<bool> closed(n, false);
    while (open > 0 && t.elapsed() < allSentAt + kHeaderTimeoutMs + 30000) {
        ::poll(fds.data(), nfds_t(fds.size()), 100);
        for (int i = 0; i < n; ++i) {
            if (closed[i] || !fds[i].revents)
                continue;
            char buf[512];
            const ssize_t got = ::recv(fds[i].fd, buf, sizeof buf, 0);
            if (got == 0 || (got < 0 && errno != EAGAIN)) {
                closed[i] = true;
                --open;
                fds[i].events = 0;
            }
        }
    }
    const qint64 closedAfter = t.elapsed() - allSentAt;
    for (const pollfd &p : std::as_const(fds))
        ::close(p.fd);
    qInfo("all but %d closed by the server %lld ms after the last was sent", open, closedAfter);
    QCOMPARE(open, 0);
    QVERIFY(closedAfter < kHeaderTimeoutMs + 30000);
}

void TestSecHttp::connectionCloseAndPipelining()
{
    // Connection: close is honoured.
    QList<Raw> r =
        exchange(cp(), "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1, true);
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.first().status, 200);
    QCOMPARE(r.first().headers.value("connection"), QByteArray("close"));
    QVERIFY(r.first().closed);
    // HTTP/1.0 closes unless asked to keep the connection.
    r = exchange(host(), "GET /health HTTP/1.0\r\n\r\n", 1, true);
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.first().status, 200);
    QVERIFY(r.first().closed);
    // Pipelined requests are answered in order on one connection, which stays open.
    r = exchange(cp(),
                 "GET /api/v1/runners HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer() +
                     "\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
                 3);
    QCOMPARE(r.size(), 3);
    QCOMPARE(r.at(0).status, 200);
    QVERIFY(r.at(0).body.startsWith("{"));
    QCOMPARE(r.at(1).body, QByteArray("OK\n"));
    QCOMPARE(r.at(2).status, 404);
    QVERIFY(!r.at(2).closed);
}

// At the connection cap with every connection being answered (followed build logs), a new
// connection gets 503 at once instead of another slot.
void TestSecHttp::busyListenerRefusesWith503()
{
    qputenv("CAPSULE_LOCAL_HTTP_MAX_CONNECTIONS", "3");
    LocalServer small;
    QString error;
    const bool started = small.start({}, &error);
    qunsetenv("CAPSULE_LOCAL_HTTP_MAX_CONNECTIONS");
    QVERIFY2(started, qPrintable(error));
    QJsonObject body = LocalServer::trivialConfig(QStringLiteral("sec-http-slow"));
    body.insert(QStringLiteral("layers"),
                QJsonArray{QJsonObject{
                    {QStringLiteral("name"), QStringLiteral("main")},
                    {QStringLiteral("init_commands"),
                     QJsonArray{QJsonObject{
                         {QStringLiteral("type"), QStringLiteral("shell")},
                         {QStringLiteral("args"),
                          QJsonArray{QStringLiteral("sleep"), QStringLiteral("60")}}}}}}});
    const HttpReply created = small.post(QStringLiteral("/api/v1/layered-configs"), body);
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(QStringLiteral("config_id")).toString();
    QCOMPARE(
        small.request("POST", QStringLiteral("/api/v1/layered-configs/%1/build").arg(id)).status,
        202);
    const QString version = small.get(QStringLiteral("/api/v1/layered-configs/%1/builds").arg(id))
                                .json()
                                .value(QStringLiteral("builds"))
                                .toArray()
                                .first()
                                .toObject()
                                .value(QStringLiteral("version"))
                                .toString();
    QVERIFY(!version.isEmpty());
    const QString address = small.baseUrl().mid(7);
    const QByteArray follow = "GET /api/v1/layered-configs/" + id.toUtf8() + "/builds/" +
                              version.toUtf8() +
                              "/log?follow=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                              small.token().toUtf8() + "\r\n\r\n";
    QList<QTcpSocket *> followers;
    for (int i = 0; i < 3; ++i) {
        auto *s = new QTcpSocket(this);
        followers << s;
        s->connectToHost(QStringLiteral("127.0.0.1"), quint16(address.section(':', 1).toUInt()));
        QVERIFY(s->waitForConnected(5000));
        s->write(follow);
        QByteArray head;
        QElapsedTimer t;
        t.start();
        while (!head.contains("\r\n\r\n") && t.elapsed() < 15000) {
            s->waitForReadyRead(100);
            head += s->readAll();
        }
        QVERIFY2(head.startsWith("HTTP/1.1 200"), head.constData());
    }
    const QList<Raw> r = exchange(address, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 1, true);
    QCOMPARE(r.size(), 1);
    QCOMPARE(r.first().status, 503);
    QVERIFY(r.first().closed);
    for (QTcpSocket *s : std::as_const(followers))
        s->abort();
    qDeleteAll(followers);
    QTRY_COMPARE_WITH_TIMEOUT(small.get(QStringLiteral("/health")).status, 200, 10000);
}

// The host agent used to accept "token\u00a0" and a good second Authorization header.
void TestSecHttp::oneBearerCheckOnBothListeners_data()
{
    QTest::addColumn<bool>("onHost");
    QTest::addColumn<QList<QByteArray>>("headers");
    QTest::addColumn<bool>("accepted");
    const QByteArray good = bearer();
    for (bool onHost : {false, true}) {
        const char *l = onHost ? "host: " : "control plane: ";
        QTest::newRow(QByteArray(l + QByteArray("good")).constData())
            << onHost << QList<QByteArray>{good} << true;
        QTest::newRow(QByteArray(l + QByteArray("ASCII spaces trimmed")).constData())
            << onHost << QList<QByteArray>{good + "  \t"} << true;
        QTest::newRow(QByteArray(l + QByteArray("token + U+00A0")).constData())
            << onHost << QList<QByteArray>{good + "\xc2\xa0"} << false;
        QTest::newRow(QByteArray(l + QByteArray("bad, then good")).constData())
            << onHost << QList<QByteArray>{"Bearer nope", good} << false;
        QTest::newRow(QByteArray(l + QByteArray("good twice")).constData())
            << onHost << QList<QByteArray>{good, good} << false;
        QTest::newRow(QByteArray(l + QByteArray("lower-case scheme")).constData())
            << onHost << QList<QByteArray>{"bearer " + m_server.token().toUtf8()} << false;
    }
}

void TestSecHttp::oneBearerCheckOnBothListeners()
{
    QFETCH(bool, onHost);
    QFETCH(QList<QByteArray>, headers);
    QFETCH(bool, accepted);
    const QByteArray path =
        onHost ? "/api/v1/runners/" + m_runner.toUtf8() + "/files/download?path=/workspace/none"
               : QByteArray("/api/v1/runners");
    QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: x\r\n";
    for (const QByteArray &h : headers)
        request += "Authorization: " + h + "\r\n";
    const QList<Raw> r = exchange(onHost ? host() : cp(), request + "\r\n");
    QCOMPARE(r.size(), 1);
    if (accepted)
        QCOMPARE(r.first().status, onHost ? 404 : 200); // the file does not exist
    else
        QCOMPARE(r.first().status, 401);
}

// A GET on .../pty without an Upgrade header used to be proxied into the runner's port 10500.
void TestSecHttp::ptyWithoutUpgradeNeverReachesTheRunner()
{
    // A listener on the runner's port 10500 that prints the request line of every connection;
    // it stops after the control request (through the proxy route) or after 20 s.
    const QString script = QStringLiteral(
        "import socket,time\n"
        "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        "s.bind(('127.0.0.1',10500)); s.listen(8); s.settimeout(0.3)\n"
        "print('LISTENING', flush=True)\n"
        "end=time.time()+20\n"
        "while time.time()<end:\n"
        "  try: c,_=s.accept()\n"
        "  except socket.timeout: continue\n"
        "  c.settimeout(2); d=b''\n"
        "  try:\n"
        "    while b'\\r\\n\\r\\n' not in d:\n"
        "      x=c.recv(4096)\n"
        "      if not x: break\n"
        "      d+=x\n"
        "  except Exception: pass\n"
        "  print('GOT', d.split(b'\\r\\n')[0].decode(errors='replace'), flush=True)\n"
        "  try: c.sendall(b'HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok')\n"
        "  except Exception: pass\n"
        "  c.close()\n"
        "  if b'control-probe' in d: break\n"
        "print('DONE', flush=True)\n");
    QNetworkAccessManager nam;
    QNetworkRequest req(
        QUrl(QStringLiteral("http://%1/api/v1/runners/%2/exec").arg(host(), m_runner)));
    req.setRawHeader("Authorization", bearer());
    req.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    const QJsonObject body{
        {QStringLiteral("command"),
         QJsonArray{QStringLiteral("/usr/bin/python3"), QStringLiteral("-c"), script}},
        {QStringLiteral("timeout_seconds"), 60}};
    QNetworkReply *exec = nam.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
    QByteArray events;
    connect(exec, &QNetworkReply::readyRead, this, [&] { events += exec->readAll(); });
    QTRY_VERIFY_WITH_TIMEOUT(events.contains("LISTENING"), 30000);

    const QByteArray base = "/api/v1/runners/" + m_runner.toUtf8();
    const QList<QByteArray> attempts{
        "GET " + base + "/pty?cols=80&rows=24 HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer() +
            "\r\n\r\n",
        "GET " + base + "/pty HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nAuthorization: " +
            bearer() + "\r\n\r\n",
        "POST " + base + "/pty HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer() +
            "\r\nContent-Length: 0\r\n\r\n"};
    for (const QByteArray &attempt : attempts) {
        const QList<Raw> r = exchange(host(), attempt);
        QCOMPARE(r.size(), 1);
        QVERIFY2(r.first().status == 400 || r.first().status == 405,
                 qPrintable(QString::number(r.first().status)));
    }
    // The control request proves the listener was there to receive a proxied request.
    const QList<Raw> control = exchange(host(),
                                        "GET " + base +
                                            "/proxy/control-probe HTTP/1.1\r\nHost: x\r\n"
                                            "Authorization: " +
                                            bearer() + "\r\n\r\n",
                                        1, true);
    QCOMPARE(control.size(), 1);
    QCOMPARE(control.first().status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(exec->isFinished(), 30000);
    events += exec->readAll();
    QString out;
    for (const QByteArray &line : events.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QStringLiteral("type")).toString() == QLatin1String("stdout"))
            out += o.value(QStringLiteral("data")).toString();
    }
    QVERIFY2(out.contains(QLatin1String("GOT GET /control-probe")), qPrintable(out));
    QCOMPARE(out.count(QLatin1String("GOT ")), 1);
    delete exec;
}

QTEST_GUILESS_MAIN(TestSecHttp)
#include "tst_sec_http.moc"
