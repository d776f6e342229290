// The last page when the wizard has a client: creates the workload, builds it with per-layer
// progress and the build log (core BuildWatchJob, the rules of the Build log dock), then offers
// to start a runner and open its terminal or files.
#pragma once

#include "app/wizard/wizardpage.h"

#include <QPointer>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;

namespace capsule {
class Client;
class Job;
} // namespace capsule

namespace capsule::app {

class ProgressPage : public WizardPage
{
    Q_OBJECT
public:
    explicit ProgressPage(WizardModel *model, QWidget *parent = nullptr);
    ~ProgressPage() override;
    void load() override {}
    bool isComplete() const override { return m_finished; }

    void setClient(Client *client);
    // Creates `body` and, when `build`, builds it and follows the build.
    void run(const QJsonObject &body, bool build);
    QString configId() const { return m_configId; }
    bool succeeded() const { return m_finished && m_error.isEmpty(); }
    QString errorText() const { return m_error; }

    QLabel *stepLabel;
    QProgressBar *progressBar;
    QListWidget *layerList;
    QPlainTextEdit *logView;
    QCheckBox *startCheck;
    QComboBox *openCombo; // terminal | files

signals:
    // The build finished (or nothing needed building): the wizard offers the runner.
    void ready(const QString &configId);

private:
    void watch();
    void finish(const QString &error);

    QPointer<Client> m_client;
    QPointer<Job> m_job;
    QString m_configId;
    QString m_error;
    bool m_finished = false;
};

} // namespace capsule::app
