// The main window's workload actions: new (wizard), open onboard.yaml, onboard (create with a
// question when the name exists), build, delete, select, and "Try an example".
#include "app/mainwindow.h"

#include "app/connections/serverconnection.h"
#include "app/widgets/messagebox.h"
#include "app/wizard/onboarddiff.h"
#include "app/wizard/workloadwizard.h"
#include "app/workloads/workloadsmodel.h"

#include "core/client.h"
#include "core/onboard.h"

#include "ui_mainwindow.h"

#include <QFileDialog>
#include <QJsonArray>
#include <QSaveFile>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>

namespace capsule::app {

QJsonObject MainWindow::exampleWorkload()
{
    // Small and quick to build: one layer that writes a greeting into the workspace.
    const QJsonObject greet{
        {QStringLiteral("type"), QStringLiteral("shell")},
        {QStringLiteral("args"),
         QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("echo 'Hello from Capsule' > /workspace/hello.txt")}}};
    return {{QStringLiteral("display_name"), QStringLiteral("example-hello")},
            {QStringLiteral("config"), QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")}}},
            {QStringLiteral("layers"),
             QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("main")},
                                    {QStringLiteral("init_commands"), QJsonArray{greet}}}}}};
}

void MainWindow::tryExample()
{
    onboard(exampleWorkload(), true);
}

void MainWindow::buildWorkload()
{
    buildSelected(false, false);
}

void MainWindow::rebuildWorkload()
{
    buildSelected(true, false);
}

void MainWindow::cleanRebuildWorkload()
{
    buildSelected(true, true);
}

void MainWindow::buildSelected(bool force, bool clean)
{
    Client *client = m_connection->client();
    const QString id = selectedConfigId();
    if (!client || id.isEmpty())
        return;
    const QString what = clean   ? tr("Clean rebuild of %1").arg(id)
                         : force ? tr("Rebuilding %1").arg(id)
                                 : tr("Building %1").arg(id);
    auto done = beginOperation(what);
    client->configs()
        ->build(id, force, clean)
        ->then(
            this,
            [this, done, id](const BuildReply &reply) {
                statusBar()->showMessage(tr("Build: %1").arg(reply.status), 5000);
                showBuildLog();
                if (reply.state() == BuildRequestState::NotNeeded) {
                    done(QString());
                    return;
                }
                followBuild(id, done);
            },
            [done](const Error &error) { done(error); });
}

void MainWindow::withSelectedDefinition(
    const QString &what, std::function<void(const QString &id, const QJsonObject &)> use)
{
    Client *client = m_connection->client();
    const QString id = selectedConfigId();
    if (!client || id.isEmpty())
        return;
    client->configs()->get(id)->then(
        this,
        [id, use = std::move(use)](const ConfigDetail &detail) { use(id, detail.definition); },
        [this, what](const Error &error) {
            showError(what, error.toString(), MessageBox::detailsOf(error));
        });
}

WorkloadWizard *MainWindow::createWizard(const QString &title)
{
    auto *wizard = new WorkloadWizard(this);
    wizard->setObjectName(QStringLiteral("workloadWizard"));
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    wizard->setWindowTitle(title);
    // With a server the wizard onboards on its progress page; without one (disconnected) Create
    // hands the body to onboard(), which reports that there is no server.
    wizard->setClient(m_connection->client());
    connect(wizard, &WorkloadWizard::onboardRequested, this, &MainWindow::onboard);
    connect(wizard, &WorkloadWizard::startRunnerRequested, this, &MainWindow::startRunnerForConfig);
    // The progress page created or changed a workload: the list shows it at once.
    connect(wizard, &QWizard::finished, m_workloads, &WorkloadsModel::refresh);
    return wizard;
}

void MainWindow::openWizardWith(const QJsonObject &body, const QString &title)
{
    WorkloadWizard *wizard = createWizard(title);
    if (!body.isEmpty())
        wizard->setBody(body);
    wizard->show();
}

void MainWindow::editWorkload()
{
    withSelectedDefinition(tr("Editing the workload"),
                           [this](const QString &id, const QJsonObject &definition) {
                               WorkloadWizard *wizard = createWizard(tr("Edit %1").arg(id));
                               wizard->editExisting(definition);
                               wizard->show();
                           });
}

void MainWindow::duplicateWorkload()
{
    withSelectedDefinition(
        tr("Duplicating the workload"), [this](const QString &id, const QJsonObject &definition) {
            QJsonObject copy = definition;
            const QString name = copy.value(QStringLiteral("display_name")).toString(id);
            copy.insert(QStringLiteral("display_name"), name + QStringLiteral("-copy"));
            openWizardWith(copy, tr("Duplicate of %1").arg(name));
        });
}

void MainWindow::exportOnboard()
{
    const QString id = selectedConfigId();
    if (id.isEmpty())
        return;
    auto *dialog = new QFileDialog(this, tr("Export onboard.yaml"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({tr("YAML files (*.yaml *.yml)"), tr("All files (*)")});
    dialog->selectFile(QStringLiteral("onboard.yaml"));
    connect(dialog, &QFileDialog::fileSelected, this,
            [this](const QString &path) { exportOnboardTo(path); });
    dialog->open();
}

void MainWindow::exportOnboardTo(const QString &path)
{
    const QString what = tr("Exporting %1").arg(path);
    withSelectedDefinition(
        what, [this, path, what](const QString &, const QJsonObject &definition) {
            QSaveFile file(path);
            if (!file.open(QIODevice::WriteOnly) || file.write(writeOnboard(definition)) < 0 ||
                !file.commit()) {
                showError(what, file.errorString());
                return;
            }
            statusBar()->showMessage(tr("Exported the workload to %1").arg(path), 8000);
            emit operationFinished(what, {});
        });
}

void MainWindow::deleteWorkload()
{
    const QString id = selectedConfigId();
    if (!m_connection->client() || id.isEmpty())
        return;
    confirmWithClient(tr("Delete the workload %1? Runners already started keep running.").arg(id),
                      [this, id](Client *client) {
                          auto done = beginOperation(tr("Deleting %1").arg(id));
                          client->configs()->remove(id)->then(
                              this, [done](const QJsonObject &) { done(QString()); },
                              [done](const Error &error) { done(error); });
                      });
}

void MainWindow::newWorkload()
{
    openWizardWith({}, tr("New Workload"));
}

void MainWindow::openOnboard()
{
    auto *dialog = new QFileDialog(this, tr("Open onboard.yaml"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters({tr("YAML files (*.yaml *.yml)"), tr("All files (*)")});
    connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::openOnboardFile);
    dialog->open();
}

void MainWindow::openOnboardFile(const QString &path)
{
    Error error;
    const QJsonObject body = parseOnboard(path, {}, &error);
    if (body.isEmpty()) {
        // parseOnboard names file:line:column for syntax errors.
        showError(tr("Opening %1").arg(path), error.message);
        return;
    }
    WorkloadWizard *wizard = createWizard(tr("Workload from %1").arg(path));
    wizard->importOnboard(path); // keeps platform/hosts/session sections for Save
    wizard->show();
}

void MainWindow::onboard(const QJsonObject &body, bool build)
{
    Client *client = m_connection->client();
    if (!client)
        return;
    const QString name = body.value(QStringLiteral("display_name")).toString();
    // Create replaces a workload of the same name: ask first and say what changes.
    client->configs()->get(name)->then(
        this,
        [this, body, build, name](const ConfigDetail &detail) {
            const QStringList changes = describeWorkloadChanges(detail.definition, body);
            QString question =
                changes.isEmpty()
                    ? tr("A workload named %1 already exists with the same definition. Create "
                         "it again (nothing changes)?")
                          .arg(name)
                    : tr("A workload named %1 already exists. Replace it?\n\nWhat changes:\n%2")
                          .arg(name, QStringLiteral("\u2022 ") +
                                         changes.join(QStringLiteral("\n\u2022 ")));
            if (workloadStructureChanges(detail.definition, body))
                question += tr("\n\nThe server keeps the layers and the tier of an existing "
                               "workload: it will refuse this. Delete %1 first, or choose "
                               "another name.")
                                .arg(name);
            confirm(question, [this, body, build] { createWorkload(body, build); });
        },
        [this, body, build, name](const Error &error) {
            if (error.kind == ErrorKind::NotFound) {
                createWorkload(body, build);
                return;
            }
            showError(tr("Creating %1").arg(name), error.toString(), MessageBox::detailsOf(error));
        });
}

void MainWindow::createWorkload(const QJsonObject &body, bool build)
{
    Client *client = m_connection->client();
    if (!client)
        return;
    const QString name = body.value(QStringLiteral("display_name")).toString();
    auto done = beginOperation(build ? tr("Onboarding %1").arg(name) : tr("Creating %1").arg(name));
    client->configs()->create(body)->then(
        this,
        [this, done, build](const CreateConfigReply &reply) {
            const QString id = reply.configId;
            // The new workload is selected (Start Runner is one click away) once listed.
            m_selectAfterRefresh = id;
            m_selectShowsTab = true;
            m_workloads->refresh();
            Client *client = m_connection->client();
            if (!build || !client) {
                done(QString());
                return;
            }
            client->configs()->build(id)->then(
                this,
                [this, id, done](const BuildReply &reply) {
                    if (reply.state() == BuildRequestState::NotNeeded) {
                        done(QString());
                        return;
                    }
                    showBuildLog();
                    followBuild(id, done);
                },
                [done](const Error &error) { done(error); });
        },
        [done](const Error &error) { done(error); });
}

void MainWindow::selectWorkload(const QString &configId)
{
    const int row = m_workloads->rowOf(configId);
    if (row < 0)
        return; // not listed yet: the next refresh tries again
    m_selectAfterRefresh.clear();
    // A workload just created is shown; a selection restored for a profile keeps its tab.
    if (std::exchange(m_selectShowsTab, true))
        m_ui->mainTabs->setCurrentWidget(m_ui->workloadsTab);
    const QModelIndex index = m_workloadsProxy->mapFromSource(m_workloads->index(row, 0));
    m_ui->workloadsView->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect |
                                                             QItemSelectionModel::Rows);
    m_ui->workloadsView->setCurrentIndex(index);
    m_ui->workloadsView->scrollTo(index);
}

} // namespace capsule::app
