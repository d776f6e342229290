// Egress policy -> nftables ruleset (see policy.h and docs/sandbox.md, Network).
#include "local/network/policy.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkInterface>
#include <QSet>

namespace capsule::local::network {

const char kDnsForwardAddress[] = "169.254.0.53";
const char kMetadataV4[] = "169.254.169.254";
const char kMetadataV6[] = "fd00:ec2::254";

namespace {

QString s(const char *text)
{
    return QString::fromLatin1(text);
}

// Private and link-local ranges: dropped unless internal_access allows them (contract 6.3).
const QStringList kInternalV4{s("10.0.0.0/8"), s("172.16.0.0/12"), s("192.168.0.0/16"),
                              s("169.254.0.0/16")};
const QStringList kInternalV6{s("fc00::/7"), s("fe80::/10")};

// What the ruleset does with forbidden packets: an ICMP error delivered to the sender at once, so a
// TCP connect fails with "No route to host" (EHOSTUNREACH) and a UDP send with EPERM, instead of
// hanging in SYN retries as with a plain drop (the kernel ignores EPERM on a SYN).
const QString kReject = QStringLiteral("reject with icmpx type admin-prohibited");

struct Cidrs
{
    QStringList v4, v6;
    bool isEmpty() const { return v4.isEmpty() && v6.isEmpty(); }
};

// One allowed/denied entry, as nft matches.
struct Entry
{
    Cidrs cidrs;
    QStringList ports;     // "80", "8000-8100"
    QStringList protocols; // tcp, udp, icmp (empty = any)
    bool domainsOnly = false;
};

struct Parsed
{
    QString name;
    bool denyDefault = false;
    bool dns = true; // the DNS forwarder is reachable
    bool allowMetadata = false;
    bool allowHost = false;
    bool allowInternal = false; // every private range (the unrestricted preset)
    Cidrs internalAllowed;
    QList<Entry> allowed, denied;
    QStringList notes;
};

class Failure
{
public:
    explicit Failure(QString m)
        : message(std::move(m))
    {}
    QString message;
};

[[noreturn]] void fail(const QString &message)
{
    throw Failure(message);
}

QString setOf(const QStringList &items)
{
    return items.size() == 1 ? items.first()
                             : QLatin1String("{ ") + items.join(s(", ")) + QLatin1String(" }");
}

// Parses "a.b.c.d/n" (or a bare address) and returns it normalised (network address / prefix).
void addCidr(const QString &field, const QString &text, Cidrs *out, int narrowest = -1)
{
    QPair<QHostAddress, int> subnet = QHostAddress::parseSubnet(text.trimmed());
    if (subnet.first.isNull()) {
        const QHostAddress single(text.trimmed());
        if (single.isNull())
            fail(QStringLiteral("%1: %2 is not a CIDR").arg(field, text));
        subnet = {single, single.protocol() == QAbstractSocket::IPv4Protocol ? 32 : 128};
    }
    if (narrowest >= 0 && subnet.second < narrowest)
        fail(QStringLiteral("%1: %2 is broader than /%3").arg(field, text).arg(narrowest));
    const QString norm =
        subnet.first.toString() + QLatin1Char('/') + QString::number(subnet.second);
    if (subnet.first.protocol() == QAbstractSocket::IPv4Protocol)
        out->v4 << norm;
    else
        out->v6 << norm;
}

QJsonArray arrayField(const QJsonObject &o, const QString &key, const QString &where)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return {};
    if (!v.isArray())
        fail(QStringLiteral("%1.%2 must be an array").arg(where, key));
    return v.toArray();
}

QJsonObject objectField(const QJsonObject &o, const QString &key, const QString &where)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return {};
    if (!v.isObject())
        fail(QStringLiteral("%1.%2 must be an object").arg(where, key));
    return v.toObject();
}

bool boolField(const QJsonObject &o, const QString &key, const QString &where, bool fallback)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined() || v.isNull())
        return fallback;
    if (!v.isBool())
        fail(QStringLiteral("%1.%2 must be a boolean").arg(where, key));
    return v.toBool();
}

QStringList stringList(const QJsonObject &o, const QString &key, const QString &where)
{
    QStringList out;
    for (const QJsonValue &v : arrayField(o, key, where)) {
        if (!v.isString())
            fail(QStringLiteral("%1.%2 must hold strings").arg(where, key));
        out << v.toString();
    }
    return out;
}

Entry parseEntry(const QJsonValue &value, const QString &where, bool denyDefault)
{
    if (!value.isObject())
        fail(QStringLiteral("%1 must be an object").arg(where));
    const QJsonObject o = value.toObject();
    Entry e;
    const QStringList domains = stringList(o, s("domains"), where);
    if (!domains.isEmpty() && !denyDefault)
        fail(QStringLiteral("%1.domains: domain rules need default_egress_action \"deny\"")
                 .arg(where));
    for (const QString &c : stringList(o, s("cidrs"), where))
        addCidr(where + s(".cidrs"), c, &e.cidrs);
    const QJsonArray ports = arrayField(o, s("ports"), where);
    for (int i = 0; i < ports.size(); ++i) {
        const QString pw = QStringLiteral("%1.ports[%2]").arg(where).arg(i);
        if (!ports.at(i).isObject())
            fail(QStringLiteral("%1 must be an object {start, end}").arg(pw));
        const QJsonObject p = ports.at(i).toObject();
        const QJsonValue sv = p.value(s("start")), ev = p.value(s("end"));
        if (!sv.isDouble() || (!ev.isUndefined() && !ev.isNull() && !ev.isDouble()))
            fail(QStringLiteral("%1: start and end must be integers").arg(pw));
        const double start = sv.toDouble(), end = ev.toDouble(0);
        if (start != int(start) || end != int(end) || start < 1 || start > 65535 || end < 0 ||
            end > 65535)
            fail(QStringLiteral("%1: ports must be 1-65535").arg(pw));
        if (end != 0 && end < start)
            fail(QStringLiteral("%1: end %2 is below start %3").arg(pw).arg(end).arg(start));
        e.ports << (end == 0 || end == start
                        ? QString::number(int(start))
                        : QStringLiteral("%1-%2").arg(int(start)).arg(int(end)));
    }
    for (const QString &p : stringList(o, s("protocols"), where)) {
        const QString proto = p.toLower();
        if (proto != QLatin1String("tcp") && proto != QLatin1String("udp") &&
            proto != QLatin1String("icmp"))
            fail(
                QStringLiteral("%1.protocols: unknown protocol %2 (tcp, udp, icmp)").arg(where, p));
        if (!e.protocols.contains(proto))
            e.protocols << proto;
    }
    if (!e.ports.isEmpty() && e.protocols.contains(s("icmp")))
        fail(QStringLiteral("%1: ports cannot apply to icmp").arg(where));
    e.domainsOnly = e.cidrs.isEmpty() && e.ports.isEmpty() && e.protocols.isEmpty();
    return e;
}

Parsed parseCustom(const QJsonObject &p)
{
    const QString w = s("network_policy");
    Parsed out;
    const QJsonValue name = p.value(s("name"));
    out.name = name.isString() && !name.toString().isEmpty() ? name.toString() : s("custom");
    const QJsonValue action = p.value(s("default_egress_action"));
    if (!action.isUndefined() && !action.isNull() && !action.isString())
        fail(s("network_policy.default_egress_action must be a string"));
    const QString a = action.toString().toLower();
    if (!a.isEmpty() && a != QLatin1String("allow") && a != QLatin1String("deny"))
        fail(QStringLiteral("network_policy.default_egress_action must be \"allow\" or \"deny\", "
                            "not \"%1\"")
                 .arg(action.toString()));
    out.denyDefault = a == QLatin1String("deny");
    const QJsonArray allowed = arrayField(p, s("allowed_egress"), w);
    for (int i = 0; i < allowed.size(); ++i)
        out.allowed << parseEntry(
            allowed.at(i), QStringLiteral("%1.allowed_egress[%2]").arg(w).arg(i), out.denyDefault);
    const QJsonArray denied = arrayField(p, s("denied_egress"), w);
    for (int i = 0; i < denied.size(); ++i)
        out.denied << parseEntry(denied.at(i), QStringLiteral("%1.denied_egress[%2]").arg(w).arg(i),
                                 out.denyDefault);
    for (const Entry &e : std::as_const(out.allowed) + std::as_const(out.denied))
        if (e.domainsOnly) {
            out.notes << s("domain rules are not resolved into addresses here (no policy proxy): "
                           "only cidrs/ports rules are enforced");
            break;
        }
    const QJsonObject dns = objectField(p, s("dns"), w);
    for (const char *k : {"allowed_domains", "blocked_domains"})
        if (!stringList(dns, s(k), w + s(".dns")).isEmpty() && !out.denyDefault)
            fail(QStringLiteral("network_policy.dns.%1 needs default_egress_action \"deny\"")
                     .arg(s(k)));
    if (!stringList(dns, s("servers"), w + s(".dns")).isEmpty())
        out.notes << s("dns.servers is not used: DNS goes through the host's resolver");
    const QJsonObject internal = objectField(p, s("internal_access"), w);
    // Contract default is true; capsule-local blocks it unless set explicitly, because here the
    // metadata address is the HOST's metadata server (its credentials), not a per-VM one.
    out.allowMetadata = internal.value(s("allow_metadata")).isBool() &&
                        internal.value(s("allow_metadata")).toBool();
    boolField(internal, s("allow_metadata"), w + s(".internal_access"), false); // type check
    out.allowHost = boolField(internal, s("allow_host_access"), w + s(".internal_access"), false);
    boolField(internal, s("allow_other_vms"), w + s(".internal_access"), false);
    for (const QString &c :
         stringList(internal, s("allowed_internal_cidrs"), w + s(".internal_access")))
        addCidr(s("network_policy.internal_access.allowed_internal_cidrs"), c, &out.internalAllowed,
                16);
    if (!objectField(p, s("rate_limit"), w).isEmpty())
        out.notes << s("rate_limit is recorded, not enforced");
    if (!objectField(p, s("ingress"), w).isEmpty())
        out.notes << s(
            "ingress: no inbound port is forwarded into a runner (only the proxy route)");
    return out;
}

Parsed parsePreset(const QString &preset)
{
    Parsed out;
    const QString p = preset.toLower();
    out.name = p;
    if (p == QLatin1String("unrestricted")) {
        out.allowInternal = true;
    } else if (p == QLatin1String("quarantine")) {
        out.denyDefault = true;
        out.dns = false;
    } else if (p == QLatin1String("restricted-egress")) {
        // allow, deny 10/8, 172.16/12, 192.168/16: the internal ranges, dropped below.
    } else if (p == QLatin1String("agent-sandbox")) {
        out.denyDefault = true; // DNS through the host's resolver stands in for the policy proxy
        out.notes << s("agent-sandbox: dynamic domain updates are not supported; deny by default");
    } else {
        out.name = s("default"); // no (or an unknown) preset: no policy
        out.allowInternal = true;
    }
    return out;
}

QString match(const QString &family, const QStringList &cidrs)
{
    return family + QLatin1String(" daddr ") + setOf(cidrs) + QLatin1Char(' ');
}

// nft rules for one entry with the given verdict ("accept" / kReject).
QStringList entryRules(const Entry &e, const QString &verdict)
{
    QStringList prefixes;
    if (e.cidrs.isEmpty()) {
        prefixes << QString();
    } else {
        if (!e.cidrs.v4.isEmpty())
            prefixes << match(s("ip"), e.cidrs.v4);
        if (!e.cidrs.v6.isEmpty())
            prefixes << match(s("ip6"), e.cidrs.v6);
    }
    QStringList out;
    for (const QString &prefix : std::as_const(prefixes)) {
        if (!e.ports.isEmpty()) {
            const QStringList protos =
                e.protocols.isEmpty() ? QStringList{s("tcp"), s("udp")} : e.protocols;
            for (const QString &proto : protos)
                out << prefix + proto + QLatin1String(" dport ") + setOf(e.ports) +
                           QLatin1Char(' ') + verdict;
        } else if (!e.protocols.isEmpty()) {
            QStringList l4;
            for (const QString &proto : e.protocols)
                l4 << (proto == QLatin1String("icmp")
                           ? (prefix.startsWith(QLatin1String("ip6")) ? s("ipv6-icmp") : s("icmp"))
                           : proto);
            if (prefix.isEmpty() && e.protocols.contains(s("icmp")))
                l4 << s("ipv6-icmp");
            out << prefix + QLatin1String("meta l4proto ") + setOf(l4) + QLatin1Char(' ') + verdict;
        } else if (!prefix.isEmpty()) {
            out << prefix + verdict;
        }
    }
    return out;
}

QString render(const Parsed &p, const QStringList &hostAddrs)
{
    QStringList rules{s("oif \"lo\" accept")};
    if (p.dns) {
        for (const char *proto : {"udp", "tcp"})
            rules << QStringLiteral("ip daddr %1 %2 dport 53 accept")
                         .arg(s(kDnsForwardAddress), s(proto));
    }
    // internal_access: what it opens goes first, then the fixed blocks.
    if (p.allowMetadata)
        rules << QStringLiteral("ip daddr %1 accept").arg(s(kMetadataV4))
              << QStringLiteral("ip6 daddr %1 accept").arg(s(kMetadataV6));
    if (!p.internalAllowed.v4.isEmpty())
        rules << match(s("ip"), p.internalAllowed.v4) + s("accept");
    if (!p.internalAllowed.v6.isEmpty())
        rules << match(s("ip6"), p.internalAllowed.v6) + s("accept");
    rules << QStringLiteral("ip daddr %1 ").arg(s(kMetadataV4)) + kReject
          << QStringLiteral("ip6 daddr %1 ").arg(s(kMetadataV6)) + kReject;
    if (!p.allowHost) {
        Cidrs host;
        for (const QString &a : hostAddrs)
            addCidr(s("host"), a, &host);
        if (!host.v4.isEmpty())
            rules << match(s("ip"), host.v4) + kReject;
        if (!host.v6.isEmpty())
            rules << match(s("ip6"), host.v6) + kReject;
    }
    if (!p.allowInternal)
        rules << match(s("ip"), kInternalV4) + kReject << match(s("ip6"), kInternalV6) + kReject;
    for (const Entry &e : p.denied)
        rules += entryRules(e, kReject);
    for (const Entry &e : p.allowed)
        rules += entryRules(e, s("accept"));
    if (p.denyDefault)
        rules << kReject; // the chain's policy drop stays as the backstop
    QString out = QStringLiteral("# capsule-local egress policy: %1\n").arg(p.name);
    // Declaring, deleting and re-adding the table in one file is one atomic transaction.
    out += s("table inet capsule\ndelete table inet capsule\ntable inet capsule {\n"
             "  chain egress {\n    type filter hook output priority 0; policy ");
    out += p.denyDefault ? s("drop") : s("accept");
    out += s(";\n");
    for (const QString &r : std::as_const(rules))
        out += QLatin1String("    ") + r + QLatin1Char('\n');
    out += s("  }\n}\n");
    return out;
}

} // namespace

QStringList hostAddresses()
{
    QStringList out;
    for (const QHostAddress &a : QNetworkInterface::allAddresses()) {
        if (a.isLoopback())
            continue;
        QHostAddress plain(a);
        plain.setScopeId(QString());
        out << plain.toString();
    }
    out.removeDuplicates();
    return out;
}

Policy compilePolicy(const QString &preset, const QJsonObject &custom, const QStringList &hostAddrs)
{
    Policy out;
    try {
        const Parsed p = custom.isEmpty() ? parsePreset(preset) : parseCustom(custom);
        out.name = p.name;
        out.notes = p.notes;
        out.ruleset = render(p, hostAddrs);
        out.egress = !(p.denyDefault && p.allowed.isEmpty() && !p.dns &&
                       p.internalAllowed.isEmpty() && !p.allowMetadata);
    } catch (const Failure &f) {
        out = Policy();
        out.error = QStringLiteral("invalid network policy: %1").arg(f.message);
    }
    return out;
}

Policy compilePolicy(const QString &preset, const QString &customJson, const QStringList &hostAddrs)
{
    if (customJson.trimmed().isEmpty())
        return compilePolicy(preset, QJsonObject(), hostAddrs);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(customJson.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        Policy out;
        out.error = QStringLiteral("invalid network policy: %1")
                        .arg(err.error != QJsonParseError::NoError ? err.errorString()
                                                                   : s("expected a JSON object"));
        return out;
    }
    return compilePolicy(preset, doc.object(), hostAddrs);
}

QString denyAllRuleset()
{
    Parsed p;
    p.name = s("quarantine (block_egress)");
    p.denyDefault = true;
    p.dns = false;
    return render(p, {});
}

} // namespace capsule::local::network
