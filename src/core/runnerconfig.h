// RunnerConfig: the immutable builder of a layered-config create body (contract 4.2 and 10).
#pragma once

#include "core/error.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace capsule {

// Command normalisation of 4.2: a string s -> {"type":"shell","args":["bash","-lc",s]}; a mapping
// with type+args unchanged; a mapping with a string `command` -> that key removed, type defaulting
// to shell, args ["bash","-lc",command], other keys kept; a mapping with args only gets
// type "shell". Anything else is returned as an empty object (see isValidCommand()).
QJsonObject normalizeCommand(const QJsonValue &command);
// True when `command` is a string or a mapping (the shapes normalizeCommand() understands).
bool isValidCommand(const QJsonValue &command);

// Immutable: every with*() returns a modified copy. Only set fields reach the body.
class RunnerConfig
{
public:
    RunnerConfig() = default;
    explicit RunnerConfig(QString id);

    // Builds a config back from a create body (e.g. for the wizard to edit an onboard.yaml).
    // Explicit layers are kept as layers; unknown top-level keys survive into toBody().
    static RunnerConfig fromBody(const QJsonObject &body);

    // config_id rules of 2.1: a slug of 3-64 chars matching ^[a-z0-9][a-z0-9-]*[a-z0-9]$.
    static bool isValidConfigId(const QString &id, QString *why = nullptr);

    QString id() const { return m_id; }
    QString baseImage() const { return m_baseImage; }
    // Explicit layers if set, else the commands as one layer "main", else empty (normalised).
    QJsonArray layers() const;
    bool hasExplicitLayers() const { return m_hasLayers; }
    QJsonArray commands() const { return m_commands; }
    QJsonObject startCommand() const { return m_startCommand; }
    // Only the config fields that were set.
    QJsonObject config() const { return m_config; }

    RunnerConfig withDisplayName(const QString &id) const;
    RunnerConfig withBaseImage(const QString &image) const;
    // LayerDefs as JSON objects {name, init_commands, refresh_commands?, refresh_interval?,
    // drives?}; they win over withCommands(). Null fields are dropped, commands normalised.
    RunnerConfig withLayers(const QJsonArray &layers) const;
    // Strings and/or command mappings; they become the single layer "main".
    RunnerConfig withCommands(const QJsonArray &commands) const;
    RunnerConfig withCommands(const QStringList &commands) const;
    RunnerConfig withStartCommand(const QJsonObject &startCommand) const;

    RunnerConfig withAutoPause(bool on = true) const;
    RunnerConfig withTtl(qint64 seconds) const;
    RunnerConfig withTier(const QString &tier) const;
    RunnerConfig withAutoRollout(bool on = true) const;
    RunnerConfig withSessionMaxAge(qint64 seconds) const;
    RunnerConfig withRootfsSizeGb(qint64 gb) const;
    RunnerConfig withRunnerUser(const QString &user) const;
    RunnerConfig withWorkspaceSizeGb(qint64 gb) const;
    RunnerConfig withNetworkPolicyPreset(const QString &preset) const;
    RunnerConfig withNetworkPolicy(const QJsonObject &policy) const;
    RunnerConfig withAuth(const QJsonObject &auth) const;

    // 0.4.0 tenant GCE builder fields (section 10); they do not change the workload key.
    RunnerConfig withTenantGcpProject(const QString &project) const;
    RunnerConfig withTenantGcpZone(const QString &zone) const;
    RunnerConfig withTenantNetwork(const QString &network) const;
    RunnerConfig withTenantSubnet(const QString &subnet) const;
    RunnerConfig withTenantServiceAccount(const QString &serviceAccount) const;
    RunnerConfig withTenantGceConfig(const QString &project, const QString &zone,
                                     const QString &network, const QString &subnet,
                                     const QString &serviceAccount) const;

    // The create body of 4.2. The id is validated first: on a bad id (or a command that is
    // neither a string nor a mapping) returns {} and sets a ValueError-kind *error.
    QJsonObject toBody(Error *error = nullptr) const;
    // Leaf workload key of the body (6.1), computed client-side; independent of the id.
    QString workloadKey() const;

    bool operator==(const RunnerConfig &other) const = default;

private:
    RunnerConfig withConfigValue(const QString &key, const QJsonValue &value) const;
    QJsonObject bodyWithoutIdCheck(QString *problem) const;

    QString m_id;
    QString m_baseImage;
    bool m_hasLayers = false;
    QJsonArray m_layers;
    QJsonArray m_commands;
    QJsonObject m_startCommand;
    QJsonObject m_config;
    QJsonObject m_extra; // unknown top-level keys from fromBody()
};

} // namespace capsule
