// onboard.yaml: reading it into a create body the way the SDK does (contract 5.3) and writing one.
#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace capsule {

// `textOrPath`: text containing a newline is YAML text; else an existing file is read (its stem
// is the fallback name); else the string itself is parsed as YAML. The `workload` mapping (or
// the whole mapping) is the body; platform/microvm/hosts/session/credentials are dropped;
// display_name = display_name, else name, else nameArg, else the file stem, and must be a slug.
// Everything else is passed on verbatim. On failure returns {} and fills *error (Value for bad
// content, with "file:line:column" for YAML syntax errors; Io for an unreadable file).
QJsonObject parseOnboard(const QString &textOrPath, const QString &nameArg = {},
                         Error *error = nullptr);

// A readable onboard.yaml (`workload:` mapping) that parseOnboard() reads back to `body`.
// `sections` are other top-level mappings to write along (platform, hosts, session, ... of an
// imported file, see onboardSections()); parseOnboard() ignores them as the SDK does.
QByteArray writeOnboard(const QJsonObject &body, const QJsonObject &sections = {});

// The top-level keys of an onboard.yaml other than `workload` (platform, microvm, hosts, session,
// credentials and unknown ones) when the text has a `workload` mapping; {} otherwise or when the
// text does not load. The wizard keeps them so that Save writes them back unchanged.
QJsonObject onboardSections(const QByteArray &text);

} // namespace capsule
