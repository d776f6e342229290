// The one JSON/string helper of capsule-local's handlers (it replaced a copy in every file).
#pragma once

#include <QString>

namespace capsule::local {

// A QString from an ASCII literal, for JSON keys and fixed texts: s("runner_id").
inline QString s(const char *text)
{
    return QString::fromLatin1(text);
}

} // namespace capsule::local
