// RunnerConfig: command normalisation, config_id validation and the create body.
#include "core/runnerconfig.h"

#include "core/workloadkey.h"

#include <QRegularExpression>

namespace capsule {

namespace {

const QString kShell = QStringLiteral("shell");

QJsonArray shellArgs(const QString &command)
{
    return {QStringLiteral("bash"), QStringLiteral("-lc"), command};
}

// Drops null-valued keys, as pydantic's dump without None does.
QJsonObject withoutNulls(const QJsonObject &o)
{
    QJsonObject out;
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isNull() && !it.value().isUndefined())
            out.insert(it.key(), it.value());
    }
    return out;
}

// Normalises a list of commands; *problem names the first bad entry.
QJsonArray normalizeList(const QJsonArray &commands, const QString &where, QString *problem)
{
    QJsonArray out;
    for (qsizetype i = 0; i < commands.size(); ++i) {
        if (!isValidCommand(commands.at(i)) && problem && problem->isEmpty()) {
            *problem = QStringLiteral("%1[%2] must be a string or a mapping").arg(where).arg(i);
        }
        out.append(normalizeCommand(commands.at(i)));
    }
    return out;
}

QJsonObject normalizeLayer(const QJsonValue &layerValue, int index, QString *problem)
{
    if (!layerValue.isObject()) {
        if (problem && problem->isEmpty())
            *problem = QStringLiteral("layers[%1] must be a mapping").arg(index);
        return {};
    }
    QJsonObject layer = withoutNulls(layerValue.toObject());
    const QString where = QStringLiteral("layers[%1].").arg(index);
    for (const QString &key :
         {QStringLiteral("init_commands"), QStringLiteral("refresh_commands")}) {
        if (layer.contains(key))
            layer.insert(key, normalizeList(layer.value(key).toArray(), where + key, problem));
    }
    return layer;
}

} // namespace

bool isValidCommand(const QJsonValue &command)
{
    return command.isString() || command.isObject();
}

QJsonObject normalizeCommand(const QJsonValue &command)
{
    if (command.isString()) {
        QJsonObject c;
        c.insert(QStringLiteral("type"), kShell);
        c.insert(QStringLiteral("args"), shellArgs(command.toString()));
        return c;
    }
    if (!command.isObject())
        return {};
    QJsonObject c = command.toObject();
    const QString type = QStringLiteral("type"), args = QStringLiteral("args"),
                  cmd = QStringLiteral("command");
    if (c.contains(type) && c.contains(args))
        return c;
    if (c.value(cmd).isString()) {
        const QString text = c.take(cmd).toString();
        if (!c.contains(type))
            c.insert(type, kShell);
        c.insert(args, shellArgs(text));
        return c;
    }
    if (c.contains(args) && !c.contains(type))
        c.insert(type, kShell);
    return c;
}

RunnerConfig::RunnerConfig(QString id)
    : m_id(std::move(id))
{}

bool RunnerConfig::isValidConfigId(const QString &id, QString *why)
{
    static const QRegularExpression slug(QStringLiteral("^[a-z0-9][a-z0-9-]*[a-z0-9]\\z"));
    QString problem;
    if (id.size() < 3 || id.size() > 64)
        problem = QStringLiteral("invalid config_id \"%1\": must be 3-64 characters long (got %2)")
                      .arg(id)
                      .arg(id.size());
    else if (!slug.match(id).hasMatch())
        problem = QStringLiteral("invalid config_id \"%1\": use lowercase letters, digits and "
                                 "inner hyphens only (^[a-z0-9][a-z0-9-]*[a-z0-9]$)")
                      .arg(id);
    if (why)
        *why = problem;
    return problem.isEmpty();
}

RunnerConfig RunnerConfig::fromBody(const QJsonObject &body)
{
    RunnerConfig c;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const QString &key = it.key();
        if (key == QLatin1String("display_name"))
            c.m_id = it.value().toString();
        else if (key == QLatin1String("base_image"))
            c.m_baseImage = it.value().toString();
        else if (key == QLatin1String("layers")) {
            c.m_hasLayers = true;
            c.m_layers = it.value().toArray();
        } else if (key == QLatin1String("config"))
            c.m_config = it.value().toObject();
        else if (key == QLatin1String("start_command"))
            c.m_startCommand = it.value().toObject();
        else
            c.m_extra.insert(key, it.value());
    }
    return c;
}

QJsonArray RunnerConfig::layers() const
{
    QString ignored;
    return bodyWithoutIdCheck(&ignored).value(QStringLiteral("layers")).toArray();
}

RunnerConfig RunnerConfig::withDisplayName(const QString &id) const
{
    RunnerConfig c = *this;
    c.m_id = id;
    return c;
}

RunnerConfig RunnerConfig::withBaseImage(const QString &image) const
{
    RunnerConfig c = *this;
    c.m_baseImage = image;
    return c;
}

RunnerConfig RunnerConfig::withLayers(const QJsonArray &layers) const
{
    RunnerConfig c = *this;
    c.m_hasLayers = true;
    c.m_layers = layers;
    return c;
}

RunnerConfig RunnerConfig::withCommands(const QJsonArray &commands) const
{
    RunnerConfig c = *this;
    c.m_commands = commands;
    return c;
}

RunnerConfig RunnerConfig::withCommands(const QStringList &commands) const
{
    return withCommands(QJsonArray::fromStringList(commands));
}

RunnerConfig RunnerConfig::withStartCommand(const QJsonObject &startCommand) const
{
    RunnerConfig c = *this;
    c.m_startCommand = startCommand;
    return c;
}

RunnerConfig RunnerConfig::withConfigValue(const QString &key, const QJsonValue &value) const
{
    RunnerConfig c = *this;
    c.m_config.insert(key, value);
    return c;
}

RunnerConfig RunnerConfig::withAutoPause(bool on) const
{
    return withConfigValue(QStringLiteral("auto_pause"), on);
}

RunnerConfig RunnerConfig::withTtl(qint64 seconds) const
{
    return withConfigValue(QStringLiteral("ttl"), seconds);
}

RunnerConfig RunnerConfig::withTier(const QString &tier) const
{
    return withConfigValue(QStringLiteral("tier"), tier);
}

RunnerConfig RunnerConfig::withAutoRollout(bool on) const
{
    return withConfigValue(QStringLiteral("auto_rollout"), on);
}

RunnerConfig RunnerConfig::withSessionMaxAge(qint64 seconds) const
{
    return withConfigValue(QStringLiteral("session_max_age_seconds"), seconds);
}

RunnerConfig RunnerConfig::withRootfsSizeGb(qint64 gb) const
{
    return withConfigValue(QStringLiteral("rootfs_size_gb"), gb);
}

RunnerConfig RunnerConfig::withRunnerUser(const QString &user) const
{
    return withConfigValue(QStringLiteral("runner_user"), user);
}

RunnerConfig RunnerConfig::withWorkspaceSizeGb(qint64 gb) const
{
    return withConfigValue(QStringLiteral("workspace_size_gb"), gb);
}

RunnerConfig RunnerConfig::withNetworkPolicyPreset(const QString &preset) const
{
    return withConfigValue(QStringLiteral("network_policy_preset"), preset);
}

RunnerConfig RunnerConfig::withNetworkPolicy(const QJsonObject &policy) const
{
    return withConfigValue(QStringLiteral("network_policy"), policy);
}

RunnerConfig RunnerConfig::withAuth(const QJsonObject &auth) const
{
    return withConfigValue(QStringLiteral("auth"), auth);
}

RunnerConfig RunnerConfig::withTenantGcpProject(const QString &project) const
{
    return withConfigValue(QStringLiteral("tenant_gcp_project"), project);
}

RunnerConfig RunnerConfig::withTenantGcpZone(const QString &zone) const
{
    return withConfigValue(QStringLiteral("tenant_gcp_zone"), zone);
}

RunnerConfig RunnerConfig::withTenantNetwork(const QString &network) const
{
    return withConfigValue(QStringLiteral("tenant_network"), network);
}

RunnerConfig RunnerConfig::withTenantSubnet(const QString &subnet) const
{
    return withConfigValue(QStringLiteral("tenant_subnet"), subnet);
}

RunnerConfig RunnerConfig::withTenantServiceAccount(const QString &serviceAccount) const
{
    return withConfigValue(QStringLiteral("tenant_service_account"), serviceAccount);
}

RunnerConfig RunnerConfig::withTenantGceConfig(const QString &project, const QString &zone,
                                               const QString &network, const QString &subnet,
                                               const QString &serviceAccount) const
{
    return withTenantGcpProject(project)
        .withTenantGcpZone(zone)
        .withTenantNetwork(network)
        .withTenantSubnet(subnet)
        .withTenantServiceAccount(serviceAccount);
}

QJsonObject RunnerConfig::bodyWithoutIdCheck(QString *problem) const
{
    QJsonObject body = m_extra;
    body.insert(QStringLiteral("display_name"), m_id);
    QJsonArray layers;
    if (m_hasLayers) {
        for (qsizetype i = 0; i < m_layers.size(); ++i)
            layers.append(normalizeLayer(m_layers.at(i), int(i), problem));
    } else if (!m_commands.isEmpty()) {
        QJsonObject main;
        main.insert(QStringLiteral("name"), QStringLiteral("main"));
        main.insert(QStringLiteral("init_commands"),
                    normalizeList(m_commands, QStringLiteral("commands"), problem));
        layers.append(main);
    }
    body.insert(QStringLiteral("layers"), layers);
    if (!m_baseImage.isEmpty())
        body.insert(QStringLiteral("base_image"), m_baseImage);
    if (!m_config.isEmpty())
        body.insert(QStringLiteral("config"), m_config);
    if (!m_startCommand.isEmpty())
        body.insert(QStringLiteral("start_command"), m_startCommand);
    return body;
}

QJsonObject RunnerConfig::toBody(Error *error) const
{
    QString problem;
    if (!isValidConfigId(m_id, &problem)) {
        if (error)
            *error = Error(ErrorKind::Value, problem);
        return {};
    }
    const QJsonObject body = bodyWithoutIdCheck(&problem);
    if (!problem.isEmpty()) {
        if (error)
            *error = Error(ErrorKind::Value, problem);
        return {};
    }
    return body;
}

QString RunnerConfig::workloadKey() const
{
    QString ignored;
    return leafWorkloadKey(bodyWithoutIdCheck(&ignored));
}

} // namespace capsule
