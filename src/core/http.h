// The HTTP layer every call of the library goes through: headers (1.3), errors (1.5), retries
// (1.6).
#pragma once

#include "core/job.h"
#include "core/settings.h"

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QUrl>
#include <QUrlQuery>
#include <functional>
#include <optional>

class QIODevice;
class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace capsule {

class Http;

// What the client buffers of one reply at most (JSON replies, error bodies): 64 MiB (issue 8).
inline constexpr qint64 kMaxBufferedReply = 64LL * 1024 * 1024;

// Which retry table row of contract 1.6 applies to a request.
enum class RetryPolicy {
    None,            // CP POST/DELETE, host writes: one attempt
    ControlPlaneGet, // 4 attempts on 429/502/503/504, transport errors, timeouts
    AllocateInner,   // 3 attempts on 502/504, transport errors, timeouts
    HostRead, // 2 attempts on ConnectionError/RequestTimeout/503; caller re-resolves the host
    Exec,     // 2 attempts, only on 503 before any body byte; caller re-resolves the host
};

// Which idle timeout of Settings applies.
enum class TimeoutClass { Request, Operation, None };

struct HttpRequest
{
    QByteArray method = "GET";
    QUrl url;
    QByteArray body;                 // sent when non-empty or when method is POST/PUT
    QIODevice *bodyDevice = nullptr; // streamed instead of `body` when set (not owned)
    qint64 bodySize = -1;            // size of bodyDevice for Content-Length
    QByteArray contentType;          // e.g. application/json; empty = no Content-Type
    QByteArray accept = "application/json";
    QString requestId;     // empty = a fresh uuid4; the same id is sent on every retry
    bool sendToken = true; // host calls send it too (hosts ignore it)
    RetryPolicy retry = RetryPolicy::None;
    TimeoutClass timeout = TimeoutClass::Request;
    QString timeoutOperation = QStringLiteral("request"); // RequestTimeout.operation
    QList<QPair<QByteArray, QByteArray>> headers;         // extra headers (e.g. Range)
    bool stream = false; // deliver the body through HttpJob::chunk instead of buffering it
    // Cap of a buffered body (every reply without `stream`, and error replies of streamed
    // requests): a larger Content-Length, or more bytes while reading, aborts the reply and fails
    // with Error::unexpectedReply. -1 = no cap (a whole-file download into memory).
    qint64 maxBufferedBytes = kMaxBufferedReply;

    // Host calls (HostRead/Exec retries): when set, the job asks this for the host address before
    // each attempt (fresh = true before a retry, so the caller drops its cache entry and
    // re-resolves) and sends to Http::hostUrl(address, hostPath, hostQuery). `url` is then unused.
    // HostResolver::hostRequest() fills these in.
    std::function<ResultJob<QString> *(bool fresh)> resolveHost;
    QString hostPath;
    QUrlQuery hostQuery;
};

struct HttpResponse
{
    int status = 0;
    QByteArray body; // empty when the request streamed
    QList<QPair<QByteArray, QByteArray>> headers;
    QString requestId; // the id that was sent

    QByteArray header(const QByteArray &name) const; // case-insensitive, empty if absent
    // SDK decoding: a JSON object gets "request_id" injected if absent; anything else becomes
    // {"_raw": "<text>", "request_id": ...}.
    QJsonObject json() const;
};

// One HTTP call, including its retries. Fails with the mapped Error for status >= 400 (3xx too
// for host calls: a redirect is never followed) and for transport failures / idle timeouts.
class HttpJob : public Job
{
    Q_OBJECT
public:
    using Job::Job;
    ~HttpJob() override;
    const HttpResponse &response() const { return m_response; }
    // How many requests were sent so far (retries included).
    int attempts() const { return m_attempt; }

signals:
    // With HttpRequest::stream: the status line arrived (>= 400 replies are buffered and fail).
    void headersReceived(int status);
    // With HttpRequest::stream: body bytes as they arrive.
    void chunk(const QByteArray &data);
    void uploadProgress(qint64 sent, qint64 total);

protected:
    void onCancel() override;

    HttpResponse m_response;
    friend class Http;

private:
    void startAttempt();
    void sendTo(const QUrl &url);
    void onMetaData();
    void onReadyRead();
    void drainReply();
    void onReplyFinished();
    void onIdleTimeout();
    void finishAttempt(std::optional<Error> error);
    bool retryable(const Error &error) const;
    int maxAttempts() const;
    void resetIdleTimer();
    void dropReply();
    bool isHostCall() const;
    bool overBufferCap(qint64 incoming);

    QPointer<Http> m_http;
    HttpRequest m_request;
    int m_attempt = 0;
    QNetworkReply *m_reply = nullptr;
    QTimer *m_idleTimer = nullptr;
    QTimer *m_retryTimer = nullptr;
    bool m_headersSeen = false;
    bool m_errorReply = false; // status says error: buffer the body instead of streaming it
    bool m_timedOut = false;
    QByteArray m_buffer;
    QPointer<Job> m_resolveJob;
};

class Http : public QObject
{
    Q_OBJECT
public:
    explicit Http(Settings settings, QObject *parent = nullptr);
    ~Http() override;

    const Settings &settings() const { return m_settings; }
    QNetworkAccessManager *network() const { return m_nam; }

    // Starts a request; the returned job is parented to this Http.
    HttpJob *send(HttpRequest request);

    // Control-plane URL: base URL (prefix kept) + path + query.
    QUrl controlPlaneUrl(const QString &path, const QUrlQuery &query = {}) const;
    // Host URL: "http://" prepended to a bare ip:port (kept if already http(s)://).
    static QUrl hostUrl(const QString &hostAddress, const QString &path,
                        const QUrlQuery &query = {});
    // ws:// or wss:// (only for an https:// host) URL for the PTY socket.
    static QUrl hostWebSocketUrl(const QString &hostAddress, const QString &path,
                                 const QUrlQuery &query = {});

    // Backoff of contract 1.6 for attempt n (0-based): Retry-After if > 0, else 0.5*2^n + U(0,0.5).
    static double backoffSeconds(int attempt, std::optional<double> retryAfter);
    // Same, with base and jitter taken from Settings (tests shorten them).
    double backoffFor(int attempt, std::optional<double> retryAfter) const;

    // Whether `url` goes to the control plane (else it is a host call: 3xx fails there).
    bool isControlPlane(const QUrl &url) const;

    // Shared by HttpJob and StreamUploadJob (core/http/streamupload.h), so both send and fail
    // alike:
    // The headers of contract 1.3 for `request`, in this order: User-Agent, Accept (when set),
    // X-Request-Id, Authorization: Bearer (request.sendToken and a token set), Content-Type
    // (when set), then request.headers.
    QList<QPair<QByteArray, QByteArray>> headersFor(const HttpRequest &request) const;
    // The idle timeout of `timeout` in ms; 0 = none.
    int idleTimeoutMs(TimeoutClass timeout) const;
    // RequestTimeout "No data for N s (<operation> timeout)".
    Error idleTimeoutError(const HttpRequest &request) const;
    // A Value error for a URL that is not http(s)://host[:port]; nullopt when it is usable.
    static std::optional<Error> invalidUrl(const QUrl &url, const QString &requestId);
    // The error of a 3xx from a host: a redirect is never followed.
    static Error redirectError(int status, const QUrl &url, const QString &requestId);

private:
    Settings m_settings;
    QNetworkAccessManager *m_nam = nullptr;
};

} // namespace capsule
