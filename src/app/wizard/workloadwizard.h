// The RunnerConfig wizard: template, name/image/tier, layers, runtime, network (+ auth),
// start command, tenant, review (editable onboard.yaml), and with a client the onboarding
// progress. Pages edit one WizardModel, so imported keys no page shows are written back as read.
#pragma once

#include "core/error.h"

#include <QJsonObject>
#include <QPointer>
#include <QWizard>

namespace capsule {
class Client;
}

namespace capsule::app {

class BasicsPage;
class LayersPage;
class NetworkPage;
class ProgressPage;
class ReviewPage;
class RuntimePage;
class StartPage;
class TemplatePage;
class TenantPage;
class WizardModel;

class WorkloadWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId {
        TemplatesPage,
        NamePage,
        LayersPageId,
        RuntimePageId,
        NetworkPageId,
        StartPageId,
        TenantPageId,
        ReviewPageId,
        ProgressPageId
    };

    explicit WorkloadWizard(QWidget *parent = nullptr);
    ~WorkloadWizard() override;

    // Prefills every page from a create body (e.g. an opened onboard.yaml) and skips the
    // templates; `sections` are the file's other top-level mappings, written back on Save.
    void setBody(const QJsonObject &body, const QJsonObject &sections = {});
    // Reads an onboard.yaml (text or path) into the wizard; false + *error when it cannot.
    // A legacy snapshot_commands-only file is explained on the layers page.
    bool importOnboard(const QString &textOrPath, QString *error = nullptr);
    // Edits a stored workload: `definition` as GET layered-configs/{id} returns it. The review
    // page lists the changes, the ones the server refuses, and the layers that will rebuild.
    void editExisting(const QJsonObject &definition);
    // With a client, Create onboards on the progress page (create, build, start a runner);
    // without one, Create emits onboardRequested() and closes.
    void setClient(Client *client);

    // The create body (4.1) or {} with *error set (a page's problem, or a bad name).
    QJsonObject body(Error *error = nullptr) const;
    QByteArray yaml() const;
    bool buildAfterCreate() const;
    bool saveTo(const QString &path, QString *error = nullptr) const;

    WizardModel *model() const { return m_model; }
    TemplatePage *templatesPage() const { return m_templates; }
    BasicsPage *namePage() const { return m_basics; }
    LayersPage *layersPage() const { return m_layers; }
    RuntimePage *runtimePage() const { return m_runtime; }
    NetworkPage *networkPage() const { return m_network; }
    StartPage *startPage() const { return m_start; }
    TenantPage *tenantPage() const { return m_tenant; }
    ReviewPage *reviewPage() const { return m_review; }
    ProgressPage *progressPage() const { return m_progress; }

signals:
    // Create was pressed without a client: create this body (and build it when `build`).
    void onboardRequested(const QJsonObject &body, bool build);
    // Finish after a successful onboarding with "Start a runner when ready" checked.
    void startRunnerRequested(const QString &configId, bool openFiles);

protected:
    bool validateCurrentPage() override;
    int nextId() const override;
    void initializePage(int id) override;
    void done(int result) override;

private:
    void saveDialog();

    WizardModel *m_model;
    TemplatePage *m_templates;
    BasicsPage *m_basics;
    LayersPage *m_layers;
    RuntimePage *m_runtime;
    NetworkPage *m_network;
    StartPage *m_start;
    TenantPage *m_tenant;
    ReviewPage *m_review;
    ProgressPage *m_progress;
    QPointer<Client> m_client;
    bool m_editing = false;
};

} // namespace capsule::app
