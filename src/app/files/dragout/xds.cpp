// X Direct Save on Qt's xcb connection (see xds.h). Without xcb at build time, or on another
// platform (Wayland, offscreen), available() is false and nothing here touches X.
#include "app/files/dragout/xds.h"

#include <QGuiApplication>

#ifdef CAPSULE_HAVE_XCB
#include <cstdlib>
#include <memory>
#include <xcb/xcb.h>
#endif

namespace capsule::app::xds {

#ifdef CAPSULE_HAVE_XCB
namespace {

xcb_connection_t *connection()
{
    if (QGuiApplication::platformName() != QLatin1String("xcb"))
        return nullptr;
    auto *x11 = qGuiApp ? qGuiApp->nativeInterface<QNativeInterface::QX11Application>() : nullptr;
    return x11 ? x11->connection() : nullptr;
}

struct FreeDeleter
{
    void operator()(void *p) const { std::free(p); }
};
template<typename T>
using Reply = std::unique_ptr<T, FreeDeleter>;

xcb_atom_t atom(xcb_connection_t *c, const char *name)
{
    const Reply<xcb_intern_atom_reply_t> reply(
        xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, uint16_t(qstrlen(name)), name), nullptr));
    return reply ? reply->atom : xcb_atom_t(XCB_ATOM_NONE);
}

} // namespace

bool available()
{
    return connection() != nullptr;
}

quint32 dragWindow()
{
    xcb_connection_t *c = connection();
    if (!c)
        return 0;
    const xcb_atom_t selection = atom(c, "XdndSelection");
    const Reply<xcb_get_selection_owner_reply_t> reply(
        xcb_get_selection_owner_reply(c, xcb_get_selection_owner(c, selection), nullptr));
    return reply ? reply->owner : 0;
}

bool offerFileName(quint32 window, const QString &fileName)
{
    xcb_connection_t *c = connection();
    if (!c || !window)
        return false;
    const QByteArray name = fileName.toUtf8();
    xcb_change_property(c, XCB_PROP_MODE_REPLACE, window, atom(c, kType), atom(c, "text/plain"), 8,
                        uint32_t(name.size()), name.constData());
    xcb_flush(c);
    return true;
}

QString readTarget(quint32 window)
{
    xcb_connection_t *c = connection();
    if (!c || !window)
        return {};
    // A URL of up to 16 KiB (long_length counts 32-bit units).
    const Reply<xcb_get_property_reply_t> reply(xcb_get_property_reply(
        c, xcb_get_property(c, 0, window, atom(c, kType), XCB_GET_PROPERTY_TYPE_ANY, 0, 4096),
        nullptr));
    if (!reply || reply->format != 8)
        return {};
    const auto *bytes = static_cast<const char *>(xcb_get_property_value(reply.get()));
    return QString::fromUtf8(bytes, xcb_get_property_value_length(reply.get()));
}

void withdraw(quint32 window)
{
    xcb_connection_t *c = connection();
    if (!c || !window)
        return;
    xcb_delete_property(c, window, atom(c, kType));
    xcb_flush(c);
}

#else

bool available()
{
    return false;
}
quint32 dragWindow()
{
    return 0;
}
bool offerFileName(quint32, const QString &)
{
    return false;
}
QString readTarget(quint32)
{
    return {};
}
void withdraw(quint32)
{}

#endif

} // namespace capsule::app::xds
