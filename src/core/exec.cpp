// Exec on a runner: the request body, the SDK's NDJSON line rules and result collection.
#include "core/exec.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

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

namespace {

// A short, printable excerpt of a line for messages.
QString excerpt(const QByteArray &line)
{
    QString s = QString::fromUtf8(line.left(60));
    for (QChar &c : s) {
        if (!c.isPrint())
            c = QLatin1Char('?');
    }
    return line.size() > 60 ? s + QStringLiteral("...") : s;
}

} // namespace

std::optional<ExecEvent> ExecStreamParser::parseLine(const QByteArray &line, QString *problem)
{
    const QByteArray trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        if (problem)
            *problem = QStringLiteral("%1: \"%2\"")
                           .arg(err.error != QJsonParseError::NoError
                                    ? QStringLiteral("not JSON")
                                    : QStringLiteral("not a JSON object"),
                                excerpt(trimmed));
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    ExecEvent ev;
    ev.type = o.value(QStringLiteral("type")).toString();
    ev.data = o.value(QStringLiteral("data")).toString();
    ev.message = o.value(QStringLiteral("message")).toString();
    ev.ts = o.value(QStringLiteral("ts")).toString();
    const QJsonValue code = o.value(QStringLiteral("code"));
    // Lenient like the models (contract 7): an integral number or a numeric string.
    bool ok = code.isDouble() && code.toDouble() == std::trunc(code.toDouble()) &&
              std::fabs(code.toDouble()) < 2147483648.0;
    int value = ok ? int(code.toDouble()) : 0;
    if (code.isString())
        value = code.toString().trimmed().toInt(&ok);
    if (ok)
        ev.code = value;
    return ev;
}

void ExecStreamParser::parse(const QByteArray &line, QList<ExecEvent> *out)
{
    QString problem;
    std::optional<ExecEvent> ev = parseLine(line, &problem);
    ++m_lines; // physical line number, blank lines included
    if (!ev) {
        if (!problem.isEmpty()) {
            ++m_malformed;
            if (m_firstProblem.isEmpty())
                m_firstProblem = QStringLiteral("line %1 is %2").arg(m_lines).arg(problem);
        }
        return;
    }
    if (ev->isExit()) {
        if (ev->code) {
            m_badExit.clear();
        } else {
            const QJsonValue code =
                QJsonDocument::fromJson(line.trimmed()).object().value(QStringLiteral("code"));
            m_badExit = code.isUndefined()
                            ? QStringLiteral("the exit event has no code")
                            : QStringLiteral("the exit event's code is %1, not an integer")
                                  .arg(QString::fromUtf8(QJsonDocument(QJsonArray{code})
                                                             .toJson(QJsonDocument::Compact)
                                                             .mid(1)
                                                             .chopped(1)));
        }
    }
    out->append(*ev);
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
        parse(QByteArray::fromRawData(m_pending.constData() + start, nl - start), &out);
        start = nl + 1;
    }
    m_pending.remove(0, start);
    return out;
}

QList<ExecEvent> ExecStreamParser::finish()
{
    QList<ExecEvent> out;
    if (!m_pending.isEmpty())
        parse(m_pending, &out);
    m_pending.clear();
    return out;
}

void ExecJob::feed(const QByteArray &bytes)
{
    deliver(m_parser.feed(bytes));
    if (!isFinished() && m_parser.malformedLines() > 0 && m_reportedMalformed == 0) {
        m_reportedMalformed = m_parser.malformedLines();
        emit errorMessage(
            tr("skipped a malformed line of the exec stream (%1)").arg(m_parser.firstProblem()));
    }
}

void ExecJob::endOfStream()
{
    deliver(m_parser.finish());
    complete();
}

void ExecJob::deliver(const QList<ExecEvent> &events)
{
    for (const ExecEvent &ev : events) {
        if (isFinished())
            return;
        m_events << ev;
        if (ev.isExit() && ev.code)
            m_exitCode = ev.code;
        if (ev.isError())
            m_sawError = true;
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
    if (isFinished())
        return;
    if (m_exitCode) {
        succeedWith(*m_exitCode);
        return;
    }
    QString why = m_parser.badExit();
    if (why.isEmpty() && m_sawError) {
        // 3.2: a start failure (or a kill) is an error event without exit; the SDK reports -1.
        succeedWith(-1);
        return;
    }
    if (why.isEmpty()) {
        why = QStringLiteral("the exec stream ended without an exit event");
        const int good = int(m_events.size());
        if (m_parser.malformedLines() > 0)
            why += QStringLiteral(" (%1 malformed line(s), the first: %2)")
                       .arg(m_parser.malformedLines())
                       .arg(m_parser.firstProblem());
        else
            why += good ? QStringLiteral(" after %1 event(s); the connection was cut").arg(good)
                        : QStringLiteral("; the body was empty");
    }
    failWith(Error::unexpectedReply(why));
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
