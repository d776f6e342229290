// Isolation suite, network (issue 10): every runner has its own network namespace, egress through
// pasta and an nftables ruleset compiled from its policy (contract 6.3). Each test tries from
// inside a real runner what the policy forbids: the host's loopback and addresses, the metadata
// address, denied CIDRs/ports, egress while quarantined, changing the ruleset.
#include "iso_util.h"

#include <QHostAddress>
#include <QNetworkInterface>
#include <QTcpServer>

using namespace capsule::test;
using namespace capsule::test::iso;

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString firstHostAddress()
{
    for (const QHostAddress &a : QNetworkInterface::allAddresses())
        if (!a.isLoopback() && a.protocol() == QAbstractSocket::IPv4Protocol)
            return a.toString();
    return {};
}

// A connect refused by the runner's ruleset fails at once with the ICMP admin-prohibited error
// the ruleset answers with (EHOSTUNREACH); the packet never leaves the namespace.
bool blockedByRuleset(const QString &result)
{
    return result.startsWith(QLatin1String("FAILED")) &&
           result.contains(QLatin1String("No route to host"));
}

} // namespace

class TestIsoNetwork final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void ownNamespaceAndHostReport();
    void hostLoopbackUnreachable();
    void hostAddressUnreachable();
    void metadataBlocked();
    void dnsThroughForwarder();
    void presets_data();
    void presets();
    void customPolicyAllowsAndDenies();
    void invalidPolicyRefused();
    void quarantineBlocksEgress();
    void rulesetCannotBeChangedFromInside();
    void proxyReachesService();
    void withoutPastaLoopbackOnly();

private:
    LocalServer m_server;
    QString m_key;
    Runner m_runner; // default policy
    PeerNamespace m_peer;
    bool m_peerUp = false;
    QString m_peerError;
};

void TestIsoNetwork::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
    QJsonObject body = LocalServer::trivialConfig(s("iso-net"));
    body[s("start_command")] =
        QJsonObject{{s("command"), QJsonArray{s("python3"), s("-m"), s("http.server"), s("10500"),
                                              s("--bind"), s("127.0.0.1")}},
                    {s("port"), 10500}};
    m_key = m_server.createAndBuild(body, &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error));
    m_runner = allocate(m_server, m_key);
    QVERIFY(!m_runner.id.isEmpty());
    m_peerUp = m_peer.start({18081, 18082}, &m_peerError);
    if (m_peerUp) // the peer is reachable from the host, so a failure inside is the runner's
        QVERIFY(run(s("bash"), {s("-c"), s("exec 3<>/dev/tcp/198.51.100.2/18081; head -n1 <&3")})
                    .contains(s("port-18081")));
}

void TestIsoNetwork::cleanupTestCase()
{
    m_peer.stop();
    m_server.stop();
}

void TestIsoNetwork::ownNamespaceAndHostReport()
{
    const qint64 pid = initPid(m_runner.id);
    QVERIFY2(pid > 0, "the runner's init is in its cgroup");
    QVERIFY(QFile::symLinkTarget(QStringLiteral("/proc/%1/ns/net").arg(pid)) !=
            QFile::symLinkTarget(s("/proc/self/ns/net")));
    const ExecResult links = sh(m_server, m_runner, s("ip -o link | cut -d: -f2"));
    QCOMPARE(links.code, 0);
    QVERIFY2(!links.out.contains(s("ifb0")), qPrintable(links.out)); // not the host's interfaces
    const QJsonObject host =
        m_server.get(s("/api/v1/hosts")).json().value(s("hosts")).toArray().first().toObject();
    const QString network = host.value(s("local")).toObject().value(s("network")).toString();
    QVERIFY2(network.contains(s("egress via pasta")), qPrintable(network));
    const QString limits = host.value(s("local")).toObject().value(s("limits")).toString();
    QVERIFY2(limits.contains(s("memory: cgroup")) && limits.contains(s("cpu: cgroup")),
             qPrintable(limits));
}

void TestIsoNetwork::hostLoopbackUnreachable()
{
    QTcpServer listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost));
    QCOMPARE(connectFrom(m_server, m_runner, s("127.0.0.1"), listener.serverPort()).left(6),
             s("FAILED"));
    // The control plane and the host agent listen on the host's loopback too.
    const QUrl cp(m_server.baseUrl());
    QCOMPARE(connectFrom(m_server, m_runner, s("127.0.0.1"), cp.port()).left(6), s("FAILED"));
    const QString agent = m_server.hostAddresses().first();
    QCOMPARE(
        connectFrom(m_server, m_runner, s("127.0.0.1"), agent.section(':', -1).toInt()).left(6),
        s("FAILED"));
    QCOMPARE(connectFrom(m_server, m_runner, s("::1"), cp.port()).left(6), s("FAILED"));
    // The gateway is not mapped to the host's loopback (pasta --no-map-gw) and no host port is
    // forwarded (-T/-U none), nor any runner port published on the host (-t/-u none).
    const qint64 pasta =
        readFile(m_server.dataDir() + s("/runners/") + m_runner.id + s("/net/pasta.pid"))
            .trimmed()
            .toLongLong();
    QVERIFY(pasta > 0);
    const QByteArray cmdline = readFile(QStringLiteral("/proc/%1/cmdline").arg(pasta));
    for (const char *opt : {"--no-map-gw", "-t", "-u", "-T", "-U"}) {
        const QByteArray arg = QByteArray(1, '\0') + opt + '\0';
        QVERIFY2(cmdline.contains(arg), opt);
        if (opt[1] != '-')
            QVERIFY2(cmdline.contains(arg + "none"), opt);
    }
}

void TestIsoNetwork::hostAddressUnreachable()
{
    const QString address = firstHostAddress();
    if (address.isEmpty())
        QSKIP("the host has no non-loopback IPv4 address");
    QTcpServer listener;
    QVERIFY(listener.listen(QHostAddress::Any));
    const QString result = connectFrom(m_server, m_runner, address, listener.serverPort());
    QVERIFY2(result.startsWith(s("FAILED")), qPrintable(result));
    // And the ruleset drops the host's addresses (for addresses the namespace does not own).
    QVERIFY2(ruleset(m_runner.id).contains(address), qPrintable(ruleset(m_runner.id)));
}

void TestIsoNetwork::metadataBlocked()
{
    const QString result = connectFrom(m_server, m_runner, s("169.254.169.254"), 80);
    QVERIFY2(blockedByRuleset(result), qPrintable(result));
    // Explicitly allowed, the ruleset lets it through (not tried: it would leave the machine).
    const QJsonObject policy{{s("internal_access"), QJsonObject{{s("allow_metadata"), true}}}};
    const Runner open =
        allocate(m_server, m_key, {{s("network_policy_json"), QString::fromUtf8(compact(policy))}});
    QVERIFY(!open.id.isEmpty());
    const QString rules = ruleset(open.id);
    QVERIFY2(rules.indexOf(s("169.254.169.254 accept")) >= 0 &&
                 rules.indexOf(s("169.254.169.254 accept")) <
                     rules.indexOf(s("169.254.169.254 reject")),
             qPrintable(rules));
    m_server.post(s("/api/v1/runners/release"), {{s("runner_id"), open.id}});
}

void TestIsoNetwork::dnsThroughForwarder()
{
    const ExecResult conf = sh(m_server, m_runner, s("cat /etc/resolv.conf"));
    QVERIFY2(conf.out.contains(s("nameserver 169.254.0.53")), qPrintable(conf.out));
    int code = 0;
    const QString hostLookup = run(s("getent"), {s("hosts"), s("deb.debian.org")}, &code);
    if (code != 0)
        QSKIP("the host itself cannot resolve names (no DNS here)");
    const ExecResult inside = sh(m_server, m_runner, s("getent hosts deb.debian.org"));
    QCOMPARE(inside.code, 0);
    QVERIFY(!inside.out.trimmed().isEmpty());
}

void TestIsoNetwork::presets_data()
{
    QTest::addColumn<QString>("preset");
    QTest::addColumn<QString>("policyLine");
    QTest::addColumn<bool>("privateBlocked");
    QTest::addColumn<bool>("peerReachable");
    QTest::newRow("unrestricted") << s("unrestricted") << s("policy accept") << false << true;
    QTest::newRow("restricted-egress")
        << s("Restricted-Egress") << s("policy accept") << true << true;
    QTest::newRow("quarantine") << s("quarantine") << s("policy drop") << true << false;
    QTest::newRow("agent-sandbox") << s("agent-sandbox") << s("policy drop") << true << false;
    QTest::newRow("unknown = none") << s("no-such-preset") << s("policy accept") << false << true;
}

void TestIsoNetwork::presets()
{
    QFETCH(QString, preset);
    QFETCH(QString, policyLine);
    QFETCH(bool, privateBlocked);
    QFETCH(bool, peerReachable);
    const Runner r = allocate(m_server, m_key, {{s("network_policy_preset"), preset}});
    QVERIFY(!r.id.isEmpty());
    const QString rules = ruleset(r.id);
    QVERIFY2(rules.contains(policyLine), qPrintable(rules));
    QVERIFY2(rules.contains(s("169.254.169.254 reject")), qPrintable(rules)); // metadata, always
    QCOMPARE(rules.contains(s("10.0.0.0/8")), privateBlocked);
    if (privateBlocked) { // dropped in the namespace: nothing reaches the network
        const QString result = connectFrom(m_server, r, s("10.0.0.1"), 80);
        QVERIFY2(result.startsWith(s("FAILED")), qPrintable(result));
    }
    if (m_peerUp) {
        const QString result = connectFrom(m_server, r, s("198.51.100.2"), 18081);
        QVERIFY2(result.startsWith(s("CONNECTED port-18081")) == peerReachable, qPrintable(result));
    }
    m_server.post(s("/api/v1/runners/release"), {{s("runner_id"), r.id}});
}

void TestIsoNetwork::customPolicyAllowsAndDenies()
{
    if (!m_peerUp)
        QSKIP(qPrintable(s("no peer namespace: ") + m_peerError));
    // Deny by default, allow one address and port.
    const QJsonObject allowOne{
        {s("name"), s("allow-one")},
        {s("default_egress_action"), s("deny")},
        {s("allowed_egress"),
         QJsonArray{QJsonObject{{s("cidrs"), QJsonArray{s("198.51.100.2/32")}},
                                {s("ports"), QJsonArray{QJsonObject{{s("start"), 18081}}}}}}}};
    const Runner a = allocate(m_server, m_key,
                              {{s("network_policy_json"), QString::fromUtf8(compact(allowOne))}});
    QVERIFY(!a.id.isEmpty());
    QCOMPARE(connectFrom(m_server, a, s("198.51.100.2"), 18081), s("CONNECTED port-18081"));
    QVERIFY(blockedByRuleset(connectFrom(m_server, a, s("198.51.100.2"), 18082)));
    // Allow by default, deny one port range of that address.
    const QJsonObject denyOne{
        {s("default_egress_action"), s("allow")},
        {s("denied_egress"),
         QJsonArray{QJsonObject{
             {s("cidrs"), QJsonArray{s("198.51.100.0/30")}},
             {s("ports"), QJsonArray{QJsonObject{{s("start"), 18082}, {s("end"), 18090}}}},
             {s("protocols"), QJsonArray{s("tcp")}}}}}};
    const Runner b = allocate(m_server, m_key,
                              {{s("network_policy_json"), QString::fromUtf8(compact(denyOne))}});
    QVERIFY(!b.id.isEmpty());
    QCOMPARE(connectFrom(m_server, b, s("198.51.100.2"), 18081), s("CONNECTED port-18081"));
    QVERIFY(blockedByRuleset(connectFrom(m_server, b, s("198.51.100.2"), 18082)));
    QVERIFY(ruleset(b.id).contains(s("tcp dport 18082-18090 reject")));
    // internal_access: RFC 1918 stays closed unless listed.
    QVERIFY(blockedByRuleset(connectFrom(m_server, b, s("192.168.77.1"), 80)));
    for (const Runner &r : {a, b})
        m_server.post(s("/api/v1/runners/release"), {{s("runner_id"), r.id}});
}

void TestIsoNetwork::invalidPolicyRefused()
{
    const QList<QPair<QJsonObject, QString>> cases{
        {{{s("default_egress_action"), s("maybe")}}, s("default_egress_action")},
        {{{s("allowed_egress"),
           QJsonArray{QJsonObject{{s("cidrs"), QJsonArray{s("10.0.0.0/33")}}}}}},
         s("is not a CIDR")},
        {{{s("allowed_egress"),
           QJsonArray{QJsonObject{{s("ports"), QJsonArray{QJsonObject{{s("start"), 70000}}}}}}}},
         s("1-65535")},
        {{{s("internal_access"),
           QJsonObject{{s("allowed_internal_cidrs"), QJsonArray{s("10.0.0.0/8")}}}}},
         s("broader than /16")},
        {{{s("allowed_egress"),
           QJsonArray{QJsonObject{{s("domains"), QJsonArray{s("a.example")}}}}}},
         s("need default_egress_action")}};
    for (const auto &[policy, why] : cases) {
        const HttpReply r = m_server.post(
            s("/api/v1/runners/allocate"),
            allocateBody(m_key, {{s("network_policy_json"), QString::fromUtf8(compact(policy))}}));
        QCOMPARE(r.status, 503);
        QVERIFY2(r.body.contains("invalid network policy") && r.body.contains(why.toUtf8()),
                 r.body.constData());
    }
}

void TestIsoNetwork::quarantineBlocksEgress()
{
    if (!m_peerUp)
        QSKIP(qPrintable(s("no peer namespace: ") + m_peerError));
    const Runner r = allocate(m_server, m_key);
    QVERIFY(!r.id.isEmpty());
    QCOMPARE(connectFrom(m_server, r, s("198.51.100.2"), 18081), s("CONNECTED port-18081"));
    HttpReply q = m_server.request(
        "POST",
        QStringLiteral("/api/v1/runners/quarantine?runner_id=%1&block_egress=true&pause_vm=false")
            .arg(r.id));
    QCOMPARE(q.status, 200);
    QVERIFY2(q.json().value(s("success")).toBool(), q.body.constData());
    QVERIFY(ruleset(r.id).contains(s("policy drop")));
    // Exec is refused while quarantined (409): try from the namespace as the runner user would.
    const qint64 pid = initPid(r.id);
    const QString inside = run(
        s("nsenter"), {QStringLiteral("--net=/proc/%1/ns/net").arg(pid), s("-S"), s("65534"),
                       s("-G"), s("65534"), s("bash"), s("-c"),
                       s("exec 3<>/dev/tcp/198.51.100.2/18081 && echo CONNECTED || echo FAILED")});
    QVERIFY2(inside.contains(s("FAILED")) && inside.contains(s("No route to host")),
             qPrintable(inside));
    q = m_server.request("POST",
                         QStringLiteral("/api/v1/runners/unquarantine?runner_id=%1").arg(r.id));
    QCOMPARE(q.status, 200);
    QVERIFY2(q.json().value(s("success")).toBool(), q.body.constData());
    QCOMPARE(connectFrom(m_server, r, s("198.51.100.2"), 18081), s("CONNECTED port-18081"));
    QVERIFY(ruleset(r.id).contains(s("policy accept")));
    m_server.post(s("/api/v1/runners/release"), {{s("runner_id"), r.id}});
}

void TestIsoNetwork::rulesetCannotBeChangedFromInside()
{
    const QString before = ruleset(m_runner.id);
    QVERIFY(before.contains(s("table inet capsule")));
    const ExecResult flush = sh(m_server, m_runner, s("nft flush ruleset; echo rc=$?"));
    QVERIFY2(flush.out.contains(s("rc=1")) || flush.out.contains(s("rc=127")),
             qPrintable(flush.out));
    const ExecResult link = sh(m_server, m_runner, s("ip link set lo down; echo rc=$?"));
    QVERIFY2(!link.out.contains(s("rc=0")), qPrintable(link.out));
    const ExecResult caps = sh(m_server, m_runner, s("grep CapEff /proc/self/status"));
    QVERIFY2(caps.out.contains(s("0000000000000000")), qPrintable(caps.out));
    QCOMPARE(ruleset(m_runner.id), before);
    // A root process of the runner (start_command run_as root) has no CAP_NET_ADMIN either.
    QJsonObject body = LocalServer::trivialConfig(s("iso-net-root"));
    body[s("start_command")] = QJsonObject{
        {s("command"),
         QJsonArray{s("sh"), s("-c"),
                    s("id -u; nft flush ruleset; echo nft=$?; grep CapBnd /proc/self/status")}},
        {s("run_as"), s("root")}};
    QString error;
    const QString key = m_server.createAndBuild(body, &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const Runner root = allocate(m_server, key);
    QVERIFY(!root.id.isEmpty());
    QString log;
    QTRY_VERIFY_WITH_TIMEOUT(
        (log = QString::fromUtf8(
             m_server
                 .request("GET", QStringLiteral("http://%1/api/v1/runners/%2/service-logs")
                                     .arg(root.host, root.id))
                 .body))
            .contains(s("CapBnd")),
        20000);
    QVERIFY2(log.startsWith(s("0\n")) && log.contains(s("nft=1")), qPrintable(log));
    QVERIFY(ruleset(root.id).contains(s("table inet capsule")));
    m_server.post(s("/api/v1/runners/release"), {{s("runner_id"), root.id}});
}

// capsule-local reaches a service inside the runner's namespace (its own loopback) for the proxy.
void TestIsoNetwork::proxyReachesService()
{
    HttpReply r;
    QTRY_VERIFY_WITH_TIMEOUT(
        (r = m_server.request(
             "GET",
             QStringLiteral("http://%1/api/v1/runners/%2/proxy/").arg(m_runner.host, m_runner.id)))
                .status == 200,
        20000);
    QVERIFY(r.body.contains("Directory listing"));
}

void TestIsoNetwork::withoutPastaLoopbackOnly()
{
    qputenv("CAPSULE_NETWORK_NO_PASTA", "1");
    LocalServer server;
    QString error;
    const bool started = server.start({}, &error);
    qunsetenv("CAPSULE_NETWORK_NO_PASTA");
    QVERIFY2(started, qPrintable(error));
    const QString network = server.get(s("/api/v1/hosts"))
                                .json()
                                .value(s("hosts"))
                                .toArray()
                                .first()
                                .toObject()
                                .value(s("local"))
                                .toObject()
                                .value(s("network"))
                                .toString();
    QVERIFY2(network.contains(s("loopback only")) && network.contains(s("pasta")),
             qPrintable(network));
    QVERIFY(server.stderrText().contains(s("loopback only")));
    const QString key = server.createAndBuild(LocalServer::trivialConfig(s("iso-nopasta")), &error);
    QVERIFY2(!key.isEmpty(), qPrintable(error));
    const Runner r = allocate(server, key);
    QVERIFY(!r.id.isEmpty());
    const ExecResult links = sh(server, r, s("ip -o link | wc -l"));
    QCOMPARE(links.out.trimmed(), s("1")); // lo only
    QVERIFY(connectFrom(server, r, s("127.0.0.1"), QUrl(server.baseUrl()).port())
                .startsWith(s("FAILED")));
    if (m_peerUp)
        QVERIFY(connectFrom(server, r, s("198.51.100.2"), 18081).startsWith(s("FAILED")));
}

QTEST_GUILESS_MAIN(TestIsoNetwork)
#include "tst_iso_network.moc"
