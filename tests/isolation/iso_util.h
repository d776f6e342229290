// Helpers of the isolation suite: runners, commands inside them, the runner's namespace as the
// host sees it, and a test server in a network namespace of our own (reached through a veth).
#pragma once

#include "local/tst_cp_util.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QtTest>

namespace capsule::test::iso {

inline QString s(const char *t)
{
    return QString::fromLatin1(t);
}

struct Runner
{
    QString id;
    QString host;
};

inline Runner allocate(const LocalServer &server, const QString &key, const QJsonObject &extra = {},
                       HttpReply *reply = nullptr)
{
    const HttpReply r = server.post(s("/api/v1/runners/allocate"), allocateBody(key, extra));
    if (reply)
        *reply = r;
    if (r.status != 200)
        return {};
    return {r.json().value(s("runner_id")).toString(),
            r.json().value(s("host_address")).toString()};
}

inline ExecResult sh(const LocalServer &server, const Runner &run, const QString &script)
{
    return hostExec(server, run.host, run.id, {s("sh"), s("-c"), script});
}

// What a TCP connect from inside the runner gives: "CONNECTED <first line>" or "FAILED <why>".
inline QString connectFrom(const LocalServer &server, const Runner &run, const QString &address,
                           int port)
{
    const ExecResult r =
        sh(server, run,
           QStringLiteral("timeout 8 bash -c 'exec 3<>/dev/tcp/%1/%2 && echo CONNECTED "
                          "$(timeout 3 head -n1 <&3)' 2>&1 || echo FAILED")
               .arg(address)
               .arg(port));
    if (r.status != 200)
        return QStringLiteral("EXEC-FAILED %1 %2").arg(r.status).arg(QString::fromUtf8(r.raw));
    // "CONNECTED <line>" or "FAILED <what bash said>", whatever order stdout/stderr came in.
    const QString all = (r.out + r.err).simplified();
    const int connected = all.indexOf(QLatin1String("CONNECTED"));
    if (connected >= 0)
        return all.mid(connected);
    return QLatin1String("FAILED ") + QString(all).remove(QLatin1String("FAILED")).simplified();
}

inline QString run(const QString &program, const QStringList &args, int *code = nullptr)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    p.waitForFinished(20000);
    if (code)
        *code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return QString::fromLocal8Bit(p.readAll());
}

inline QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Host pid of the runner's init (`sleep infinity`, pid 1 inside), found through its cgroup.
inline qint64 initPid(const QString &runnerId)
{
    const QDir parent(s("/sys/fs/cgroup/unified/capsule-local"));
    for (const QString &name : parent.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!name.contains(runnerId))
            continue;
        for (const QByteArray &line :
             readFile(parent.filePath(name) + s("/cgroup.procs")).split('\n')) {
            const qint64 pid = line.trimmed().toLongLong();
            if (pid > 0 && readFile(QStringLiteral("/proc/%1/cmdline").arg(pid)) ==
                               QByteArray("sleep\0infinity\0", 15))
                return pid;
        }
    }
    return 0;
}

// `nft list ruleset` inside the runner's network namespace (as the host's root).
inline QString ruleset(const QString &runnerId)
{
    const qint64 pid = initPid(runnerId);
    if (pid <= 0)
        return {};
    return run(s("nsenter"), {QStringLiteral("--net=/proc/%1/ns/net").arg(pid), s("nft"), s("list"),
                              s("ruleset")});
}

// A network namespace of our own with TCP servers at kPeer:<ports>, each answering "port-<n>"
// and closing; the host reaches it through a veth pair (kHostSide/30). Removed on destruction.
class PeerNamespace
{
public:
    static constexpr const char *kPeer = "198.51.100.2";

    bool start(const QList<int> &ports, QString *error)
    {
        const QString tag = QString::number(QCoreApplication::applicationPid() % 100000);
        m_ns = s("capsule-iso-") + tag;
        m_hostIf = s("ciso") + tag + s("h");
        const QString peerIf = s("ciso") + tag + s("n");
        stop();
        const QList<QStringList> steps{
            {s("netns"), s("add"), m_ns},
            {s("link"), s("add"), m_hostIf, s("type"), s("veth"), s("peer"), s("name"), peerIf},
            {s("link"), s("set"), peerIf, s("netns"), m_ns},
            {s("addr"), s("add"), s("198.51.100.1/30"), s("dev"), m_hostIf},
            {s("link"), s("set"), m_hostIf, s("up")},
            {s("-n"), m_ns, s("addr"), s("add"), s("198.51.100.2/30"), s("dev"), peerIf},
            {s("-n"), m_ns, s("link"), s("set"), peerIf, s("up")},
            {s("-n"), m_ns, s("link"), s("set"), s("lo"), s("up")}};
        for (const QStringList &step : steps) {
            int code = 0;
            const QString out = run(s("ip"), step, &code);
            if (code != 0) {
                *error = QStringLiteral("ip %1: %2").arg(step.join(QLatin1Char(' ')), out);
                return false;
            }
        }
        QStringList portArgs;
        for (int p : ports)
            portArgs << QString::number(p);
        m_server.setProcessChannelMode(QProcess::MergedChannels);
        m_server.start(
            s("ip"),
            QStringList{s("netns"), s("exec"), m_ns, s("python3"), s("-c"),
                        s("import socket,sys,threading\n"
                          "def serve(p):\n"
                          "    s=socket.socket()\n"
                          "    s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                          "    s.bind(('198.51.100.2',p)); s.listen(64)\n"
                          "    while True:\n"
                          "        c,_=s.accept(); c.sendall(b'port-%d\\n'%p); c.close()\n"
                          "for p in sys.argv[1:]:\n"
                          "    threading.Thread(target=serve,args=(int(p),),daemon=True).start()\n"
                          "print('ready',flush=True)\n"
                          "threading.Event().wait()\n")} +
                portArgs);
        if (!m_server.waitForReadyRead(10000) || !m_server.readAll().contains("ready")) {
            *error =
                s("the peer server did not start: ") + QString::fromLocal8Bit(m_server.readAll());
            return false;
        }
        return true;
    }

    void stop()
    {
        if (m_server.state() != QProcess::NotRunning) {
            m_server.kill();
            m_server.waitForFinished(5000);
        }
        if (!m_ns.isEmpty()) {
            run(s("ip"), {s("netns"), s("del"), m_ns});
            run(s("ip"), {s("link"), s("del"), m_hostIf});
        }
    }

    ~PeerNamespace() { stop(); }

private:
    QString m_ns, m_hostIf;
    QProcess m_server;
};

} // namespace capsule::test::iso
