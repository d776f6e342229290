#include "local/api/router.h"

#include "local/api/json.h"

namespace capsule::local::api {

void Router::add(const QString &method, const QString &pattern, Handler handler,
                 ErrorStyle notAllowed)
{
    m_routes.append(Route{method, pattern.split(QLatin1Char('/')), std::move(handler), notAllowed});
}

bool Router::matches(const QStringList &pattern, const QStringList &segments, QStringList *params)
{
    params->clear();
    for (int i = 0; i < pattern.size(); ++i) {
        const QString &p = pattern.at(i);
        if (p == QLatin1String("**") && i == pattern.size() - 1)
            return true;
        if (i >= segments.size())
            return false;
        if (p == QLatin1String("{}"))
            *params << segments.at(i);
        else if (p != segments.at(i))
            return false;
    }
    return pattern.size() == segments.size();
}

Router::Match Router::match(const QString &method, const QStringList &segments) const
{
    Match first;
    QStringList params;
    for (const Route &route : m_routes) {
        if (!matches(route.pattern, segments, &params))
            continue;
        if (route.method == QLatin1String("*") || route.method == method)
            return Match{true, true, route.notAllowed, params, &route.handler};
        if (!first.found)
            first = Match{true, false, route.notAllowed, params, nullptr};
    }
    return first;
}

bool Router::dispatch(const HttpRequest &request, const QStringList &segments,
                      const Responder &r) const
{
    const Match m = match(methodName(request), segments);
    if (!m.found)
        return false;
    if (m.methodAllowed)
        (*m.handler)(request, m.params, r);
    else if (m.notAllowed == ErrorStyle::Json)
        replyError(r, 405, s("method not allowed"));
    else
        replyText(r, 405, s("method not allowed"));
    return true;
}

} // namespace capsule::local::api
