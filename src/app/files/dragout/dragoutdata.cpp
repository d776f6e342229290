// The data of a drag of remote rows (see dragoutdata.h).
#include "app/files/dragout/dragoutdata.h"
#include "app/files/dragout/xds.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <QUrl>

namespace capsule::app {

DragOutData::DragOutData(const QString &xdsName, Deliver deliver, Fail fail)
    : m_xdsName(xdsName)
    , m_deliver(std::move(deliver))
    , m_fail(std::move(fail))
{
    // The drag window is the XdndSelection owner once Qt's drag has started: the first turn of
    // the drag's event loop comes after that and long before any drop.
    if (!m_xdsName.isEmpty() && xds::available())
        QTimer::singleShot(0, this, &DragOutData::announce);
}

DragOutData::~DragOutData()
{
    if (m_window)
        xds::withdraw(m_window);
}

void DragOutData::announce()
{
    m_window = xds::dragWindow();
    if (!xds::offerFileName(m_window, m_xdsName))
        m_window = 0;
}

QStringList DragOutData::formats() const
{
    QStringList out = QMimeData::formats();
    if (!m_xdsName.isEmpty() && xds::available())
        out << QString::fromLatin1(xds::kType);
    return out;
}

QVariant DragOutData::retrieveData(const QString &mimeType, QMetaType type) const
{
    if (mimeType == QLatin1String(xds::kType))
        return answerDirectSave();
    return QMimeData::retrieveData(mimeType, type);
}

// Step 3 of XDS: called from Qt's answer to the file manager's selection request, so it only
// checks the folder and schedules the downloads; the answer goes back at once.
QByteArray DragOutData::answerDirectSave() const
{
    const QString target = xds::readTarget(m_window);
    const QUrl url(target);
    const QString file = QDir::isAbsolutePath(target) ? target
                         : url.isLocalFile()          ? url.toLocalFile()
                                                      : QString();
    if (file.isEmpty()) {
        m_fail(target.isEmpty() ? tr("The drop target named no folder.")
                                : tr("%1 is not a local folder.").arg(target));
        return QByteArrayLiteral("E");
    }
    // The target proposes <folder>/<offered name>; every dragged row goes into <folder>.
    const QString folder = QFileInfo(file).absolutePath();
    if (!QFileInfo(folder).isDir()) {
        m_fail(tr("%1 is not a folder.").arg(folder));
        return QByteArrayLiteral("E");
    }
    if (!m_delivered) {
        m_delivered = true;
        // Not bound to this object: Qt deletes the drag's data when the target finishes, which
        // may be before the next turn of the event loop.
        QTimer::singleShot(0, QCoreApplication::instance(),
                           [deliver = m_deliver, folder] { deliver(folder); });
    }
    return QByteArrayLiteral("S");
}

} // namespace capsule::app
