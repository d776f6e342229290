// A real XDND drop target for tst_filesdragout: a plain xcb window (no toolkit) that takes drops
// the way the file managers do, speaking the protocol to the dragging application itself.
//
//   xdnd-drop-target --protocol xds|ark --folder DIR [--url URL] [--geometry X,Y,W,H]
//
// xds: as Nautilus/Thunar: reads the file name the source offers in its XdndDirectSave0
//      property, writes file://DIR/<name> (or URL) back, asks for the XdndDirectSave0 type and
//      takes the source's one-letter answer.
// ark: as Dolphin: asks for the application/x-kde-ark-dndextract-service and -path types through
//      the X selection and calls org.kde.ark.DndExtract.extractSelectedFilesTo(DIR) on the
//      session bus with dbus-send, waiting for the reply as Dolphin does.
// Prints "READY" once its window is mapped and "RESULT <what happened>" after the drop, then
// exits 0; exits 2 when no drop came within 120 s.
#include <xcb/xcb.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Free
{
    void operator()(void *p) const { std::free(p); }
};
template<typename T>
using Ptr = std::unique_ptr<T, Free>;

xcb_connection_t *c = nullptr;
xcb_window_t self = 0;
std::map<std::string, xcb_atom_t> atoms;

xcb_atom_t atom(const std::string &name)
{
    auto it = atoms.find(name);
    if (it != atoms.end())
        return it->second;
    Ptr<xcb_intern_atom_reply_t> r(xcb_intern_atom_reply(
        c, xcb_intern_atom(c, 0, uint16_t(name.size()), name.c_str()), nullptr));
    const xcb_atom_t a = r ? r->atom : xcb_atom_t(XCB_ATOM_NONE);
    atoms[name] = a;
    return a;
}

std::string atomName(xcb_atom_t a)
{
    Ptr<xcb_get_atom_name_reply_t> r(xcb_get_atom_name_reply(c, xcb_get_atom_name(c, a), nullptr));
    if (!r)
        return {};
    return std::string(xcb_get_atom_name_name(r.get()),
                       size_t(xcb_get_atom_name_name_length(r.get())));
}

std::string readProperty(xcb_window_t w, xcb_atom_t property, bool remove)
{
    Ptr<xcb_get_property_reply_t> r(xcb_get_property_reply(
        c, xcb_get_property(c, remove, w, property, XCB_GET_PROPERTY_TYPE_ANY, 0, 1 << 16),
        nullptr));
    if (!r || r->format != 8)
        return {};
    return std::string(static_cast<const char *>(xcb_get_property_value(r.get())),
                       size_t(xcb_get_property_value_length(r.get())));
}

void sendMessage(xcb_window_t to, const char *type, const uint32_t (&data)[5])
{
    xcb_client_message_event_t ev;
    std::memset(&ev, 0, sizeof ev);
    ev.response_type = XCB_CLIENT_MESSAGE;
    ev.format = 32;
    ev.window = to;
    ev.type = atom(type);
    std::memcpy(ev.data.data32, data, sizeof data);
    xcb_send_event(c, 0, to, XCB_EVENT_MASK_NO_EVENT, reinterpret_cast<const char *>(&ev));
    xcb_flush(c);
}

// Waits for the next event of `type` (others are dropped: the drag has ended for this target).
xcb_generic_event_t *waitFor(uint8_t type)
{
    const time_t end = time(nullptr) + 30;
    while (time(nullptr) < end) {
        xcb_generic_event_t *ev = xcb_poll_for_event(c);
        if (!ev) {
            usleep(2000);
            continue;
        }
        if ((ev->response_type & 0x7f) == type)
            return ev;
        std::free(ev);
    }
    return nullptr;
}

// Asks the drag source for `target` through XdndSelection; the data, or "<none>".
std::string convert(const std::string &target, uint32_t time)
{
    const xcb_atom_t property = atom("CAPSULE_DROP_DATA");
    xcb_convert_selection(c, self, atom("XdndSelection"), atom(target), property, time);
    xcb_flush(c);
    Ptr<xcb_generic_event_t> ev(waitFor(XCB_SELECTION_NOTIFY));
    if (!ev)
        return "<timeout>";
    auto *notify = reinterpret_cast<xcb_selection_notify_event_t *>(ev.get());
    if (notify->property == XCB_ATOM_NONE)
        return "<none>";
    return readProperty(self, property, true);
}

std::vector<std::string> offeredTypes(const xcb_client_message_event_t *enter)
{
    std::vector<xcb_atom_t> list;
    if (enter->data.data32[1] & 1) { // more than three: XdndTypeList on the source window
        Ptr<xcb_get_property_reply_t> r(
            xcb_get_property_reply(c,
                                   xcb_get_property(c, 0, enter->data.data32[0],
                                                    atom("XdndTypeList"), XCB_ATOM_ATOM, 0, 1024),
                                   nullptr));
        if (r && r->format == 32) {
            auto *v = static_cast<const xcb_atom_t *>(xcb_get_property_value(r.get()));
            list.assign(v, v + xcb_get_property_value_length(r.get()) / 4);
        }
    } else {
        for (int i = 2; i < 5; ++i)
            if (enter->data.data32[i])
                list.push_back(enter->data.data32[i]);
    }
    std::vector<std::string> out;
    for (xcb_atom_t a : list)
        out.push_back(atomName(a));
    return out;
}

std::string dropXds(const std::vector<std::string> &types, xcb_window_t source, uint32_t time,
                    const std::string &folder, const std::string &url)
{
    if (std::find(types.begin(), types.end(), "XdndDirectSave0") == types.end())
        return "XdndDirectSave0 not offered";
    const std::string name = readProperty(source, atom("XdndDirectSave0"), false);
    if (name.empty() || name.find('/') != std::string::npos)
        return "no file name offered (" + name + ")";
    const std::string target = url.empty() ? "file://" + folder + "/" + name : url;
    xcb_change_property(c, XCB_PROP_MODE_REPLACE, source, atom("XdndDirectSave0"),
                        atom("text/plain"), 8, uint32_t(target.size()), target.data());
    const std::string answer = convert("XdndDirectSave0", time);
    return "XDS " + answer + " " + name;
}

std::string dropArk(uint32_t time, const std::string &folder)
{
    const std::string service = convert("application/x-kde-ark-dndextract-service", time);
    const std::string path = convert("application/x-kde-ark-dndextract-path", time);
    if (service.empty() || service[0] == '<' || path.empty() || path[0] != '/')
        return "no ark data (" + service + ", " + path + ")";
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string dest = "--dest=" + service;
        const std::string arg = "string:" + folder;
        execlp("dbus-send", "dbus-send", "--session", "--print-reply", dest.c_str(), path.c_str(),
               "org.kde.ark.DndExtract.extractSelectedFilesTo", arg.c_str(), nullptr);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return "ARK " + std::string(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "failed");
}

} // namespace

int main(int argc, char **argv)
{
    std::string protocol = "xds", folder, url;
    int x = 700, y = 0, w = 300, h = 300;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--protocol")
            protocol = v;
        else if (k == "--folder")
            folder = v;
        else if (k == "--url")
            url = v;
        else if (k == "--geometry")
            std::sscanf(v.c_str(), "%d,%d,%d,%d", &x, &y, &w, &h);
    }
    c = xcb_connect(nullptr, nullptr);
    if (xcb_connection_has_error(c)) {
        std::fprintf(stderr, "cannot open the display\n");
        return 1;
    }
    xcb_screen_t *screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    self = xcb_generate_id(c);
    const uint32_t values[] = {screen->white_pixel, 1 /* override-redirect: exactly here */,
                               XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_STRUCTURE_NOTIFY};
    xcb_create_window(c, XCB_COPY_FROM_PARENT, self, screen->root, int16_t(x), int16_t(y),
                      uint16_t(w), uint16_t(h), 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
                      screen->root_visual,
                      XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT | XCB_CW_EVENT_MASK, values);
    const uint32_t version = 5;
    xcb_change_property(c, XCB_PROP_MODE_REPLACE, self, atom("XdndAware"), XCB_ATOM_ATOM, 32, 1,
                        &version);
    xcb_map_window(c, self);
    xcb_flush(c);
    std::free(waitFor(XCB_MAP_NOTIFY));
    std::printf("READY\n");
    std::fflush(stdout);

    xcb_window_t source = 0;
    std::vector<std::string> types;
    const time_t end = time(nullptr) + 120;
    while (time(nullptr) < end) {
        Ptr<xcb_generic_event_t> ev(xcb_poll_for_event(c));
        if (!ev) {
            usleep(2000);
            continue;
        }
        if ((ev->response_type & 0x7f) != XCB_CLIENT_MESSAGE)
            continue;
        auto *m = reinterpret_cast<xcb_client_message_event_t *>(ev.get());
        const std::string type = atomName(m->type);
        if (type == "XdndEnter") {
            source = m->data.data32[0];
            types = offeredTypes(m);
            for (const std::string &t : types)
                std::fprintf(stderr, "offered: %s\n", t.c_str());
        } else if (type == "XdndPosition") {
            const uint32_t status[5] = {self, 1, 0, 0, atom("XdndActionCopy")};
            sendMessage(m->data.data32[0], "XdndStatus", status);
        } else if (type == "XdndDrop") {
            const uint32_t time = m->data.data32[2];
            const std::string result = protocol == "ark"
                                           ? dropArk(time, folder)
                                           : dropXds(types, source, time, folder, url);
            const uint32_t finished[5] = {self, 1, atom("XdndActionCopy"), 0, 0};
            sendMessage(source, "XdndFinished", finished);
            std::printf("RESULT %s\n", result.c_str());
            std::fflush(stdout);
            xcb_disconnect(c);
            return 0;
        }
    }
    std::printf("RESULT no drop\n");
    return 2;
}
