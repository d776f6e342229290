// Typed reading of JSON request bodies, as Go's encoding/json would decode them into a struct:
// every handler of capsule-local that takes a JSON body reads its fields through JsonFields, so
// a wrong type or an out-of-range number is refused with a message that names the field.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace capsule::local::api {

// Reads fields of one JSON object. Absent and null fields give the fallback (Go leaves the zero
// value). The first problem is kept (later reads are skipped and return fallbacks): check ok()
// once after reading everything, then answer 400 with error().
class JsonFields
{
public:
    enum class Problem {
        None,
        Type,  // wrong JSON type, or a fraction where an integer is expected
        Range, // a number outside [min, max], or a string that breaks a rule (e.g. user name)
    };

    // `prefix` is put before field names in messages, e.g. "config." -> "config.ttl".
    explicit JsonFields(const QJsonObject &object, const QString &prefix = QString());

    QString string(const QString &name, const QString &fallback = QString());
    qint64 integer(const QString &name, qint64 min, qint64 max, qint64 fallback = 0);
    bool boolean(const QString &name, bool fallback = false);
    QStringList stringList(const QString &name);
    QMap<QString, QString> stringMap(const QString &name);
    QJsonObject object(const QString &name);
    // A POSIX user name (isPosixUserName); absent, null or "" give the fallback.
    QString userName(const QString &name, const QString &fallback);

    bool ok() const { return m_problem == Problem::None; }
    Problem problem() const { return m_problem; }
    QString field() const { return m_field; } // with prefix, e.g. "config.ttl"
    // "<field> must be an integer, got 1.5" / "<field> must be >= 0, got -1" / ...
    QString error() const { return m_error; }

private:
    bool skip(const QString &name, QJsonValue *value) const;
    void fail(Problem problem, const QString &name, const QString &message);

    QJsonObject m_object;
    QString m_prefix;
    Problem m_problem = Problem::None;
    QString m_field;
    QString m_error;
};

// A request body that must be one JSON object (runner and fleet routes): false + the 400 text
// "invalid request body: <why>": "body too large" beyond `maxBytes` (< 0: no limit of its own),
// the parse error, or "expected a JSON object".
bool readJsonObject(const QByteArray &body, qsizetype maxBytes, QJsonObject *out, QString *error);

// [a-z_][a-z0-9_-]{0,31}: the portable user names of POSIX/useradd (no trailing '$': machine
// accounts are not runner users). Anything else could inject lines into /etc/passwd or paths.
bool isPosixUserName(const QString &name);
// A short rendering of a JSON value for messages: 1.5, "5" (at most 40 characters), true, an
// object, an array.
QString describe(const QJsonValue &value);

} // namespace capsule::local::api
