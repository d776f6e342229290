// File operations on a runner: JSON field mapping and the SDK's request shapes.
#include "core/files.h"

#include <QJsonArray>
#include <QUrl>

namespace capsule {

FileInfo FileInfo::fromJson(const QJsonObject &o)
{
    FileInfo f;
    f.path = o.value(QStringLiteral("path")).toString();
    f.name = o.value(QStringLiteral("name")).toString();
    if (f.name.isEmpty()) {
        const qsizetype slash = f.path.lastIndexOf(QLatin1Char('/'));
        f.name = slash >= 0 ? f.path.mid(slash + 1) : f.path;
    }
    f.size = o.value(QStringLiteral("size")).toInteger();
    f.mode = o.value(QStringLiteral("mode")).toString();
    f.modTime = QDateTime::fromString(o.value(QStringLiteral("mod_time")).toString(), Qt::ISODate);
    f.isDir = o.value(QStringLiteral("is_dir")).toBool();
    f.exists = o.value(QStringLiteral("exists")).toBool(true);
    return f;
}

ReadResult ReadResult::fromJson(const QJsonObject &o)
{
    ReadResult r;
    r.path = o.value(QStringLiteral("path")).toString();
    r.size = o.value(QStringLiteral("size")).toInteger();
    r.base64 = o.value(QStringLiteral("base64")).toBool();
    const QString content = o.value(QStringLiteral("content")).toString();
    r.content = r.base64 ? QByteArray::fromBase64(content.toLatin1()) : content.toUtf8();
    return r;
}

WriteResult WriteResult::fromJson(const QJsonObject &o)
{
    WriteResult w;
    w.path = o.value(QStringLiteral("path")).toString();
    w.bytesWritten = o.value(QStringLiteral("bytes_written")).toInteger();
    return w;
}

ListResult ListResult::fromJson(const QJsonObject &o)
{
    ListResult l;
    l.path = o.value(QStringLiteral("path")).toString();
    for (const QJsonValue &v : o.value(QStringLiteral("entries")).toArray())
        l.entries << FileInfo::fromJson(v.toObject());
    return l;
}

namespace files {

QString modeName(WriteMode mode)
{
    return mode == WriteMode::Append ? QStringLiteral("append") : QStringLiteral("overwrite");
}

QJsonObject readBody(const QString &path, qint64 offset, std::optional<qint64> limit, bool base64)
{
    QJsonObject o{{QStringLiteral("path"), path}, {QStringLiteral("offset"), offset}};
    if (limit)
        o.insert(QStringLiteral("limit"), *limit);
    if (base64)
        o.insert(QStringLiteral("base64"), true);
    return o;
}

QJsonObject writeBody(const QString &path, const QByteArray &content, WriteMode mode, bool base64)
{
    QJsonObject o{{QStringLiteral("path"), path}, {QStringLiteral("mode"), modeName(mode)}};
    if (base64) {
        o.insert(QStringLiteral("content"), QString::fromLatin1(content.toBase64()));
        o.insert(QStringLiteral("base64"), true);
    } else {
        o.insert(QStringLiteral("content"), QString::fromUtf8(content));
    }
    return o;
}

QJsonObject listBody(const QString &path, bool recursive)
{
    return {{QStringLiteral("path"), path}, {QStringLiteral("recursive"), recursive}};
}

QJsonObject statBody(const QString &path)
{
    return {{QStringLiteral("path"), path}};
}

QJsonObject removeBody(const QString &path, bool recursive)
{
    return {{QStringLiteral("path"), path}, {QStringLiteral("recursive"), recursive}};
}

QJsonObject mkdirBody(const QString &path)
{
    return {{QStringLiteral("path"), path}};
}

QString permText(int perm)
{
    if (perm < 0 || perm > 07777)
        return {};
    return QStringLiteral("%1").arg(perm, 4, 8, QLatin1Char('0'));
}

QString formEncode(const QList<QPair<QString, QString>> &items, bool spaceAsPlus)
{
    auto encode = [spaceAsPlus](const QString &text) {
        QByteArray e = QUrl::toPercentEncoding(text, "/");
        if (spaceAsPlus)
            e.replace("%20", "+"); // every '%' starts a triple, so this only hits spaces
        return QString::fromLatin1(e);
    };
    QString out;
    for (const auto &[key, value] : items) {
        if (!out.isEmpty())
            out += QLatin1Char('&');
        out += encode(key) + QLatin1Char('=') + encode(value);
    }
    return out;
}

QString uploadQuery(const QString &path, WriteMode mode, std::optional<int> perm)
{
    QList<QPair<QString, QString>> items{{QStringLiteral("path"), path},
                                         {QStringLiteral("mode"), modeName(mode)}};
    if (perm && !permText(*perm).isEmpty())
        items.append({QStringLiteral("perm"), permText(*perm)});
    return formEncode(items);
}

QString downloadQuery(const QString &path)
{
    return formEncode({{QStringLiteral("path"), path}});
}

bool isAbsolute(const QString &path)
{
    return path.startsWith(QLatin1Char('/'));
}

} // namespace files

} // namespace capsule
