// The first pages after the template: the workload's name, base image and tier; its runtime
// settings (idle TTL, auto-pause, and an Advanced section with the rest of `config`).
#pragma once

#include "app/wizard/wizardpage.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace capsule::app {

class BasicsPage : public WizardPage
{
    Q_OBJECT
public:
    explicit BasicsPage(WizardModel *model, QWidget *parent = nullptr);
    void load() override;

    QLineEdit *nameEdit;
    QComboBox *baseImageEdit;
    QComboBox *tierCombo;

private:
    void nameEdited();
};

class RuntimePage : public WizardPage
{
    Q_OBJECT
public:
    explicit RuntimePage(WizardModel *model, QWidget *parent = nullptr);
    void load() override;

    QLineEdit *ttlEdit;
    QCheckBox *autoPauseCheck;
    QComboBox *autoRolloutCombo; // unset / on / off (tri-state as in onboard.yaml)
    QLineEdit *sessionMaxAgeEdit;
    QSpinBox *rootfsSpin;
    QSpinBox *workspaceSpin;
    QLineEdit *runnerUserEdit;

private:
    void secondsEdited(QLineEdit *edit, const QString &key, const QString &field,
                       const QString &what);
};

} // namespace capsule::app
