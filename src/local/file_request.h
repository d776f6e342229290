// The JSON fields of the file ops (contract 3.3), checked as the contract's types say: a wrong
// type, a negative or fractional number, or a value out of range is a 400 naming the field.
// Absent and null mean "not given".
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <sys/types.h>

namespace capsule::local {

struct FileError
{
    int status = 0;
    QString message;
};

bool boolField(const QJsonObject &body, const char *key, bool *out, FileError *e);
bool stringField(const QJsonObject &body, const char *key, QString *out, FileError *e);
// A non-negative integer no larger than `max` (absent/null: 0).
bool intField(const QJsonObject &body, const char *key, qint64 max, qint64 *out, FileError *e);
// "path" must be a string when given (emptiness is the path rule's business).
bool pathField(const QJsonObject &body, QString *out, FileError *e);
// JSON perm: an integer 0..07777 (420 = 0644); absent, null or 0 = `fallback`.
bool permField(const QJsonObject &body, mode_t fallback, mode_t *out, FileError *e);
// Strict standard base64 (alphabet, padding; CR/LF ignored, as Go's decoder does).
bool decodeBase64(const QString &text, QByteArray *out);

} // namespace capsule::local
