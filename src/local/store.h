// SQLite persistence of capsule-local: every record is one JSON document in a small table.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace capsule::local {

// Write-through store: the control plane keeps its state in memory and mirrors each change here,
// so a restart (even after kill -9) reloads it. WAL mode keeps writes cheap and crash-safe.
class Store
{
public:
    Store() = default;
    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    bool open(const QString &path, QString *error);
    void close();

    // Tables: configs, layers, builds, runners, sessions.
    void put(const QString &table, const QString &id, const QJsonObject &record);
    void remove(const QString &table, const QString &id);
    QList<QJsonObject> all(const QString &table) const;

private:
    QString m_connection;
};

} // namespace capsule::local
