// The runner details pane under the runners list: everything the app knows about the selected
// runner (id, workload, status with the history seen while the app watched it, host and address,
// session, labels, created/age, tenant, proxy, network policy, the request id of its last
// failure), the workload's TTL/auto-pause, its service (port, proxy URL, logs: RunnerService)
// and its own actions: connect (re-resolve the host), pause with sync_fs, quarantine
// (reason, block egress) and unquarantine.
#pragma once

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace capsule {
class Error;
}

namespace capsule::app {

class RunnersModel;
class RunnerService;
class ServerConnection;

class RunnerDetails : public QWidget
{
    Q_OBJECT
public:
    RunnerDetails(ServerConnection *connection, RunnersModel *model, QWidget *parent = nullptr);

    // Shows that runner ("" = nothing selected); follows the model's refreshes.
    void setRunner(const QString &runnerId);
    QString runnerId() const { return m_runnerId; }
    // The value shown for a field (tests): "id", "workload", "status", "history", "host",
    // "session", "labels", "created", "tenant", "proxy", "policy", "failure", "ttl", "port", "url".
    QString field(const QString &name) const;

    void setQuarantineReason(const QString &reason);
    void setBlockEgress(bool on);
    void setSyncFs(bool on);
    RunnerService *service() const { return m_service; }

public slots:
    void connectRunner();
    void pauseRunner();
    void quarantineRunner();
    void unquarantineRunner();

signals:
    // An action ended; `error` is empty on success.
    void operationFinished(const QString &what, const QString &error);

private:
    void refresh();
    QLabel *addField(const QString &key, const QString &label);
    void run(const QString &what, const std::function<void(const QString &)> &start);
    // Ends an operation run() started that failed: remembers its request id and reports it.
    void fail(const QString &id, const QString &what, const Error &error);
    void noteFailure(const QString &requestId);

    QPointer<ServerConnection> m_connection;
    RunnersModel *m_model;
    QString m_runnerId;
    QFormLayout *m_form;
    QHash<QString, QLabel *> m_fields;
    QHash<QString, QString> m_lastFailure; // runner id -> request id of its last failed call
    QLineEdit *m_reason;
    QCheckBox *m_blockEgress;
    QCheckBox *m_syncFs;
    QPushButton *m_connect;
    QPushButton *m_pause;
    QPushButton *m_quarantine;
    QPushButton *m_unquarantine;
    RunnerService *m_service;
    int m_busy = 0;
};

} // namespace capsule::app
