// Checks of the file ops' JSON fields (see file_request.h).
#include "local/file_request.h"

#include <QJsonValue>

#include <cmath>

namespace capsule::local {

static bool badField(FileError *e, const char *key, const QString &why)
{
    *e = {400, QStringLiteral("invalid %1: %2").arg(QLatin1String(key), why)};
    return false;
}

bool boolField(const QJsonObject &body, const char *key, bool *out, FileError *e)
{
    const QJsonValue v = body.value(QLatin1String(key));
    *out = false;
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isBool())
        return badField(e, key, QStringLiteral("must be true or false"));
    *out = v.toBool();
    return true;
}

bool stringField(const QJsonObject &body, const char *key, QString *out, FileError *e)
{
    const QJsonValue v = body.value(QLatin1String(key));
    out->clear();
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString())
        return badField(e, key, QStringLiteral("must be a string"));
    *out = v.toString();
    return true;
}

// A non-negative integer no larger than `max` (absent/null: 0).
bool intField(const QJsonObject &body, const char *key, qint64 max, qint64 *out, FileError *e)
{
    const QJsonValue v = body.value(QLatin1String(key));
    *out = 0;
    if (v.isUndefined() || v.isNull())
        return true;
    const double d = v.toDouble(-1);
    if (!v.isDouble() || !std::isfinite(d) || d < 0 || std::floor(d) != d)
        return badField(e, key, QStringLiteral("must be a non-negative integer"));
    // double(max) rounds INT64_MAX up to 2^63, which qint64 cannot hold (UBSan, fuzz_json_request).
    if (d > double(max) || d >= 9223372036854775808.0)
        return badField(e, key,
                        QStringLiteral("%1 is out of range (at most %2)")
                            .arg(QString::number(d, 'f', 0))
                            .arg(max));
    *out = v.toInteger(qint64(d));
    return true;
}

bool pathField(const QJsonObject &body, QString *out, FileError *e)
{
    const QJsonValue v = body.value(QStringLiteral("path"));
    if (!v.isUndefined() && !v.isNull() && !v.isString())
        return badField(e, "path", QStringLiteral("must be a string"));
    *out = v.toString();
    return true;
}

// JSON perm: an integer 0..07777 (420 = 0644); absent, null or 0 = `fallback`.
bool permField(const QJsonObject &body, mode_t fallback, mode_t *out, FileError *e)
{
    const QJsonValue v = body.value(QStringLiteral("perm"));
    *out = fallback;
    if (v.isUndefined() || v.isNull())
        return true;
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d < 0 || d > 07777 || std::floor(d) != d)
        return badField(e, "perm", QStringLiteral("must be an integer from 0 to 4095 (0o7777)"));
    if (d > 0)
        *out = mode_t(d);
    return true;
}

// Strict standard base64 (padding required; CR/LF ignored, as Go's decoder does).
bool decodeBase64(const QString &text, QByteArray *out)
{
    QByteArray in;
    in.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char('\r') || c == QLatin1Char('\n'))
            continue;
        if (c.unicode() > 0x7f)
            return false;
        in += char(c.unicode());
    }
    if (in.size() % 4 != 0)
        return false;
    const qsizetype pad = in.endsWith("==") ? 2 : in.endsWith('=') ? 1 : 0;
    for (qsizetype i = 0; i < in.size() - pad; ++i) {
        const char c = in.at(i);
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
    }
    auto decoded = QByteArray::fromBase64Encoding(in, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return false;
    *out = *decoded;
    return true;
}

} // namespace capsule::local
