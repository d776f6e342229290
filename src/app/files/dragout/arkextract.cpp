// KDE's drag-out protocol on the session bus (see arkextract.h).
#include "app/files/dragout/arkextract.h"

#include <QDBusConnection>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <QUrl>

namespace capsule::app {

namespace {

// Dolphin sends QUrl::toDisplayString(PreferLocalFile): a plain path for a local folder, a URL
// (sftp://, smb://, ...) otherwise; file:// URLs are taken too.
QString localFolder(const QString &target)
{
    if (QDir::isAbsolutePath(target))
        return QDir::cleanPath(target);
    const QUrl url(target);
    return url.isLocalFile() ? QDir::cleanPath(url.toLocalFile()) : QString();
}

} // namespace

ArkExtractTarget::ArkExtractTarget(std::function<void(const QString &)> deliver,
                                   std::function<void(const QString &)> fail, QObject *parent)
    : QObject(parent)
    , m_deliver(std::move(deliver))
    , m_fail(std::move(fail))
{
    static int serial = 0;
    m_path = QStringLiteral("/CapsuleDesktop/DragOut/%1").arg(++serial);
    QTimer::singleShot(kLifetimeMs, this, &ArkExtractTarget::retire);
}

ArkExtractTarget::~ArkExtractTarget()
{
    if (m_published)
        QDBusConnection::sessionBus().unregisterObject(m_path);
}

bool ArkExtractTarget::publish()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return false;
    m_published = bus.registerObject(m_path, this, QDBusConnection::ExportScriptableSlots);
    return m_published;
}

QString ArkExtractTarget::service() const
{
    return QDBusConnection::sessionBus().baseService();
}

void ArkExtractTarget::extractSelectedFilesTo(const QString &path)
{
    if (m_used) // one drop, one delivery: a second call (a replay) does nothing
        return;
    m_used = true;
    const QString folder = localFolder(path);
    // The caller (Dolphin) waits for the reply: answer at once, act from the event loop.
    QTimer::singleShot(0, this, [this, folder, path] {
        if (folder.isEmpty())
            m_fail(tr("%1 is not a local folder.").arg(path));
        else if (!QFileInfo(folder).isDir())
            m_fail(tr("%1 is not a folder.").arg(folder));
        else
            m_deliver(folder);
        retire();
    });
}

void ArkExtractTarget::retire()
{
    if (m_published)
        QDBusConnection::sessionBus().unregisterObject(m_path);
    m_published = false;
    deleteLater();
}

} // namespace capsule::app
