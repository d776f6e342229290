// The RunnerConfig wizard (see workloadwizard.h).
#include "app/wizard/workloadwizard.h"

#include "app/wizard/basicpages.h"
#include "app/wizard/layerspage.h"
#include "app/wizard/networkpage.h"
#include "app/wizard/progresspage.h"
#include "app/wizard/reviewpage.h"
#include "app/wizard/startpage.h"
#include "app/wizard/wizardmodel.h"

#include "core/client.h"
#include "core/onboard.h"
#include "core/runnerconfig.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSaveFile>

namespace capsule::app {

WorkloadWizard::WorkloadWizard(QWidget *parent)
    : QWizard(parent)
    , m_model(new WizardModel(this))
    , m_templates(new TemplatePage(m_model))
    , m_basics(new BasicsPage(m_model))
    , m_layers(new LayersPage(m_model))
    , m_runtime(new RuntimePage(m_model))
    , m_network(new NetworkPage(m_model))
    , m_start(new StartPage(m_model))
    , m_tenant(new TenantPage(m_model))
    , m_review(new ReviewPage(m_model))
    , m_progress(new ProgressPage(m_model))
{
    setObjectName(QStringLiteral("workloadWizard"));
    setWindowTitle(tr("New Workload"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::HaveCustomButton1); // "Skip to review"
    setButtonText(QWizard::CustomButton1, tr("Skip to &review"));
    setButtonText(QWizard::FinishButton, tr("Create"));
    // Without a server the review page finishes with Create (or Update); after onboarding the
    // progress page's button only closes the wizard (and starts a runner when asked).
    m_progress->setButtonText(QWizard::FinishButton, tr("&Finish"));
    setPage(TemplatesPage, m_templates);
    setPage(NamePage, m_basics);
    setPage(LayersPageId, m_layers);
    setPage(RuntimePageId, m_runtime);
    setPage(NetworkPageId, m_network);
    setPage(StartPageId, m_start);
    setPage(TenantPageId, m_tenant);
    setPage(ReviewPageId, m_review);
    setPage(ProgressPageId, m_progress);
    connect(m_templates, &TemplatePage::chosen, this,
            [this](const QJsonObject &body) { m_model->reset(body); });
    connect(m_review, &ReviewPage::saveRequested, this, &WorkloadWizard::saveDialog);
    connect(this, &QWizard::customButtonClicked, this, [this](int which) {
        // Skipping ahead is fine: every page has defaults; problems still block Create.
        if (which != QWizard::CustomButton1)
            return;
        while (currentId() != ReviewPageId && currentPage()->isComplete() && validateCurrentPage())
            next();
    });
    connect(this, &QWizard::currentIdChanged, this, [this](int id) {
        button(QWizard::CustomButton1)->setVisible(id != ReviewPageId && id != ProgressPageId);
    });
    m_model->reset(TemplatePage::templates().first().body);
    resize(780, 600);
}

WorkloadWizard::~WorkloadWizard() = default;

void WorkloadWizard::setClient(Client *client)
{
    m_client = client;
    m_progress->setClient(client);
    m_review->setCommitPage(client != nullptr);
    m_review->setButtonText(QWizard::CommitButton, tr("Create"));
}

void WorkloadWizard::setBody(const QJsonObject &body, const QJsonObject &sections)
{
    m_model->reset(body, sections);
    setStartId(NamePage);
    if (currentId() == TemplatesPage)
        restart();
}

bool WorkloadWizard::importOnboard(const QString &textOrPath, QString *error)
{
    Error e;
    const QJsonObject body = parseOnboard(textOrPath, {}, &e);
    if (body.isEmpty()) {
        if (error)
            *error = e.message;
        return false;
    }
    QByteArray text = textOrPath.toUtf8();
    if (!textOrPath.contains(QLatin1Char('\n'))) {
        QFile file(textOrPath);
        if (file.open(QIODevice::ReadOnly))
            text = file.readAll();
        setWindowTitle(tr("Workload from %1").arg(QFileInfo(textOrPath).fileName()));
    }
    setBody(body, onboardSections(text));
    if (body.contains(QStringLiteral("snapshot_commands")) &&
        body.value(QStringLiteral("layers")).toArray().isEmpty())
        m_model->setProblem(
            QStringLiteral("layers.list"),
            tr("This file uses the legacy snapshot_commands, which only the Go onboard tool "
               "reads (as one layer \"workload\"); the server ignores them. Add a layer with "
               "these commands (they are kept in the YAML until you remove them)."));
    return true;
}

void WorkloadWizard::editExisting(const QJsonObject &definition)
{
    m_editing = true;
    m_review->setOriginal(definition);
    setWindowTitle(
        tr("Edit Workload %1").arg(definition.value(QStringLiteral("display_name")).toString()));
    setBody(definition);
    // A new name would be a new workload: the name is fixed while editing.
    m_basics->nameEdit->setReadOnly(true);
    m_basics->nameEdit->setToolTip(tr("The name of a stored workload cannot change; save the "
                                      "YAML and open it as a new workload instead."));
    setButtonText(QWizard::FinishButton, tr("Update"));
}

QJsonObject WorkloadWizard::body(Error *error) const
{
    const QMap<QString, QString> problems = m_model->problems();
    if (!problems.isEmpty()) {
        if (error)
            *error = Error(ErrorKind::Value, problems.first());
        return {};
    }
    const QJsonObject b = m_model->body();
    QString why;
    if (!RunnerConfig::isValidConfigId(b.value(QStringLiteral("display_name")).toString(), &why)) {
        if (error)
            *error = Error(ErrorKind::Value, why);
        return {};
    }
    return b;
}

QByteArray WorkloadWizard::yaml() const
{
    const QJsonObject b = body();
    return b.isEmpty() ? QByteArray() : writeOnboard(b, m_model->sections());
}

bool WorkloadWizard::buildAfterCreate() const
{
    return m_review->buildCheck->isChecked();
}

bool WorkloadWizard::saveTo(const QString &path, QString *error) const
{
    Error problem;
    const QJsonObject b = body(&problem);
    const QByteArray text = b.isEmpty() ? QByteArray() : writeOnboard(b, m_model->sections());
    QSaveFile file(path);
    if (text.isEmpty() || !file.open(QIODevice::WriteOnly) || file.write(text) != text.size() ||
        !file.commit()) {
        if (error)
            *error = text.isEmpty() ? tr("The workload is not complete: %1").arg(problem.message)
                                    : file.errorString();
        return false;
    }
    return true;
}

void WorkloadWizard::saveDialog()
{
    auto *dialog = new QFileDialog(this, tr("Save onboard.yaml"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilter(tr("YAML files (*.yaml *.yml)"));
    dialog->selectFile(QStringLiteral("onboard.yaml"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        if (saveTo(path, &error))
            m_review->keyLabel->setText(m_review->keyLabel->text() +
                                        tr("<br>Saved to %1").arg(path.toHtmlEscaped()));
        else
            m_review->keyLabel->setText(
                tr("Cannot save %1: %2").arg(path.toHtmlEscaped(), error.toHtmlEscaped()));
    });
    dialog->open();
}

int WorkloadWizard::nextId() const
{
    if (currentId() == ReviewPageId)
        return m_client ? int(ProgressPageId) : -1;
    if (currentId() == ProgressPageId)
        return -1;
    return QWizard::nextId();
}

void WorkloadWizard::initializePage(int id)
{
    QWizard::initializePage(id);
    if (id == ProgressPageId) {
        m_progress->run(m_model->body(), buildAfterCreate());
    }
}

bool WorkloadWizard::validateCurrentPage()
{
    if (currentId() == ReviewPageId) {
        m_review->parseNow(); // an edit still waiting for the typing pause
        Error error;
        const QJsonObject b = body(&error);
        if (b.isEmpty())
            return false; // the problem is shown beside its field

        if (!m_client)
            emit onboardRequested(b, buildAfterCreate());
    }
    return QWizard::validateCurrentPage();
}

void WorkloadWizard::done(int result)
{
    if (result == QDialog::Accepted && currentId() == ProgressPageId && m_progress->succeeded() &&
        m_progress->startCheck->isChecked())
        emit startRunnerRequested(m_progress->configId(),
                                  m_progress->openCombo->currentData().toString() ==
                                      QLatin1String("files"));
    QWizard::done(result);
}

} // namespace capsule::app
