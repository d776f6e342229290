// YAML read the way the Python SDK reads it: PyYAML's safe_load (YAML 1.1), then turned into the
// JSON the SDK would send (issue 12). yaml-cpp only tokenizes; tags, merge keys, aliases and the
// YAML 1.1 scalar forms are resolved here.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonValue>
#include <QSet>
#include <QString>

namespace capsule::yaml11 {

struct Mark
{
    int line = 0; // 1-based; 0 = unknown
    int column = 0;
};

struct Document
{
    QJsonValue root; // null for an empty stream
    // Where each value starts, by path ("workload.layers[0].init_commands"); a key with a null
    // value points at the key.
    QHash<QString, Mark> marks;
    // Paths whose value was a YAML float: the SDK sends 1.0e+3 as 1000.0, which a Go int field
    // rejects, while the QJsonValue holds plain 1000.
    QSet<QString> floats;
};

struct LoadError
{
    QString message; // without the position
    Mark at;
    bool syntax = false; // a YAML syntax error (else a value JSON cannot carry, a bad tag, ...)
};

// Parses one document. Resolution follows PyYAML: plain scalars by the YAML 1.1 implicit
// resolvers (bool yes/no/on/off/true/false in three casings, null ~/null/empty, int 0x/0b/0755
// octal/_/sexagesimal 1:30, float with a dot or .inf/.nan, timestamps), quoted and block scalars
// stay strings, `<<` merge keys (a mapping or a list of mappings; explicit keys win, earlier
// merges win over later ones), aliases, the standard !!tags. Mapping keys become JSON keys the
// way json.dumps writes them (yes -> "true", 0x10 -> "16", ~ -> "null"). Anything the SDK could
// not send as JSON fails with a message naming the value: dates and timestamps, .inf/.nan,
// !!binary, !!set, recursive aliases, list or mapping keys, unknown tags, more than one
// document. Alias expansion is bounded (kMaxNodes) so a "billion laughs" file fails quickly.
bool load(const QByteArray &text, Document *doc, LoadError *error);

inline constexpr int kMaxNodes = 200000;
inline constexpr int kMaxDepth = 256;

// What a plain (unquoted, untagged) scalar resolves to under YAML 1.1.
enum class Kind { Null, Bool, Int, Float, Timestamp, Merge, Value, String };
Kind resolvePlain(const QString &text);

} // namespace capsule::yaml11
