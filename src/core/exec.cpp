// Exec on a runner: the request body, the SDK's NDJSON line rules and result collection.
#include "core/exec.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace capsule {

QJsonObject ExecRequest::toJson() const
{
    QJsonObject body;
    body.insert(QStringLiteral("command"), QJsonArray::fromStringList(argv));
    if (!env.isEmpty()) {
        QJsonObject e;
        for (auto it = env.cbegin(); it != env.cend(); ++it)
            e.insert(it.key(), it.value());
        body.insert(QStringLiteral("env"), e);
    }
    if (!workingDir.isEmpty())
        body.insert(QStringLiteral("working_dir"), workingDir);
    if (timeoutSeconds != 0)
        body.insert(QStringLiteral("timeout_seconds"), timeoutSeconds);
    return body;
}

std::optional<ExecEvent> ExecStreamParser::parseLine(const QByteArray &line)
{
    const QByteArray trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    ExecEvent ev;
    ev.type = o.value(QStringLiteral("type")).toString();
    ev.data = o.value(QStringLiteral("data")).toString();
    ev.message = o.value(QStringLiteral("message")).toString();
    ev.ts = o.value(QStringLiteral("ts")).toString();
    const QJsonValue code = o.value(QStringLiteral("code"));
    if (code.isDouble())
        ev.code = code.toInt();
    return ev;
}

QList<ExecEvent> ExecStreamParser::feed(const QByteArray &bytes)
{
    QList<ExecEvent> out;
    m_pending += bytes;
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = m_pending.indexOf('\n', start);
        if (nl < 0)
            break;
        if (auto ev = parseLine(QByteArray::fromRawData(m_pending.constData() + start, nl - start)))
            out << *ev;
        start = nl + 1;
    }
    m_pending.remove(0, start);
    return out;
}

QList<ExecEvent> ExecStreamParser::finish()
{
    QList<ExecEvent> out;
    if (auto ev = parseLine(m_pending))
        out << *ev;
    m_pending.clear();
    return out;
}

void ExecJob::deliver(const QList<ExecEvent> &events)
{
    for (const ExecEvent &ev : events) {
        if (isFinished())
            return;
        m_events << ev;
        if (ev.isExit() && ev.code)
            m_exitCode = ev.code;
        emit event(ev);
        if (ev.isStdout())
            emit stdoutData(ev.data);
        else if (ev.isStderr())
            emit stderrData(ev.data);
        else if (ev.isError())
            emit errorMessage(ev.message);
        else if (ev.isExit() && ev.code)
            emit exited(*ev.code);
    }
}

void ExecJob::complete()
{
    succeedWith(m_exitCode.value_or(-1));
}

void ExecCollectJob::attach(ExecJob *exec)
{
    m_exec = exec;
    exec->setParent(this);
    QElapsedTimer clock;
    clock.start();
    connect(exec, &Job::finished, this, [this, clock] {
        if (m_exec->hasError()) {
            failWith(m_exec->error());
            return;
        }
        ExecResult r;
        for (const ExecEvent &ev : m_exec->events()) {
            if (ev.isStdout())
                r.stdoutText += ev.data;
            else if (ev.isStderr())
                r.stderrText += ev.data;
        }
        r.code = m_exec->result();
        r.durationMs = clock.elapsed();
        succeedWith(r);
    });
}

void ExecCollectJob::onCancel()
{
    if (m_exec)
        m_exec->cancel();
}

} // namespace capsule
