// Security suite, host file routes (issue 8): attacks from inside a runner and from careless
// clients against a real capsule-local.
//  - symlink-swap race: a process in the runner flips /workspace/race/d between a folder and a
//    symlink to a host folder while the test hammers one file route; nothing of the host folder
//    may be read, listed, created, changed or removed;
//  - NUL bytes in paths, unbounded recursion, huge read limits, wrong-typed and invalid write
//    content, offsets beyond the end of a file.
#include "support/localserver.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace capsule::test;

namespace {

// Seconds the swap loop runs per route (the issue's figures: read escaped in 61 of 138 tries).
constexpr int kRaceSeconds = 3;

// The swap loop, run by the runner user inside the runner (argv: host folder, seconds, race
// folder): `d` and `l` are a folder and a symlink to the host folder, exchanged atomically
// (renameat2 RENAME_EXCHANGE) as fast as perl can issue the syscall, so `d` is always one or the
// other; d holds decoys named like the host files. Where the exchange is refused, d cycles folder
// -> missing -> symlink -> missing instead.
const char *const kSwapScript = R"PERL(
open STDOUT, '>', '/dev/null'; open STDERR, '>', '/dev/null';
my ($host, $secs, $dir) = @ARGV;
chdir $dir or exit 2;
mkdir 'd'; symlink $host, 'l'; mkdir 't';
# Decoys in the runner's own folder: the same names as in the host folder, other contents.
for my $name ('d/secret', 'd/canary') { open my $o, '>', $name; print $o 'decoy'; close $o; }
mkdir 'd/sub'; open my $o, '>', 'd/sub/inner'; close $o;
my $nr = (`uname -m` =~ /aarch64/) ? 276 : 316; # SYS_renameat2
my ($dn, $ln) = ('d', 'l'); # syscall() wants modifiable strings
my $exchange = syscall($nr, -100, $dn, -100, $ln, 2) == 0;
open my $f, '>', 'running'; close $f;
my $end = time + $secs;
my $i = 0;
while (time < $end) {
    # Decoys that a request removed come back (in the symlink state this fails: EACCES).
    unless (-e 'd/canary') { open my $c, '>', 'd/canary'; close $c; }
    unless (-e 'd/sub') { mkdir 'd/sub'; }
    for (1 .. 500) {
        if ($exchange) { syscall($nr, -100, $dn, -100, $ln, 2); next; }
        mkdir 'd'; rmdir 'd' or rename 'd', 't/' . $i++; symlink $host, 'd'; unlink 'd';
    }
}
unlink 'running';
)PERL";

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// Every entry below `root`: relative name -> mode + content hash (folders: mode only).
QMap<QString, QString> snapshot(const QString &root)
{
    QMap<QString, QString> out;
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        struct stat st;
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
            continue;
        QString value = QString::number(st.st_mode, 8) + QLatin1Char(' ') +
                        QString::number(st.st_uid) + QLatin1Char(' ');
        if (S_ISREG(st.st_mode)) {
            QFile f(path);
            if (f.open(QIODevice::ReadOnly))
                value += QString::fromLatin1(
                    QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
        }
        out.insert(path.mid(root.size()), value);
    }
    return out;
}

} // namespace

class TestSecFiles final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void symlinkSwapRace_data();
    void symlinkSwapRace();
    void nulBytesInPaths();
    void recursionIsBounded();
    void hugeReadLimits();
    void badWriteLeavesFileUntouched();
    void offsetBeyondEnd();
    void specialFilesAreRefused();
    void treesDoNotFollowSymlinks();
    void unsafeModeKeepsThePathRule();
    void listingStaysFast();

private:
    static QString allocateReady(const LocalServer &server, QString *host, QString *error);
    HttpReply files(const QString &op, const QJsonObject &body) const;
    HttpReply fileGet(const QString &query) const;
    HttpReply filePost(const QString &query, const QByteArray &body) const;
    QString hostUrl(const QString &rest) const;
    int exec(const QStringList &argv, QString *out = nullptr) const;
    void checkAlive() const;
    void resetHostDir();

    LocalServer m_server;
    QString m_host;
    QString m_runner;
    QTemporaryDir m_hostDir; // the host folder the attacker points its symlink at
    const QByteArray m_secret = "TOP-SECRET-host-data-" + QByteArray::number(::getpid());
};

void TestSecFiles::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    m_runner = allocateReady(m_server, &m_host, &error);
    QVERIFY2(!m_runner.isEmpty(), qPrintable(error));

    QVERIFY(m_hostDir.isValid());
}

// Builds a trivial config on `server`, allocates a runner and waits until it is ready.
QString TestSecFiles::allocateReady(const LocalServer &server, QString *host, QString *error)
{
    const QString key =
        server.createAndBuild(LocalServer::trivialConfig(QStringLiteral("sec-files")), error);
    if (key.isEmpty())
        return {};
    const HttpReply r = server.post(QStringLiteral("/api/v1/runners/allocate"),
                                    QJsonObject{{QStringLiteral("workload_key"), key}});
    *host = r.json().value(QStringLiteral("host_address")).toString();
    const QString runner = r.json().value(QStringLiteral("runner_id")).toString();
    for (int i = 0; i < 600 && !runner.isEmpty(); ++i) {
        if (server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + runner)
                .json()
                .value(QStringLiteral("status"))
                .toString() == QLatin1String("ready"))
            return runner;
        QTest::qWait(50);
    }
    *error = QStringLiteral("allocate: %1 %2").arg(r.status).arg(QString::fromUtf8(r.body));
    return {};
}

// The host folder: a 0700 folder holding a 0600 secret, a canary, a file whose name exists only
// there and a sub-folder. Made afresh for every route.
void TestSecFiles::resetHostDir()
{
    QDir dir(m_hostDir.path());
    QVERIFY(dir.removeRecursively());
    QVERIFY(dir.mkpath(QStringLiteral("sub")));
    QVERIFY(QFile::setPermissions(m_hostDir.path(), QFileDevice::ReadOwner |
                                                        QFileDevice::WriteOwner |
                                                        QFileDevice::ExeOwner));
    auto put = [this](const QString &name, const QByteArray &data) {
        QFile f(m_hostDir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    };
    put(QStringLiteral("secret"), m_secret);
    put(QStringLiteral("canary"), "canary");
    put(QStringLiteral("hostonly"), "hostonly");
    put(QStringLiteral("sub/inner"), "inner");
}

QString TestSecFiles::hostUrl(const QString &rest) const
{
    return QStringLiteral("http://%1/api/v1/runners/%2/%3").arg(m_host, m_runner, rest);
}

HttpReply TestSecFiles::files(const QString &op, const QJsonObject &body) const
{
    return m_server.request("POST", hostUrl(QStringLiteral("files/") + op), json(body));
}

HttpReply TestSecFiles::fileGet(const QString &query) const
{
    return m_server.request("GET", hostUrl(QStringLiteral("files/download?") + query));
}

HttpReply TestSecFiles::filePost(const QString &query, const QByteArray &body) const
{
    return m_server.request("POST", hostUrl(QStringLiteral("files/upload?") + query), body);
}

int TestSecFiles::exec(const QStringList &argv, QString *out) const
{
    const HttpReply r = m_server.request(
        "POST", hostUrl(QStringLiteral("exec")),
        json({{QStringLiteral("command"), QJsonArray::fromStringList(argv)}}), true, {}, 60000);
    int code = -1000;
    for (const QByteArray &line : r.body.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QStringLiteral("type")).toString() == QLatin1String("exit"))
            code = o.value(QStringLiteral("code")).toInt();
        else if (out && o.value(QStringLiteral("type")).toString() == QLatin1String("stdout"))
            *out += o.value(QStringLiteral("data")).toString();
    }
    return code;
}

void TestSecFiles::checkAlive() const
{
    const HttpReply s = files(QStringLiteral("stat"), {{QStringLiteral("path"), "/workspace"}});
    QVERIFY2(s.status == 200, qPrintable(QStringLiteral("server gone: %1 %2\n%3")
                                             .arg(s.status)
                                             .arg(s.error, m_server.stderrText().right(2000))));
    QCOMPARE(s.json().value(QStringLiteral("exists")).toBool(), true);
}

void TestSecFiles::symlinkSwapRace_data()
{
    QTest::addColumn<QString>("route");
    for (const char *route : {"read", "download", "write", "upload", "remove", "remove-recursive",
                              "mkdir", "list", "list-recursive", "stat"})
        QTest::newRow(route) << QString::fromLatin1(route);
}

void TestSecFiles::symlinkSwapRace()
{
    QFETCH(QString, route);
    resetHostDir();
    const QMap<QString, QString> before = snapshot(m_hostDir.path());
    QCOMPARE(before.size(), 5);
    // A fresh folder per route: what an escaped op left behind cannot disturb the next one.
    static int round = 0;
    const QString race = QStringLiteral("/workspace/race%1").arg(++round);
    QCOMPARE(exec({QStringLiteral("mkdir"), race}), 0);

    // The swap loop runs in an exec of its own, for kRaceSeconds.
    QNetworkAccessManager nam;
    QNetworkRequest req{QUrl(hostUrl(QStringLiteral("exec")))};
    req.setRawHeader("Authorization", "Bearer " + m_server.token().toUtf8());
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *loop =
        nam.post(req, json({{QStringLiteral("command"),
                             QJsonArray{QStringLiteral("perl"), QStringLiteral("-e"),
                                        QString::fromLatin1(kSwapScript), m_hostDir.path(),
                                        QString::number(kRaceSeconds), race}}}));
    const QString running = race + QStringLiteral("/running");
    QElapsedTimer started;
    started.start();
    while (!files(QStringLiteral("stat"), {{QStringLiteral("path"), running}})
                .json()
                .value(QStringLiteral("exists"))
                .toBool()) {
        QVERIFY2(started.elapsed() < 30000 && !loop->isFinished(),
                 qPrintable(QStringLiteral("the swap loop did not start: ") +
                            QString::fromUtf8(loop->readAll())));
        QTest::qWait(20);
    }

    const QString d = race + QStringLiteral("/d/");
    int requests = 0, escapes = 0;
    QStringList evidence;
    auto escaped = [&](const QString &what) {
        ++escapes;
        if (evidence.size() < 3)
            evidence << what;
    };
    while (!loop->isFinished()) {
        ++requests;
        if (route == QLatin1String("read")) {
            const HttpReply r = files(route, {{QStringLiteral("path"), d + "secret"}});
            if (r.body.contains(m_secret) || r.body.contains(m_secret.toBase64()))
                escaped(QString::fromUtf8(r.body));
        } else if (route == QLatin1String("download")) {
            const HttpReply r = fileGet(QStringLiteral("path=") + d + QStringLiteral("secret"));
            if (r.body.contains(m_secret))
                escaped(QString::fromUtf8(r.body));
        } else if (route == QLatin1String("write")) {
            files(route, {{QStringLiteral("path"), d + "canary"},
                          {QStringLiteral("content"), QStringLiteral("overwritten")}});
            files(route, {{QStringLiteral("path"), d + "planted"},
                          {QStringLiteral("content"), QStringLiteral("planted")}});
        } else if (route == QLatin1String("upload")) {
            filePost(QStringLiteral("path=") + d + QStringLiteral("canary"), "overwritten");
            filePost(QStringLiteral("path=") + d + QStringLiteral("new/planted"), "planted");
        } else if (route == QLatin1String("remove")) {
            files(route, {{QStringLiteral("path"), d + "canary"}});
        } else if (route == QLatin1String("remove-recursive")) {
            files(QStringLiteral("remove"),
                  {{QStringLiteral("path"), d + "sub"}, {QStringLiteral("recursive"), true}});
        } else if (route == QLatin1String("mkdir")) {
            files(route, {{QStringLiteral("path"), d + "made/deeper"}});
        } else if (route.startsWith(QLatin1String("list"))) {
            const HttpReply r =
                files(QStringLiteral("list"),
                      {{QStringLiteral("path"), race + QStringLiteral("/d")},
                       {QStringLiteral("recursive"), route == QLatin1String("list-recursive")}});
            if (r.body.contains("hostonly"))
                escaped(QString::fromUtf8(r.body));
        } else if (route == QLatin1String("stat")) {
            const HttpReply r = files(route, {{QStringLiteral("path"), d + "secret"}});
            if (r.json().value(QStringLiteral("size")).toInt() == m_secret.size())
                escaped(QString::fromUtf8(r.body));
        }
        QVERIFY2(started.elapsed() < 60000, "the swap loop did not end");
    }
    delete loop;
    const QMap<QString, QString> after = snapshot(m_hostDir.path());
    if (after != before)
        escaped(QStringLiteral("host folder changed: %1 -> %2")
                    .arg(QStringList(before.keys()).join(QLatin1Char(' ')),
                         QStringList(after.keys()).join(QLatin1Char(' '))));
    qInfo("%s: %d requests during the swap loop, %d escapes", qPrintable(route), requests, escapes);
    QVERIFY2(requests >= 5, "too few requests to say anything");
    QVERIFY2(escapes == 0, qPrintable(evidence.join(QStringLiteral("\n---\n")).left(3000)));
    checkAlive();
}

void TestSecFiles::nulBytesInPaths()
{
    const QString nul = QStringLiteral("/tmp/..") + QChar(0);
    const QString homeNul = QStringLiteral("/home/runner/..") + QChar(0);
    struct Case
    {
        QString op;
        QJsonObject body;
    };
    const QList<Case> cases{
        {QStringLiteral("list"), {{QStringLiteral("path"), nul}}},
        {QStringLiteral("list"), {{QStringLiteral("path"), homeNul}, {"recursive", true}}},
        {QStringLiteral("read"), {{QStringLiteral("path"), QStringLiteral("/tmp/x") + QChar(0)}}},
        {QStringLiteral("stat"), {{QStringLiteral("path"), nul}}},
        {QStringLiteral("write"), {{QStringLiteral("path"), nul + "x"}, {"content", "x"}}},
        {QStringLiteral("mkdir"), {{QStringLiteral("path"), nul + "x"}}},
        {QStringLiteral("remove"), {{QStringLiteral("path"), nul}, {"recursive", true}}},
    };
    for (const Case &c : cases) {
        const HttpReply r = files(c.op, c.body);
        QVERIFY2(r.status == 400, qPrintable(c.op + QLatin1Char(' ') + QString::number(r.status) +
                                             QLatin1Char(' ') + QString::fromUtf8(r.body)));
        QVERIFY2(r.json().value(QStringLiteral("error")).toString().contains(QLatin1String("NUL")),
                 r.body.constData());
    }
    HttpReply r = fileGet(QStringLiteral("path=/tmp/..%00"));
    QCOMPARE(r.status, 400);
    QVERIFY2(r.body.contains("NUL"), r.body.constData());
    r = filePost(QStringLiteral("path=/tmp/x%00y"), "data");
    QCOMPARE(r.status, 400);
    QVERIFY2(r.body.contains("NUL"), r.body.constData());
    checkAlive();
}

void TestSecFiles::recursionIsBounded()
{
    // 300 nested folders: deeper than the recursive walk goes; a listing says so (400) and the
    // server lives on, a recursive remove still removes everything.
    QString out;
    QCOMPARE(exec({QStringLiteral("sh"), QStringLiteral("-c"),
                   QStringLiteral("cd /workspace && mkdir deep && cd deep && i=0; "
                                  "while [ $i -lt 300 ]; do mkdir d && cd d || exit 1; "
                                  "i=$((i+1)); done; echo ok")},
                  &out),
             0);
    HttpReply r = files(QStringLiteral("list"), {{QStringLiteral("path"), "/workspace/deep"},
                                                 {QStringLiteral("recursive"), true}});
    QCOMPARE(r.status, 400);
    const QString error = r.json().value(QStringLiteral("error")).toString();
    QVERIFY2(error.contains(QLatin1String("256")) && error.contains(QLatin1String("deep")),
             qPrintable(error));
    checkAlive();
    r = files(QStringLiteral("remove"),
              {{QStringLiteral("path"), "/workspace/deep"}, {QStringLiteral("recursive"), true}});
    QVERIFY2(r.status == 200 || r.status == 400, r.body.constData());
    checkAlive();
}

void TestSecFiles::hugeReadLimits()
{
    QCOMPARE(files(QStringLiteral("write"),
                   {{QStringLiteral("path"), "/workspace/small.txt"}, {"content", "0123456789"}})
                 .status,
             200);
    HttpReply r = files(QStringLiteral("read"), {{QStringLiteral("path"), "/workspace/small.txt"},
                                                 {QStringLiteral("limit"), 17179869184.0}});
    QCOMPARE(r.status, 400);
    QVERIFY2(r.json().value(QStringLiteral("error")).toString().contains(QLatin1String("download")),
             r.body.constData());
    checkAlive();
    const QList<QPair<QString, QJsonValue>> bad{
        {QStringLiteral("limit"), 1e18},
        {QStringLiteral("limit"), -1},
        {QStringLiteral("limit"), 1.5},
        {QStringLiteral("limit"), QStringLiteral("10")},
        {QStringLiteral("offset"), -5},
        {QStringLiteral("offset"), QStringLiteral("x")},
        {QStringLiteral("offset"), 1e30},
        {QStringLiteral("offset"), 2.5},
        {QStringLiteral("base64"), QStringLiteral("yes")},
    };
    for (const auto &[field, value] : bad) {
        r = files(QStringLiteral("read"),
                  {{QStringLiteral("path"), "/workspace/small.txt"}, {field, value}});
        QVERIFY2(r.status == 400, qPrintable(field + QLatin1Char(' ') + QString::fromUtf8(r.body)));
        QVERIFY2(r.json().value(QStringLiteral("error")).toString().contains(field),
                 r.body.constData());
    }
    // A file bigger than 64 MiB read without a limit: 400 naming download, nothing allocated.
    QCOMPARE(exec({QStringLiteral("truncate"), QStringLiteral("-s"), QStringLiteral("65M"),
                   QStringLiteral("/workspace/big.bin")}),
             0);
    r = files(QStringLiteral("read"), {{QStringLiteral("path"), "/workspace/big.bin"}});
    QCOMPARE(r.status, 400);
    QVERIFY2(r.json().value(QStringLiteral("error")).toString().contains(QLatin1String("download")),
             r.body.constData());
    r = files(QStringLiteral("read"), {{QStringLiteral("path"), "/workspace/big.bin"},
                                       {QStringLiteral("offset"), 65 * 1024 * 1024 - 3}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("content")).toString(), QString(3, QChar(0)));
    checkAlive();
}

void TestSecFiles::badWriteLeavesFileUntouched()
{
    const QString path = QStringLiteral("/workspace/keep.txt");
    QCOMPARE(
        files(QStringLiteral("write"), {{QStringLiteral("path"), path}, {"content", "original"}})
            .status,
        200);
    const QList<QJsonObject> bad{
        {{QStringLiteral("content"), QStringLiteral("!!not base64@@")}, {"base64", true}},
        {{QStringLiteral("content"), QStringLiteral("QUJD=QUJD")}, {"base64", true}},
        {{QStringLiteral("content"), QJsonObject{{"oops", 1}}}},
        {{QStringLiteral("content"), QJsonArray{1, 2}}},
        {{QStringLiteral("content"), 42}},
        {{QStringLiteral("content"), QStringLiteral("x")}, {"base64", QStringLiteral("true")}},
        {{QStringLiteral("content"), QStringLiteral("x")}, {"mode", 1}},
        {{QStringLiteral("content"), QStringLiteral("x")}, {"perm", QStringLiteral("0644")}},
        {{QStringLiteral("content"), QStringLiteral("x")}, {"perm", -1}},
        {{QStringLiteral("content"), QStringLiteral("x")}, {"perm", 1e18}},
    };
    for (QJsonObject body : bad) {
        body.insert(QStringLiteral("path"), path);
        const HttpReply r = files(QStringLiteral("write"), body);
        QVERIFY2(r.status == 400, qPrintable(QString::fromUtf8(json(body) + " -> " + r.body)));
        QVERIFY(!r.json().value(QStringLiteral("error")).toString().isEmpty());
        const HttpReply check = files(QStringLiteral("read"), {{QStringLiteral("path"), path}});
        QVERIFY2(check.json().value(QStringLiteral("content")).toString() ==
                     QLatin1String("original"),
                 qPrintable(QString::fromUtf8(json(body) + " changed the file: " + check.body)));
    }
    // The path itself must be a string.
    HttpReply r = files(QStringLiteral("write"), {{QStringLiteral("path"), 5}, {"content", "x"}});
    QCOMPARE(r.status, 400);
    // Valid base64 still works.
    r = files(QStringLiteral("write"),
              {{QStringLiteral("path"), path}, {"content", "bmV3"}, {"base64", true}});
    QCOMPARE(r.status, 200);
    QCOMPARE(files(QStringLiteral("read"), {{QStringLiteral("path"), path}})
                 .json()
                 .value(QStringLiteral("content"))
                 .toString(),
             QStringLiteral("new"));
}

void TestSecFiles::offsetBeyondEnd()
{
    const QString path = QStringLiteral("/workspace/offset.txt");
    QCOMPARE(files(QStringLiteral("write"), {{QStringLiteral("path"), path}, {"content", "abcdef"}})
                 .status,
             200);
    for (const double offset : {6.0, 7.0, 1e18}) {
        const HttpReply r =
            files(QStringLiteral("read"), {{QStringLiteral("path"), path}, {"offset", offset}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("content")).toString(), QString());
        QCOMPARE(r.json().value(QStringLiteral("size")).toInt(), 6);
    }
    const HttpReply r =
        files(QStringLiteral("read"), {{QStringLiteral("path"), path}, {"offset", 4}});
    QCOMPARE(r.json().value(QStringLiteral("content")).toString(), QStringLiteral("ef"));
}

void TestSecFiles::specialFilesAreRefused()
{
    // A FIFO is never opened (the old code blocked the whole server in open(2) for a reader).
    QCOMPARE(exec({QStringLiteral("mkfifo"), QStringLiteral("/workspace/fifo")}), 0);
    const QString fifo = QStringLiteral("/workspace/fifo");
    for (const char *op : {"read", "write"}) {
        const HttpReply r = m_server.request(
            "POST", hostUrl(QStringLiteral("files/") + QLatin1String(op)),
            json({{QStringLiteral("path"), fifo}, {"content", "x"}}), true, {}, 15000);
        QVERIFY2(r.status == 400, qPrintable(QLatin1String(op) + QLatin1Char(' ') + r.error +
                                             QString::fromUtf8(r.body)));
        QVERIFY2(r.body.contains("not a regular file"), r.body.constData());
    }
    const HttpReply d = m_server.request(
        "GET", hostUrl(QStringLiteral("files/download?path=") + fifo), {}, true, {}, 15000);
    QCOMPARE(d.status, 400);
    const HttpReply u = m_server.request(
        "POST", hostUrl(QStringLiteral("files/upload?path=") + fifo), "x", true, {}, 15000);
    QCOMPARE(u.status, 400);
    checkAlive();
}

void TestSecFiles::treesDoNotFollowSymlinks()
{
    // Links inside a tree are listed and unlinked, never entered: their targets survive.
    QCOMPARE(exec({QStringLiteral("sh"), QStringLiteral("-c"),
                   QStringLiteral("mkdir -p /tmp/keep /workspace/rt/sub && echo k > /tmp/keep/file "
                                  "&& ln -s /tmp/keep /workspace/rt/sub/link "
                                  "&& ln -s /tmp/keep/file /workspace/rt/flink")}),
             0);
    HttpReply r = files(QStringLiteral("list"), {{QStringLiteral("path"), "/workspace/rt"},
                                                 {QStringLiteral("recursive"), true}});
    QCOMPARE(r.status, 200);
    QStringList paths;
    for (const QJsonValue &v : r.json().value(QStringLiteral("entries")).toArray())
        paths << v.toObject().value(QStringLiteral("path")).toString();
    QCOMPARE(paths,
             (QStringList{QStringLiteral("/workspace/rt"), QStringLiteral("/workspace/rt/flink"),
                          QStringLiteral("/workspace/rt/sub"),
                          QStringLiteral("/workspace/rt/sub/link")}));
    r = files(QStringLiteral("remove"),
              {{QStringLiteral("path"), "/workspace/rt"}, {QStringLiteral("recursive"), true}});
    QCOMPARE(r.status, 200);
    QCOMPARE(files(QStringLiteral("stat"), {{QStringLiteral("path"), "/workspace/rt"}})
                 .json()
                 .value(QStringLiteral("exists"))
                 .toBool(),
             false);
    QCOMPARE(files(QStringLiteral("read"), {{QStringLiteral("path"), "/tmp/keep/file"}})
                 .json()
                 .value(QStringLiteral("content"))
                 .toString(),
             QStringLiteral("k\n"));
}

void TestSecFiles::unsafeModeKeepsThePathRule()
{
    // --unsafe-no-sandbox has no namespace to look into: the walk maps /workspace, /tmp... to
    // their host folders itself, and still refuses what lies outside them.
    LocalServer unsafe;
    QString error, host;
    QVERIFY2(unsafe.start({QStringLiteral("--unsafe-no-sandbox")}, &error), qPrintable(error));
    const QString runner = allocateReady(unsafe, &host, &error);
    QVERIFY2(!runner.isEmpty(), qPrintable(error + unsafe.stderrText()));
    auto op = [&](const QString &name, const QJsonObject &body) {
        return unsafe.request(
            "POST", QStringLiteral("http://%1/api/v1/runners/%2/files/%3").arg(host, runner, name),
            json(body));
    };
    for (const QString &path : {QStringLiteral("/workspace/u.txt"), QStringLiteral("/tmp/u.txt"),
                                QStringLiteral("/home/runner/u.txt")}) {
        QCOMPARE(
            op(QStringLiteral("write"), {{QStringLiteral("path"), path}, {"content", "u"}}).status,
            200);
        QCOMPARE(op(QStringLiteral("read"), {{QStringLiteral("path"), path}})
                     .json()
                     .value(QStringLiteral("content"))
                     .toString(),
                 QStringLiteral("u"));
    }
    QCOMPARE(
        op(QStringLiteral("write"), {{QStringLiteral("path"), "/workspace/l/x"}, {"content", "u"}})
            .status,
        500);
    for (const QString &path :
         {QStringLiteral("/etc/passwd"), QStringLiteral("/workspace/../etc/passwd"),
          QStringLiteral("/tmp/../etc/passwd")})
        QCOMPARE(op(QStringLiteral("read"), {{QStringLiteral("path"), path}}).status, 403);
}

void TestSecFiles::listingStaysFast()
{
    // The fd walk must not cost the listing its speed (target < 100 ms for 10 000 entries on an
    // idle machine; the bound here is loose for a loaded CI machine).
    QCOMPARE(exec({QStringLiteral("sh"), QStringLiteral("-c"),
                   QStringLiteral("mkdir /workspace/many && cd /workspace/many && "
                                  "seq 1 10000 | xargs touch")}),
             0);
    QList<qint64> times;
    for (int i = 0; i < 9; ++i) {
        QElapsedTimer t;
        t.start();
        const HttpReply r =
            files(QStringLiteral("list"), {{QStringLiteral("path"), "/workspace/many"}});
        times << t.elapsed();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("entries")).toArray().size(), 10000);
    }
    std::sort(times.begin(), times.end());
    qInfo("listing 10000 entries: median %lld ms (client parse included)", times.at(4));
    QVERIFY2(times.at(4) < 5000, qPrintable(QString::number(times.at(4))));
}

QTEST_GUILESS_MAIN(TestSecFiles)
#include "tst_sec_files.moc"
