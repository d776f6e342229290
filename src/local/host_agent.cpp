// Host agent of capsule-local: listener, authentication and routing of contract section 3.
#include "local/host_agent.h"
#include "local/common.h"

#include "local/host_http.h"
#include "local/runneraccess.h"
#include "local/sandbox.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSet>
#include <QTcpSocket>
#include <QWebSocket>

#include <memory>

namespace capsule::local {

namespace {

using Status = QHttpServerResponder::StatusCode;

class AgentServer : public QAbstractHttpServer
{
public:
    using QAbstractHttpServer::makeResponder;
    std::function<void(const QHttpServerRequest &, QTcpSocket *)> onRequest;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        onRequest(request, socket);
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override {}
};

QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    default:
        return "OTHER";
    }
}

bool tokenMatches(const QByteArray &header, const QString &token)
{
    if (!header.startsWith("Bearer "))
        return false;
    return QString::fromUtf8(header.mid(7)).trimmed() == token;
}

} // namespace

struct HostAgent::Private
{
    HostAgent *q = nullptr;
    RunnerAccess *access = nullptr;
    AgentServer server;
    quint16 port = 0;
    QList<QPointer<QObject>> sessions; // exec streams, PTY sessions, downloads (runner id in name)

    void handle(const QHttpServerRequest &request, QTcpSocket *socket);
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
    d->server.onRequest = [this](const QHttpServerRequest &request, QTcpSocket *socket) {
        d->handle(request, socket);
    };
    connect(&d->server, &QAbstractHttpServer::newWebSocketConnection, this,
            [this] { d->handleWebSocket(); });
}

HostAgent::~HostAgent()
{
    for (const QPointer<QObject> &s : std::as_const(d->sessions))
        delete s.data();
}

quint16 HostAgent::listen(quint16 port)
{
    d->port = d->server.listen(QHostAddress::LocalHost, port);
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

void HostAgent::Private::handle(const QHttpServerRequest &request, QTcpSocket *socket)
{
    auto responder =
        std::make_shared<QHttpServerResponder>(AgentServer::makeResponder(request, socket));
    // Streamed replies (exec NDJSON, logs) are written in small pieces: without TCP_NODELAY,
    // Nagle's algorithm holds the last piece until the client's delayed ACK (~40 ms a request).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    HostRequest req;
    req.responder = responder;
    req.socket = socket;
    req.method = methodName(request.method());
    req.path = request.url().path();
    req.query = formQuery(request.url());
    req.body = request.body();
    for (const auto &h : request.headers())
        req.headers.insert(h.first.toLower(), h.second);

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
    const QString prefix = QStringLiteral("/api/v1/runners/");
    if (!req.path.startsWith(prefix)) {
        sendText(req, 404, QStringLiteral("404 page not found"));
        return;
    }
    if (!q->m_options.openHost &&
        !tokenMatches(req.headers.value("authorization"), q->m_options.token)) {
        sendJson(req, 401, QJsonObject{{QStringLiteral("error"), QStringLiteral("unauthorized")}});
        return;
    }
    const QString rest = req.path.mid(prefix.size());
    const int slash = rest.indexOf(QLatin1Char('/'));
    if (slash <= 0) {
        sendText(req, 404, QStringLiteral("404 page not found"));
        return;
    }
    const QString id = rest.left(slash);
    const QString op = rest.mid(slash + 1);
    QByteArray wanted;
    if (op == QLatin1String("exec") || op.startsWith(QLatin1String("files/")))
        wanted = op == QLatin1String("files/download") ? "GET" : "POST";
    else if (op == QLatin1String("pty") || op == QLatin1String("service-logs"))
        wanted = "GET";
    else if (!op.startsWith(QLatin1String("proxy/")) && op != QLatin1String("proxy")) {
        sendText(req, 404, QStringLiteral("404 page not found"));
        return;
    }
    if (op.startsWith(QLatin1String("files/")) && !isFileOp(op.mid(6))) {
        sendText(req, 404, QStringLiteral("404 page not found"));
        return;
    }
    if (!wanted.isEmpty() && req.method != wanted) {
        sendText(req, 405, QStringLiteral("Method Not Allowed"));
        return;
    }
    if (access->isHostDraining(q->m_options.hostId)) {
        sendJson(req, 503,
                 QJsonObject{{QStringLiteral("error"),
                              QStringLiteral("host is draining, retry via control plane")}},
                 {{"Retry-After", "5"}});
        return;
    }
    if (op == QLatin1String("pty") && req.headers.value("upgrade").toLower() == "websocket") {
        // Writing a response here refuses the upgrade, so preconditions the registry answers
        // at once (unknown runner, terminated...) become the HTTP errors of 3.1. Writing nothing
        // lets QAbstractHttpServer upgrade; handleWebSocket() then starts the session (and
        // waits for an auto-resume that is still running).
        auto sync = std::make_shared<bool>(true);
        access->acquireRunner(
            q->m_options.hostId, id,
            [req, sync](const HostRunner *runner, int status, const QString &message) {
                if (*sync && (status != 0 || !runner || !runner->sandbox))
                    sendText(req, status ? status : 503, message);
            });
        *sync = false;
        return;
    }
    QPointer<QTcpSocket> alive(socket);
    access->acquireRunner(
        q->m_options.hostId, id,
        [this, req, op, id, alive](const HostRunner *runner, int status, const QString &message) {
            if (!alive)
                return;
            if (status != 0 || !runner || !runner->sandbox) {
                sendText(req, status ? status : 503,
                         message.isEmpty() ? QStringLiteral("runner unavailable") : message);
                return;
            }
            access->noteActivity(id);
            dispatch(req, runner, op);
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
    while (server.hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> owned = server.nextPendingWebSocketConnection();
        QWebSocket *ws = owned.release();
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
        if (!q->m_options.openHost &&
            !tokenMatches(ws->request().rawHeader("Authorization"), q->m_options.token)) {
            refuse(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("unauthorized"));
            continue;
        }
        QPointer<QWebSocket> alive(ws);
        access->acquireRunner(
            q->m_options.hostId, id,
            [this, alive, id](const HostRunner *runner, int status, const QString &message) {
                if (!alive)
                    return;
                if (status != 0 || !runner || !runner->sandbox) {
                    alive->close(QWebSocketProtocol::CloseCodeBadOperation, message);
                    alive->deleteLater();
                    return;
                }
                access->noteActivity(id);
                QObject *session = startPty(alive, *runner, q);
                session->setObjectName(id);
                sessions.removeAll(nullptr);
                sessions << session;
            });
    }
}

} // namespace capsule::local
