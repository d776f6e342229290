// Checks of the wizard's fields with messages in words (see fieldcheck.h).
#include "app/wizard/fieldcheck.h"

#include "core/runnerconfig.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonObject>
#include <QRegularExpression>

namespace capsule::app::fieldcheck {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("capsule::app::fieldcheck", text);
}

QStringList splitList(const QString &text)
{
    static const QRegularExpression sep(QStringLiteral("[,\\s]+"));
    return text.split(sep, Qt::SkipEmptyParts);
}

} // namespace

QString workloadName(const QString &id)
{
    if (RunnerConfig::isValidConfigId(id))
        return {};
    // The server's rule (2.1): 3 to 64 characters of a-z, 0-9 and '-', starting and ending with
    // a letter or digit.
    QString what;
    if (id.size() < 3)
        what = tr("This name is too short (%1 character(s)).").arg(id.size());
    else if (id.size() > 64)
        what = tr("This name is too long (%1 characters).").arg(id.size());
    else if (id.startsWith(QLatin1Char('-')) || id.endsWith(QLatin1Char('-')))
        what = tr("A name cannot start or end with a dash.");
    else {
        for (const QChar c : id) {
            if (c.isUpper()) {
                what = tr("Capital letters are not allowed (\"%1\").").arg(c);
                break;
            }
            if (!(c.isDigit() || c == QLatin1Char('-') ||
                  (c >= QLatin1Char('a') && c <= QLatin1Char('z')))) {
                what = c.isSpace() ? tr("Spaces are not allowed.")
                                   : tr("\"%1\" is not allowed.").arg(c);
                break;
            }
        }
    }
    const QString rule = tr("Use 3 to 64 lowercase letters, digits and dashes, starting and "
                            "ending with a letter or digit (e.g. my-app-2).");
    return what.isEmpty() ? rule : what + QLatin1Char(' ') + rule;
}

QString layerName(const QString &name)
{
    if (name.trimmed().isEmpty())
        return tr("A layer needs a name.");
    if (name == QLatin1String("_platform"))
        return tr("\"_platform\" is reserved for the base image's layer.");
    if (name != name.trimmed())
        return tr("A layer name cannot start or end with a space.");
    return {};
}

double goDurationSeconds(const QString &text)
{
    static const QRegularExpression part(
        QStringLiteral("([0-9]*\\.?[0-9]*)(ns|us|\u00b5s|ms|s|m|h)"));
    double total = 0;
    auto it = part.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        const double n = m.captured(1).toDouble();
        const QString unit = m.captured(2);
        const double scale = unit == QLatin1String("h")    ? 3600
                             : unit == QLatin1String("m")  ? 60
                             : unit == QLatin1String("s")  ? 1
                             : unit == QLatin1String("ms") ? 1e-3
                             : unit == QLatin1String("ns") ? 1e-9
                                                           : 1e-6;
        total += n * scale;
    }
    return total;
}

QString goDuration(const QString &text, const QString &what)
{
    // time.ParseDuration: "0", or one or more <decimal><unit>, unit ns|us|µs|ms|s|m|h.
    static const QRegularExpression re(
        QStringLiteral("^(0|([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|ms|s|m|h)"
                       "(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|ms|s|m|h))*)$"));
    if (re.match(text).hasMatch())
        return {};
    QString hint;
    if (text == QLatin1String("daily") || text == QLatin1String("on_push"))
        hint = tr(" The server refuses schedules such as \"%1\"; give an interval.").arg(text);
    else if (QRegularExpression(QStringLiteral("^[0-9]+\\z")).match(text).hasMatch())
        hint = tr(" A number needs a unit: \"%1s\", \"%1m\" or \"%1h\".").arg(text);
    else if (text.contains(QLatin1Char('d')))
        hint = tr(" Days are not a unit; write \"24h\" for a day.");
    return tr("%1: \"%2\" is not a Go duration such as 30m, 6h or 1h30m.").arg(what, text) + hint;
}

QString secondsOrDuration(const QString &text, const QString &what, qint64 *seconds)
{
    const QString t = text.trimmed();
    *seconds = 0;
    if (t.isEmpty())
        return {};
    bool ok = false;
    const qint64 n = t.toLongLong(&ok);
    if (ok) {
        if (n < 0)
            return tr("%1 cannot be negative.").arg(what);
        *seconds = n;
        return {};
    }
    const QString problem = goDuration(t, what);
    if (!problem.isEmpty())
        return tr("%1: \"%2\" is neither a number of seconds nor a duration such as 15m or 2h.")
            .arg(what, t);
    *seconds = qint64(goDurationSeconds(t));
    return {};
}

QString cidr(const QString &text, int maxWidth)
{
    const int slash = int(text.indexOf(QLatin1Char('/')));
    if (slash < 0)
        return tr("\"%1\" is not a CIDR: add the prefix length, e.g. %1/32.").arg(text);
    QHostAddress address;
    if (!address.setAddress(text.left(slash)))
        return tr("\"%1\" is not a CIDR: \"%2\" is not an IP address.").arg(text, text.left(slash));
    bool ok = false;
    const int prefix = text.mid(slash + 1).toInt(&ok);
    const int bits = address.protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32;
    if (!ok || prefix < 0 || prefix > bits)
        return tr("\"%1\" is not a CIDR: the prefix length must be 0 to %2.").arg(text).arg(bits);
    if (maxWidth > 0 && prefix < maxWidth)
        return tr("\"%1\" is too broad: internal CIDRs may be at most /%2.")
            .arg(text)
            .arg(maxWidth);
    return {};
}

QJsonArray cidrList(const QString &text, QString *problem, int maxWidth)
{
    QJsonArray out;
    problem->clear();
    for (const QString &c : splitList(text)) {
        const QString why = cidr(c, maxWidth);
        if (!why.isEmpty()) {
            *problem = why;
            return {};
        }
        out.append(c);
    }
    return out;
}

QJsonArray portRanges(const QString &text, QString *problem)
{
    QJsonArray out;
    problem->clear();
    static const QRegularExpression re(QStringLiteral("^([0-9]+)(?:-([0-9]+))?\\z"));
    for (const QString &p : splitList(text)) {
        const QRegularExpressionMatch m = re.match(p);
        const int start = m.captured(1).toInt();
        const int end = m.captured(2).isEmpty() ? 0 : m.captured(2).toInt();
        if (!m.hasMatch())
            *problem = tr("\"%1\" is not a port or a range such as 8000-8080.").arg(p);
        else if (start < 1 || start > 65535 || end > 65535)
            *problem = tr("Port %1: ports are 1 to 65535.").arg(p);
        else if (!m.captured(2).isEmpty() && end < start)
            *problem = tr("Port range %1 ends before it starts.").arg(p);
        if (!problem->isEmpty())
            return {};
        QJsonObject range{{QStringLiteral("start"), start}};
        if (!m.captured(2).isEmpty())
            range.insert(QStringLiteral("end"), end);
        out.append(range);
    }
    return out;
}

QString portRangesText(const QJsonArray &ports)
{
    QStringList parts;
    for (const QJsonValue &v : ports) {
        const QJsonObject o = v.toObject();
        const int start = o.value(QStringLiteral("start")).toInt();
        const int end = o.value(QStringLiteral("end")).toInt();
        parts << (end > 0 && end != start ? QStringLiteral("%1-%2").arg(start).arg(end)
                                          : QString::number(start));
    }
    return parts.join(QStringLiteral(", "));
}

QJsonArray words(const QString &text)
{
    return QJsonArray::fromStringList(splitList(text));
}

QString wordsText(const QJsonArray &list)
{
    QStringList parts;
    for (const QJsonValue &v : list)
        parts << v.toString();
    return parts.join(QStringLiteral(", "));
}

QJsonObject keyValues(const QString &text, QString *problem, bool envNames)
{
    static const QRegularExpression name(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*\\z"));
    QJsonObject out;
    problem->clear();
    int lineNo = 0;
    for (const QString &raw : text.split(QLatin1Char('\n'))) {
        ++lineNo;
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const int eq = int(line.indexOf(QLatin1Char('=')));
        const QString key = eq < 0 ? line : line.left(eq).trimmed();
        if (eq <= 0) {
            *problem = tr("Line %1: write NAME=value.").arg(lineNo);
            return {};
        }
        if (envNames && !name.match(key).hasMatch()) {
            *problem = tr("Line %1: \"%2\" is not a variable name (letters, digits and _, not "
                          "starting with a digit).")
                           .arg(lineNo)
                           .arg(key);
            return {};
        }
        out.insert(key, line.mid(eq + 1));
    }
    return out;
}

QString keyValuesText(const QJsonObject &object)
{
    QStringList lines;
    for (auto it = object.begin(); it != object.end(); ++it)
        lines << it.key() + QLatin1Char('=') + it.value().toString();
    return lines.join(QLatin1Char('\n'));
}

QString sizeGb(qint64 value, qint64 min, qint64 max, const QString &what)
{
    if (value < min || value > max)
        return tr("%1 must be %2 to %3 GiB.").arg(what).arg(min).arg(max);
    return {};
}

} // namespace capsule::app::fieldcheck
