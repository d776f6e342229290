// Host agent routes (contract 3.2-3.5) end to end through a real capsule-local.
#include "support/localserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QWebSocket>
#include <QtEndian>
#include <QtTest>

using namespace capsule::test;

namespace {

struct Events
{
    int status = 0;
    QString out, err;
    QStringList errors;
    int code = -1000;
    bool hasExit = false;
    QList<QJsonObject> all;
};

} // namespace

class TestHostAgent final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void authIsRequired();
    void execStreams_data();
    void execStreams();
    void execEnvAndWorkingDir();
    void execTimeoutAndStartFailure();
    void execBadRequests();
    void filesRoundTrip();
    void filePathRules_data();
    void filePathRules();
    void otherRunnersFilesAreInvisible();
    void listAndStatShapes();
    void removeAndMkdir();
    void uploadAppendAndRangeDownload();
    void ptyEchoResizeExit();
    void ptySignalAndStartFailure();
    void healthAndReady();
    void proxyAndServiceLogs();
    void serverExitLeavesNothing();

private:
    QString allocate();
    Events exec(const QJsonObject &body, const QString &runner = {});
    HttpReply files(const QString &op, const QJsonObject &body, const QString &runner = {});
    QString hostUrl(const QString &runner, const QString &rest) const;
    QWebSocket *openPty(const QString &query, QList<QByteArray> *frames, int *closeCode);

    LocalServer m_server;
    QString m_key;
    QString m_host;
    QString m_runner;
    QString m_other;
};

void TestHostAgent::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    const QJsonObject body{
        {QStringLiteral("display_name"), QStringLiteral("host-agent")},
        {QStringLiteral("layers"),
         QJsonArray{QJsonObject{
             {QStringLiteral("name"), QStringLiteral("main")},
             {QStringLiteral("init_commands"),
              QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("shell")},
                                     {QStringLiteral("args"),
                                      QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                                                 QStringLiteral("echo layer > /opt/host-layer")}},
                                     {QStringLiteral("run_as_root"), true}}}}}}}};
    m_key = m_server.createAndBuild(body, &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error + m_server.stderrText()));
    m_runner = allocate();
    m_other = allocate();
    QVERIFY(!m_runner.isEmpty() && !m_other.isEmpty());
    QVERIFY(m_runner != m_other);
}

QString TestHostAgent::allocate()
{
    const HttpReply r = m_server.post(QStringLiteral("/api/v1/runners/allocate"),
                                      QJsonObject{{QStringLiteral("workload_key"), m_key}});
    if (r.status != 200) {
        qWarning() << "allocate:" << r.status << r.body;
        return {};
    }
    m_host = r.json().value(QStringLiteral("host_address")).toString();
    const QString id = r.json().value(QStringLiteral("runner_id")).toString();
    // Wait until ready (200 status) so host routes do not race the boot.
    for (int i = 0; i < 200; ++i) {
        const HttpReply s = m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=") + id);
        if (s.json().value(QStringLiteral("status")).toString() == QLatin1String("ready"))
            return id;
        QTest::qWait(50);
    }
    return id;
}

QString TestHostAgent::hostUrl(const QString &runner, const QString &rest) const
{
    return QStringLiteral("http://%1/api/v1/runners/%2/%3")
        .arg(m_host, runner.isEmpty() ? m_runner : runner, rest);
}

Events TestHostAgent::exec(const QJsonObject &body, const QString &runner)
{
    const HttpReply r = m_server.request("POST", hostUrl(runner, QStringLiteral("exec")),
                                         QJsonDocument(body).toJson(QJsonDocument::Compact));
    Events e;
    e.status = r.status;
    for (const QByteArray &line : r.body.split('\n')) {
        if (line.isEmpty())
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        e.all << o;
        const QString type = o.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("stdout"))
            e.out += o.value(QStringLiteral("data")).toString();
        else if (type == QLatin1String("stderr"))
            e.err += o.value(QStringLiteral("data")).toString();
        else if (type == QLatin1String("error"))
            e.errors << o.value(QStringLiteral("message")).toString();
        else if (type == QLatin1String("exit")) {
            e.code = o.value(QStringLiteral("code")).toInt();
            e.hasExit = true;
        }
    }
    return e;
}

HttpReply TestHostAgent::files(const QString &op, const QJsonObject &body, const QString &runner)
{
    return m_server.request("POST", hostUrl(runner, QStringLiteral("files/") + op),
                            QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void TestHostAgent::authIsRequired()
{
    const HttpReply r = m_server.request("POST", hostUrl({}, QStringLiteral("exec")),
                                         R"({"command":["true"]})", false);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("unauthorized"));
    const HttpReply wrong =
        m_server.request("POST", hostUrl({}, QStringLiteral("files/stat")),
                         R"({"path":"/workspace"})", false, {{"Authorization", "Bearer wrong"}});
    QCOMPARE(wrong.status, 401);
    // Preconditions: unknown runner, wrong method.
    const HttpReply unknown = m_server.request(
        "POST", hostUrl(QStringLiteral("nope"), QStringLiteral("exec")), R"({"command":["true"]})");
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.body, QByteArray("runner not found: nope\n"));
    QCOMPARE(m_server.request("GET", hostUrl({}, QStringLiteral("exec"))).status, 405);
    QCOMPARE(m_server.request("POST", hostUrl({}, QStringLiteral("files/download"))).status, 405);
}

void TestHostAgent::execStreams_data()
{
    QTest::addColumn<QStringList>("argv");
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<int>("code");
    const QString sh = QStringLiteral("sh");
    const QString c = QStringLiteral("-c");
    QTest::newRow("unterminated line")
        << QStringList{QStringLiteral("printf"), QStringLiteral("hello")}
        << QStringLiteral("hello\n") << QString() << 0;
    QTest::newRow("stderr and code")
        << QStringList{sh, c, QStringLiteral("echo out; echo warn >&2; exit 3")}
        << QStringLiteral("out\n") << QStringLiteral("warn\n") << 3;
    QTest::newRow("lines") << QStringList{sh, c, QStringLiteral("printf 'a\\nb\\n\\nc'")}
                           << QStringLiteral("a\nb\n\nc\n") << QString() << 0;
    QTest::newRow("invalid utf-8") << QStringList{sh, c, QStringLiteral("printf 'x\\377y\\n'")}
                                   << QStringLiteral("x\uFFFDy\n") << QString() << 0;
    QTest::newRow("signal death") << QStringList{sh, c, QStringLiteral("kill -9 $$")} << QString()
                                  << QString() << -1;
    QTest::newRow("layer content")
        << QStringList{QStringLiteral("cat"), QStringLiteral("/opt/host-layer")}
        << QStringLiteral("layer\n") << QString() << 0;
    QTest::newRow("runner user") << QStringList{QStringLiteral("id"), QStringLiteral("-un")}
                                 << QStringLiteral("runner\n") << QString() << 0;
}

void TestHostAgent::execStreams()
{
    QFETCH(QStringList, argv);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(int, code);
    const Events e = exec({{QStringLiteral("command"), QJsonArray::fromStringList(argv)}});
    QCOMPARE(e.status, 200);
    QCOMPARE(e.out, out);
    QCOMPARE(e.err, err);
    QCOMPARE(e.code, code);
    QVERIFY(e.all.last().value(QStringLiteral("type")).toString() == QLatin1String("exit"));
    for (const QJsonObject &o : e.all) {
        const QString ts = o.value(QStringLiteral("ts")).toString();
        QVERIFY2(ts.endsWith(QLatin1Char('Z')) && ts.contains(QLatin1Char('T')), qPrintable(ts));
        if (o.contains(QStringLiteral("data")))
            QVERIFY(o.value(QStringLiteral("data")).toString().endsWith(QLatin1Char('\n')));
    }
}

void TestHostAgent::execEnvAndWorkingDir()
{
    const Events e = exec(
        {{QStringLiteral("command"),
          QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                     QStringLiteral("echo $HOME; echo $PATH; echo $FOO; pwd")}},
         {QStringLiteral("env"), QJsonObject{{QStringLiteral("HOME"), QStringLiteral("/x")},
                                             {QStringLiteral("PATH"), QStringLiteral("/opt/bin")},
                                             {QStringLiteral("FOO"), QStringLiteral("bar")}}},
         {QStringLiteral("working_dir"), QStringLiteral("/tmp")}});
    QCOMPARE(e.out, QStringLiteral("/home/runner\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/"
                                   "bin:/sbin:/bin:/opt/bin\nbar\n/tmp\n"));
    QCOMPARE(exec({{QStringLiteral("command"), QJsonArray{QStringLiteral("pwd")}}}).out,
             QStringLiteral("/workspace\n"));
}

void TestHostAgent::execTimeoutAndStartFailure()
{
    QElapsedTimer t;
    t.start();
    const Events timed =
        exec({{QStringLiteral("command"), QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                                                     QStringLiteral("echo started; sleep 30")}},
              {QStringLiteral("timeout_seconds"), 1}});
    QVERIFY(t.elapsed() < 10000);
    QCOMPARE(timed.out, QStringLiteral("started\n"));
    QCOMPARE(timed.errors, QStringList{QStringLiteral("timeout")});
    QCOMPARE(timed.code, -1);
    const Events missing =
        exec({{QStringLiteral("command"), QJsonArray{QStringLiteral("no-such-command")}}});
    QCOMPARE(missing.status, 200);
    QCOMPARE(missing.all.size(), 1);
    QVERIFY(missing.errors.value(0).startsWith(QStringLiteral("start failed: ")));
    QVERIFY(!missing.hasExit);
    const Events badDir = exec({{QStringLiteral("command"), QJsonArray{QStringLiteral("true")}},
                                {QStringLiteral("working_dir"), QStringLiteral("/nope")}});
    QVERIFY(badDir.errors.value(0).startsWith(QStringLiteral("start failed: chdir /nope")));
}

void TestHostAgent::execBadRequests()
{
    HttpReply r = m_server.request("POST", hostUrl({}, QStringLiteral("exec")), "{}");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.body, QByteArray("command is required\n"));
    r = m_server.request("POST", hostUrl({}, QStringLiteral("exec")), "{not json");
    QCOMPARE(r.status, 400);
    QVERIFY(r.body.startsWith("invalid request body: "));
}

void TestHostAgent::filesRoundTrip()
{
    HttpReply w = files(QStringLiteral("write"),
                        {{QStringLiteral("path"), QStringLiteral("/workspace/rt.txt")},
                         {QStringLiteral("content"), QStringLiteral("héllo\n")}});
    QCOMPARE(w.status, 200);
    QCOMPARE(w.json().value(QStringLiteral("bytes_written")).toInt(), 7);
    w = files(QStringLiteral("write"),
              {{QStringLiteral("path"), QStringLiteral("/workspace/rt.txt")},
               {QStringLiteral("content"), QStringLiteral("more\n")},
               {QStringLiteral("mode"), QStringLiteral("append")}});
    QCOMPARE(w.status, 200);
    HttpReply r = files(QStringLiteral("read"),
                        {{QStringLiteral("path"), QStringLiteral("/workspace/rt.txt")}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("content")).toString(), QStringLiteral("héllo\nmore\n"));
    QCOMPARE(r.json().value(QStringLiteral("size")).toInt(), 12);
    r = files(QStringLiteral("read"),
              {{QStringLiteral("path"), QStringLiteral("/workspace/rt.txt")},
               {QStringLiteral("offset"), 7},
               {QStringLiteral("limit"), 2},
               {QStringLiteral("base64"), true}});
    QCOMPARE(r.json().value(QStringLiteral("content")).toString(), QStringLiteral("bW8=")); // "mo"
    QCOMPARE(r.json().value(QStringLiteral("size")).toInt(), 12);
    // Binary through base64 write, seen by exec in the sandbox.
    w = files(QStringLiteral("write"), {{QStringLiteral("path"), QStringLiteral("/tmp/bin")},
                                        {QStringLiteral("content"), QStringLiteral("AAEC")},
                                        {QStringLiteral("base64"), true},
                                        {QStringLiteral("perm"), 493}});
    QCOMPARE(w.json().value(QStringLiteral("bytes_written")).toInt(), 3);
    QCOMPARE(exec({{QStringLiteral("command"),
                    QJsonArray{QStringLiteral("stat"), QStringLiteral("-c"),
                               QStringLiteral("%s %a"), QStringLiteral("/tmp/bin")}}})
                 .out,
             QStringLiteral("3 755\n"));
    // Errors: missing file, directory, no parent.
    QCOMPARE(files(QStringLiteral("read"),
                   {{QStringLiteral("path"), QStringLiteral("/workspace/missing")}})
                 .status,
             404);
    QCOMPARE(files(QStringLiteral("read"), {{QStringLiteral("path"), QStringLiteral("/workspace")}})
                 .status,
             400);
    QCOMPARE(files(QStringLiteral("write"),
                   {{QStringLiteral("path"), QStringLiteral("/workspace/no/parent")},
                    {QStringLiteral("content"), QStringLiteral("x")}})
                 .status,
             500);
}

void TestHostAgent::filePathRules_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::newRow("relative") << QStringLiteral("workspace/x") << 400
                              << QStringLiteral("path must be absolute");
    QTest::newRow("etc") << QStringLiteral("/etc/passwd") << 403
                         << QStringLiteral("path outside allowed roots");
    QTest::newRow("dotdot") << QStringLiteral("/workspace/../etc/passwd") << 403
                            << QStringLiteral("path outside allowed roots");
    QTest::newRow("symlink out") << QStringLiteral("/workspace/link-passwd") << 403
                                 << QStringLiteral("path outside allowed roots");
    QTest::newRow("symlink dir out") << QStringLiteral("/workspace/link-etc/hostname") << 403
                                     << QStringLiteral("path outside allowed roots");
    QTest::newRow("symlink in") << QStringLiteral("/workspace/link-tmp/in.txt") << 200 << QString();
    QTest::newRow("home") << QStringLiteral("/home/runner/h.txt") << 200 << QString();
    QTest::newRow("var tmp") << QStringLiteral("/var/tmp/v.txt") << 200 << QString();
    QTest::newRow("homes of others")
        << QStringLiteral("/home/other/x") << 403 << QStringLiteral("path outside allowed roots");
}

void TestHostAgent::filePathRules()
{
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QString, error);
    static bool linked = false;
    if (!linked) {
        const Events e =
            exec({{QStringLiteral("command"),
                   QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                              QStringLiteral(
                                  "ln -sf /etc/passwd /workspace/link-passwd && ln -sfn /etc "
                                  "/workspace/link-etc && ln -sfn /tmp /workspace/link-tmp")}}});
        QCOMPARE(e.code, 0);
        linked = true;
    }
    const HttpReply w =
        files(QStringLiteral("write"),
              {{QStringLiteral("path"), path}, {QStringLiteral("content"), QStringLiteral("x")}});
    QCOMPARE(w.status, status);
    if (!error.isEmpty())
        QCOMPARE(w.json().value(QStringLiteral("error")).toString(), error);
    const HttpReply r = files(QStringLiteral("read"), {{QStringLiteral("path"), path}});
    QCOMPARE(r.status, status);
    // Downloads follow the same rule (text errors).
    const HttpReply d = m_server.request(
        "GET", hostUrl({}, QStringLiteral("files/download?path=") +
                               QString::fromLatin1(QUrl::toPercentEncoding(path))));
    QCOMPARE(d.status, status);
    if (status == 200) {
        QCOMPARE(d.body, QByteArray("x"));
        QVERIFY(r.json().value(QStringLiteral("path")).toString().startsWith(QLatin1Char('/')));
    }
}

void TestHostAgent::otherRunnersFilesAreInvisible()
{
    QCOMPARE(files(QStringLiteral("write"),
                   {{QStringLiteral("path"), QStringLiteral("/workspace/private.txt")},
                    {QStringLiteral("content"), QStringLiteral("mine")}})
                 .status,
             200);
    const HttpReply s =
        files(QStringLiteral("stat"),
              {{QStringLiteral("path"), QStringLiteral("/workspace/private.txt")}}, m_other);
    QCOMPARE(s.status, 200);
    QCOMPARE(s.json().value(QStringLiteral("exists")).toBool(), false);
    const Events e =
        exec({{QStringLiteral("command"),
               QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                          QStringLiteral("ls /workspace/private.txt; find %1 -name private.txt")
                              .arg(m_server.dataDir())}}},
             m_other);
    QCOMPARE(e.out, QString());
    QVERIFY(e.code != 0); // ls failed: the file does not exist for the other runner
}

void TestHostAgent::listAndStatShapes()
{
    files(QStringLiteral("mkdir"),
          {{QStringLiteral("path"), QStringLiteral("/workspace/tree/b/c")}});
    files(QStringLiteral("write"),
          {{QStringLiteral("path"), QStringLiteral("/workspace/tree/a.txt")},
           {QStringLiteral("content"), QStringLiteral("12345")}});
    files(QStringLiteral("write"),
          {{QStringLiteral("path"), QStringLiteral("/workspace/tree/b/z.txt")},
           {QStringLiteral("content"), QStringLiteral("z")}});
    HttpReply l = files(QStringLiteral("list"),
                        {{QStringLiteral("path"), QStringLiteral("/workspace/tree")}});
    QCOMPARE(l.status, 200);
    QJsonArray entries = l.json().value(QStringLiteral("entries")).toArray();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("a.txt"));
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("mode")).toString(),
             QStringLiteral("-rw-r--r--"));
    QCOMPARE(entries.at(0).toObject().value(QStringLiteral("size")).toInt(), 5);
    QCOMPARE(entries.at(1).toObject().value(QStringLiteral("mode")).toString(),
             QStringLiteral("drwxr-xr-x"));
    QCOMPARE(entries.at(1).toObject().value(QStringLiteral("is_dir")).toBool(), true);
    const QString mt = entries.at(0).toObject().value(QStringLiteral("mod_time")).toString();
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"))
                 .match(mt)
                 .hasMatch(),
             qPrintable(mt));
    l = files(QStringLiteral("list"), {{QStringLiteral("path"), QStringLiteral("/workspace/tree")},
                                       {QStringLiteral("recursive"), true}});
    QStringList paths;
    for (const QJsonValue &v : l.json().value(QStringLiteral("entries")).toArray())
        paths << v.toObject().value(QStringLiteral("path")).toString();
    QCOMPARE(paths, (QStringList{
                        QStringLiteral("/workspace/tree"), QStringLiteral("/workspace/tree/a.txt"),
                        QStringLiteral("/workspace/tree/b"), QStringLiteral("/workspace/tree/b/c"),
                        QStringLiteral("/workspace/tree/b/z.txt")}));
    l = files(QStringLiteral("list"), {{QStringLiteral("path"), QStringLiteral("/workspace/none")},
                                       {QStringLiteral("recursive"), true}});
    QCOMPARE(l.status, 200);
    QCOMPARE(l.json().value(QStringLiteral("entries")).toArray().size(), 0);
    QCOMPARE(
        files(QStringLiteral("list"), {{QStringLiteral("path"), QStringLiteral("/workspace/none")}})
            .status,
        404);
    const HttpReply st =
        files(QStringLiteral("stat"), {{QStringLiteral("path"), QStringLiteral("/tmp")}});
    QCOMPARE(st.json().value(QStringLiteral("mode")).toString(), QStringLiteral("dtrwxrwxrwx"));
    QCOMPARE(st.json().value(QStringLiteral("exists")).toBool(), true);
}

void TestHostAgent::removeAndMkdir()
{
    HttpReply m = files(QStringLiteral("mkdir"),
                        {{QStringLiteral("path"), QStringLiteral("/workspace/rm/x/y")}});
    QCOMPARE(m.status, 200);
    QCOMPARE(m.json().value(QStringLiteral("created")).toBool(), true);
    QCOMPARE(
        files(QStringLiteral("remove"), {{QStringLiteral("path"), QStringLiteral("/workspace/rm")}})
            .status,
        500);
    QCOMPARE(files(QStringLiteral("remove"),
                   {{QStringLiteral("path"), QStringLiteral("/workspace/rm-missing")}})
                 .status,
             500);
    HttpReply r =
        files(QStringLiteral("remove"), {{QStringLiteral("path"), QStringLiteral("/workspace/rm")},
                                         {QStringLiteral("recursive"), true}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(QStringLiteral("removed")).toBool(), true);
    QCOMPARE(
        files(QStringLiteral("stat"), {{QStringLiteral("path"), QStringLiteral("/workspace/rm")}})
            .json()
            .value(QStringLiteral("exists"))
            .toBool(),
        false);
    QCOMPARE(
        files(QStringLiteral("remove"), {{QStringLiteral("path"), QStringLiteral("/workspace/rm")},
                                         {QStringLiteral("recursive"), true}})
            .status,
        200);
}

void TestHostAgent::uploadAppendAndRangeDownload()
{
    const QString url = hostUrl(
        {}, QStringLiteral("files/upload?path=/workspace/up/deep/f.bin&mode=overwrite&perm=0600"));
    HttpReply u = m_server.request("POST", url, QByteArray("\x00\x01sdk", 5), true,
                                   {{"Content-Type", "application/octet-stream"}});
    QCOMPARE(u.status, 200);
    QCOMPARE(u.json().value(QStringLiteral("bytes_written")).toInt(), 5);
    u = m_server.request(
        "POST",
        hostUrl({}, QStringLiteral("files/upload?path=/workspace/up/deep/f.bin&mode=append")),
        "-e2e");
    QCOMPARE(u.status, 200);
    const QString dl = hostUrl({}, QStringLiteral("files/download?path=/workspace/up/deep/f.bin"));
    HttpReply d = m_server.request("GET", dl);
    QCOMPARE(d.status, 200);
    QCOMPARE(d.body, QByteArray("\x00\x01sdk-e2e", 9));
    QCOMPARE(d.headers.value("content-length"), QByteArray("9"));
    d = m_server.request("GET", dl, {}, true, {{"Range", "bytes=2-4"}});
    QCOMPARE(d.status, 206);
    QCOMPARE(d.body, QByteArray("sdk"));
    QCOMPARE(d.headers.value("content-range"), QByteArray("bytes 2-4/9"));
    d = m_server.request("GET", dl, {}, true, {{"Range", "bytes=-3"}});
    QCOMPARE(d.body, QByteArray("e2e"));
    d = m_server.request("GET", dl, {}, true, {{"Range", "bytes=100-"}});
    QCOMPARE(d.status, 416);
    QCOMPARE(d.headers.value("content-range"), QByteArray("bytes */9"));
    QCOMPARE(files(QStringLiteral("stat"),
                   {{QStringLiteral("path"), QStringLiteral("/workspace/up/deep/f.bin")}})
                 .json()
                 .value(QStringLiteral("mode"))
                 .toString(),
             QStringLiteral("-rw-------"));
    // Errors: no path, missing file, a directory.
    QCOMPARE(m_server.request("GET", hostUrl({}, QStringLiteral("files/download"))).status, 400);
    QCOMPARE(
        m_server.request("GET", hostUrl({}, QStringLiteral("files/download?path=/workspace/nope")))
            .status,
        404);
    const HttpReply dir =
        m_server.request("GET", hostUrl({}, QStringLiteral("files/download?path=/workspace/up")));
    QVERIFY(dir.status >= 300);
    // Queries are form-decoded as Go does: '+' is a space, %2B a literal plus.
    u = m_server.request(
        "POST", hostUrl({}, QStringLiteral("files/upload?path=/workspace/sp+ace%2Bplus.txt")), "x");
    QCOMPARE(u.status, 200);
    QCOMPARE(u.json().value(QStringLiteral("path")).toString(),
             QStringLiteral("/workspace/sp ace+plus.txt"));
    // A bigger file streams intact (several pieces of the download pump).
    QByteArray big(5 * 1024 * 1024 + 123, Qt::Uninitialized);
    for (int i = 0; i < big.size(); ++i)
        big[i] = char(i * 7 + (i >> 12));
    u = m_server.request("POST", hostUrl({}, QStringLiteral("files/upload?path=/tmp/big.bin")),
                         big);
    QCOMPARE(u.status, 200);
    d = m_server.request("GET", hostUrl({}, QStringLiteral("files/download?path=/tmp/big.bin")));
    QCOMPARE(d.body.size(), big.size());
    QVERIFY(d.body == big);
}

QWebSocket *TestHostAgent::openPty(const QString &query, QList<QByteArray> *frames, int *closeCode)
{
    auto *ws = new QWebSocket;
    connect(ws, &QWebSocket::binaryMessageReceived, ws,
            [frames](const QByteArray &f) { frames->append(f); });
    connect(ws, &QWebSocket::disconnected, ws, [ws, closeCode] { *closeCode = ws->closeCode(); });
    QNetworkRequest req(
        QUrl(QStringLiteral("ws://%1/api/v1/runners/%2/pty?%3").arg(m_host, m_runner, query)));
    req.setRawHeader("Authorization", "Bearer " + m_server.token().toUtf8());
    ws->open(req);
    return ws;
}

static QByteArray stdoutOf(const QList<QByteArray> &frames)
{
    QByteArray out;
    for (const QByteArray &f : frames)
        if (f.startsWith('\x01'))
            out += f.mid(1);
    return out;
}

static int exitOf(const QList<QByteArray> &frames)
{
    for (const QByteArray &f : frames)
        if (f.size() >= 5 && f.at(0) == '\x03')
            return qFromBigEndian<qint32>(f.constData() + 1);
    return -1000;
}

void TestHostAgent::ptyEchoResizeExit()
{
    QList<QByteArray> frames;
    int closeCode = 0;
    std::unique_ptr<QWebSocket> ws(
        openPty(QStringLiteral("cols=100&rows=30&command=/bin/sh"), &frames, &closeCode));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendBinaryMessage(QByteArray(1, '\0') +
                          "echo marker-$((6*7)); stty size; echo $TERM $USER $HOME; pwd\n");
    QTRY_VERIFY(stdoutOf(frames).contains("/workspace\r\n"));
    const QByteArray out = stdoutOf(frames);
    QVERIFY2(out.contains("marker-42"), out.constData());
    QVERIFY2(out.contains("30 100"), out.constData());
    QVERIFY2(out.contains("xterm-256color runner /home/runner"), out.constData());
    for (const QByteArray &f : frames)
        QVERIFY(f.size() <= 4097);
    ws->sendBinaryMessage(QByteArray::fromHex("0200780028")); // 120x40
    ws->sendBinaryMessage(QByteArray(1, '\0') + "stty size\n");
    QTRY_VERIFY(stdoutOf(frames).contains("40 120"));
    ws->sendBinaryMessage(QByteArray(1, '\0') + "exit 5\n");
    QTRY_COMPARE(exitOf(frames), 5);
    QTRY_COMPARE(closeCode, 1000);
}

void TestHostAgent::ptySignalAndStartFailure()
{
    QList<QByteArray> frames;
    int closeCode = 0;
    std::unique_ptr<QWebSocket> ws(
        openPty(QStringLiteral("command=/bin/cat"), &frames, &closeCode));
    QTRY_COMPARE(ws->state(), QAbstractSocket::ConnectedState);
    ws->sendBinaryMessage(QByteArray(1, '\0') + "ping\n");
    QTRY_VERIFY(stdoutOf(frames).contains("ping"));
    ws->sendBinaryMessage(QByteArray::fromHex("0409")); // SIGKILL
    QTRY_COMPARE(exitOf(frames), -1);
    QTRY_COMPARE(closeCode, 1000);

    QList<QByteArray> failed;
    int failedClose = 0;
    std::unique_ptr<QWebSocket> bad(
        openPty(QStringLiteral("command=/bin/no-such-shell"), &failed, &failedClose));
    QTRY_COMPARE(failedClose, 1011);
    QVERIFY(stdoutOf(failed).startsWith("pty start failed: "));
    QCOMPARE(exitOf(failed), 1);

    // Preconditions before the upgrade are plain HTTP errors (the handshake fails).
    auto *unknown = new QWebSocket;
    std::unique_ptr<QWebSocket> unknownOwner(unknown);
    QSignalSpy errors(unknown, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
    QNetworkRequest req(QUrl(QStringLiteral("ws://%1/api/v1/runners/nope/pty").arg(m_host)));
    req.setRawHeader("Authorization", "Bearer " + m_server.token().toUtf8());
    unknown->open(req);
    QTRY_VERIFY(errors.size() > 0);
    QVERIFY(unknown->state() != QAbstractSocket::ConnectedState);
    auto *noToken = new QWebSocket;
    std::unique_ptr<QWebSocket> noTokenOwner(noToken);
    QSignalSpy errors2(noToken, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
    noToken->open(QUrl(QStringLiteral("ws://%1/api/v1/runners/%2/pty").arg(m_host, m_runner)));
    QTRY_VERIFY(errors2.size() > 0);
    QVERIFY(noToken->state() != QAbstractSocket::ConnectedState);

    // Client disconnect hangs up the shell: the runner has no leftover `cat`.
    QList<QByteArray> f3;
    int c3 = 0;
    std::unique_ptr<QWebSocket> gone(openPty(QStringLiteral("command=/bin/cat"), &f3, &c3));
    QTRY_COMPARE(gone->state(), QAbstractSocket::ConnectedState);
    gone->sendBinaryMessage(QByteArray(1, '\0') + "x\n");
    QTRY_VERIFY(stdoutOf(f3).contains("x"));
    gone->abort();
    QTRY_VERIFY(
        exec(
            {{QStringLiteral("command"),
              QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                         QStringLiteral("grep -l '^cat$' /proc/[0-9]*/comm 2>/dev/null | wc -l")}}})
            .out == QStringLiteral("0\n"));
}

void TestHostAgent::healthAndReady()
{
    const HttpReply h =
        m_server.request("GET", QStringLiteral("http://%1/health").arg(m_host), {}, false);
    QCOMPARE(h.status, 200);
    QCOMPARE(h.body.trimmed(), QByteArray("OK"));
    const HttpReply r =
        m_server.request("GET", QStringLiteral("http://%1/ready").arg(m_host), {}, false);
    QCOMPARE(r.status, 200);
    // n = the runners whose VM is up on this host: the same count as the hosts listing's
    // busy_runners (nothing is booting now), and one more after an allocation.
    auto busyOnHost = [this] {
        const QJsonArray hosts =
            m_server.get(QStringLiteral("/api/v1/hosts")).json().value("hosts").toArray();
        for (const QJsonValue &h : hosts)
            if (h.toObject().value("address").toString() == m_host)
                return h.toObject().value("busy_runners").toInt();
        return -1;
    };
    const int before = busyOnHost();
    QVERIFY(before >= 1);
    QCOMPARE(r.body.trimmed(), QStringLiteral("Ready: %1 runners").arg(before).toUtf8());
    const HttpReply a = m_server.post(QStringLiteral("/api/v1/runners/allocate"),
                                      QJsonObject{{QStringLiteral("workload_key"), m_key}});
    QCOMPARE(a.status, 200);
    const QString id = a.json().value(QStringLiteral("runner_id")).toString();
    QTRY_COMPARE_WITH_TIMEOUT(
        m_server.get(QStringLiteral("/api/v1/runners/status?runner_id=%1").arg(id))
            .json()
            .value("status"),
        QJsonValue(QStringLiteral("ready")), 20000);
    QCOMPARE(m_server.request("GET", QStringLiteral("http://%1/ready").arg(m_host), {}, false)
                 .body.trimmed(),
             QStringLiteral("Ready: %1 runners").arg(before + 1).toUtf8());
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/runners/release"),
                       QJsonObject{{QStringLiteral("runner_id"), id}})
                 .status,
             200);
}

void TestHostAgent::proxyAndServiceLogs()
{
    QJsonObject body = LocalServer::trivialConfig(QStringLiteral("host-agent-service"));
    body.insert(QStringLiteral("start_command"),
                QJsonObject{{QStringLiteral("command"),
                             QJsonArray{QStringLiteral("python3"), QStringLiteral("-m"),
                                        QStringLiteral("http.server"), QStringLiteral("18099")}},
                            {QStringLiteral("port"), 18099}});
    QString error;
    const QString key = m_server.createAndBuild(body, &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const HttpReply a = m_server.post(QStringLiteral("/api/v1/runners/allocate"),
                                      QJsonObject{{QStringLiteral("workload_key"), key}});
    QCOMPARE(a.status, 200);
    const QString id = a.json().value(QStringLiteral("runner_id")).toString();
    QTRY_COMPARE_WITH_TIMEOUT(
        files(QStringLiteral("write"),
              {{QStringLiteral("path"), QStringLiteral("/workspace/hello.txt")},
               {QStringLiteral("content"), QStringLiteral("proxied\n")}},
              id)
            .status,
        200, 20000);
    const QString url =
        QStringLiteral("http://%1/api/v1/runners/%2/proxy/hello.txt").arg(m_host, id);
    QTRY_COMPARE_WITH_TIMEOUT(m_server.request("GET", url).status, 200, 20000);
    const HttpReply p = m_server.request("GET", url);
    QCOMPARE(p.body, QByteArray("proxied\n"));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_server
            .request("GET",
                     QStringLiteral("http://%1/api/v1/runners/%2/service-logs").arg(m_host, id))
            .body.contains("GET /hello.txt"),
        10000);
    // A runner without a start command: no logs, and nothing listens on the default port.
    QCOMPARE(m_server.request("GET", hostUrl({}, QStringLiteral("service-logs"))).status, 404);
    QCOMPARE(m_server.request("GET", hostUrl({}, QStringLiteral("proxy/x"))).status, 502);
}

static int leftovers(const QString &dataDir, QString *what)
{
    int n = 0;
    QFile mounts(QStringLiteral("/proc/self/mountinfo"));
    mounts.open(QIODevice::ReadOnly);
    for (const QByteArray &line : mounts.readAll().split('\n'))
        if (line.contains(QFile::encodeName(dataDir))) {
            ++n;
            *what += QString::fromUtf8(line) + QLatin1Char('\n');
        }
    for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        QFile cmd(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmd.open(QIODevice::ReadOnly) && cmd.readAll().contains(QFile::encodeName(dataDir))) {
            ++n;
            *what += QStringLiteral("process %1\n").arg(pid);
        }
    }
    return n;
}

void TestHostAgent::serverExitLeavesNothing()
{
    // Runners are running (mounts + bwrap). A crash leaves no process behind, and the next start
    // cleans the stale mounts; a normal exit leaves neither.
    QString what;
    QVERIFY(leftovers(m_server.dataDir(), &what) > 0);
    m_server.kill9();
    what.clear();
    QTRY_VERIFY2(
        [&] {
            what.clear();
            QString all;
            leftovers(m_server.dataDir(), &all);
            what = all.split(QLatin1Char('\n'))
                       .filter(QStringLiteral("process"))
                       .join(QLatin1Char('\n'));
            return what.isEmpty();
        }(),
        qPrintable(what));
    QString error;
    QVERIFY2(m_server.restart(&error), qPrintable(error));
    m_server.stop();
    what.clear();
    QTRY_COMPARE(leftovers(m_server.dataDir(), &what), 0);
}

QTEST_GUILESS_MAIN(TestHostAgent)
#include "tst_host_agent.moc"
