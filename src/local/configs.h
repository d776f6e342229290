// Layered configs (contract 2.1) and their layer builds (section 10 build list/log).
#pragma once

#include "local/common.h"
#include "local/httpserver.h"
#include "local/states.h"

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QPointer>
#include <QStringList>

class QProcess;
class QTcpSocket;

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

class ConfigService : public QObject
{
    Q_OBJECT
public:
    ConfigService(Store *store, const ServerOptions &options, QObject *parent = nullptr);
    ~ConfigService() override;

    void load();
    void stopAll(); // cancels running builds (shutdown)

    // Routes under /api/v1/layered-configs; `rest` = path segments after it.
    void handle(const HttpRequest &request, const QStringList &rest, const Responder &r);

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
    void create(const HttpRequest &request, const Responder &r);
    void list(const Responder &r);
    void get(const QString &id, const Responder &r);
    void remove(const QString &id, const Responder &r);
    void build(const QString &id, const HttpRequest &request, const Responder &r);
    void refresh(const QString &id, const QString &layer, const Responder &r);
    void listBuilds(const QString &id, const Responder &r);
    void buildLog(const QString &id, const QString &version, bool follow, const Responder &r);

    QJsonObject storedJson(const ConfigRecord &c, bool forList) const;
    QJsonArray layerStatus(const ConfigRecord &c) const;
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

    struct Follower
    {
        Responder responder;
        QPointer<QTcpSocket> socket;
    };
    struct Running
    {
        Sandbox *sandbox = nullptr;
        QProcess *process = nullptr;
        int nextCommand = 0;
        QList<Follower> followers;
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
