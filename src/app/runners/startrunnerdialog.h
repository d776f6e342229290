// Start Runner with every allocation field of the SDK (AllocateOptions): labels, session (new or
// a paused one to resume), network policy preset or custom JSON (validated, error under the
// field), proxy address, CA cert port, tenant id, startup timeout; and what to open when ready.
#pragma once

#include "core/runners.h"

#include <QDialog>
#include <QList>
#include <QPair>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

namespace capsule::app {

class StartRunnerDialog : public QDialog
{
    Q_OBJECT
public:
    // A session that can be resumed: id and a description ("paused runner ABCD1234").
    struct PausedSession
    {
        QString sessionId;
        QString description;
    };

    StartRunnerDialog(const QString &workloadName, const QList<PausedSession> &paused,
                      QWidget *parent = nullptr);

    // Field access (tests and the window).
    void setLabels(const QList<QPair<QString, QString>> &labels);
    void setSessionId(const QString &id);
    void setNetworkPreset(const QString &preset); // "" = the workload's own
    void setCustomPolicy(const QString &json);    // switches to "Custom JSON"
    void setProxyAddress(const QString &hostPort);
    void setCaCertPort(int port); // 0 = default (8443 with a proxy)
    void setTenantId(const QString &tenant);
    void setStartupTimeout(double seconds); // 0 = the connection's default
    void setOpenTerminal(bool on);
    void setOpenFiles(bool on);

    // Empty when every field is valid; otherwise the first problem (also shown under its field).
    QString validate();
    AllocateOptions options() const;
    bool openTerminalWhenReady() const;
    bool openFilesWhenReady() const;

    static QStringList presets();

signals:
    // Start pressed with valid fields.
    void startRequested(const capsule::AllocateOptions &options, bool openTerminal, bool openFiles);

private:
    void addLabelRow(const QString &key = {}, const QString &value = {});
    void onPresetChanged();
    void showProblem(QLabel *label, const QString &problem);

    QTableWidget *m_labels;
    QLabel *m_labelsError;
    QComboBox *m_session;
    QComboBox *m_preset;
    QPlainTextEdit *m_policy;
    QLabel *m_policyError;
    QLineEdit *m_proxy;
    QLabel *m_proxyError;
    QSpinBox *m_caPort;
    QLineEdit *m_tenant;
    QDoubleSpinBox *m_timeout;
    QCheckBox *m_openTerminal;
    QCheckBox *m_openFiles;
    QDialogButtonBox *m_buttons;
};

} // namespace capsule::app
