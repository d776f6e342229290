// The control plane's route table: path patterns under /api/v1/ and methods to handlers, and the
// 405 of a path served with another method. The handlers are the API classes' (runnersapi.*,
// configsapi.*, fleetapi.*); ControlPlane answers auth, open paths and 404 itself.
#pragma once

#include "local/httpserver.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <functional>

namespace capsule::local::api {

// How a route answers a method it does not serve: Go's http.Error text or {"error": ...}.
enum class ErrorStyle { Text, Json };

class Router
{
public:
    // `params` are the path segments matched by "{}" in the pattern, in order.
    using Handler = std::function<void(const HttpRequest &request, const QStringList &params,
                                       const Responder &r)>;

    // `pattern`: path segments after /api/v1/, '/'-separated; "{}" matches any one segment
    // (even an empty one), a last "**" any number of further segments (none included).
    // `method`: "GET", "POST", ... or "*" for every method. `notAllowed`: the style of the 405
    // when the path matches but the method does not.
    void add(const QString &method, const QString &pattern, Handler handler,
             ErrorStyle notAllowed = ErrorStyle::Text);

    struct Match
    {
        bool found = false;         // some pattern matched
        bool methodAllowed = false; // ... with the method: `handler` serves it
        ErrorStyle notAllowed = ErrorStyle::Text;
        QStringList params;
        const Handler *handler = nullptr;
    };
    // The first route whose pattern and method match, else the first whose pattern matches.
    Match match(const QString &method, const QStringList &segments) const;

    // Runs the matching route's handler, or answers 405 "method not allowed" in its style.
    // False when no pattern matches (the caller answers 404).
    bool dispatch(const HttpRequest &request, const QStringList &segments,
                  const Responder &r) const;

private:
    struct Route
    {
        QString method;
        QStringList pattern;
        Handler handler;
        ErrorStyle notAllowed;
    };
    static bool matches(const QStringList &pattern, const QStringList &segments,
                        QStringList *params);

    QList<Route> m_routes;
};

} // namespace capsule::local::api
