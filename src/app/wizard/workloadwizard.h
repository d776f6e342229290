// The RunnerConfig wizard: name, image, layers, runtime, review (onboard.yaml + workload key).
#pragma once

#include "core/error.h"
#include "core/runnerconfig.h"

#include <QJsonObject>
#include <QWizard>

namespace Ui {
class WizardNamePage;
class WizardLayersPage;
class WizardRuntimePage;
class WizardReviewPage;
} // namespace Ui

namespace capsule::app {

class WorkloadWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId { NamePage, LayersPage, RuntimePage, ReviewPage };

    explicit WorkloadWizard(QWidget *parent = nullptr);
    ~WorkloadWizard() override;

    // Prefills every page from a create body (e.g. an opened onboard.yaml); fields the pages do
    // not show (drives, refresh commands, runner user...) are kept as they are.
    void setBody(const QJsonObject &body);

    // The config the pages describe; on a problem returns an invalid config and fills *problem.
    RunnerConfig config(QString *problem = nullptr) const;
    // The create body (4.2) or {} with *error set.
    QJsonObject body(Error *error = nullptr) const;
    QByteArray yaml() const;
    bool buildAfterCreate() const;
    // Writes the onboard.yaml; false + *error on failure.
    bool saveTo(const QString &path, QString *error = nullptr) const;

    // Parses the layers text: lines are shell commands, "[name]" starts a layer, a line starting
    // with '{' is a JSON command mapping, '#' lines are comments.
    static QJsonArray parseLayers(const QString &text, QString *problem);
    static QString layersText(const QJsonArray &layers);
    // What is wrong with a workload name, in words, followed by the rule.
    static QString nameRuleText(const QString &id);

    Ui::WizardNamePage *namePage() const { return m_name; }
    Ui::WizardLayersPage *layersPage() const { return m_layers; }
    Ui::WizardRuntimePage *runtimePage() const { return m_runtime; }
    Ui::WizardReviewPage *reviewPage() const { return m_review; }

signals:
    // Finish was pressed: create this body on the server (and build it when `build`).
    void onboardRequested(const QJsonObject &body, bool build);

protected:
    bool validateCurrentPage() override;
    void initializePage(int id) override;

private:
    void validateName();
    void validateLayers();
    void saveDialog();

    Ui::WizardNamePage *m_name;
    Ui::WizardLayersPage *m_layers;
    Ui::WizardRuntimePage *m_runtime;
    Ui::WizardReviewPage *m_review;
    QJsonObject m_baseBody;
};

} // namespace capsule::app
