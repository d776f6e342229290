// The `capsule` command: global options, dispatch, help, exit codes and output helpers.
#include "cli/cli.h"

#include "core/client.h"
#include "core/version.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace capsule::cli {

QList<OptionSpec> globalOptions()
{
    return {
        {QStringLiteral("base-url"), QStringLiteral("URL"),
         QStringLiteral("control plane URL (env CAPSULE_BASE_URL, default http://localhost:8080)")},
        {QStringLiteral("token"), QStringLiteral("TOKEN"),
         QStringLiteral("API token (env CAPSULE_TOKEN); an empty value sends none")},
        {QStringLiteral("request-timeout"), QStringLiteral("S"),
         QStringLiteral("idle timeout of control-plane calls (env CAPSULE_REQUEST_TIMEOUT, 30)")},
        {QStringLiteral("startup-timeout"), QStringLiteral("S"),
         QStringLiteral("budget of allocate + wait ready (env CAPSULE_STARTUP_TIMEOUT, 45)")},
        {QStringLiteral("operation-timeout"), QStringLiteral("S"),
         QStringLiteral("idle timeout of host calls (env CAPSULE_OPERATION_TIMEOUT, 120)")},
        {QStringLiteral("output"), QStringLiteral("table|json"),
         QStringLiteral("output format of results (default table)")},
    };
}

QList<Command> allCommands()
{
    return controlPlaneCommands() + runnerCommands() + infoCommands();
}

namespace {

void writeErr(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stderr);
    std::fflush(stderr);
}

void writeOut(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stdout);
    std::fflush(stdout);
}

QString mainHelp(const QList<Command> &commands)
{
    QString out = QStringLiteral(
        "usage: capsule [global options] <command> [arguments]\n\n"
        "Manage Capsule workloads and runners from the command line.\n\nCommands:\n");
    int width = 0;
    for (const Command &c : commands)
        width = std::max(width, int(c.name.size()));
    for (const Command &c : commands)
        out +=
            QStringLiteral("  ") + c.name.leftJustified(width + 2) + c.summary + QLatin1Char('\n');
    out += QStringLiteral("\nGlobal options (also accepted after the command):\n");
    out += describeOptions(
        globalOptions() +
        QList<OptionSpec>{
            {QStringLiteral("version"), {}, QStringLiteral("print the version and exit")}});
    out += QStringLiteral("\nRun `capsule <command> --help` for a command's arguments. Exit codes "
                          "are listed in docs/cli.md.\n");
    return out;
}

QString commandHelp(const Command &c)
{
    QString out = QStringLiteral("usage: capsule %1 %2\n\n%3\n").arg(c.name, c.usage, c.summary);
    if (!c.details.isEmpty())
        out += QLatin1Char('\n') + c.details + QLatin1Char('\n');
    if (!c.options.isEmpty())
        out += QStringLiteral("\nOptions:\n") + describeOptions(c.options);
    out +=
        QStringLiteral("\nGlobal options: --base-url, --token, --request-timeout, "
                       "--startup-timeout, --operation-timeout, --output (see capsule --help)\n");
    return out;
}

bool parseSeconds(const ParsedArgs &args, const QString &name, std::optional<double> *out,
                  QString *error)
{
    if (!args.has(name))
        return true;
    bool ok = false;
    const double v = args.value(name).toDouble(&ok);
    if (!ok || v < 0) {
        *error = QStringLiteral("--%1 must be a number of seconds, not \"%2\"")
                     .arg(name, args.value(name));
        return false;
    }
    *out = v;
    return true;
}

} // namespace

int exitCodeFor(const Error &error)
{
    switch (error.kind) {
    case ErrorKind::Value:
        return ExitInvalid;
    case ErrorKind::Auth:
        return ExitAuth;
    case ErrorKind::NotFound:
        return ExitNotFound;
    case ErrorKind::Conflict:
        return ExitConflict;
    case ErrorKind::Http:
        return ExitHttp;
    case ErrorKind::RateLimited:
    case ErrorKind::ServiceUnavailable:
    case ErrorKind::RunnerUnavailable:
        return ExitUnavailable;
    case ErrorKind::Connection:
        return ExitConnection;
    case ErrorKind::Timeout:
    case ErrorKind::RequestTimeout:
    case ErrorKind::OperationTimeout:
    case ErrorKind::AllocationTimeout:
        return ExitTimeout;
    case ErrorKind::Cancelled:
        return ExitInterrupted;
    case ErrorKind::Protocol:
        return ExitProtocol;
    case ErrorKind::Io:
        return ExitLocalIo;
    case ErrorKind::Generic:
        break;
    }
    return ExitFailure;
}

Context::Context(Settings settings, OutputFormat format)
    : m_settings(std::move(settings))
    , m_format(format)
{}

Context::~Context() = default;

Client *Context::client()
{
    if (!m_client)
        m_client = std::make_unique<Client>(m_settings);
    return m_client.get();
}

int Context::fail(const Error &error) const
{
    QString text = error.toString();
    if (text.isEmpty())
        text = Error::kindName(error.kind);
    writeErr(QStringLiteral("error: %1\n").arg(text));
    return exitCodeFor(error);
}

int Context::fail(int code, const QString &message) const
{
    writeErr(QStringLiteral("error: %1\n").arg(message));
    return code;
}

void Context::printJson(const QJsonValue &value) const
{
    QByteArray text;
    if (value.isObject())
        text = QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented);
    else if (value.isArray())
        text = QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented);
    else
        text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1) +
               '\n';
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
}

void Context::printTable(const QStringList &headers, const QList<QStringList> &rows) const
{
    QList<int> widths;
    for (const QString &h : headers)
        widths.append(int(h.size()));
    for (const QStringList &row : rows) {
        for (int i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], int(row.at(i).size()));
    }
    auto line = [&widths](const QStringList &cells) {
        QString out;
        for (int i = 0; i < cells.size(); ++i) {
            const bool last = i + 1 == cells.size();
            out += last ? cells.at(i) : cells.at(i).leftJustified(widths.value(i) + 2);
        }
        return out + QLatin1Char('\n');
    };
    QStringList upper;
    for (const QString &h : headers)
        upper.append(h.toUpper());
    QString text = line(upper);
    for (const QStringList &row : rows)
        text += line(row);
    writeOut(text);
}

void Context::print(const QString &line) const
{
    writeOut(line + QLatin1Char('\n'));
}

int run(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args.append(QString::fromLocal8Bit(argv[i]));

    const QList<Command> commands = allCommands();

    // Global options come first; the first positional is the command.
    QStringList globalArgs;
    int i = 0;
    for (; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a == QLatin1String("--version")) {
            writeOut(versionText(QStringLiteral("capsule")));
            return ExitOk;
        }
        if (!a.startsWith(QLatin1Char('-')))
            break;
        globalArgs.append(a);
        const bool hasInline = a.contains(QLatin1Char('='));
        const QList<OptionSpec> globals = globalOptions();
        const bool isGlobalWithValue =
            std::any_of(globals.begin(), globals.end(), [&a](const OptionSpec &s) {
                return !s.valueName.isEmpty() && a == QLatin1String("--") + s.name;
            });
        if (isGlobalWithValue && !hasInline && i + 1 < args.size())
            globalArgs.append(args.at(++i));
    }
    ParsedArgs global;
    QString error;
    if (!parseArgs(globalArgs, globalOptions(), &global, &error)) {
        writeErr(QStringLiteral("error: %1 (see capsule --help)\n").arg(error));
        return ExitUsage;
    }
    if (i >= args.size()) {
        if (global.help) {
            writeOut(mainHelp(commands));
            return ExitOk;
        }
        writeErr(mainHelp(commands));
        return ExitUsage;
    }
    const QString name = args.at(i);
    if (name == QLatin1String("help")) {
        const QString topic = args.value(i + 1);
        if (topic == QLatin1String("--man")) {
            writeOut(manualPage(commands));
            return ExitOk;
        }
        for (const Command &c : commands) {
            if (c.name == topic) {
                writeOut(commandHelp(c));
                return ExitOk;
            }
        }
        writeOut(mainHelp(commands));
        return ExitOk;
    }
    const Command *command = nullptr;
    for (const Command &c : commands) {
        if (c.name == name)
            command = &c;
    }
    if (!command) {
        writeErr(QStringLiteral("error: unknown command \"%1\" (see capsule --help)\n").arg(name));
        return ExitUsage;
    }

    ParsedArgs parsed;
    if (!parseArgs(args.mid(i + 1), command->options + globalOptions(), &parsed, &error,
                   command->commandAfter)) {
        writeErr(QStringLiteral("error: %1 (see capsule %2 --help)\n").arg(error, name));
        return ExitUsage;
    }
    if (parsed.help || global.help) {
        writeOut(commandHelp(*command));
        return ExitOk;
    }
    if (parsed.positional.size() < command->minPositional ||
        parsed.positional.size() > command->maxPositional) {
        writeErr(QStringLiteral("error: wrong number of arguments\nusage: capsule %1 %2\n")
                     .arg(name, command->usage));
        return ExitUsage;
    }
    // Options after the command override the same ones before it.
    for (auto it = parsed.values.begin(); it != parsed.values.end(); ++it)
        global.values[it.key()] = it.value();

    SettingsOverrides overrides;
    if (global.has(QStringLiteral("base-url")))
        overrides.baseUrl = global.value(QStringLiteral("base-url"));
    if (global.has(QStringLiteral("token")))
        overrides.token = global.value(QStringLiteral("token"));
    if (!parseSeconds(global, QStringLiteral("request-timeout"), &overrides.requestTimeout,
                      &error) ||
        !parseSeconds(global, QStringLiteral("startup-timeout"), &overrides.startupTimeout,
                      &error) ||
        !parseSeconds(global, QStringLiteral("operation-timeout"), &overrides.operationTimeout,
                      &error)) {
        writeErr(QStringLiteral("error: %1\n").arg(error));
        return ExitUsage;
    }
    OutputFormat format = OutputFormat::Table;
    const QString output = global.value(QStringLiteral("output"), QStringLiteral("table"));
    if (output == QLatin1String("json")) {
        format = OutputFormat::Json;
    } else if (output != QLatin1String("table")) {
        writeErr(QStringLiteral("error: --output must be table or json, not \"%1\"\n").arg(output));
        return ExitUsage;
    }
    Context context(Settings::resolve(overrides), format);
    return command->run(context, parsed);
}

} // namespace capsule::cli
