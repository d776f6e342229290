// Drags of remote rows out of the app (see dragout.h).
#include "app/files/dragout/dragout.h"
#include "app/files/dragout/arkextract.h"
#include "app/files/dragout/dragoutdata.h"
#include "app/logging.h"

namespace capsule::app {

DragOut::DragOut(QObject *parent)
    : QObject(parent)
{}

QMimeData *DragOut::createMimeData(const QString &runnerId, const QStringList &remotePaths)
{
    QPointer<DragOut> self(this);
    auto deliver = [self, runnerId, remotePaths](const QString &folder) {
        if (!self)
            return;
        qCInfo(lcDragOut).noquote()
            << remotePaths.size() << "row(s) of runner" << runnerId << "dropped on" << folder;
        emit self->downloadRequested(runnerId, remotePaths, folder);
    };
    auto fail = [self](const QString &message) {
        if (!self)
            return;
        qCWarning(lcDragOut).noquote() << "drop refused:" << message;
        emit self->failed(message);
    };
    const QString firstName = remotePaths.value(0).section(QLatin1Char('/'), -1);
    auto *data = new DragOutData(firstName, deliver, fail);
    // The D-Bus object outlives the drag's data: the target calls it after the drop.
    auto *ark = new ArkExtractTarget(deliver, fail, this);
    if (ark->publish()) {
        m_targets.removeAll(nullptr);
        m_targets << ark;
        while (m_targets.size() > kKeptTargets)
            if (QObject *old = m_targets.takeFirst())
                old->deleteLater();
        data->setData(ArkExtractTarget::serviceType(), ark->service().toUtf8());
        data->setData(ArkExtractTarget::pathType(), ark->objectPath().toUtf8());
    } else {
        ark->deleteLater();
    }
    return data;
}

} // namespace capsule::app
