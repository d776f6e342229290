// The source side of the X Direct Save protocol (XDS, "XdndDirectSave0", freedesktop.org): how
// Nautilus, Thunar, Caja, Nemo and PCManFM-Qt save a dragged item that has no local file yet.
//
// 1. At drag start the source puts a file name in the XdndDirectSave0 property (type text/plain)
//    of its drag window (the XdndSelection owner) and offers the XdndDirectSave0 type.
// 2. On drop the file manager writes the file:// URL it wants the item saved as into that
//    property and asks for the XdndDirectSave0 type through the X selection.
// 3. The source answers "S" (it will save there), "F" (ask for the bytes instead) or "E" (error).
//
// Qt has no source-side XDS, so these few X calls are made here on Qt's own xcb connection.
#pragma once

#include <QString>

namespace capsule::app::xds {

// The drag type and property name.
inline constexpr char kType[] = "XdndDirectSave0";

// True when the app runs on X11 (the xcb platform) and XDS can be offered.
bool available();
// The window Qt drags from (the owner of XdndSelection while a drag runs), 0 when none.
quint32 dragWindow();
// Step 1: offers `fileName` on `window`.
bool offerFileName(quint32 window, const QString &fileName);
// Step 2: what the drop target wrote back (a URL, normally file://), empty when nothing.
QString readTarget(quint32 window);
// Removes the property again after the drag.
void withdraw(quint32 window);

} // namespace capsule::app::xds
