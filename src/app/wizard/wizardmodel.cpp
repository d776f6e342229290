// The wizard's create body and imported sections (see wizardmodel.h).
#include "app/wizard/wizardmodel.h"

namespace capsule::app {

bool WizardModel::isEmptyValue(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return true;
    case QJsonValue::Bool:
        return !v.toBool();
    case QJsonValue::Double:
        return v.toDouble() == 0;
    case QJsonValue::String:
        return v.toString().isEmpty();
    case QJsonValue::Array:
        return v.toArray().isEmpty();
    case QJsonValue::Object:
        return v.toObject().isEmpty();
    }
    return false;
}

void WizardModel::put(QJsonObject &object, const QString &key, const QJsonValue &value)
{
    if (isEmptyValue(value)) {
        if (object.contains(key) && isEmptyValue(object.value(key)))
            return;
        object.remove(key);
        return;
    }
    if (object.value(key) != value)
        object.insert(key, value);
}

void WizardModel::reset(const QJsonObject &body, const QJsonObject &sections)
{
    m_body = body;
    m_sections = sections;
    m_problems.clear();
    emit reloaded();
    emit problemsChanged();
    emit changed();
}

void WizardModel::setTop(const QString &key, const QJsonValue &value)
{
    put(m_body, key, value);
    emit changed();
}

void WizardModel::setConfigValue(const QString &key, const QJsonValue &value)
{
    QJsonObject config = this->config();
    const bool had = m_body.contains(QStringLiteral("config"));
    put(config, key, value);
    if (config.isEmpty() && !(had && m_body.value(QStringLiteral("config")).toObject().isEmpty()))
        m_body.remove(QStringLiteral("config"));
    else
        m_body.insert(QStringLiteral("config"), config);
    emit changed();
}

void WizardModel::setConfigExact(const QString &key, const QJsonValue &value)
{
    QJsonObject config = this->config();
    if (value.isNull() || value.isUndefined())
        config.remove(key);
    else
        config.insert(key, value);
    if (config.isEmpty())
        m_body.remove(QStringLiteral("config"));
    else
        m_body.insert(QStringLiteral("config"), config);
    emit changed();
}

void WizardModel::setStartValue(const QString &key, const QJsonValue &value)
{
    QJsonObject start = startCommand();
    put(start, key, value);
    if (start.isEmpty())
        m_body.remove(QStringLiteral("start_command"));
    else
        m_body.insert(QStringLiteral("start_command"), start);
    emit changed();
}

void WizardModel::setProblem(const QString &field, const QString &problem)
{
    if (m_problems.value(field) == problem)
        return;
    if (problem.isEmpty())
        m_problems.remove(field);
    else
        m_problems.insert(field, problem);
    emit problemsChanged();
}

} // namespace capsule::app
