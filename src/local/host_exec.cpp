// Exec route (contract 3.2): NDJSON events streamed per output line while the process runs.
#include "local/api/jsonfields.h"
#include "local/host_http.h"
#include "local/runneraccess.h"
#include "local/sandbox.h"
#include "local/sandbox_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QProcess>
#include <QTimer>

#include <limits>
#include <signal.h>

namespace capsule::local {

namespace {

constexpr qsizetype kMaxLine = 256 * 1024;
// QTimer takes milliseconds as an int.
constexpr qint64 kMaxTimeoutSeconds = std::numeric_limits<int>::max() / 1000;
constexpr qint64 kMaxArgBytes = 4 * 1024 * 1024;
constexpr qsizetype kMaxArgCount = 100000;

// One running exec. Lives until the process ends; a client that goes away kills the process
// (like upstream, whose command is bound to the request context).
class ExecStream : public QObject
{
public:
    ExecStream(const HostRequest &req, Sandbox *sandbox, QObject *parent)
        : QObject(parent)
        , m_req(req)
        , m_sandbox(sandbox)
    {}
    ~ExecStream() override
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            if (m_sandbox)
                m_sandbox->signalProcess(m_process->processId(), SIGKILL);
            discardProcess(m_process); // reaped later, never waited for
        }
    }

    void start(const QStringList &argv, const QMap<QString, QString> &env, const QString &wd,
               int timeoutSeconds)
    {
        beginStream(m_req, 200,
                    {{"Content-Type", "application/x-ndjson"},
                     {"Transfer-Encoding", "chunked"},
                     {"Cache-Control", "no-cache"}});
        m_process = m_sandbox->startProcess(argv, env, wd, false, this);
        if (m_process->error() == QProcess::FailedToStart) {
            event(QStringLiteral("error"), QStringLiteral("message"),
                  QStringLiteral("start failed: ") + m_process->errorString());
            finish();
            return;
        }
        // The kernel may still refuse the exec (E2BIG, ENOMEM, ...): QProcess reports that
        // asynchronously and never emits finished(), so the stream must end here.
        connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
            if (e != QProcess::FailedToStart || m_finished)
                return;
            event(QStringLiteral("error"), QStringLiteral("message"),
                  QStringLiteral("start failed: ") + m_process->errorString());
            finish();
        });
        m_process->closeWriteChannel();
        connect(m_process, &QProcess::readyReadStandardOutput, this, [this] { drain(false); });
        connect(m_process, &QProcess::readyReadStandardError, this, [this] { drain(true); });
        connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus st) {
            drain(false);
            drain(true);
            flushPartial(m_out, QStringLiteral("stdout"));
            flushPartial(m_err, QStringLiteral("stderr"));
            const int exitCode = (m_timedOut || st == QProcess::CrashExit) ? -1 : code;
            QJsonObject o{{QStringLiteral("type"), QStringLiteral("exit")},
                          {QStringLiteral("code"), exitCode},
                          {QStringLiteral("ts"), rfc3339Nano()}};
            writeChunk(m_req, QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
            finish();
        });
        if (m_req.socket)
            connect(m_req.socket, &QAbstractSocket::disconnected, this, [this] { deleteLater(); });
        if (timeoutSeconds > 0)
            QTimer::singleShot(qint64(timeoutSeconds) * 1000, this, [this] {
                if (!m_process || m_process->state() == QProcess::NotRunning)
                    return;
                m_timedOut = true;
                event(QStringLiteral("error"), QStringLiteral("message"),
                      QStringLiteral("timeout"));
                if (m_sandbox)
                    m_sandbox->signalProcess(m_process->processId(), SIGKILL);
            });
    }

private:
    void event(const QString &type, const QString &key, const QString &value)
    {
        QJsonObject o{
            {QStringLiteral("type"), type}, {key, value}, {QStringLiteral("ts"), rfc3339Nano()}};
        writeChunk(m_req, QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
    }

    void drain(bool stderrChannel)
    {
        if (!m_process)
            return;
        QByteArray &buf = stderrChannel ? m_err : m_out;
        buf +=
            stderrChannel ? m_process->readAllStandardError() : m_process->readAllStandardOutput();
        const QString type = stderrChannel ? QStringLiteral("stderr") : QStringLiteral("stdout");
        QByteArray lines;
        qsizetype start = 0;
        for (;;) {
            const qsizetype nl = buf.indexOf('\n', start);
            if (nl < 0) {
                if (buf.size() - start >= kMaxLine) { // an endless line: cut it into pieces
                    lines += line(type, buf.mid(start, kMaxLine) + '\n');
                    start += kMaxLine;
                    continue;
                }
                break;
            }
            lines += line(type, buf.mid(start, nl - start + 1));
            start = nl + 1;
        }
        buf.remove(0, start);
        writeChunk(m_req, lines);
    }

    QByteArray line(const QString &type, const QByteArray &data) const
    {
        // fromUtf8 turns invalid sequences into U+FFFD.
        QJsonObject o{{QStringLiteral("type"), type},
                      {QStringLiteral("data"), QString::fromUtf8(data)},
                      {QStringLiteral("ts"), rfc3339Nano()}};
        return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    }

    void flushPartial(QByteArray &buf, const QString &type)
    {
        if (!buf.isEmpty())
            writeChunk(m_req, line(type, buf + '\n'));
        buf.clear();
    }

    void finish()
    {
        if (m_finished)
            return;
        m_finished = true;
        endChunks(m_req);
        deleteLater();
    }

    HostRequest m_req;
    QPointer<Sandbox> m_sandbox;
    QProcess *m_process = nullptr;
    QByteArray m_out, m_err;
    bool m_timedOut = false;
    bool m_finished = false;
};

} // namespace

QObject *startExec(const HostRequest &req, const HostRunner &runner, QObject *parent)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
        sendText(req, 400,
                 QStringLiteral("invalid request body: %1")
                     .arg(perr.error != QJsonParseError::NoError
                              ? perr.errorString()
                              : QStringLiteral("not a JSON object")),
                 {{"Content-Type", "application/x-ndjson"}});
        return nullptr;
    }
    // Types as contract 3.2 says (Go would refuse the body): command []string, env
    // map[string]string, working_dir string, timeout_seconds int >= 0.
    api::JsonFields fields(doc.object());
    const QStringList argv = fields.stringList(QStringLiteral("command"));
    const QMap<QString, QString> requestEnv = fields.stringMap(QStringLiteral("env"));
    const QString wd = fields.string(QStringLiteral("working_dir"));
    const int timeout =
        int(fields.integer(QStringLiteral("timeout_seconds"), 0, kMaxTimeoutSeconds));
    if (!fields.ok()) {
        sendText(req, 400, QStringLiteral("invalid request body: ") + fields.error());
        return nullptr;
    }
    if (argv.isEmpty()) {
        sendText(req, 400, QStringLiteral("command is required"));
        return nullptr;
    }
    // Plainly too big to ever run (twice the usual ARG_MAX): refused before anything starts.
    // Smaller lists that the kernel still refuses (E2BIG) end as a start-failure event.
    qint64 argBytes = 0;
    for (const QString &a : argv)
        argBytes += a.toUtf8().size() + 1;
    for (auto it = requestEnv.cbegin(); it != requestEnv.cend(); ++it)
        argBytes += it.key().toUtf8().size() + it.value().toUtf8().size() + 2;
    if (argBytes > kMaxArgBytes || argv.size() > kMaxArgCount || requestEnv.size() > kMaxArgCount) {
        sendText(req, 400,
                 QStringLiteral("invalid request body: command and env are too large (%1 "
                                "strings, %2 bytes; at most %3 strings and %4 bytes)")
                     .arg(argv.size() + requestEnv.size())
                     .arg(argBytes)
                     .arg(kMaxArgCount)
                     .arg(kMaxArgBytes));
        return nullptr;
    }
    QMap<QString, QString> env = runner.env;
    for (auto it = requestEnv.cbegin(); it != requestEnv.cend(); ++it)
        env.insert(it.key(), it.value());
    auto *stream = new ExecStream(req, runner.sandbox, parent);
    stream->start(argv, env, wd, timeout);
    return stream;
}

} // namespace capsule::local
