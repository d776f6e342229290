// Drags of remote rows out of the app (to a file manager or the desktop): makes each drag's data
// (dragoutdata.h) and turns a file manager's answer into a download request.
#pragma once

#include <QMimeData>
#include <QObject>
#include <QPointer>

namespace capsule::app {

class DragOut : public QObject
{
    Q_OBJECT
public:
    explicit DragOut(QObject *parent = nullptr);

    // The data of a drag of `remotePaths` of runner `runnerId`, with the out-of-app offers.
    QMimeData *createMimeData(const QString &runnerId, const QStringList &remotePaths);

signals:
    // A file manager asked for the dragged rows in `folder`.
    void downloadRequested(const QString &runnerId, const QStringList &remotePaths,
                           const QString &folder);
    void failed(const QString &message);

private:
    static constexpr int kKeptTargets = 4; // the D-Bus objects of the last drags

    QList<QPointer<QObject>> m_targets;
};

} // namespace capsule::app
