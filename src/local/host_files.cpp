// File routes (contract 3.3): path rule, JSON ops, upload, download. Paths are resolved and
// opened without a window (rootfs.h): a runner that swaps folders for symlinks meanwhile cannot
// make any op touch anything outside its own allowed roots.
#include "local/file_request.h"
#include "local/host_http.h"
#include "local/rootfs.h"
#include "local/runneraccess.h"
#include "local/sandbox.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QStringDecoder>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace capsule::local {

namespace {

// A JSON read answers at most this much; larger files go through download.
constexpr qint64 kMaxJsonRead = 64 * 1024 * 1024;
// Recursive list and remove: nesting and entries per request (iterative walks, no recursion).
constexpr TreeLimits kListLimits{256, 200000};
constexpr TreeLimits kRemoveLimits{1024, 200000};
// Tries of write/upload when the name appears between resolution and O_EXCL creation.
constexpr int kCreateTries = 4;

// Go's FileMode.String(): type letters, then rwxrwxrwx.
QString goMode(mode_t m)
{
    QString s;
    if (S_ISDIR(m))
        s += QLatin1Char('d');
    if (S_ISLNK(m))
        s += QLatin1Char('L');
    if (S_ISBLK(m))
        s += QStringLiteral("D");
    if (S_ISFIFO(m))
        s += QLatin1Char('p');
    if (S_ISSOCK(m))
        s += QLatin1Char('S');
    if (m & S_ISUID)
        s += QLatin1Char('u');
    if (m & S_ISGID)
        s += QLatin1Char('g');
    if (S_ISCHR(m))
        s += QStringLiteral("Dc");
    if (m & S_ISVTX)
        s += QLatin1Char('t');
    if (s.isEmpty())
        s = QStringLiteral("-");
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        s += (m & (1 << (8 - i))) ? QLatin1Char(rwx[i]) : QLatin1Char('-');
    return s;
}

QString modTime(const struct stat &st)
{
    struct tm tm;
    const time_t secs = st.st_mtim.tv_sec;
    ::gmtime_r(&secs, &tm);
    char buf[32];
    const size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return QString::fromLatin1(buf, qsizetype(n));
}

// JSON string literal for `s` (what QJsonDocument would write), appended to `out`.
void appendJsonString(QByteArray &out, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    out += '"';
    for (const char c : utf8) {
        const uchar u = uchar(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", u);
            out += esc;
        } else {
            out += c;
        }
    }
    out += '"';
}

// One listing entry, serialised by hand: a 10 000-entry listing must stay well under 100 ms.
void appendEntry(QByteArray &out, const QString &name, const QString &path, const struct stat &st)
{
    out += "{\"is_dir\":";
    out += S_ISDIR(st.st_mode) ? "true" : "false";
    out += ",\"mod_time\":\"";
    out += modTime(st).toLatin1();
    out += "\",\"mode\":\"";
    out += goMode(st.st_mode).toLatin1();
    out += "\",\"name\":";
    appendJsonString(out, name);
    out += ",\"path\":";
    appendJsonString(out, path);
    out += ",\"size\":";
    out += QByteArray::number(qint64(st.st_size));
    out += '}';
}

QJsonObject entryJson(const QString &name, const QString &path, const struct stat &st)
{
    return QJsonObject{{QStringLiteral("name"), name},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("size"), qint64(st.st_size)},
                       {QStringLiteral("mode"), goMode(st.st_mode)},
                       {QStringLiteral("mod_time"), modTime(st)},
                       {QStringLiteral("is_dir"), S_ISDIR(st.st_mode)}};
}

QString errnoText(int err)
{
    return QString::fromLocal8Bit(std::strerror(err)).toLower();
}

bool isUnder(const QString &path, const QString &root)
{
    return path == root || path.startsWith(root + QLatin1Char('/'));
}

QString joinPath(const QString &dir, const QString &name)
{
    return dir == QLatin1String("/") ? QLatin1Char('/') + name : dir + QLatin1Char('/') + name;
}

void sendError(const HostRequest &req, const FileError &e, bool json)
{
    if (json)
        sendJson(req, e.status, QJsonObject{{QStringLiteral("error"), e.message}});
    else
        sendText(req, e.status, e.message);
}

bool writeAll(int fd, const char *data, qint64 size)
{
    // Pieces of 256 KiB: one write(2) of a whole 32 MiB chunk copies cold memory into the page
    // cache and measured 14x slower on the 2-core VM (2.8 s/GiB against 0.2 s/GiB).
    constexpr qint64 kPiece = 256 * 1024;
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size_t(std::min(size, kPiece)));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        size -= n;
    }
    return true;
}

// The path rule: a non-empty absolute path without NUL, cleaned, resolved inside the runner's
// root (rootfs.h), the resolved path under an allowed root.
bool confine(const HostRunner &runner, const QString &raw, Resolved *res, FileError *error)
{
    if (raw.isEmpty()) {
        *error = {400, QStringLiteral("path is required")};
        return false;
    }
    if (raw.contains(QChar(0))) {
        *error = {400, QStringLiteral("invalid path: contains a NUL byte")};
        return false;
    }
    if (!raw.startsWith(QLatin1Char('/'))) {
        *error = {400, QStringLiteral("path must be absolute")};
        return false;
    }
    RunnerRoot root;
    QString message;
    if (!root.open(*runner.sandbox, &message)) {
        *error = {500, message};
        return false;
    }
    root.resolve(QDir::cleanPath(raw), res);
    const QString user = runner.runnerUser.isEmpty() ? QStringLiteral("runner") : runner.runnerUser;
    const QStringList roots{QStringLiteral("/workspace"), QStringLiteral("/tmp"),
                            QStringLiteral("/var/tmp"), QStringLiteral("/home/runner"),
                            QStringLiteral("/home/") + user};
    if (std::none_of(roots.cbegin(), roots.cend(),
                     [&](const QString &r) { return isUnder(res->path, r); })) {
        *error = {403, QStringLiteral("path outside allowed roots")};
        return false;
    }
    return true;
}

// Opens `raw` for writing: an existing regular file (truncated unless `append`), or a new one
// created with O_EXCL in its resolved folder (folders above it too when `parents`). A name that
// appears between resolution and creation is resolved again, a few times.
Fd openForWrite(const HostRunner &runner, const QString &raw, bool append, mode_t perm,
                bool parents, QString *resolved, FileError *e)
{
    for (int attempt = 0; attempt < kCreateTries; ++attempt) {
        Resolved res;
        if (!confine(runner, raw, &res, e))
            return Fd();
        *resolved = res.path;
        if (res.exists()) {
            struct stat st;
            if (::fstat(res.node.get(), &st) != 0 || S_ISDIR(st.st_mode)) {
                *e = {500, QStringLiteral("open %1: %2").arg(res.path, errnoText(EISDIR))};
                return Fd();
            }
            if (!S_ISREG(st.st_mode)) {
                *e = {400, QStringLiteral("not a regular file: %1").arg(res.path)};
                return Fd();
            }
            Fd fd(reopenFile(res.node.get(), O_WRONLY | (append ? O_APPEND : O_TRUNC)));
            if (!fd.valid())
                *e = {500, QStringLiteral("open %1: %2").arg(res.path, errnoText(errno))};
            return fd;
        }
        if (!res.creatable() || (res.missing.size() > 1 && !parents)) {
            const int err = res.missing.size() > 1 && res.error == ENOENT ? ENOENT : res.error;
            *e = {500, QStringLiteral("open %1: %2").arg(res.path, errnoText(err))};
            return Fd();
        }
        Fd dir = std::move(res.dir);
        if (res.missing.size() > 1) {
            dir = makeDirs(dir.get(), res.missing.mid(0, res.missing.size() - 1), 0755);
            if (!dir.valid()) {
                *e = {500, QStringLiteral("mkdir %1: %2")
                               .arg(QFileInfo(res.path).path(), errnoText(errno))};
                return Fd();
            }
        }
        Fd fd(::openat(dir.get(), res.missing.last().constData(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm));
        if (fd.valid())
            return fd;
        if (errno != EEXIST) {
            *e = {500, QStringLiteral("open %1: %2").arg(res.path, errnoText(errno))};
            return Fd();
        }
    }
    *e = {500, QStringLiteral("open %1: the name kept changing while it was created").arg(raw)};
    return Fd();
}

// Streams a file (or a range of it) to the client as the socket drains: never more than a few
// MiB in memory, whatever the size of the file.
class DownloadStream : public QObject
{
public:
    DownloadStream(const HostRequest &req, int fd, qint64 offset, qint64 length, QObject *parent)
        : QObject(parent)
        , m_req(req)
        , m_fd(fd)
        , m_offset(offset)
        , m_left(length)
    {
        connect(req.socket, &QTcpSocket::bytesWritten, this, &DownloadStream::pump);
        connect(req.socket, &QAbstractSocket::disconnected, this, [this] { deleteLater(); });
        pump();
    }
    ~DownloadStream() override { ::close(m_fd); }

private:
    void pump()
    {
        if (!m_req.socket) {
            deleteLater();
            return;
        }
        static constexpr qint64 kHighWater = 4 * 1024 * 1024;
        static constexpr qint64 kPiece = 1024 * 1024;
        while (m_left > 0 && m_req.socket->bytesToWrite() < kHighWater) {
            QByteArray buf(int(qMin(kPiece, m_left)), Qt::Uninitialized);
            const ssize_t n = ::pread(m_fd, buf.data(), size_t(buf.size()), m_offset);
            if (n <= 0) { // the file shrank underneath us: end the response early
                m_req.socket->disconnectFromHost();
                m_left = 0;
                break;
            }
            buf.truncate(int(n));
            m_req.responder->writeBody(buf);
            m_offset += n;
            m_left -= n;
        }
        if (m_left == 0)
            deleteLater();
    }

    HostRequest m_req;
    int m_fd;
    qint64 m_offset;
    qint64 m_left;
};

// Parses a single "bytes=" range against `size`. False = unsatisfiable (416).
bool parseRange(const QByteArray &header, qint64 size, qint64 *from, qint64 *to)
{
    if (!header.startsWith("bytes="))
        return false;
    const QByteArray spec = header.mid(6).split(',').first().trimmed();
    const int dash = spec.indexOf('-');
    if (dash < 0)
        return false;
    bool ok1 = true, ok2 = true;
    const QByteArray a = spec.left(dash).trimmed(), b = spec.mid(dash + 1).trimmed();
    if (a.isEmpty()) { // suffix: the last b bytes
        const qint64 n = b.toLongLong(&ok2);
        if (!ok2 || n <= 0 || size == 0)
            return false;
        *from = qMax<qint64>(0, size - n);
        *to = size - 1;
        return true;
    }
    *from = a.toLongLong(&ok1);
    *to = b.isEmpty() ? size - 1 : qMin(b.toLongLong(&ok2), size - 1);
    return ok1 && ok2 && *from >= 0 && *from < size && *to >= *from;
}

// The `path` query parameter of upload/download. Escapes that do not decode to UTF-8 (`%ff`)
// are refused: decoded they became U+FFFD, so an upload wrote a file of another name.
bool queryPath(const HostRequest &req, QString *path, FileError *e)
{
    const QByteArray raw = QByteArray::fromPercentEncoding(
        req.query.queryItemValue(QStringLiteral("path"), QUrl::FullyEncoded).toLatin1());
    QStringDecoder utf8(QStringDecoder::Utf8);
    *path = utf8(raw);
    if (!utf8.hasError())
        return true;
    *e = {400, QStringLiteral("invalid path: the path query parameter is not valid UTF-8")};
    return false;
}

QObject *download(const HostRequest &req, const HostRunner &runner)
{
    Resolved res;
    FileError e;
    QString path;
    if (!queryPath(req, &path, &e) || !confine(runner, path, &res, &e)) {
        sendError(req, e, false);
        return nullptr;
    }
    struct stat st;
    if (!res.exists() || ::fstat(res.node.get(), &st) != 0) {
        sendText(req, 404, QStringLiteral("404 page not found"));
        return nullptr;
    }
    if (S_ISDIR(st.st_mode)) {
        sendText(req, 400, QStringLiteral("path is a directory: %1").arg(res.path));
        return nullptr;
    }
    if (!S_ISREG(st.st_mode)) {
        sendText(req, 400, QStringLiteral("not a regular file: %1").arg(res.path));
        return nullptr;
    }
    const int fd = reopenFile(res.node.get(), O_RDONLY);
    if (fd < 0) {
        sendText(req, 500, errnoText(errno));
        return nullptr;
    }
    const qint64 size = st.st_size;
    qint64 from = 0, to = size - 1;
    int status = 200;
    HeaderPairs headers{
        {"Content-Type", "application/octet-stream"},
        {"Accept-Ranges", "bytes"},
        {"Last-Modified", QDateTime::fromSecsSinceEpoch(st.st_mtim.tv_sec, Qt::UTC)
                              .toString(QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
                              .toLatin1()}};
    const QByteArray range = req.headers.value("range");
    if (!range.isEmpty()) {
        if (!parseRange(range, size, &from, &to)) {
            ::close(fd);
            sendText(req, 416, QStringLiteral("invalid range: failed to overlap"),
                     {{"Content-Range", "bytes */" + QByteArray::number(size)}});
            return nullptr;
        }
        status = 206;
        headers.append({"Content-Range", "bytes " + QByteArray::number(from) + '-' +
                                             QByteArray::number(to) + '/' +
                                             QByteArray::number(size)});
    }
    const qint64 length = size == 0 ? 0 : to - from + 1;
    headers.append({"Content-Length", QByteArray::number(length)});
    beginStream(req, status, headers);
    req.responder->writeBody(QByteArray()); // ends the header block even for an empty body
    if (length == 0) {
        ::close(fd);
        return nullptr;
    }
    return new DownloadStream(req, fd, from, length, nullptr);
}

void upload(const HostRequest &req, const HostRunner &runner)
{
    bool permOk = false;
    mode_t perm = mode_t(req.query.queryItemValue(QStringLiteral("perm")).toUInt(&permOk, 8));
    if (!permOk || perm > 07777)
        perm = 0644; // a bad perm is ignored, like upstream
    const bool append = req.query.queryItemValue(QStringLiteral("mode")) == QLatin1String("append");
    QString resolved, path;
    FileError e;
    if (!queryPath(req, &path, &e))
        return sendError(req, e, true);
    Fd fd = openForWrite(runner, path, append, perm, true, &resolved, &e);
    if (!fd.valid())
        return sendError(req, e, true);
    // The body is written to the fd opened above as it arrives (HttpResponder::streamBody):
    // memory stays flat and no path is opened twice.
    struct Sink
    {
        Fd fd;
        qint64 written = 0;
    };
    auto sink = std::make_shared<Sink>(Sink{std::move(fd)});
    req.responder->streamBody(
        [req, resolved, sink](QByteArrayView piece) {
            if (writeAll(sink->fd.get(), piece.data(), piece.size())) {
                sink->written += piece.size();
                return true;
            }
            sendError(req, {500, QStringLiteral("write %1: %2").arg(resolved, errnoText(errno))},
                      true);
            return false;
        },
        [req, resolved, sink](const QString &error) {
            if (!error.isEmpty())
                sendJson(req, 400, {{QStringLiteral("error"), error}});
            else
                sendJson(req, 200,
                         {{QStringLiteral("path"), resolved},
                          {QStringLiteral("bytes_written"), sink->written}});
        });
}

// Reads up to `want` bytes at `offset` (fewer if the file shrank meanwhile).
bool readAt(int fd, qint64 offset, qint64 want, QByteArray *out)
{
    out->resize(want);
    qint64 got = 0;
    while (got < want) {
        const ssize_t n = ::pread(fd, out->data() + got, size_t(want - got), offset + got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            break;
        got += n;
    }
    out->truncate(got);
    return true;
}

void readOp(const HostRequest &req, const HostRunner &runner, const QJsonObject &body,
            const QString &path)
{
    FileError e;
    qint64 offset = 0, limit = 0;
    bool b64 = false;
    if (!intField(body, "offset", qint64(1) << 62, &offset, &e) ||
        !intField(body, "limit", qint64(1) << 62, &limit, &e) ||
        !boolField(body, "base64", &b64, &e))
        return sendError(req, e, true);
    if (limit > kMaxJsonRead)
        return sendError(req,
                         {400, QStringLiteral("invalid limit: %1 is more than %2 bytes (64 MiB), "
                                              "the most one JSON read returns; use "
                                              "files/download (with Range) for larger reads")
                                   .arg(limit)
                                   .arg(kMaxJsonRead)},
                         true);
    Resolved res;
    if (!confine(runner, path, &res, &e))
        return sendError(req, e, true);
    struct stat st;
    if (!res.exists() || ::fstat(res.node.get(), &st) != 0)
        return sendError(req, {404, QStringLiteral("file not found: %1").arg(res.path)}, true);
    if (S_ISDIR(st.st_mode))
        return sendError(req, {400, QStringLiteral("path is a directory: %1").arg(res.path)}, true);
    if (!S_ISREG(st.st_mode))
        return sendError(req, {400, QStringLiteral("not a regular file: %1").arg(res.path)}, true);
    const qint64 available = offset >= st.st_size ? 0 : st.st_size - offset;
    const qint64 want = limit > 0 ? std::min(limit, available) : available;
    if (want > kMaxJsonRead)
        return sendError(req,
                         {400, QStringLiteral("%1 has %2 bytes from offset %3: one JSON read "
                                              "returns at most %4 bytes (64 MiB); use "
                                              "files/download (with Range) or offset/limit")
                                   .arg(res.path)
                                   .arg(available)
                                   .arg(offset)
                                   .arg(kMaxJsonRead)},
                         true);
    const Fd fd(reopenFile(res.node.get(), O_RDONLY));
    QByteArray data;
    if (!fd.valid() || !readAt(fd.get(), offset, want, &data))
        return sendError(req, {500, QStringLiteral("read %1: %2").arg(res.path, errnoText(errno))},
                         true);
    sendJson(req, 200,
             {{QStringLiteral("path"), res.path},
              {QStringLiteral("size"), qint64(st.st_size)},
              {QStringLiteral("content"),
               b64 ? QString::fromLatin1(data.toBase64()) : QString::fromUtf8(data)},
              {QStringLiteral("base64"), b64}});
}

void writeOp(const HostRequest &req, const HostRunner &runner, const QJsonObject &body,
             const QString &path)
{
    // Everything is checked before the file is touched: a bad request changes nothing.
    FileError e;
    QString content, mode;
    bool b64 = false;
    mode_t perm = 0644;
    if (!stringField(body, "content", &content, &e) || !boolField(body, "base64", &b64, &e) ||
        !stringField(body, "mode", &mode, &e) || !permField(body, 0644, &perm, &e))
        return sendError(req, e, true);
    QByteArray data;
    if (!b64)
        data = content.toUtf8();
    else if (!decodeBase64(content, &data))
        return sendError(req, {400, QStringLiteral("invalid content: not valid base64")}, true);
    QString resolved;
    const Fd fd =
        openForWrite(runner, path, mode == QLatin1String("append"), perm, false, &resolved, &e);
    if (!fd.valid())
        return sendError(req, e, true);
    if (!writeAll(fd.get(), data.constData(), data.size()))
        return sendError(req, {500, QStringLiteral("write %1: %2").arg(resolved, errnoText(errno))},
                         true);
    sendJson(req, 200,
             {{QStringLiteral("path"), resolved},
              {QStringLiteral("bytes_written"), qint64(data.size())}});
}

QString limitText(const QString &what, const QString &path, TreeResult r, const TreeLimits &l)
{
    return r == TreeResult::TooDeep
               ? QStringLiteral("%1 %2: more than %3 nested folders (the limit per request)")
                     .arg(what, path)
                     .arg(l.maxDepth)
               : QStringLiteral("%1 %2: more than %3 entries (the limit per request)")
                     .arg(what, path)
                     .arg(l.maxEntries);
}

void listOp(const HostRequest &req, const HostRunner &runner, const QJsonObject &body,
            const QString &path)
{
    FileError e;
    bool recursive = false;
    Resolved res;
    if (!boolField(body, "recursive", &recursive, &e) || !confine(runner, path, &res, &e))
        return sendError(req, e, true);
    struct stat st;
    const bool exists = res.exists() && ::fstat(res.node.get(), &st) == 0;
    QByteArray entries = "[";
    if (recursive) {
        if (exists) {
            const QString name = QFileInfo(res.path).fileName();
            appendEntry(entries, name.isEmpty() ? res.path : name, res.path, st);
            const TreeResult r =
                !S_ISDIR(st.st_mode)
                    ? TreeResult::Ok
                    : walkTree(res.node.get(), res.path, kListLimits,
                               [&entries](const QByteArray &n, const QString &p,
                                          const struct stat &est) {
                                   entries += ',';
                                   appendEntry(entries, QFile::decodeName(n), p, est);
                               });
            if (r != TreeResult::Ok)
                return sendError(
                    req,
                    {400, limitText(QStringLiteral("recursive list"), res.path, r, kListLimits) +
                              QStringLiteral("; list its folders one by one")},
                    true);
        }
    } else {
        if (!exists)
            return sendError(req, {404, QStringLiteral("directory not found: %1").arg(res.path)},
                             true);
        if (!S_ISDIR(st.st_mode))
            return sendError(req, {400, QStringLiteral("not a directory: %1").arg(res.path)}, true);
        QList<DirEntry> list;
        const Fd dir(reopenDir(res.node.get()));
        const int err = dir.valid() ? readDirAt(dir.get(), &list, kListLimits.maxEntries) : errno;
        if (err == E2BIG)
            return sendError(req,
                             {400, limitText(QStringLiteral("list"), res.path, TreeResult::TooMany,
                                             kListLimits)},
                             true);
        if (err)
            return sendError(
                req, {500, QStringLiteral("read %1: %2").arg(res.path, errnoText(err))}, true);
        entries.reserve(list.size() * 160);
        for (const DirEntry &entry : std::as_const(list)) {
            const QString n = QFile::decodeName(entry.name);
            if (entries.size() > 1)
                entries += ',';
            appendEntry(entries, n, joinPath(res.path, n), entry.st);
        }
    }
    entries += ']';
    QByteArray out = "{\"entries\":" + entries + ",\"path\":";
    appendJsonString(out, res.path);
    out += "}\n";
    sendRaw(req, 200, "application/json", out);
}

void removeOp(const HostRequest &req, const HostRunner &runner, const QJsonObject &body,
              const QString &path)
{
    FileError e;
    bool recursive = false;
    Resolved res;
    if (!boolField(body, "recursive", &recursive, &e) || !confine(runner, path, &res, &e))
        return sendError(req, e, true);
    auto fail = [&](int err) {
        sendError(req, {500, QStringLiteral("remove %1: %2").arg(res.path, errnoText(err))}, true);
    };
    if (!res.exists()) {
        if (!recursive)
            return fail(res.error);
    } else if (!res.dir.valid()) {
        return fail(EBUSY); // the runner's root itself
    } else if (recursive) {
        const TreeResult r = removeTree(res.dir.get(), res.name, kRemoveLimits);
        if (r == TreeResult::Failed)
            return fail(errno);
        if (r != TreeResult::Ok)
            return sendError(req,
                             {400, limitText(QStringLiteral("remove"), res.path, r, kRemoveLimits) +
                                       QStringLiteral("; what was removed so far stays removed, "
                                                      "repeat the request for the rest")},
                             true);
    } else {
        struct stat st;
        const bool dir = ::fstat(res.node.get(), &st) == 0 && S_ISDIR(st.st_mode);
        if (::unlinkat(res.dir.get(), res.name.constData(), dir ? AT_REMOVEDIR : 0) != 0)
            return fail(errno);
    }
    sendJson(req, 200, {{QStringLiteral("path"), res.path}, {QStringLiteral("removed"), true}});
}

void mkdirOp(const HostRequest &req, const HostRunner &runner, const QJsonObject &body,
             const QString &path)
{
    FileError e;
    mode_t perm = 0755;
    Resolved res;
    if (!permField(body, 0755, &perm, &e) || !confine(runner, path, &res, &e))
        return sendError(req, e, true);
    auto fail = [&](int err) {
        sendError(req, {500, QStringLiteral("mkdir %1: %2").arg(res.path, errnoText(err))}, true);
    };
    if (res.exists()) {
        struct stat st;
        if (::fstat(res.node.get(), &st) != 0 || !S_ISDIR(st.st_mode))
            return fail(EEXIST);
    } else if (!res.creatable()) {
        return fail(res.error);
    } else if (!makeDirs(res.dir.get(), res.missing, perm).valid()) {
        return fail(errno);
    }
    sendJson(req, 200, {{QStringLiteral("path"), res.path}, {QStringLiteral("created"), true}});
}

void statOp(const HostRequest &req, const HostRunner &runner, const QString &path)
{
    FileError e;
    Resolved res;
    if (!confine(runner, path, &res, &e))
        return sendError(req, e, true);
    struct stat st;
    if (!res.exists() || ::fstat(res.node.get(), &st) != 0)
        return sendJson(req, 200,
                        {{QStringLiteral("path"), res.path}, {QStringLiteral("exists"), false}});
    QJsonObject o = entryJson(QFileInfo(res.path).fileName(), res.path, st);
    o.insert(QStringLiteral("exists"), true);
    sendJson(req, 200, o);
}

void jsonOp(const HostRequest &req, const HostRunner &runner, const QString &op)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(req.body, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
        sendJson(req, 400,
                 {{QStringLiteral("error"), QStringLiteral("invalid request body: %1")
                                                .arg(perr.error != QJsonParseError::NoError
                                                         ? perr.errorString()
                                                         : QStringLiteral("not a JSON object"))}});
        return;
    }
    const QJsonObject body = doc.object();
    QString path;
    FileError e;
    if (!pathField(body, &path, &e))
        return sendError(req, e, true);
    if (op == QLatin1String("read"))
        readOp(req, runner, body, path);
    else if (op == QLatin1String("write"))
        writeOp(req, runner, body, path);
    else if (op == QLatin1String("list"))
        listOp(req, runner, body, path);
    else if (op == QLatin1String("stat"))
        statOp(req, runner, path);
    else if (op == QLatin1String("remove"))
        removeOp(req, runner, body, path);
    else if (op == QLatin1String("mkdir"))
        mkdirOp(req, runner, body, path);
}

} // namespace

bool isFileOp(const QString &op)
{
    static const QStringList ops{QStringLiteral("read"),   QStringLiteral("write"),
                                 QStringLiteral("list"),   QStringLiteral("stat"),
                                 QStringLiteral("remove"), QStringLiteral("mkdir"),
                                 QStringLiteral("upload"), QStringLiteral("download")};
    return ops.contains(op);
}

QObject *handleFileOp(const HostRequest &req, const HostRunner &runner, const QString &op,
                      QObject *parent)
{
    if (op == QLatin1String("download")) {
        QObject *stream = download(req, runner);
        if (stream)
            stream->setParent(parent);
        return stream;
    }
    if (op == QLatin1String("upload"))
        upload(req, runner);
    else
        jsonOp(req, runner, op);
    return nullptr;
}

} // namespace capsule::local
