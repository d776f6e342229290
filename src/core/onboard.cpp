// onboard.yaml reader (contract 5.3, YAML 1.1 as the SDK reads it: yaml11.h) and writer.
#include "core/onboard.h"

#include "core/runnerconfig.h"
#include "core/yaml11.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <cmath>
#include <functional>

namespace capsule {

namespace {

using Position = yaml11::Mark;

// Where each converted value came from, so schema errors can point into the file.
struct Context
{
    QString source;
    QHash<QString, Position> marks;
    QSet<QString> floats; // paths holding a YAML float (see yaml11::Document::floats)
    QString problem;
    Position problemAt;

    QString where(const QString &path) const
    {
        const Position p = marks.value(path);
        if (p.line <= 0)
            return source;
        return QStringLiteral("%1:%2:%3").arg(source).arg(p.line).arg(p.column);
    }
};

QString childPath(const QString &parent, const QString &key)
{
    return parent.isEmpty() ? key : parent + QLatin1Char('.') + key;
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("a list");
    case QJsonValue::Object:
        return QStringLiteral("a mapping");
    }
    return QString();
}

// The known keys of a create body and the JSON type each must have (null is always accepted: the
// server treats it as absent).
enum class Type { String, Integer, Number, Bool, Map, List, CommandList, DriveList, LayerList };

struct SchemaChecker
{
    Context &ctx;

    bool fail(const QString &path, const QString &what, const QJsonValue &got)
    {
        ctx.problem = QStringLiteral("%1 must be %2, not %3").arg(path, what, typeName(got));
        ctx.problemAt = ctx.marks.value(path);
        return false;
    }

    bool check(const QJsonObject &o, const QString &prefix,
               const QList<QPair<QString, Type>> &fields)
    {
        for (const auto &[key, type] : fields) {
            if (!o.contains(key) || o.value(key).isNull())
                continue;
            if (!checkValue(o.value(key), childPath(prefix, key), type))
                return false;
        }
        return true;
    }

    bool checkValue(const QJsonValue &v, const QString &path, Type type)
    {
        switch (type) {
        case Type::String:
            return v.isString() || fail(path, QStringLiteral("a string"), v);
        case Type::Number:
            return v.isDouble() || fail(path, QStringLiteral("a number"), v);
        case Type::Integer:
            if (v.isDouble() && ctx.floats.contains(path)) {
                // The SDK sends 1.0e+3 as 1000.0, which the server's integer field rejects.
                ctx.problem = QStringLiteral("%1 must be an integer, not a float (YAML 1.1 reads "
                                             "a number with a dot as a float)")
                                  .arg(path);
                ctx.problemAt = ctx.marks.value(path);
                return false;
            }
            return (v.isDouble() && v.toDouble() == std::trunc(v.toDouble())) ||
                   fail(path, QStringLiteral("an integer"), v);
        case Type::Bool:
            return v.isBool() || fail(path, QStringLiteral("true or false"), v);
        case Type::Map:
            return v.isObject() || fail(path, QStringLiteral("a mapping"), v);
        case Type::List:
            return v.isArray() || fail(path, QStringLiteral("a list"), v);
        case Type::CommandList:
            return checkList(v, path, [this](const QJsonValue &c, const QString &p) {
                return checkCommand(c, p);
            });
        case Type::DriveList:
            return checkList(v, path, [this](const QJsonValue &d, const QString &p) {
                if (!d.isObject())
                    return fail(p, QStringLiteral("a mapping"), d);
                return check(d.toObject(), p,
                             {{QStringLiteral("drive_id"), Type::String},
                              {QStringLiteral("label"), Type::String},
                              {QStringLiteral("size_gb"), Type::Integer},
                              {QStringLiteral("read_only"), Type::Bool},
                              {QStringLiteral("mount_path"), Type::String},
                              {QStringLiteral("commands"), Type::CommandList}});
            });
        case Type::LayerList:
            return checkList(v, path, [this](const QJsonValue &l, const QString &p) {
                if (!l.isObject())
                    return fail(p, QStringLiteral("a mapping"), l);
                return check(l.toObject(), p,
                             {{QStringLiteral("name"), Type::String},
                              {QStringLiteral("init_commands"), Type::CommandList},
                              {QStringLiteral("refresh_commands"), Type::CommandList},
                              {QStringLiteral("refresh_interval"), Type::String},
                              {QStringLiteral("drives"), Type::DriveList}});
            });
        }
        return true;
    }

    bool checkList(const QJsonValue &v, const QString &path,
                   const std::function<bool(const QJsonValue &, const QString &)> &item)
    {
        if (!v.isArray())
            return fail(path, QStringLiteral("a list"), v);
        const QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!item(a.at(i), QStringLiteral("%1[%2]").arg(path).arg(i)))
                return false;
        }
        return true;
    }

    bool checkCommand(const QJsonValue &c, const QString &path)
    {
        if (c.isString())
            return true;
        if (!c.isObject())
            return fail(path, QStringLiteral("a mapping (type, args, run_as_root)"), c);
        const QJsonObject o = c.toObject();
        if (!check(o, path,
                   {{QStringLiteral("type"), Type::String},
                    {QStringLiteral("args"), Type::List},
                    {QStringLiteral("run_as_root"), Type::Bool}}))
            return false;
        const QJsonArray args = o.value(QStringLiteral("args")).toArray();
        for (qsizetype i = 0; i < args.size(); ++i) {
            const QString p = QStringLiteral("%1.args[%2]").arg(path).arg(i);
            if (!args.at(i).isString())
                return fail(p, QStringLiteral("a string (quote it)"), args.at(i));
        }
        return true;
    }

    bool checkBody(const QJsonObject &body, const QString &prefix)
    {
        if (!check(body, prefix,
                   {{QStringLiteral("display_name"), Type::String},
                    {QStringLiteral("name"), Type::String},
                    {QStringLiteral("base_image"), Type::String},
                    {QStringLiteral("layers"), Type::LayerList},
                    {QStringLiteral("snapshot_commands"), Type::CommandList},
                    {QStringLiteral("start_command"), Type::Map},
                    {QStringLiteral("config"), Type::Map}}))
            return false;
        const QString sc = childPath(prefix, QStringLiteral("start_command"));
        if (!check(body.value(QStringLiteral("start_command")).toObject(), sc,
                   {{QStringLiteral("command"), Type::List},
                    {QStringLiteral("port"), Type::Integer},
                    {QStringLiteral("health_path"), Type::String},
                    {QStringLiteral("env"), Type::Map},
                    {QStringLiteral("run_as"), Type::String}}))
            return false;
        const QString cfg = childPath(prefix, QStringLiteral("config"));
        return check(body.value(QStringLiteral("config")).toObject(), cfg,
                     {{QStringLiteral("tier"), Type::String},
                      {QStringLiteral("ttl"), Type::Integer},
                      {QStringLiteral("auto_pause"), Type::Bool},
                      {QStringLiteral("auto_rollout"), Type::Bool},
                      {QStringLiteral("session_max_age_seconds"), Type::Integer},
                      {QStringLiteral("rootfs_size_gb"), Type::Integer},
                      {QStringLiteral("workspace_size_gb"), Type::Integer},
                      {QStringLiteral("runner_user"), Type::String},
                      {QStringLiteral("network_policy_preset"), Type::String},
                      {QStringLiteral("network_policy"), Type::Map},
                      {QStringLiteral("auth"), Type::Map},
                      {QStringLiteral("tenant_gcp_project"), Type::String},
                      {QStringLiteral("tenant_gcp_zone"), Type::String},
                      {QStringLiteral("tenant_network"), Type::String},
                      {QStringLiteral("tenant_subnet"), Type::String},
                      {QStringLiteral("tenant_service_account"), Type::String}});
    }
};

QJsonObject failWith(Error *error, ErrorKind kind, const QString &message)
{
    if (error)
        *error = Error(kind, message);
    return {};
}

} // namespace

QJsonObject parseOnboard(const QString &textOrPath, const QString &nameArg, Error *error)
{
    Context ctx;
    QString stem;
    QByteArray text;
    bool looksLikePath = false;
    if (textOrPath.contains(QLatin1Char('\n'))) {
        ctx.source = QStringLiteral("<yaml text>");
        text = textOrPath.toUtf8();
    } else if (QFileInfo::exists(textOrPath)) {
        const QFileInfo info(textOrPath);
        ctx.source = textOrPath;
        if (info.isDir())
            return failWith(
                error, ErrorKind::Io,
                QStringLiteral("%1 is a directory, not an onboard.yaml file").arg(textOrPath));
        QFile file(textOrPath);
        if (!file.open(QIODevice::ReadOnly))
            return failWith(
                error, ErrorKind::Io,
                QStringLiteral("cannot read %1: %2").arg(textOrPath, file.errorString()));
        text = file.readAll();
        stem = info.completeBaseName();
    } else {
        ctx.source = QStringLiteral("<yaml text>");
        text = textOrPath.toUtf8();
        looksLikePath = true;
    }

    yaml11::Document parsed;
    yaml11::LoadError loadError;
    if (!yaml11::load(text, &parsed, &loadError)) {
        return failWith(
            error, ErrorKind::Value,
            QStringLiteral("%1:%2:%3: %4%5")
                .arg(ctx.source)
                .arg(loadError.at.line)
                .arg(loadError.at.column)
                .arg(loadError.syntax ? QStringLiteral("YAML syntax error: ") : QString(),
                     loadError.message));
    }
    ctx.marks = parsed.marks;
    ctx.floats = parsed.floats;
    const QJsonValue doc = parsed.root;
    if (!doc.isObject()) {
        if (looksLikePath && doc.isString())
            return failWith(error, ErrorKind::Io,
                            QStringLiteral("no such file: %1").arg(textOrPath));
        if (doc.isNull())
            return failWith(error, ErrorKind::Value,
                            QStringLiteral("%1: the document is empty; expected a mapping with a "
                                           "`workload` key")
                                .arg(ctx.source));
        return failWith(error, ErrorKind::Value,
                        QStringLiteral("%1: the document must be a mapping, not %2")
                            .arg(ctx.where(QString()), typeName(doc)));
    }

    QJsonObject top = doc.toObject();
    QJsonObject body;
    QString prefix;
    const QJsonValue workload = top.value(QStringLiteral("workload"));
    if (workload.isObject()) {
        body = workload.toObject();
        prefix = QStringLiteral("workload");
    } else if (top.contains(QStringLiteral("workload"))) {
        // The SDK would silently use the whole document here; a typo deserves an error instead.
        const QString path = QStringLiteral("workload");
        return failWith(error, ErrorKind::Value,
                        QStringLiteral("%1: workload must be a mapping, not %2")
                            .arg(ctx.where(path), typeName(workload)));
    } else {
        body = top;
    }
    for (const QString &key :
         {QStringLiteral("platform"), QStringLiteral("microvm"), QStringLiteral("hosts"),
          QStringLiteral("session"), QStringLiteral("credentials")})
        body.remove(key);

    SchemaChecker checker{ctx};
    if (!checker.checkBody(body, prefix)) {
        QString at = ctx.source;
        if (ctx.problemAt.line > 0)
            at += QStringLiteral(":%1:%2").arg(ctx.problemAt.line).arg(ctx.problemAt.column);
        return failWith(error, ErrorKind::Value, QStringLiteral("%1: %2").arg(at, ctx.problem));
    }

    QString name = body.value(QStringLiteral("display_name")).toString();
    if (name.isEmpty())
        name = body.value(QStringLiteral("name")).toString();
    if (name.isEmpty())
        name = nameArg;
    if (name.isEmpty())
        name = stem;
    if (name.isEmpty())
        return failWith(error, ErrorKind::Value,
                        QStringLiteral("%1: no workload name: set workload.display_name or pass "
                                       "a name")
                            .arg(ctx.source));
    QString why;
    if (!RunnerConfig::isValidConfigId(name, &why))
        return failWith(error, ErrorKind::Value, QStringLiteral("%1: %2").arg(ctx.source, why));
    body.remove(QStringLiteral("name"));
    body.insert(QStringLiteral("display_name"), name);
    return body;
}

// ---- writer --------------------------------------------------------------------------------

namespace {

bool isPlainSafe(const QString &s)
{
    static const QRegularExpression safe(QStringLiteral("^[A-Za-z_/][A-Za-z0-9_./-]*\\z"));
    return safe.match(s).hasMatch() && yaml11::resolvePlain(s) == yaml11::Kind::String;
}

QByteArray quoted(const QString &s)
{
    // JSON string escapes are a subset of YAML double-quoted escapes.
    static const char hex[] = "0123456789abcdef";
    QByteArray out = "\"";
    for (const char ch : s.toUtf8()) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += ch;
        }
    }
    out += '"';
    return out;
}

QByteArray scalarText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool() ? "true" : "false";
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (d == std::trunc(d) && std::fabs(d) < 9e15)
            return QByteArray::number(qint64(d));
        QByteArray t = QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
        if (!t.contains('.') && !t.contains('e'))
            t += ".0";
        return t;
    }
    case QJsonValue::String: {
        const QString s = v.toString();
        return isPlainSafe(s) ? s.toUtf8() : quoted(s);
    }
    default:
        return "null";
    }
}

QByteArray keyText(const QString &key)
{
    return isPlainSafe(key) ? key.toUtf8() : quoted(key);
}

bool isScalar(const QJsonValue &v)
{
    return !v.isArray() && !v.isObject();
}

bool allScalars(const QJsonArray &a)
{
    for (const QJsonValue &v : a) {
        if (!isScalar(v))
            return false;
    }
    return true;
}

QByteArray flowList(const QJsonArray &a)
{
    QByteArray out = "[";
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (i)
            out += ", ";
        const QJsonValue v = a.at(i);
        // Flow context forbids , [ ] { } in plain scalars; isPlainSafe() already excludes them.
        out += scalarText(v);
    }
    out += ']';
    return out;
}

void writeSequence(QByteArray &out, const QJsonArray &a, int indent);

void writeMapping(QByteArray &out, const QJsonObject &o, int indent, bool firstInline)
{
    const QByteArray pad(indent, ' ');
    bool first = true;
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!(first && firstInline))
            out += pad;
        first = false;
        out += keyText(it.key());
        out += ':';
        const QJsonValue v = it.value();
        if (isScalar(v)) {
            out += ' ' + scalarText(v) + '\n';
        } else if (v.isArray() && (v.toArray().isEmpty() || allScalars(v.toArray()))) {
            out += ' ' + flowList(v.toArray()) + '\n';
        } else if (v.isObject() && v.toObject().isEmpty()) {
            out += " {}\n";
        } else if (v.isArray()) {
            out += '\n';
            writeSequence(out, v.toArray(), indent + 2);
        } else {
            out += '\n';
            writeMapping(out, v.toObject(), indent + 2, false);
        }
    }
}

void writeSequence(QByteArray &out, const QJsonArray &a, int indent)
{
    const QByteArray pad(indent, ' ');
    for (const QJsonValue &v : a) {
        out += pad + "- ";
        if (isScalar(v)) {
            out += scalarText(v) + '\n';
        } else if (v.isArray() && (v.toArray().isEmpty() || allScalars(v.toArray()))) {
            out += flowList(v.toArray()) + '\n';
        } else if (v.isObject() && v.toObject().isEmpty()) {
            out += "{}\n";
        } else if (v.isArray()) {
            out.chop(1);
            out += '\n';
            writeSequence(out, v.toArray(), indent + 2);
        } else {
            writeMapping(out, v.toObject(), indent + 2, true);
        }
    }
}

} // namespace

QByteArray writeOnboard(const QJsonObject &body, const QJsonObject &sections)
{
    QByteArray out = "# Capsule workload definition (onboard.yaml); see docs/cli.md.\n";
    QJsonObject top = sections;
    top.insert(QStringLiteral("workload"), body);
    writeMapping(out, top, 0, false);
    return out;
}

QJsonObject onboardSections(const QByteArray &text)
{
    yaml11::Document parsed;
    yaml11::LoadError error;
    if (!yaml11::load(text, &parsed, &error) || !parsed.root.isObject())
        return {};
    QJsonObject top = parsed.root.toObject();
    if (!top.value(QStringLiteral("workload")).isObject())
        return {};
    top.remove(QStringLiteral("workload"));
    return top;
}

} // namespace capsule
