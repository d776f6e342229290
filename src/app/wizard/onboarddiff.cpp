// What creating a workload over an existing one of the same name would change, in words.
#include "app/wizard/onboarddiff.h"
#include "app/wizard/wizardmodel.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace capsule::app {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("WorkloadChanges", text);
}

// Drops empty values recursively, and gives commands their explicit run_as_root (as the
// server stores them), so that equal meanings compare equal.
QJsonValue normalized(const QJsonValue &v)
{
    if (v.isObject()) {
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QJsonValue n = normalized(it.value());
            if (!WizardModel::isEmptyValue(n))
                out.insert(it.key(), n);
        }
        return out.isEmpty() ? QJsonValue() : QJsonValue(out);
    }
    if (v.isArray()) {
        QJsonArray out;
        for (const QJsonValue &item : v.toArray())
            out.append(normalized(item));
        return out.isEmpty() ? QJsonValue() : QJsonValue(out);
    }
    return WizardModel::isEmptyValue(v) ? QJsonValue() : v;
}

QString shown(const QJsonValue &v)
{
    const QJsonValue n = normalized(v);
    if (WizardModel::isEmptyValue(n))
        return tr("(none)");
    if (n.isString())
        return n.toString();
    if (n.isDouble())
        return QString::number(n.toDouble());
    if (n.isBool())
        return n.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    const QByteArray json = n.isObject()
                                ? QJsonDocument(n.toObject()).toJson(QJsonDocument::Compact)
                                : QJsonDocument(n.toArray()).toJson(QJsonDocument::Compact);
    return json.size() > 80 ? QString::fromUtf8(json.left(77)) + QStringLiteral("...")
                            : QString::fromUtf8(json);
}

bool same(const QJsonValue &a, const QJsonValue &b)
{
    return normalized(a) == normalized(b);
}

QStringList layerNames(const QJsonArray &layers)
{
    QStringList names;
    for (const QJsonValue &l : layers)
        names << l.toObject().value(QStringLiteral("name")).toString();
    return names;
}

} // namespace

QStringList describeWorkloadChanges(const QJsonObject &before, const QJsonObject &after)
{
    QStringList lines;
    const QString arrow = QStringLiteral(" \u2192 ");
    auto key = [](const char *k) {
        return QString::fromLatin1(k);
    };
    if (!same(before.value(key("base_image")), after.value(key("base_image"))))
        lines << tr("base image: ") + shown(before.value(key("base_image"))) + arrow +
                     shown(after.value(key("base_image")));

    const QJsonArray oldLayers = before.value(key("layers")).toArray();
    const QJsonArray newLayers = after.value(key("layers")).toArray();
    const QStringList oldNames = layerNames(oldLayers);
    const QStringList newNames = layerNames(newLayers);
    if (oldNames != newNames)
        lines << tr("layers: ") + oldNames.join(QStringLiteral(", ")) + arrow +
                     newNames.join(QStringLiteral(", "));
    for (int i = 0; i < qMin(oldLayers.size(), newLayers.size()); ++i) {
        const QJsonObject a = oldLayers.at(i).toObject();
        const QJsonObject b = newLayers.at(i).toObject();
        if (a.value(key("name")) != b.value(key("name")))
            continue;
        const QString name = b.value(key("name")).toString();
        const std::pair<const char *, const char *> fields[] = {
            {"init_commands", "init commands"},
            {"refresh_commands", "refresh commands"},
            {"refresh_interval", "refresh interval"},
            {"drives", "drives"}};
        for (const auto &[field, words] : fields) {
            if (!same(a.value(key(field)), b.value(key(field))))
                lines << tr("layer %1: %2 change").arg(name, tr(words));
        }
    }

    const QJsonObject oldConfig = before.value(key("config")).toObject();
    const QJsonObject newConfig = after.value(key("config")).toObject();
    QStringList keys = oldConfig.keys() + newConfig.keys();
    keys.removeDuplicates();
    keys.sort();
    for (const QString &k : std::as_const(keys)) {
        if (!same(oldConfig.value(k), newConfig.value(k)))
            lines << QStringLiteral("config.%1: ").arg(k) + shown(oldConfig.value(k)) + arrow +
                         shown(newConfig.value(k));
    }
    if (!same(before.value(key("start_command")), after.value(key("start_command"))))
        lines << tr("start command: ") + shown(before.value(key("start_command"))) + arrow +
                     shown(after.value(key("start_command")));
    return lines;
}

bool workloadStructureChanges(const QJsonObject &before, const QJsonObject &after)
{
    const QJsonArray a = before.value(QStringLiteral("layers")).toArray();
    const QJsonArray b = after.value(QStringLiteral("layers")).toArray();
    if (a.size() != b.size())
        return true;
    for (int i = 0; i < a.size(); ++i) {
        for (const char *k : {"name", "init_commands", "drives"}) {
            const QString field = QString::fromLatin1(k);
            if (!same(a.at(i).toObject().value(field), b.at(i).toObject().value(field)))
                return true;
        }
    }
    auto tier = [](const QJsonObject &o) {
        const QString t =
            o.value(QStringLiteral("config")).toObject().value(QStringLiteral("tier")).toString();
        return t.isEmpty() ? QStringLiteral("m") : t;
    };
    return tier(before) != tier(after);
}

} // namespace capsule::app
