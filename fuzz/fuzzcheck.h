// Shared by the fuzz targets: a check that aborts (so libFuzzer and the replay test report it)
// and a Qt application object for the code that needs one.
#pragma once

#include <QCoreApplication>

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d): %s\n", #cond, __FILE__, __LINE__, \
                         what);                                                                    \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

namespace capsule::fuzz {

inline void ensureApp()
{
    if (QCoreApplication::instance())
        return;
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = {name, nullptr};
    qputenv("QT_QPA_PLATFORM", "offscreen");
    static QCoreApplication app(argc, argv);
}

} // namespace capsule::fuzz
