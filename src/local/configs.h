// Layered configs (contract 2.1) and their layer builds (section 10 build list/log). A domain
// service: typed requests in (local/requests.h), typed results out (local/service.h); the HTTP
// routes that call it are api/configsapi.*.
#pragma once

#include "local/common.h"
#include "local/requests.h"
#include "local/service.h"
#include "local/states.h"

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QStringList>

#include <functional>
#include <optional>

class QProcess;

namespace capsule {
struct MaterializedLayer;
}

namespace capsule::local {

class Sandbox;
class Store;

struct ConfigRecord
{
    QString id; // config_id (tenant-qualified)
    QString displayName;
    QJsonObject definition; // normalized create body
    QString leafKey;
    QStringList previousKeys; // keys of earlier structures that still resolve (draining)
    QStringList layerHashes;  // root first
    QStringList layerNames;
    QString tier; // resolved
    QString createdAt;
    QString updatedAt;

    QJsonObject config() const { return definition.value(QStringLiteral("config")).toObject(); }
    QJsonObject toJson() const;
    static ConfigRecord fromJson(const QJsonObject &o);
};

struct LayerRecord
{
    QString hash;
    QString name;
    int depth = 0;
    QString parentHash;
    QJsonArray commands;
    LayerStatus status = LayerStatus::Pending;
    QString currentVersion;
    QString resultDir;
    QString activeBuild; // version of the in-flight build

    QJsonObject toJson() const;
    static LayerRecord fromJson(const QJsonObject &o);
};

struct BuildRecord
{
    QString version;
    QString configId;
    QString layerName;
    QString layerHash;
    BuildStatus status = BuildStatus::Queued;
    QString queuedAt, startedAt, finishedAt;
    int exitCode = -1;
    bool hasExitCode = false;
    QString logPath;
    QString runnerUser = QStringLiteral("runner");
    QString baseImage;
    qint64 seq = 0;

    bool inFlight() const;
    QJsonObject toJson() const;
    static BuildRecord fromJson(const QJsonObject &o);
};

// A layer of a config as create reports it.
struct CreatedLayer
{
    QString name;
    QString hash;
    int depth = 0;
    LayerStatus status = LayerStatus::Pending;
    QString currentVersion; // "" before the first build
};

struct CreatedConfig
{
    QString configId;
    QString leafWorkloadKey;
    QList<CreatedLayer> layers;
};

// A layer of a config as a read reports it, with the build in flight if any. Views point into
// the service's records: use them at once, before the service changes.
struct LayerView
{
    QString name;
    QString hash;
    int depth = 0;
    std::optional<LayerStatus> status; // none: the layer record is missing ("unknown")
    QString currentVersion;
    const BuildRecord *build = nullptr; // the layer's build in flight
};

// A build of the config's layers (the section-10 build list).
struct BuildView
{
    QString layerName; // as the config names the layer
    const BuildRecord *build = nullptr;
};

// The log of one build: its text so far, and whether more may come.
struct BuildLog
{
    QByteArray text;
    bool inFlight = false;
};

// Someone following a build's log: `data` gets every piece appended (returning false drops the
// follower: its client is gone), `end` is called once when the build ends (not after a drop).
struct BuildLogFollower
{
    std::function<bool(const QByteArray &text)> data;
    std::function<void()> end;
};

class ConfigService : public QObject
{
    Q_OBJECT
public:
    ConfigService(Store *store, const ServerOptions &options, QObject *parent = nullptr);
    ~ConfigService() override;

    void load();
    void stopAll(); // cancels running builds (shutdown)

    // Operations of the /api/v1/layered-configs routes.

    // Registers (or updates) a validated config. Errors: Failed (a structural change, or no
    // workload key can be computed).
    Result<CreatedConfig> create(const ConfigCreate &request);
    // Every config, sorted by display name (then id).
    QList<const ConfigRecord *> configs() const;
    // Errors: NotFound "layered config not found: <id>".
    Result<const ConfigRecord *> get(const QString &id) const;
    QList<LayerView> layers(const ConfigRecord &c) const;
    // Deletes the config; layers no other config uses become inactive (their builds cancelled).
    // Errors: NotFound.
    Result<void> remove(const QString &id);
    // Enqueues the builds the config needs (all of them with `force`); the number enqueued.
    // Errors: NotFound "config not found".
    Result<int> build(const QString &id, bool force);
    // Rebuilds layer `layer` and its descendants. Errors: NotFound (config or layer).
    Result<int> refresh(const QString &id, const QString &layer);
    // The config's builds, oldest first. Errors: NotFound.
    Result<QList<BuildView>> builds(const QString &id) const;
    // A build's log so far. Errors: NotFound (config, or a build not of this config).
    Result<BuildLog> buildLog(const QString &id, const QString &version) const;
    // Adds a follower to a build in flight (queued builds included), to be called right after
    // buildLog() in the same turn of the event loop, so no piece is missed.
    void followBuildLog(const QString &version, BuildLogFollower follower);

    const ConfigRecord *configForKey(const QString &key) const;
    const ConfigRecord *config(const QString &id) const;
    enum class Readiness { Ready, Building, NotBuilt };
    Readiness readiness(const ConfigRecord &c) const;
    // Built layer results, parent first, for a runner of config `c`.
    QStringList lowerLayers(const ConfigRecord &c) const;
    QString baseRoot(const ConfigRecord &c) const;
    // One line for logs and /api/v1/hosts: filesystem mode and base image mapping.
    QString baseImageNote(const QString &baseImage) const;
    // Read-only views for the fleet and metrics routes (fleet.*, metrics.*).
    const QHash<QString, ConfigRecord> &configRecords() const { return m_configs; }
    const QHash<QString, LayerRecord> &layerRecords() const { return m_layers; }
    const QHash<QString, BuildRecord> &buildRecords() const { return m_builds; }

private:
    bool sameStructure(const QJsonObject &oldDef, const QJsonObject &newDef) const;
    QList<CreatedLayer> registerLayers(ConfigRecord *rec,
                                       const QList<capsule::MaterializedLayer> &layers);
    bool layerReferenced(const QString &hash, const QString &exceptConfig) const;

    // Builds
    int enqueue(const ConfigRecord &c, int fromLayer, bool force, bool onlyFrom);
    void cancelBuild(QString version,
                     const QString &why); // by value: callers pass fields it clears
    void pump();
    void startBuild(BuildRecord &b);
    void runNextCommand(const QString &version);
    void finishBuild(const QString &version, bool ok, int exitCode, const QString &message);
    void appendLog(const QString &version, const QByteArray &text);
    void saveBuild(const BuildRecord &b);
    void saveLayer(const LayerRecord &l);
    void saveConfig(const ConfigRecord &c);

    struct Running
    {
        Sandbox *sandbox = nullptr;
        QProcess *process = nullptr;
        int nextCommand = 0;
        QList<BuildLogFollower> followers;
    };

    Store *m_store;
    ServerOptions m_options;
    QHash<QString, ConfigRecord> m_configs;
    QHash<QString, LayerRecord> m_layers;
    QHash<QString, BuildRecord> m_builds;
    QHash<QString, Running> m_running;
    qint64 m_seq = 0;
    bool m_pumpQueued = false;
};

} // namespace capsule::local
