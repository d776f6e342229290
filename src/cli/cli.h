// The `capsule` command: shared context, exit codes and the command table.
#pragma once

#include "cli/args.h"
#include "core/error.h"
#include "core/settings.h"

#include <QJsonValue>
#include <QList>
#include <QString>
#include <functional>
#include <memory>

namespace capsule {
class Client;
}

namespace capsule::cli {

// Distinct exit codes per failure class, so scripts can tell them apart (docs/cli.md).
// `exec` and `shell` exit with the remote command's code instead once the command ran.
enum ExitCode : int {
    ExitOk = 0,
    ExitFailure = 1,      // anything not listed below
    ExitUsage = 2,        // bad command line
    ExitInvalid = 3,      // invalid input: onboard.yaml, config_id, arguments' values
    ExitAuth = 4,         // HTTP 401
    ExitNotFound = 5,     // HTTP 404
    ExitConflict = 6,     // HTTP 409
    ExitHttp = 7,         // other HTTP errors (400, 500, ...)
    ExitConnection = 8,   // the server could not be reached
    ExitTimeout = 9,      // request, operation or allocation timeout
    ExitUnavailable = 10, // 429/503 after retries, or the runner became unavailable
    ExitLocalIo = 11,     // a local file could not be read or written
    ExitProtocol = 12,    // the server answered something unexpected
    ExitInterrupted = 130,
};

int exitCodeFor(const Error &error);

enum class OutputFormat { Table, Json };

// What every command gets: resolved settings, the output format and a lazily created Client.
class Context
{
public:
    Context(Settings settings, OutputFormat format);
    ~Context();

    const Settings &settings() const { return m_settings; }
    OutputFormat format() const { return m_format; }
    bool json() const { return m_format == OutputFormat::Json; }
    Client *client();

    // "error: <message>" on stderr; returns the exit code for `error`.
    int fail(const Error &error) const;
    int fail(int code, const QString &message) const;
    // Prints a JSON value (indented) on stdout.
    void printJson(const QJsonValue &value) const;
    // Prints an aligned table (headers upper-case) on stdout.
    void printTable(const QStringList &headers, const QList<QStringList> &rows) const;
    void print(const QString &line) const; // one line on stdout

private:
    Settings m_settings;
    OutputFormat m_format;
    std::unique_ptr<Client> m_client;
};

struct Command
{
    QString name;
    QString usage;   // after "capsule <name> "
    QString summary; // one line
    QString details; // optional paragraph(s) for --help
    QList<OptionSpec> options;
    int commandAfter = -1; // see parseArgs
    std::function<int(Context &, const ParsedArgs &)> run;
    int minPositional = 0;
    int maxPositional = 0;
};

QList<Command> controlPlaneCommands();
QList<Command> runnerCommands();
QList<Command> infoCommands(); // version, completion (infocommands.cpp)
QList<Command> allCommands();  // every command, in the order `capsule --help` lists them
QList<OptionSpec> globalOptions();

// The whole reference as a man(7) page: every command with its usage, text and options
// (`capsule help --man`; the build installs it as capsule.1).
QString manualPage(const QList<Command> &commands);

// Runs `job`-style work: waits with capsule::waitFor and converts an error into an exit code.
// Defined as a template in the .cpp files that need it.

// The entry point used by main().
int run(int argc, char **argv);

} // namespace capsule::cli
