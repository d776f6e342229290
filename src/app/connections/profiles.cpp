// See profiles.h.
#include "app/connections/profiles.h"

#include "core/client.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QUrl>
#include <QUuid>

namespace capsule::app {

namespace {
const QString kListKey = QStringLiteral("profiles/saved");
const QString kCurrentKey = QStringLiteral("profiles/current");

QString tr(const char *text)
{
    return QCoreApplication::translate("capsule::app::ProfileStore", text);
}
} // namespace

QList<ConnectionProfile> ProfileStore::all()
{
    QList<ConnectionProfile> list;
    ConnectionProfile local;
    local.kind = ConnectionProfile::Kind::ThisComputer;
    local.id = QString::fromLatin1(kLocalId);
    local.name = tr("This computer");
    list << local;
    const QString envUrl = qEnvironmentVariable("CAPSULE_BASE_URL");
    if (!envUrl.isEmpty()) {
        ConnectionProfile env;
        env.kind = ConnectionProfile::Kind::Environment;
        env.id = QString::fromLatin1(kEnvironmentId);
        env.name = tr("Environment (%1)").arg(envUrl);
        env.baseUrl = envUrl;
        list << env;
    }
    list << saved();
    return list;
}

QList<ConnectionProfile> ProfileStore::saved()
{
    QList<ConnectionProfile> list;
    QSettings settings;
    const int n = settings.beginReadArray(kListKey);
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        ConnectionProfile p;
        p.id = settings.value(QStringLiteral("id")).toString();
        p.name = settings.value(QStringLiteral("name")).toString();
        p.baseUrl = settings.value(QStringLiteral("url")).toString();
        p.requestTimeout = settings.value(QStringLiteral("requestTimeout"), 30.0).toDouble();
        p.startupTimeout = settings.value(QStringLiteral("startupTimeout"), 45.0).toDouble();
        p.operationTimeout = settings.value(QStringLiteral("operationTimeout"), 120.0).toDouble();
        if (!p.id.isEmpty())
            list << p;
    }
    settings.endArray();
    return list;
}

void ProfileStore::save(const QList<ConnectionProfile> &profiles)
{
    QSettings settings;
    settings.remove(kListKey);
    settings.beginWriteArray(kListKey);
    int i = 0;
    for (const ConnectionProfile &p : profiles) {
        if (p.isBuiltIn())
            continue;
        settings.setArrayIndex(i++);
        settings.setValue(QStringLiteral("id"), p.id);
        settings.setValue(QStringLiteral("name"), p.name);
        settings.setValue(QStringLiteral("url"), p.baseUrl);
        settings.setValue(QStringLiteral("requestTimeout"), p.requestTimeout);
        settings.setValue(QStringLiteral("startupTimeout"), p.startupTimeout);
        settings.setValue(QStringLiteral("operationTimeout"), p.operationTimeout);
    }
    settings.endArray();
}

ConnectionProfile ProfileStore::find(const QString &id)
{
    for (const ConnectionProfile &p : all())
        if (p.id == id)
            return p;
    return {};
}

QString ProfileStore::newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
}

QString ProfileStore::currentId()
{
    return QSettings().value(kCurrentKey).toString();
}

void ProfileStore::setCurrentId(const QString &id)
{
    QSettings().setValue(kCurrentKey, id);
}

QString ProfileStore::validate(const ConnectionProfile &profile)
{
    if (profile.name.trimmed().isEmpty())
        return tr("Give the connection a name.");
    if (profile.kind == ConnectionProfile::Kind::ThisComputer)
        return {};
    const QUrl url(profile.baseUrl, QUrl::StrictMode);
    if (profile.baseUrl.trimmed().isEmpty())
        return tr("The server URL is missing, e.g. https://capsule.example.com.");
    if (!url.isValid() || url.host().isEmpty() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return tr("\"%1\" is not an http:// or https:// URL with a host.").arg(profile.baseUrl);
    if (profile.requestTimeout <= 0 || profile.startupTimeout <= 0 || profile.operationTimeout <= 0)
        return tr("Timeouts must be more than 0 seconds.");
    return {};
}

QString ProfileStore::stateGroup(const QString &profileId)
{
    return QStringLiteral("profileState/") +
           (profileId.isEmpty() ? QStringLiteral("default") : profileId);
}

QString HealthCheck::Result::text() const
{
    if (!reachable)
        return tr("Not reachable: %1").arg(error);
    const QString hosts = hostCount == 1 ? tr("1 host") : tr("%1 hosts").arg(hostCount);
    return tr("Reachable in %1 ms · %2 · server version %3").arg(latencyMs).arg(hosts, version);
}

HealthCheck::HealthCheck(const QString &baseUrl, const QString &token, double timeoutSeconds,
                         QObject *parent)
    : QObject(parent)
{
    SettingsOverrides overrides;
    overrides.baseUrl = baseUrl;
    overrides.token = token;
    overrides.requestTimeout = timeoutSeconds;
    m_client = new Client(Settings::resolve(overrides), this);
}

HealthCheck::~HealthCheck() = default;

void HealthCheck::start()
{
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    m_client->hosts()->list()->then(
        this,
        [this, clock](const HostList &reply) {
            Result result;
            result.reachable = true;
            result.hostCount = int(reply.hosts.size());
            result.latencyMs = clock->elapsed();
            // The wire contract has no version route; say so rather than guess.
            result.version = tr("not reported");
            emit finished(result);
        },
        [this, clock](const Error &error) {
            Result result;
            result.latencyMs = clock->elapsed();
            result.error = error.toString();
            if (!error.requestId.isEmpty())
                result.error += tr(" (request id %1)").arg(error.requestId);
            emit finished(result);
        });
}

} // namespace capsule::app
