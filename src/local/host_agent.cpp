// Host agent of capsule-local: listener, authentication and routing of contract section 3.
#include "local/host_agent.h"
#include "local/api/status.h"
#include "local/common.h"

#include "local/host_http.h"
#include "local/httpserver.h"
#include "local/runneraccess.h"
#include "local/sandbox.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSet>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

namespace capsule::local {

namespace {

const QString kPrefix = QStringLiteral("/api/v1/runners/");

HostRequest hostRequest(const HttpRequest &request, const Responder &r)
{
    HostRequest req;
    req.responder = r;
    req.socket = r->socket();
    req.method = request.method();
    req.path = request.url().path();
    req.query = formQuery(request.url());
    req.body = request.body();
    for (const auto &h : request.headers())
        req.headers.insert(h.first.toLower(), h.second);
    return req;
}

} // namespace

struct HostAgent::Private
{
    // Where a runner request goes, or the error that answers it (decided on the head).
    struct Route
    {
        QString id;
        QString op;
        int status = 0; // != 0: answer with `message` (JSON when `json`)
        QString message;
        bool json = false;
    };

    HostAgent *q = nullptr;
    RunnerAccess *access = nullptr;
    std::unique_ptr<HttpServer> server;
    QWebSocketServer webSockets{QStringLiteral("capsule-local"), QWebSocketServer::NonSecureMode};
    quint16 port = 0;
    QList<QPointer<QObject>> sessions; // exec streams, PTY sessions, downloads (runner id in name)

    BodyPlan head(const HttpRequest &request, const Responder &r);
    void handle(const HttpRequest &request, const Responder &r);
    Route route(const HttpRequest &request) const;
    static void answer(const HostRequest &req, const Route &route);
    bool upgradePty(const HostRequest &req, const Route &route);
    void handleWebSocket();
    void dispatch(const HostRequest &req, const HostRunner *runner, const QString &op);
};

HostAgent::HostAgent(RunnerAccess *access, HostAgentOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->access = access;
    d->server = std::make_unique<HttpServer>(
        [this](const HttpRequest &request, const Responder &r) { return d->head(request, r); },
        [this](const HttpRequest &request, const Responder &r) { d->handle(request, r); });
    connect(&d->webSockets, &QWebSocketServer::newConnection, this,
            [this] { d->handleWebSocket(); });
}

HostAgent::~HostAgent()
{
    for (const QPointer<QObject> &s : std::as_const(d->sessions))
        delete s.data();
}

quint16 HostAgent::listen(quint16 port)
{
    d->port = d->server->listen(QHostAddress::LocalHost, port);
    return d->port;
}

quint16 HostAgent::port() const
{
    return d->port;
}

QString HostAgent::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(d->port);
}

void HostAgent::closeRunnerSessions(const QString &id)
{
    for (const QPointer<QObject> &s : std::as_const(d->sessions))
        if (s && s->objectName() == id)
            s->deleteLater();
}

HostAgent::Private::Route HostAgent::Private::route(const HttpRequest &request) const
{
    Route rt;
    const QString rest = request.url().path().mid(kPrefix.size());
    const int slash = rest.indexOf(QLatin1Char('/'));
    if (slash <= 0)
        return {{}, {}, 404, QStringLiteral("404 page not found")};
    rt.id = rest.left(slash);
    rt.op = rest.mid(slash + 1);
    const QString &op = rt.op;
    QByteArray wanted;
    if (op == QLatin1String("exec") || op.startsWith(QLatin1String("files/")))
        wanted = op == QLatin1String("files/download") ? "GET" : "POST";
    else if (op == QLatin1String("pty") || op == QLatin1String("service-logs"))
        wanted = "GET";
    else if (!op.startsWith(QLatin1String("proxy/")) && op != QLatin1String("proxy"))
        return {rt.id, op, 404, QStringLiteral("404 page not found")};
    if (op.startsWith(QLatin1String("files/")) && !isFileOp(op.mid(6)))
        return {rt.id, op, 404, QStringLiteral("404 page not found")};
    if (!wanted.isEmpty() && request.method() != wanted)
        return {rt.id, op, 405, QStringLiteral("Method Not Allowed")};
    if (access->isHostDraining(q->m_options.hostId))
        return {rt.id, op, 503, QStringLiteral("host is draining, retry via control plane"), true};
    return rt;
}

void HostAgent::Private::answer(const HostRequest &req, const Route &route)
{
    if (route.json)
        sendJson(req, route.status, QJsonObject{{QStringLiteral("error"), route.message}},
                 route.status == 503 ? HeaderPairs{{"Retry-After", "5"}} : HeaderPairs{});
    else
        sendText(req, route.status, route.message);
}

// Runs on the request head, before any byte of the body is read: auth, routing errors, the PTY
// upgrade, and what to do with the body (uploads stream to disk, the rest is bounded).
BodyPlan HostAgent::Private::head(const HttpRequest &request, const Responder &r)
{
    if (!request.url().path().startsWith(kPrefix)) { // /health, /ready, 404: no body read
        handle(request, r);
        return BodyPlan::answered();
    }
    const HostRequest req = hostRequest(request, r);
    if (!q->m_options.openHost && !bearerTokenMatches(request, q->m_options.token)) {
        sendJson(req, 401, QJsonObject{{QStringLiteral("error"), QStringLiteral("unauthorized")}});
        return BodyPlan::answered();
    }
    const Route rt = route(request);
    if (rt.status) {
        answer(req, rt);
        return BodyPlan::answered();
    }
    if (rt.op == QLatin1String("pty")) {
        // Only a WebSocket upgrade reaches the PTY: a plain GET must not fall through to the
        // reverse proxy (it would reach whatever listens on the runner's port).
        if (!request.isWebSocketUpgrade())
            sendText(req, 400,
                     QStringLiteral("the pty route needs a WebSocket upgrade "
                                    "(GET with \"Upgrade: websocket\")"));
        else
            upgradePty(req, rt);
        return BodyPlan::answered();
    }
    if (rt.op == QLatin1String("files/upload"))
        return BodyPlan::stream();
    if (rt.op.startsWith(QLatin1String("proxy")))
        return BodyPlan::buffer(kProxyBodyLimit);
    return BodyPlan::buffer(kJsonBodyLimit);
}

// Preconditions the registry answers at once (unknown runner, terminated...) become the HTTP
// errors of 3.1; otherwise the socket, head still unread, goes to the WebSocket server, and
// handleWebSocket() starts the session (waiting for an auto-resume that is still running).
bool HostAgent::Private::upgradePty(const HostRequest &req, const Route &rt)
{
    auto state = std::make_shared<int>(0); // 0 = still inside acquireRunner, 1 = refused, 2 = later
    access->acquireRunner(
        q->m_options.hostId, rt.id, [req, state](const Result<const HostRunner *> &runner) {
            if (*state == 0 && (!runner.ok() || !runner.value() || !runner.value()->sandbox)) {
                sendText(req, runner.ok() ? 503 : api::httpStatus(runner.error().kind),
                         runner.ok() ? QString() : runner.error().message);
                *state = 1;
            }
        });
    if (*state == 1)
        return false;
    *state = 2;
    QTcpSocket *socket = req.responder->takeSocket();
    if (!socket)
        return false;
    socket->setParent(&webSockets);
    webSockets.handleConnection(socket);
    return true;
}

void HostAgent::Private::handle(const HttpRequest &request, const Responder &r)
{
    const HostRequest req = hostRequest(request, r);
    if (req.path == QLatin1String("/health")) {
        sendText(req, 200, QStringLiteral("OK"));
        return;
    }
    if (req.path == QLatin1String("/ready")) {
        sendText(
            req, 200,
            QStringLiteral("Ready: %1 runners").arg(access->runnersOnHost(q->m_options.hostId)));
        return;
    }
    if (!req.path.startsWith(kPrefix)) {
        sendText(req, 404, QStringLiteral("404 page not found"));
        return;
    }
    const Route rt = route(request); // auth and the PTY were handled on the head
    if (rt.status) {
        answer(req, rt);
        return;
    }
    const QString id = rt.id, op = rt.op;
    QPointer<QTcpSocket> alive(req.socket);
    access->acquireRunner(
        q->m_options.hostId, id,
        [this, req, op, id, alive](const Result<const HostRunner *> &runner) {
            if (!alive)
                return;
            if (!runner.ok() || !runner.value() || !runner.value()->sandbox) {
                const QString message = runner.ok() ? QString() : runner.error().message;
                sendText(req, runner.ok() ? 503 : api::httpStatus(runner.error().kind),
                         message.isEmpty() ? QStringLiteral("runner unavailable") : message);
                return;
            }
            access->noteActivity(id);
            dispatch(req, runner.value(), op);
        });
}

void HostAgent::Private::dispatch(const HostRequest &req, const HostRunner *runner,
                                  const QString &op)
{
    QObject *session = nullptr;
    if (op == QLatin1String("exec"))
        session = startExec(req, *runner, q);
    else if (op.startsWith(QLatin1String("files/")))
        session = handleFileOp(req, *runner, op.mid(6), q);
    else if (op == QLatin1String("service-logs"))
        session = serveServiceLogs(req, *runner, q);
    else
        session = startProxy(req, *runner, op.mid(6), q);
    if (session) {
        session->setObjectName(runner->id);
        sessions.removeAll(nullptr);
        sessions << session;
    }
}

void HostAgent::Private::handleWebSocket()
{
    while (webSockets.hasPendingConnections()) {
        QWebSocket *ws = webSockets.nextPendingConnection();
        ws->setParent(q);
        const QString path = ws->requestUrl().path();
        const QString prefix = QStringLiteral("/api/v1/runners/");
        const QString id = path.mid(prefix.size()).section(QLatin1Char('/'), 0, 0);
        const bool isPty = path.startsWith(prefix) && path == prefix + id + QStringLiteral("/pty");
        auto refuse = [ws](QWebSocketProtocol::CloseCode code, const QString &why) {
            ws->close(code, why);
            ws->deleteLater();
        };
        if (!isPty) {
            refuse(QWebSocketProtocol::CloseCodePolicyViolated,
                   QStringLiteral("404 page not found"));
            continue;
        }
        QPointer<QWebSocket> alive(ws);
        access->acquireRunner(
            q->m_options.hostId, id, [this, alive, id](const Result<const HostRunner *> &runner) {
                if (!alive)
                    return;
                if (!runner.ok() || !runner.value() || !runner.value()->sandbox) {
                    alive->close(QWebSocketProtocol::CloseCodeBadOperation,
                                 runner.ok() ? QString() : runner.error().message);
                    alive->deleteLater();
                    return;
                }
                access->noteActivity(id);
                QObject *session = startPty(alive, *runner.value(), q);
                session->setObjectName(id);
                sessions.removeAll(nullptr);
                sessions << session;
            });
    }
}

} // namespace capsule::local
