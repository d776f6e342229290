// Leaf workload keys: Go-compatible JSON encoding and the layer hash chain of contract 6.1.
#include "core/workloadkey.h"

#include "core/runnerconfig.h"

#include <QCryptographicHash>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace capsule {

namespace {

void appendString(QByteArray &out, const QString &s)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    const QByteArray utf8 = s.toUtf8();
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        // Go >= 1.22 writes these two short forms; older versions used \u0008 and \u000c.
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '<':
        case '>':
        case '&':
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
    // U+2028 and U+2029 are E2 80 A8 / E2 80 A9 in UTF-8; Go escapes them for JavaScript's sake.
    out.replace("\xE2\x80\xA8", "\\u2028");
    out.replace("\xE2\x80\xA9", "\\u2029");
}

void appendNumber(QByteArray &out, double d)
{
    if (!std::isfinite(d)) {
        out += "null"; // Go refuses to encode these; never produced by a JSON parser anyway
        return;
    }
    const double a = std::fabs(d);
    if (d == std::trunc(d) && a < 1e21) {
        out += QByteArray::number(d, 'f', 0);
        return;
    }
    if (a >= 1e-6 && a < 1e21) {
        out += QByteArray::number(d, 'f', QLocale::FloatingPointShortest);
        return;
    }
    // Go: shortest 'e' form with a two-digit exponent shortened ("1e-07" -> "1e-7").
    QByteArray e = QByteArray::number(d, 'e', QLocale::FloatingPointShortest);
    const qsizetype n = e.size();
    if (n >= 4 && e.at(n - 4) == 'e' && e.at(n - 3) == '-' && e.at(n - 2) == '0')
        e.remove(n - 2, 1);
    out += e;
}

void appendValue(QByteArray &out, const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += v.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double:
        appendNumber(out, v.toDouble());
        break;
    case QJsonValue::String:
        appendString(out, v.toString());
        break;
    case QJsonValue::Array: {
        out += '[';
        bool first = true;
        for (const QJsonValue &item : v.toArray()) {
            if (!first)
                out += ',';
            first = false;
            appendValue(out, item);
        }
        out += ']';
        break;
    }
    case QJsonValue::Object: {
        // QJsonObject iterates keys sorted by UTF-16 code units; Go sorts map keys by bytes.
        // Both agree except for supplementary-plane keys, so sort by UTF-8 explicitly.
        const QJsonObject o = v.toObject();
        QList<QPair<QByteArray, QString>> keys;
        for (auto it = o.begin(); it != o.end(); ++it)
            keys.append({it.key().toUtf8(), it.key()});
        std::sort(keys.begin(), keys.end(),
                  [](const auto &a, const auto &b) { return a.first < b.first; });
        out += '{';
        bool first = true;
        for (const auto &k : keys) {
            if (!first)
                out += ',';
            first = false;
            appendString(out, k.second);
            out += ':';
            appendValue(out, o.value(k.second));
        }
        out += '}';
        break;
    }
    }
}

// A command as the server's Go struct sees it: {type, args (nil -> null), run_as_root}.
QJsonObject canonicalCommand(const QJsonValue &raw)
{
    const QJsonObject in = normalizeCommand(raw);
    QJsonObject c;
    c.insert(QStringLiteral("type"), in.value(QStringLiteral("type")).toString());
    const QJsonValue args = in.value(QStringLiteral("args"));
    c.insert(QStringLiteral("args"), args.isArray() ? args : QJsonValue(QJsonValue::Null));
    c.insert(QStringLiteral("run_as_root"), in.value(QStringLiteral("run_as_root")).toBool());
    return c;
}

QByteArray encodeCommand(const QJsonObject &c)
{
    QByteArray out = "{\"type\":";
    appendString(out, c.value(QStringLiteral("type")).toString());
    out += ",\"args\":";
    appendValue(out, c.value(QStringLiteral("args")));
    out += ",\"run_as_root\":";
    out += c.value(QStringLiteral("run_as_root")).toBool() ? "true" : "false";
    out += '}';
    return out;
}

QJsonObject canonicalDrive(const QJsonValue &raw)
{
    const QJsonObject in = raw.toObject();
    QJsonObject d;
    d.insert(QStringLiteral("drive_id"), in.value(QStringLiteral("drive_id")).toString());
    d.insert(QStringLiteral("label"), in.value(QStringLiteral("label")).toString());
    d.insert(QStringLiteral("size_gb"),
             static_cast<qint64>(in.value(QStringLiteral("size_gb")).toDouble()));
    d.insert(QStringLiteral("read_only"), in.value(QStringLiteral("read_only")).toBool());
    QJsonArray commands;
    for (const QJsonValue &c : in.value(QStringLiteral("commands")).toArray())
        commands.append(canonicalCommand(c));
    if (!commands.isEmpty())
        d.insert(QStringLiteral("commands"), commands);
    const QString mount = in.value(QStringLiteral("mount_path")).toString();
    if (!mount.isEmpty())
        d.insert(QStringLiteral("mount_path"), mount);
    return d;
}

QByteArray encodeDrive(const QJsonObject &d)
{
    QByteArray out = "{\"drive_id\":";
    appendString(out, d.value(QStringLiteral("drive_id")).toString());
    out += ",\"label\":";
    appendString(out, d.value(QStringLiteral("label")).toString());
    out += ",\"size_gb\":";
    appendNumber(out, d.value(QStringLiteral("size_gb")).toDouble());
    out += ",\"read_only\":";
    out += d.value(QStringLiteral("read_only")).toBool() ? "true" : "false";
    const QJsonArray commands = d.value(QStringLiteral("commands")).toArray();
    if (!commands.isEmpty()) {
        out += ",\"commands\":[";
        for (qsizetype i = 0; i < commands.size(); ++i) {
            if (i)
                out += ',';
            out += encodeCommand(commands.at(i).toObject());
        }
        out += ']';
    }
    const QString mount = d.value(QStringLiteral("mount_path")).toString();
    if (!mount.isEmpty()) {
        out += ",\"mount_path\":";
        appendString(out, mount);
    }
    out += '}';
    return out;
}

QByteArray encodeSortedCommands(const QJsonArray &commands)
{
    struct Item
    {
        QString type;
        bool root;
        QByteArray args;
        QByteArray encoded;
    };
    QList<Item> items;
    for (const QJsonValue &v : commands) {
        const QJsonObject c = canonicalCommand(v);
        QByteArray args;
        appendValue(args, c.value(QStringLiteral("args")));
        items.append({c.value(QStringLiteral("type")).toString(),
                      c.value(QStringLiteral("run_as_root")).toBool(), args, encodeCommand(c)});
    }
    std::stable_sort(items.begin(), items.end(), [](const Item &a, const Item &b) {
        // Go compares strings bytewise; compare the UTF-8 forms for the same order.
        const QByteArray ta = a.type.toUtf8(), tb = b.type.toUtf8();
        if (ta != tb)
            return ta < tb;
        if (a.root != b.root)
            return !a.root;
        return a.args < b.args;
    });
    QByteArray out = "[";
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        out += items.at(i).encoded;
    }
    out += ']';
    return out;
}

QByteArray encodeSortedDrives(const QJsonArray &drives)
{
    QList<QJsonObject> items;
    for (const QJsonValue &v : drives)
        items.append(canonicalDrive(v));
    std::stable_sort(items.begin(), items.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(QStringLiteral("drive_id")).toString().toUtf8() <
               b.value(QStringLiteral("drive_id")).toString().toUtf8();
    });
    QByteArray out = "[";
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        out += encodeDrive(items.at(i));
    }
    out += ']';
    return out;
}

QString sha256Hex(const QByteArray &data)
{
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

QJsonObject command(const QString &type, const QStringList &args, bool root)
{
    QJsonObject c;
    c.insert(QStringLiteral("type"), type);
    c.insert(QStringLiteral("args"), QJsonArray::fromStringList(args));
    c.insert(QStringLiteral("run_as_root"), root);
    return c;
}

} // namespace

QByteArray goCompactJson(const QJsonValue &v)
{
    QByteArray out;
    appendValue(out, v);
    return out;
}

QByteArray layerHashInput(const QJsonArray &commands, const QJsonArray &drives, const QString &tier)
{
    return encodeSortedCommands(commands) + encodeSortedDrives(drives) + tier.toUtf8();
}

QList<MaterializedLayer> materializeLayers(const QJsonObject &createBody)
{
    const QJsonObject config = createBody.value(QStringLiteral("config")).toObject();
    // The literal tier counts: omitting it and writing "m" give different keys.
    const QString tier = config.value(QStringLiteral("tier")).toString();
    const QString baseImage = createBody.value(QStringLiteral("base_image")).toString();
    QString runnerUser = config.value(QStringLiteral("runner_user")).toString();
    if (runnerUser.isEmpty())
        runnerUser = QStringLiteral("runner");
    qint64 workspaceGb =
        static_cast<qint64>(config.value(QStringLiteral("workspace_size_gb")).toDouble());
    if (workspaceGb <= 0)
        workspaceGb = 50;

    QList<MaterializedLayer> layers;
    if (!baseImage.isEmpty()) {
        MaterializedLayer p;
        p.name = QStringLiteral("_platform");
        p.commands = {command(QStringLiteral("base-image"), {baseImage}, false),
                      command(QStringLiteral("platform-setup"),
                              {QStringLiteral("capsule-thaw-agent"), QStringLiteral("systemd"),
                               QStringLiteral("networking"), QStringLiteral("docker-env-v2")},
                              true),
                      command(QStringLiteral("platform-user"), {runnerUser}, false)};
        layers.append(p);
    }
    for (const QJsonValue &lv : createBody.value(QStringLiteral("layers")).toArray()) {
        const QJsonObject l = lv.toObject();
        MaterializedLayer m;
        m.name = l.value(QStringLiteral("name")).toString();
        for (const QJsonValue &c : l.value(QStringLiteral("init_commands")).toArray())
            m.commands.append(canonicalCommand(c));
        for (const QJsonValue &d : l.value(QStringLiteral("drives")).toArray())
            m.drives.append(canonicalDrive(d));
        if (m.drives.isEmpty()) {
            QJsonObject ws;
            ws.insert(QStringLiteral("drive_id"), QStringLiteral("workspace"));
            ws.insert(QStringLiteral("label"), QStringLiteral("WORKSPACE"));
            ws.insert(QStringLiteral("size_gb"), workspaceGb);
            ws.insert(QStringLiteral("read_only"), false);
            ws.insert(QStringLiteral("mount_path"), QStringLiteral("/workspace"));
            m.drives.append(ws);
        }
        layers.append(m);
    }
    QString parent;
    for (int i = 0; i < layers.size(); ++i) {
        MaterializedLayer &l = layers[i];
        l.depth = i;
        l.hash = sha256Hex(parent.toUtf8() + layerHashInput(l.commands, l.drives, tier));
        parent = l.hash;
    }
    return layers;
}

QString leafWorkloadKey(const QJsonObject &createBody)
{
    const QList<MaterializedLayer> layers = materializeLayers(createBody);
    const QString last = layers.isEmpty() ? QString() : layers.constLast().hash;
    return sha256Hex("leaf:" + last.toUtf8()).left(16);
}

QString legacyWorkloadKey(const QJsonArray &commands)
{
    return sha256Hex(encodeSortedCommands(commands)).left(16);
}

} // namespace capsule
