// The one thing every wizard page edits: the create body (contract 4.1) plus the other sections
// of an imported onboard.yaml. Pages load from it and write each edit through to it, so keys no
// page shows (and values a page did not touch) are written back exactly as they were read.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QObject>

namespace capsule::app {

class WizardModel : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    const QJsonObject &body() const { return m_body; }
    // Top-level sections of an onboard.yaml besides `workload` (platform, hosts, session, ...).
    const QJsonObject &sections() const { return m_sections; }
    // Replaces everything (an import, a template, the review page's YAML); emits reloaded().
    void reset(const QJsonObject &body, const QJsonObject &sections = {});

    QJsonValue top(const QString &key) const { return m_body.value(key); }
    QJsonObject config() const { return m_body.value(QStringLiteral("config")).toObject(); }
    QJsonValue configValue(const QString &key) const { return config().value(key); }
    QJsonObject startCommand() const
    {
        return m_body.value(QStringLiteral("start_command")).toObject();
    }

    // Sets a key; an "empty" value (null, "", 0, false, [], {}) removes it, unless the key
    // already holds an empty value (an imported `ttl: 0` stays as written).
    void setTop(const QString &key, const QJsonValue &value);
    void setConfigValue(const QString &key, const QJsonValue &value);
    // Sets exactly this value (null removes the key): for tri-state booleans.
    void setConfigExact(const QString &key, const QJsonValue &value);
    void setStartValue(const QString &key, const QJsonValue &value);

    // Field problems by field id ("name", "layers", "network.allowed", ...): pages block Next
    // while one of theirs is set and show the text beside the field.
    void setProblem(const QString &field, const QString &problem);
    QString problem(const QString &field) const { return m_problems.value(field); }
    QMap<QString, QString> problems() const { return m_problems; }

    static bool isEmptyValue(const QJsonValue &v);

signals:
    void changed();  // any edit
    void reloaded(); // reset(): pages reload their widgets
    void problemsChanged();

private:
    static void put(QJsonObject &object, const QString &key, const QJsonValue &value);

    QJsonObject m_body;
    QJsonObject m_sections;
    QMap<QString, QString> m_problems;
};

} // namespace capsule::app
