// File operations on a runner (contract 3.3): the real fields the host sends, and request bodies.
#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <optional>

namespace capsule {

// One entry of stat/list. The host sends Go's FileMode.String() in `mode` ("-rw-r--r--",
// "drwxr-xr-x") and `mod_time` as RFC 3339 UTC seconds; stat adds `exists` (false for a missing
// path, which is not an error). `name` is absent from list entries of older hosts: we derive it.
struct FileInfo
{
    QString name;
    QString path;
    qint64 size = 0;
    QString mode;
    QDateTime modTime;
    bool isDir = false;
    bool exists = true;

    bool isSymlink() const { return mode.startsWith(QLatin1Char('L')); }
    static FileInfo fromJson(const QJsonObject &o);
};

struct ReadResult
{
    QString path;       // resolved path
    qint64 size = 0;    // whole file size, whatever offset/limit were
    QByteArray content; // decoded bytes (base64 reads) or the UTF-8 text as sent
    bool base64 = false;

    static ReadResult fromJson(const QJsonObject &o);
};

struct WriteResult
{
    QString path;
    qint64 bytesWritten = 0;

    static WriteResult fromJson(const QJsonObject &o);
};

struct ListResult
{
    QString path;
    QList<FileInfo> entries; // recursive lists include the root itself first

    static ListResult fromJson(const QJsonObject &o);
};

enum class WriteMode { Overwrite, Append };

// Request shapes, exactly as the SDK sends them (contract 9.16). Public so tests pin them.
namespace files {
QString modeName(WriteMode mode); // "overwrite" | "append"
QJsonObject readBody(const QString &path, qint64 offset = 0, std::optional<qint64> limit = {},
                     bool base64 = false);
QJsonObject writeBody(const QString &path, const QByteArray &content, WriteMode mode,
                      bool base64 = false);
QJsonObject listBody(const QString &path, bool recursive = false);
QJsonObject statBody(const QString &path);
QJsonObject removeBody(const QString &path, bool recursive = false);
QJsonObject mkdirBody(const QString &path);
// Upload query: path, mode (default "overwrite"), perm as octal text only when given. Queries are
// returned already encoded ('+' -> %2B) because QUrlQuery leaves '+' alone, which a Go server
// reads as a space. Spaces become %20 here (both Go and Qt servers decode it), '+' for the PTY URL
// where the SDK's form encoding is pinned (9.10).
QString uploadQuery(const QString &path, WriteMode mode = WriteMode::Overwrite,
                    std::optional<int> perm = {});
QString downloadQuery(const QString &path);
QString formEncode(const QList<QPair<QString, QString>> &items, bool spaceAsPlus = false);
// "0755" for 0755; empty for an out-of-range value.
QString permText(int perm);
bool isAbsolute(const QString &path);
} // namespace files

} // namespace capsule

Q_DECLARE_METATYPE(capsule::FileInfo)
