// Helpers shared by the control-plane tests (tst_cp_*): config bodies and host exec.
#pragma once

#include "support/localserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace capsule::test {

inline QJsonObject shellCommand(const QString &script, bool root = false)
{
    return {
        {QStringLiteral("type"), QStringLiteral("shell")},
        {QStringLiteral("args"), QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"), script}},
        {QStringLiteral("run_as_root"), root}};
}

// A one-layer config whose build runs `script` as root.
inline QJsonObject oneLayerConfig(const QString &name, const QString &script,
                                  const QJsonObject &config = {})
{
    QJsonObject body{{QStringLiteral("display_name"), name},
                     {QStringLiteral("layers"),
                      QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("main")},
                                             {QStringLiteral("init_commands"),
                                              QJsonArray{shellCommand(script, true)}}}}}};
    if (!config.isEmpty())
        body[QStringLiteral("config")] = config;
    return body;
}

struct ExecResult
{
    int status = 0;
    int code = -1000;
    QString out;
    QString err;
    QByteArray raw;
};

// Runs argv through the host agent's exec route (contract 3.2) and collects the ndjson stream.
inline ExecResult hostExec(const LocalServer &server, const QString &hostAddress,
                           const QString &runnerId, const QStringList &argv)
{
    const QJsonObject body{{QStringLiteral("command"), QJsonArray::fromStringList(argv)}};
    const HttpReply r = server.request(
        "POST", QStringLiteral("http://%1/api/v1/runners/%2/exec").arg(hostAddress, runnerId),
        QJsonDocument(body).toJson(QJsonDocument::Compact));
    ExecResult out;
    out.status = r.status;
    out.raw = r.body;
    for (const QByteArray &line : r.body.split('\n')) {
        const QJsonObject e = QJsonDocument::fromJson(line).object();
        const QString type = e.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("stdout"))
            out.out += e.value(QStringLiteral("data")).toString();
        else if (type == QLatin1String("stderr"))
            out.err += e.value(QStringLiteral("data")).toString();
        else if (type == QLatin1String("exit"))
            out.code = e.value(QStringLiteral("code")).toInt();
    }
    return out;
}

inline QJsonObject allocateBody(const QString &key, const QJsonObject &extra = {})
{
    QJsonObject body = extra;
    body[QStringLiteral("workload_key")] = key;
    return body;
}

} // namespace capsule::test
