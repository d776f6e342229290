// The service part of the runner details pane: the workload's TTL and auto-pause state, the
// start command's port and its proxy URL on the runner's host ("Open in browser"), and the
// start command's log (GET .../{id}/service-logs, optionally following it as it grows).
#pragma once

#include <QPointer>
#include <QUrl>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace capsule {
class HttpJob;
class Job;
} // namespace capsule

namespace capsule::app {

class ServerConnection;

class RunnerService : public QWidget
{
    Q_OBJECT
public:
    explicit RunnerService(ServerConnection *connection, QWidget *parent = nullptr);
    ~RunnerService() override;

    // The runner shown ("" = none). `workloadKey`: its config id, else its workload key (looked up
    // with workloads()->get). `running`: the runner is up on `hostAddress`, so its service can be
    // reached. Repeated calls with the same values do nothing.
    void setRunner(const QString &runnerId, const QString &workloadKey, const QString &hostAddress,
                   bool running);

    // What is shown (tests): "ttl", "port", "url".
    QString field(const QString &name) const;
    QUrl proxyUrl() const { return m_url; }
    QString logText() const;
    bool following() const;
    void setFollow(bool on);

public slots:
    void openInBrowser();
    // (Re)loads the service log from the start, following it when Follow is checked.
    void reloadLogs();

private:
    void loadWorkload();
    void stopLogs();
    void updateUrl();

    QPointer<ServerConnection> m_connection;
    QString m_runnerId;
    QString m_workloadKey;
    QString m_hostAddress;
    bool m_running = false;
    bool m_hasService = false;
    int m_port = 0;
    QUrl m_url;
    QLabel *m_ttl;
    QLabel *m_port_;
    QLabel *m_urlLabel;
    QPushButton *m_open;
    QCheckBox *m_follow;
    QPushButton *m_reload;
    QPlainTextEdit *m_log;
    QPointer<Job> m_workloadJob;
    QPointer<HttpJob> m_logJob;
};

} // namespace capsule::app
