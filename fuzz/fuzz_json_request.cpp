// The server's JSON request handling (src/local/api/jsonfields + src/local/file_request): any
// bytes as a request body, every field read with every typed reader the handlers use. Checks: a
// value read is inside the range asked for, a refusal names its field and says why, base64
// decodes to the size its text implies, a user name accepted is a POSIX one.
#include "fuzzcheck.h"
#include "local/api/jsonfields.h"
#include "local/file_request.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <limits>

using capsule::local::FileError;
namespace api = capsule::local::api;

namespace {

bool posixByHand(const QString &s)
{
    if (s.isEmpty() || s.size() > 32)
        return false;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char16_t c = s.at(i).unicode();
        const bool lower = (c >= 'a' && c <= 'z') || c == '_';
        if (!(lower || (i > 0 && ((c >= '0' && c <= '9') || c == '-'))))
            return false;
    }
    return true;
}

void readField(const QJsonObject &o, const QString &key, uint selector)
{
    static const qint64 bounds[][2] = {{0, 0},
                                       {0, 65535},
                                       {-1, 1},
                                       {1, 86400},
                                       {0, std::numeric_limits<qint64>::max()},
                                       {std::numeric_limits<qint64>::min(), 0}};
    api::JsonFields f(o, QStringLiteral("config."));
    switch (selector % 7) {
    case 0:
        (void)f.string(key);
        break;
    case 1: {
        const auto &b = bounds[(selector / 7) % 6];
        const qint64 n = f.integer(key, b[0], b[1], b[0]);
        FUZZ_CHECK(n >= b[0] && n <= b[1], "integer outside its range");
        break;
    }
    case 2:
        (void)f.boolean(key);
        break;
    case 3:
        (void)f.stringList(key);
        break;
    case 4:
        (void)f.stringMap(key);
        break;
    case 5:
        (void)f.object(key);
        break;
    default: {
        const QString user = f.userName(key, QStringLiteral("runner"));
        FUZZ_CHECK(user == QStringLiteral("runner") || posixByHand(user), "user name accepted");
        break;
    }
    }
    if (!f.ok()) {
        FUZZ_CHECK(f.field().startsWith(QStringLiteral("config.") + key), "field named");
        FUZZ_CHECK(f.error().startsWith(f.field() + QLatin1Char(' ')), "message names the field");
    }
    const QString d = api::describe(o.value(key));
    FUZZ_CHECK(d.size() <= 256, "describe() is bounded");
}

void fileFields(const QJsonObject &o)
{
    FileError e;
    bool b = false;
    QString s;
    qint64 n = 0;
    mode_t perm = 0;
    if (!capsule::local::boolField(o, "recursive", &b, &e))
        FUZZ_CHECK(e.status >= 400 && e.message.contains(QLatin1String("recursive")), "bool");
    if (!capsule::local::pathField(o, &s, &e))
        FUZZ_CHECK(e.status >= 400 && e.message.contains(QLatin1String("path")), "path");
    for (const qint64 max : {qint64(1) << 30, std::numeric_limits<qint64>::max()}) {
        if (capsule::local::intField(o, "offset", max, &n, &e))
            FUZZ_CHECK(n >= 0 && n <= max, "intField outside its range");
        else
            FUZZ_CHECK(e.status >= 400 && e.message.contains(QLatin1String("offset")), "int");
    }
    if (capsule::local::permField(o, 0644, &perm, &e))
        FUZZ_CHECK(perm <= 07777, "perm outside 0..07777");
    if (capsule::local::stringField(o, "content", &s, &e)) {
        QByteArray out;
        if (capsule::local::decodeBase64(s, &out)) {
            QString t = s;
            t.remove(QLatin1Char('\r')).remove(QLatin1Char('\n'));
            const qsizetype pad = t.endsWith(QLatin1String("==")) ? 2 : t.endsWith('=') ? 1 : 0;
            FUZZ_CHECK(out.size() == t.size() / 4 * 3 - pad, "base64 size");
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    if (!doc.isObject())
        return 0;
    const QJsonObject o = doc.object();
    fileFields(o);
    uint selector = uint(size);
    int fields = 0;
    for (auto it = o.begin(); it != o.end() && fields < 32; ++it, ++fields) {
        readField(o, it.key(), selector);
        selector = selector * 31 + uint(it.key().size()) + 7;
        if (it.value().isString()) {
            QByteArray out;
            (void)capsule::local::decodeBase64(it.value().toString(), &out);
            FUZZ_CHECK(api::isPosixUserName(it.value().toString()) ==
                           posixByHand(it.value().toString()),
                       "isPosixUserName");
        }
        if (it.value().isObject())
            fileFields(it.value().toObject());
    }
    return 0;
}
