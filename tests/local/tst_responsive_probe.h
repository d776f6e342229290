// Responsiveness probe shared by tests/local/tst_responsive.cpp and bench/bench_local_latency.cpp:
// PTY echo and exec round trips on one runner of a real capsule-local, measured while other
// runners are being allocated (requests sent asynchronously, so this process keeps measuring).
#pragma once

#include "support/localserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <memory>

namespace capsule::test {

struct Latencies
{
    QList<double> ms;
    double percentile(double p) const
    {
        if (ms.isEmpty())
            return -1;
        QList<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        const qsizetype i = std::min<qsizetype>(sorted.size() - 1, qsizetype(p * sorted.size()));
        return sorted.at(i);
    }
    double max() const { return ms.isEmpty() ? -1 : *std::max_element(ms.cbegin(), ms.cend()); }
};

class ResponsivenessProbe
{
public:
    explicit ResponsivenessProbe(const LocalServer &server)
        : m_server(server)
    {}
    ~ResponsivenessProbe() { releaseAll(); }

    // Allocates the measured runner and opens a PTY running cat(1) on it.
    bool open(const QString &workloadKey, QString *error)
    {
        m_key = workloadKey;
        const HttpReply r = m_server.post(QStringLiteral("/api/v1/runners/allocate"),
                                          QJsonObject{{QStringLiteral("workload_key"), m_key}});
        if (r.status != 200) {
            *error = QStringLiteral("allocate: %1 %2").arg(r.status).arg(QString::fromUtf8(r.body));
            return false;
        }
        m_host = r.json().value(QStringLiteral("host_address")).toString();
        m_runner = r.json().value(QStringLiteral("runner_id")).toString();
        m_ws = std::make_unique<QWebSocket>();
        QObject::connect(m_ws.get(), &QWebSocket::binaryMessageReceived, m_ws.get(),
                         [this](const QByteArray &f) {
                             if (f.startsWith('\x01'))
                                 m_output += f.mid(1);
                         });
        QNetworkRequest req(QUrl(QStringLiteral("ws://%1/api/v1/runners/%2/pty?cols=80&rows=24&"
                                                "command=/bin/cat")
                                     .arg(m_host, m_runner)));
        req.setRawHeader("Authorization", "Bearer " + m_server.token().toUtf8());
        m_ws->open(req);
        if (!waitFor([this] { return m_ws->state() == QAbstractSocket::ConnectedState; }, 30000)) {
            *error = QStringLiteral("PTY did not connect: %1").arg(m_ws->errorString());
            return false;
        }
        if (ptyRoundTrip(30000) < 0) {
            *error = QStringLiteral("PTY does not echo");
            return false;
        }
        return true;
    }

    // One PTY round trip: a unique line typed into the terminal until its echo is back (ms, or
    // -1 after timeoutMs).
    double ptyRoundTrip(int timeoutMs = 30000)
    {
        const QByteArray marker = "m" + QByteArray::number(++m_seq) + ".";
        QElapsedTimer t;
        t.start();
        m_ws->sendBinaryMessage(QByteArray(1, '\0') + marker + '\n');
        if (!waitFor([&] { return m_output.contains(marker); }, timeoutMs))
            return -1;
        m_output.clear();
        return double(t.nsecsElapsed()) / 1e6;
    }

    // One exec round trip (`true`) on the measured runner (ms, or -1 on failure).
    double execRoundTrip(int timeoutMs = 30000)
    {
        QNetworkRequest req(
            QUrl(QStringLiteral("http://%1/api/v1/runners/%2/exec").arg(m_host, m_runner)));
        req.setRawHeader("Authorization", "Bearer " + m_server.token().toUtf8());
        req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QElapsedTimer t;
        t.start();
        QNetworkReply *reply = m_nam.post(req, R"({"command":["true"]})");
        const bool done = waitFor([reply] { return reply->isFinished(); }, timeoutMs);
        const bool ok = done && reply->error() == QNetworkReply::NoError &&
                        reply->readAll().contains("\"exit\"");
        reply->deleteLater();
        return ok ? double(t.nsecsElapsed()) / 1e6 : -1;
    }

    // Sends `n` allocate requests at once without waiting for them.
    void startAllocations(int n)
    {
        for (int i = 0; i < n; ++i) {
            QNetworkRequest req(
                QUrl(m_server.baseUrl() + QStringLiteral("/api/v1/runners/allocate")));
            req.setRawHeader("Authorization", "Bearer " + m_server.token().toUtf8());
            req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
            req.setTransferTimeout(120000);
            QNetworkReply *reply =
                m_nam.post(req, QJsonDocument(QJsonObject{{QStringLiteral("workload_key"), m_key}})
                                    .toJson(QJsonDocument::Compact));
            ++m_pending;
            QObject::connect(reply, &QNetworkReply::finished, reply, [this, reply] {
                --m_pending;
                const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
                if (reply->error() == QNetworkReply::NoError)
                    m_allocated << o.value(QStringLiteral("runner_id")).toString();
                else
                    ++m_failed;
                reply->deleteLater();
            });
        }
    }
    int pendingAllocations() const { return m_pending; }
    int allocated() const { return int(m_allocated.size()); }
    int failedAllocations() const { return m_failed; }

    // Releases the runners startAllocations() got (not the measured one).
    void releaseAll()
    {
        waitFor([this] { return m_pending == 0; }, 120000);
        for (const QString &id : std::as_const(m_allocated))
            m_server.post(QStringLiteral("/api/v1/runners/release"),
                          QJsonObject{{QStringLiteral("runner_id"), id}});
        m_allocated.clear();
    }

    // Runs the event loop until `done` or the timeout (tests and benches only).
    template<typename F>
    static bool waitFor(F done, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (!done()) {
            if (t.elapsed() > timeoutMs)
                return false;
            QEventLoop loop;
            QTimer::singleShot(1, &loop, &QEventLoop::quit);
            loop.exec();
        }
        return true;
    }

private:
    const LocalServer &m_server;
    QNetworkAccessManager m_nam;
    std::unique_ptr<QWebSocket> m_ws;
    QString m_key, m_host, m_runner;
    QByteArray m_output;
    int m_seq = 0;
    int m_pending = 0;
    int m_failed = 0;
    QStringList m_allocated;
};

} // namespace capsule::test
