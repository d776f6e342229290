// Create, build with progress, then offer a runner (see progresspage.h).
#include "app/wizard/progresspage.h"
#include "app/widgets/statetext.h"

#include "core/buildwatch.h"
#include "core/client.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QVBoxLayout>

namespace capsule::app {

ProgressPage::ProgressPage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("progress."), parent)
    , stepLabel(new QLabel(this))
    , progressBar(new QProgressBar(this))
    , layerList(new QListWidget(this))
    , logView(new QPlainTextEdit(this))
    , startCheck(new QCheckBox(tr("&Start a runner when ready, and open its"), this))
    , openCombo(new QComboBox(this))
{
    setTitle(tr("Onboarding"));
    setSubTitle(tr("The workload is created on the server and its layers are built."));
    auto *layout = new QVBoxLayout(this);
    stepLabel->setObjectName(QStringLiteral("stepLabel"));
    stepLabel->setWordWrap(true);
    stepLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(stepLabel);
    progressBar->setObjectName(QStringLiteral("buildProgress"));
    progressBar->setFormat(tr("%v of %m layers built"));
    layout->addWidget(progressBar);
    auto *row = new QHBoxLayout;
    layerList->setObjectName(QStringLiteral("layerStatusList"));
    layerList->setMaximumWidth(220);
    row->addWidget(layerList);
    logView->setObjectName(QStringLiteral("buildLogView"));
    logView->setReadOnly(true);
    logView->setLineWrapMode(QPlainTextEdit::NoWrap);
    logView->setMaximumBlockCount(20000);
    logView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    row->addWidget(logView, 1);
    layout->addLayout(row, 1);
    auto *start = new QHBoxLayout;
    startCheck->setObjectName(QStringLiteral("startRunnerCheck"));
    startCheck->setToolTip(tr("When the build is done (and you press Finish), start a runner of "
                              "this workload and open it."));
    openCombo->setObjectName(QStringLiteral("openCombo"));
    openCombo->addItem(tr("terminal"), QStringLiteral("terminal"));
    openCombo->addItem(tr("files"), QStringLiteral("files"));
    start->addWidget(startCheck);
    start->addWidget(openCombo);
    start->addStretch();
    layout->addLayout(start);
}

ProgressPage::~ProgressPage()
{
    if (m_job && !m_job->isFinished())
        m_job->cancel();
}

void ProgressPage::setClient(Client *client)
{
    m_client = client;
}

void ProgressPage::run(const QJsonObject &body, bool build)
{
    m_finished = false;
    m_error.clear();
    logView->clear();
    layerList->clear();
    progressBar->setRange(0, 0);
    emit completeChanged();
    const QString name = body.value(QStringLiteral("display_name")).toString();
    if (!m_client) {
        finish(tr("Not connected to a server."));
        return;
    }
    stepLabel->setText(tr("Creating %1...").arg(name));
    m_client->configs()->create(body)->then(
        this,
        [this, build](const CreateConfigReply &reply) {
            m_configId = reply.configId;
            if (!build || !m_client) {
                finish({});
                return;
            }
            stepLabel->setText(tr("Requesting the build of %1...").arg(m_configId));
            m_client->configs()
                ->build(m_configId)
                ->then(
                    this,
                    [this](const BuildReply &reply) {
                        if (reply.state() == BuildRequestState::NotNeeded) {
                            logView->appendPlainText(tr("Every layer is built already."));
                            finish({});
                            return;
                        }
                        watch();
                    },
                    [this](const Error &error) { finish(error.toString()); });
        },
        [this](const Error &error) { finish(error.toString()); });
}

void ProgressPage::watch()
{
    stepLabel->setText(tr("Building %1...").arg(m_configId));
    auto *job = new BuildWatchJob(m_client->configs(), m_configId, {}, this);
    m_job = job;
    connect(job, &BuildWatchJob::layersChanged, this, [this](const QList<LayerStatus> &layers) {
        layerList->clear();
        for (const LayerStatus &l : layers) {
            layerList->addItem(QStringLiteral("%1: %2").arg(l.name, layerStateText(l)));
        }
    });
    connect(job, &Job::progress, this, [this](qint64 done, qint64 total) {
        progressBar->setRange(0, int(total));
        progressBar->setValue(int(done));
    });
    connect(job, &BuildWatchJob::logStarted, this,
            [this](const QString &layer, const QString &version) {
                const QString text = logView->toPlainText();
                if (!text.isEmpty() && !text.endsWith(QLatin1Char('\n')))
                    logView->insertPlainText(QStringLiteral("\n"));
                logView->moveCursor(QTextCursor::End);
                logView->insertPlainText(tr("== layer %1, build %2 ==\n").arg(layer, version));
            });
    connect(job, &BuildWatchJob::logText, this, [this](const QByteArray &data) {
        logView->moveCursor(QTextCursor::End);
        logView->insertPlainText(QString::fromUtf8(data));
        logView->moveCursor(QTextCursor::End);
    });
    connect(job, &Job::finished, this, [this, job] {
        job->deleteLater();
        finish(job->hasError() ? job->error().message : QString());
    });
}

void ProgressPage::finish(const QString &error)
{
    m_error = error;
    m_finished = true;
    if (progressBar->maximum() == 0)
        progressBar->setRange(0, 1);
    if (error.isEmpty()) {
        progressBar->setValue(progressBar->maximum());
        stepLabel->setText(
            tr("%1 is ready. Press Finish%2.")
                .arg(m_configId, startCheck->isChecked() ? tr(" to start a runner") : QString()));
        emit ready(m_configId);
    } else {
        stepLabel->setText(
            tr("<b>Failed:</b> %1")
                .arg(error.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"))));
        startCheck->setEnabled(false);
    }
    emit completeChanged();
}

} // namespace capsule::app
