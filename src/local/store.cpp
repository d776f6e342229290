// SQLite persistence of capsule-local (Qt Sql, QSQLITE, WAL).
#include "local/store.h"
#include "local/logging.h"

#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QtDebug>

namespace capsule::local {

static const QStringList kTables{QStringLiteral("configs"), QStringLiteral("layers"),
                                 QStringLiteral("builds"), QStringLiteral("runners"),
                                 QStringLiteral("sessions")};

Store::~Store()
{
    close();
}

bool Store::open(const QString &path, QString *error)
{
    m_connection = QStringLiteral("capsule-store-") + QUuid::createUuid().toString(QUuid::Id128);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(path);
    if (!db.open()) {
        if (error)
            *error = QStringLiteral("cannot open database %1: %2").arg(path, db.lastError().text());
        return false;
    }
    QSqlQuery q(db);
    q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
    q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    for (const QString &t : kTables) {
        if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (id TEXT PRIMARY KEY, "
                                   "doc TEXT NOT NULL)")
                        .arg(t))) {
            if (error)
                *error = QStringLiteral("cannot create table %1: %2").arg(t, q.lastError().text());
            return false;
        }
    }
    return true;
}

void Store::close()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
    m_connection.clear();
}

void Store::put(const QString &table, const QString &id, const QJsonObject &record)
{
    if (m_connection.isEmpty())
        return;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO %1 (id, doc) VALUES (?, ?)").arg(table));
    q.addBindValue(id);
    q.addBindValue(QString::fromUtf8(QJsonDocument(record).toJson(QJsonDocument::Compact)));
    if (!q.exec())
        qCWarning(lcLocal).noquote()
            << "store: cannot write" << table << id << q.lastError().text();
}

void Store::remove(const QString &table, const QString &id)
{
    if (m_connection.isEmpty())
        return;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("DELETE FROM %1 WHERE id = ?").arg(table));
    q.addBindValue(id);
    if (!q.exec())
        qCWarning(lcLocal).noquote()
            << "store: cannot delete" << table << id << q.lastError().text();
}

QList<QJsonObject> Store::all(const QString &table) const
{
    QList<QJsonObject> out;
    if (m_connection.isEmpty())
        return out;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(QStringLiteral("SELECT doc FROM %1").arg(table)))
        return out;
    while (q.next())
        out << QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object();
    return out;
}

} // namespace capsule::local
