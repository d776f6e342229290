// Command-line parsing of the `capsule` command: options per command, positionals, `--`.
#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

namespace capsule::cli {

struct OptionSpec
{
    QString name;      // without the leading "--"
    QString valueName; // empty = a flag
    QString help;
    bool repeatable = false;
};

struct ParsedArgs
{
    QMap<QString, QStringList> values; // option -> values (flags hold one empty string)
    QStringList positional;
    QStringList command; // what follows `--` (or the positional limit, see parseArgs)
    bool help = false;

    bool has(const QString &name) const { return values.contains(name); }
    QString value(const QString &name, const QString &fallback = {}) const;
    QStringList all(const QString &name) const { return values.value(name); }
};

// Parses `args` against `specs`. "--name value" and "--name=value" both work; "-h"/"--help" sets
// help. With commandAfter >= 0, once that many positionals were read the rest (options included)
// is the command, as is everything after "--". False + *error on unknown options, missing values
// or repeated single options.
bool parseArgs(const QStringList &args, const QList<OptionSpec> &specs, ParsedArgs *out,
               QString *error, int commandAfter = -1);

// "  --name VALUE   help" lines for --help output.
QString describeOptions(const QList<OptionSpec> &specs);

} // namespace capsule::cli
