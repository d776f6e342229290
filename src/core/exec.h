// Exec on a runner (contract 3.2): request body, NDJSON event parsing and the streaming exec job.
#pragma once

#include "core/job.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>

namespace capsule {

// One line of the exec stream. type is "stdout", "stderr", "exit" or "error" (anything else the
// server sends is passed through unchanged so newer servers do not break us).
struct ExecEvent
{
    QString type;
    QString data;            // stdout/stderr: one line, always ending in '\n'
    std::optional<int> code; // exit
    QString message;         // error
    QString ts;              // RFC 3339 with nanoseconds, as sent

    bool isStdout() const { return type == QLatin1String("stdout"); }
    bool isStderr() const { return type == QLatin1String("stderr"); }
    bool isExit() const { return type == QLatin1String("exit"); }
    bool isError() const { return type == QLatin1String("error"); }
};

struct ExecRequest
{
    QStringList argv;           // argv[0] is looked up on the runner's PATH; no shell
    QMap<QString, QString> env; // omitted when empty
    QString workingDir;         // omitted when empty (server default /workspace)
    int timeoutSeconds = 0;     // omitted when 0; > 0 kills the process at the deadline

    // The JSON body exactly as the SDK sends it.
    QJsonObject toJson() const;
};

// exec_collect: stdout and stderr joined separately, code from `exit` (else -1), error events
// ignored, duration measured locally.
struct ExecResult
{
    QString stdoutText;
    QString stderrText;
    int code = -1;
    qint64 durationMs = 0;

    // The SDK's tuple form: (stdout + stderr, code).
    QString combined() const { return stdoutText + stderrText; }
};

// Splits the NDJSON byte stream into events the way the SDK does: each '\n'-terminated line is
// stripped, blank lines and lines that are not a JSON object are skipped. Bytes are buffered
// until their line is complete, so a line split across network chunks parses once. Skipped
// lines and exit events without an integer code are remembered (problems()) so the exec can say
// what went wrong instead of ending silently.
class ExecStreamParser
{
public:
    QList<ExecEvent> feed(const QByteArray &bytes);
    QList<ExecEvent> finish(); // the last line when the stream ended without '\n'

    // nullopt for a blank line or one that is not a JSON object (*problem says which, if given).
    static std::optional<ExecEvent> parseLine(const QByteArray &line, QString *problem = nullptr);

    int malformedLines() const { return m_malformed; }
    const QString &firstProblem() const { return m_firstProblem; } // empty when none
    // Why the last exit event had no usable code ("zero", 1.5, missing); empty when fine.
    const QString &badExit() const { return m_badExit; }

private:
    void parse(const QByteArray &line, QList<ExecEvent> *out);

    QByteArray m_pending;
    int m_lines = 0;
    int m_malformed = 0;
    QString m_firstProblem;
    QString m_badExit;
};

// A running exec. Emits event() for every line as it arrives, plus the per-type signals (the
// SDK's on_stdout/on_stderr/on_exit callbacks: they fire in stream order, exited only with a code).
// Finishes with the exit code: from `exit`, or -1 when the stream ended without one after an
// `error` event (start failure, timeout). HTTP failures before the stream (400, 404, 409,
// 503...) fail the job. A stream that cannot be trusted fails with Error::unexpectedReply
// (Protocol): an `exit` whose code is not an integer, or an end without `exit` and without
// `error` (cut, or nothing but malformed lines). Malformed lines in an otherwise good stream are
// skipped as the SDK does, and reported once through errorMessage().
class ExecJob : public ResultJob<int>
{
    Q_OBJECT
public:
    using ResultJob<int>::ResultJob;

    const QList<ExecEvent> &events() const { return m_events; } // everything seen so far
    bool sawEvent() const { return !m_events.isEmpty(); }

signals:
    void event(const capsule::ExecEvent &event);
    void stdoutData(const QString &line);
    void stderrData(const QString &line);
    void errorMessage(const QString &message);
    void exited(int code);

protected:
    friend class RunnerSession;
    void feed(const QByteArray &bytes); // raw NDJSON bytes as they arrive
    void endOfStream();                 // the body ended: last line, then complete()
    void deliver(const QList<ExecEvent> &events);
    void complete(); // succeed with the exit code seen (or -1), or fail (see above)
    void onCancel() override
    {
        if (m_abort)
            m_abort();
    }

    std::function<void()> m_abort; // set by whoever drives the request

    QList<ExecEvent> m_events;
    std::optional<int> m_exitCode;
    bool m_sawError = false;
    int m_reportedMalformed = 0;
    ExecStreamParser m_parser;
};

// Collects an exec into an ExecResult (exec_collect).
class ExecCollectJob : public ResultJob<ExecResult>
{
    Q_OBJECT
public:
    using ResultJob<ExecResult>::ResultJob;
    // Takes over `exec` (deleted with this job); timing starts now.
    void attach(ExecJob *exec);

protected:
    void onCancel() override;

private:
    ExecJob *m_exec = nullptr;
};

} // namespace capsule

Q_DECLARE_METATYPE(capsule::ExecEvent)
