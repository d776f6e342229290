// A runner's egress policy (contract 6.3: presets, custom JSON, internal_access) compiled into an
// nftables ruleset that is loaded inside the runner's own network namespace.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace capsule::local::network {

// The in-namespace address whose UDP/TCP port 53 pasta forwards to the host's resolver; the
// runner's /etc/resolv.conf points at it.
extern const char kDnsForwardAddress[];
// The cloud metadata addresses (IPv4 and the IPv6 one some clouds use).
extern const char kMetadataV4[];
extern const char kMetadataV6[];

struct Policy
{
    QString name;       // preset name (lower case), the custom policy's `name`, or "default"
    QString ruleset;    // nft -f input: replaces the table `inet capsule` atomically
    bool egress = true; // false: nothing can leave (no user-mode network needed)
    QStringList notes;  // what is recorded but not enforced (domains, rate limits, ...)
    QString error;      // "invalid network policy: ..." (nothing else is set then)
};

// Host addresses (not loopback) that the runner must never reach unless allow_host_access.
QStringList hostAddresses();

// `preset` is case-insensitive; an unknown preset name means no policy (contract 2.2), which is
// the default policy: everything allowed except the metadata address and the host's own
// addresses. A non-empty `custom` object wins over the preset.
Policy compilePolicy(const QString &preset, const QJsonObject &custom,
                     const QStringList &hostAddrs = hostAddresses());
// The same with the custom policy as JSON text (empty = none); bad JSON is an error.
Policy compilePolicy(const QString &preset, const QString &customJson,
                     const QStringList &hostAddrs = hostAddresses());
// Quarantine with block_egress: only the runner's own loopback, no DNS.
QString denyAllRuleset();

} // namespace capsule::local::network
