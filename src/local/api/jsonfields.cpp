// Typed reading of JSON request bodies with messages that name the field (see jsonfields.h).
#include "local/api/jsonfields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

namespace capsule::local::api {

JsonFields::JsonFields(const QJsonObject &object, const QString &prefix)
    : m_object(object)
    , m_prefix(prefix)
{}

bool JsonFields::skip(const QString &name, QJsonValue *value) const
{
    if (m_problem != Problem::None)
        return true;
    *value = m_object.value(name);
    return value->isUndefined() || value->isNull();
}

void JsonFields::fail(Problem problem, const QString &name, const QString &message)
{
    m_problem = problem;
    m_field = m_prefix + name;
    m_error = m_field + QLatin1Char(' ') + message;
}

QString JsonFields::string(const QString &name, const QString &fallback)
{
    QJsonValue v;
    if (skip(name, &v))
        return fallback;
    if (!v.isString()) {
        fail(Problem::Type, name, QStringLiteral("must be a string, got %1").arg(describe(v)));
        return fallback;
    }
    return v.toString();
}

qint64 JsonFields::integer(const QString &name, qint64 min, qint64 max, qint64 fallback)
{
    QJsonValue v;
    if (skip(name, &v))
        return fallback;
    const double d = v.toDouble();
    // 2^63 as a double: anything at or beyond it does not fit a Go int either.
    if (!v.isDouble() || !std::isfinite(d) || d != std::trunc(d) || std::fabs(d) >= 9.2e18) {
        fail(Problem::Type, name, QStringLiteral("must be an integer, got %1").arg(describe(v)));
        return fallback;
    }
    const qint64 n = qint64(d);
    if (n < min || n > max) {
        const QString rule =
            n < min ? QStringLiteral(">= %1").arg(min) : QStringLiteral("<= %1").arg(max);
        fail(Problem::Range, name, QStringLiteral("must be %1, got %2").arg(rule).arg(n));
        return fallback;
    }
    return n;
}

bool JsonFields::boolean(const QString &name, bool fallback)
{
    QJsonValue v;
    if (skip(name, &v))
        return fallback;
    if (!v.isBool()) {
        fail(Problem::Type, name, QStringLiteral("must be true or false, got %1").arg(describe(v)));
        return fallback;
    }
    return v.toBool();
}

QStringList JsonFields::stringList(const QString &name)
{
    QJsonValue v;
    if (skip(name, &v))
        return {};
    QStringList out;
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        out.reserve(a.size());
        for (const QJsonValue &item : a) {
            if (!item.isString())
                break;
            out << item.toString();
        }
        if (out.size() == a.size())
            return out;
    }
    fail(Problem::Type, name,
         QStringLiteral("must be an array of strings, got %1").arg(describe(v)));
    return {};
}

QMap<QString, QString> JsonFields::stringMap(const QString &name)
{
    QJsonValue v;
    if (skip(name, &v))
        return {};
    QMap<QString, QString> out;
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!it.value().isString()) {
                fail(Problem::Type, name + QLatin1Char('.') + it.key(),
                     QStringLiteral("must be a string, got %1").arg(describe(it.value())));
                return {};
            }
            out.insert(it.key(), it.value().toString());
        }
        return out;
    }
    fail(Problem::Type, name,
         QStringLiteral("must be an object of strings, got %1").arg(describe(v)));
    return {};
}

QJsonObject JsonFields::object(const QString &name)
{
    QJsonValue v;
    if (skip(name, &v))
        return {};
    if (!v.isObject()) {
        fail(Problem::Type, name, QStringLiteral("must be an object, got %1").arg(describe(v)));
        return {};
    }
    return v.toObject();
}

QString JsonFields::userName(const QString &name, const QString &fallback)
{
    const QString user = string(name);
    if (!ok() || user.isEmpty())
        return fallback;
    if (!isPosixUserName(user)) {
        fail(Problem::Range, name,
             QStringLiteral("must be a POSIX user name ([a-z_][a-z0-9_-]{0,31}), got %1")
                 .arg(describe(user)));
        return fallback;
    }
    return user;
}

bool isPosixUserName(const QString &name)
{
    // anchoredPattern (\A...\z): "$" would also match before a final "\n" (fuzz_json_request).
    static const QRegularExpression re(
        QRegularExpression::anchoredPattern(QStringLiteral("[a-z_][a-z0-9_-]{0,31}")));
    return re.match(name).hasMatch();
}

QString describe(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::String: {
        QString text = value.toString();
        if (text.size() > 40)
            text = text.left(37) + QStringLiteral("...");
        // JSON quoting shows control characters (a newline in a user name) visibly.
        const QByteArray quoted = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
        return QString::fromUtf8(quoted.mid(1, quoted.size() - 2));
    }
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

bool readJsonObject(const QByteArray &body, qsizetype maxBytes, QJsonObject *out, QString *error)
{
    if (maxBytes >= 0 && body.size() > maxBytes) {
        *error = QStringLiteral("invalid request body: body too large");
        return false;
    }
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("invalid request body: %1")
                     .arg(err.error != QJsonParseError::NoError
                              ? err.errorString()
                              : QStringLiteral("expected a JSON object"));
        return false;
    }
    *out = doc.object();
    return true;
}

} // namespace capsule::local::api
