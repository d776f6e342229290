// Command-line parsing of the `capsule` command.
#include "cli/args.h"

namespace capsule::cli {

QString ParsedArgs::value(const QString &name, const QString &fallback) const
{
    const QStringList v = values.value(name);
    return v.isEmpty() ? fallback : v.constLast();
}

bool parseArgs(const QStringList &args, const QList<OptionSpec> &specs, ParsedArgs *out,
               QString *error, int commandAfter)
{
    auto findSpec = [&specs](const QString &name) -> const OptionSpec * {
        for (const OptionSpec &s : specs) {
            if (s.name == name)
                return &s;
        }
        return nullptr;
    };
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (commandAfter >= 0 && out->positional.size() >= commandAfter &&
            !arg.startsWith(QLatin1String("-"))) {
            out->command = args.mid(i);
            return true;
        }
        if (arg == QLatin1String("--")) {
            out->command = args.mid(i + 1);
            return true;
        }
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            out->help = true;
            continue;
        }
        if (!arg.startsWith(QLatin1String("--")) || arg.size() == 2) {
            if (arg.startsWith(QLatin1Char('-')) && arg.size() > 1) {
                *error = QStringLiteral("unknown option %1").arg(arg);
                return false;
            }
            out->positional.append(arg);
            continue;
        }
        QString name = arg.mid(2);
        QString value;
        bool inlineValue = false;
        if (const int eq = name.indexOf(QLatin1Char('=')); eq >= 0) {
            value = name.mid(eq + 1);
            name.truncate(eq);
            inlineValue = true;
        }
        const OptionSpec *spec = findSpec(name);
        if (!spec) {
            *error = QStringLiteral("unknown option --%1").arg(name);
            return false;
        }
        if (spec->valueName.isEmpty()) {
            if (inlineValue) {
                *error = QStringLiteral("option --%1 takes no value").arg(name);
                return false;
            }
        } else if (!inlineValue) {
            if (i + 1 >= args.size()) {
                *error =
                    QStringLiteral("option --%1 needs a value (%2)").arg(name, spec->valueName);
                return false;
            }
            value = args.at(++i);
        }
        if (out->values.contains(name) && !spec->repeatable) {
            *error = QStringLiteral("option --%1 given twice").arg(name);
            return false;
        }
        out->values[name].append(value);
    }
    return true;
}

QString describeOptions(const QList<OptionSpec> &specs)
{
    QStringList left;
    int width = 0;
    for (const OptionSpec &s : specs) {
        QString l = QStringLiteral("  --") + s.name;
        if (!s.valueName.isEmpty())
            l += QLatin1Char(' ') + s.valueName;
        width = std::max(width, int(l.size()));
        left.append(l);
    }
    QString out;
    for (int i = 0; i < specs.size(); ++i) {
        out += left.at(i).leftJustified(width + 2) + specs.at(i).help;
        if (specs.at(i).repeatable)
            out += QStringLiteral(" (repeatable)");
        out += QLatin1Char('\n');
    }
    return out;
}

} // namespace capsule::cli
