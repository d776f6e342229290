// The data of a drag of remote rows. Inside the app it carries the remote paths (local pane,
// another runner's list); for other applications it offers the two ways a file manager can ask
// a source to save items that have no local file yet:
// - X Direct Save (xds.h: Nautilus, Thunar, Caja, Nemo, PCManFM-Qt on X11);
// - KDE's Ark protocol (arkextract.h: Dolphin, the Plasma desktop; X11 and Wayland).
// Either way the file manager only names a folder; the rows are then downloaded into it through
// the transfer queue (progress, cancel, conflicts), each file appearing whole when complete.
// text/uri-list is not offered: a file manager reads it at the drop and expects the files to
// exist then, which would mean blocking the GUI thread until the bytes are here.
#pragma once

#include <QMimeData>
#include <functional>

namespace capsule::app {

class DragOutData : public QMimeData
{
    Q_OBJECT
public:
    using Deliver = std::function<void(const QString &folder)>;
    using Fail = std::function<void(const QString &error)>;

    // `xdsName` is the name offered through XDS (the first row's); empty: no XDS.
    DragOutData(const QString &xdsName, Deliver deliver, Fail fail);
    ~DragOutData() override;

    QStringList formats() const override;

protected:
    QVariant retrieveData(const QString &mimeType, QMetaType type) const override;

private:
    void announce();
    QByteArray answerDirectSave() const;

    QString m_xdsName;
    Deliver m_deliver;
    Fail m_fail;
    quint32 m_window = 0;
    mutable bool m_delivered = false;
};

} // namespace capsule::app
