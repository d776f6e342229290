// The network page: a policy preset (each described) or a custom policy as structured fields
// (contract 6.3), and in an Advanced section the credential proxy / auth config (6.4).
#pragma once

#include "app/wizard/wizardpage.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QWidget;

namespace capsule::app {

class NetworkPage : public WizardPage
{
    Q_OBJECT
public:
    explicit NetworkPage(WizardModel *model, QWidget *parent = nullptr);
    void load() override;

    // The custom policy the fields describe (merged into `base`), or {} with *problem set.
    QJsonObject customPolicy(const QJsonObject &base, QString *problem) const;

    QComboBox *presetCombo;
    QLabel *presetText;
    QWidget *customBox;
    QLineEdit *policyNameEdit;
    QComboBox *defaultActionCombo;
    QTableWidget *allowedTable;
    QTableWidget *deniedTable;
    QCheckBox *metadataCheck;
    QCheckBox *hostAccessCheck;
    QCheckBox *otherVmsCheck;
    QLineEdit *internalCidrsEdit;
    QTableWidget *providersTable;
    QSpinBox *proxyPortSpin;
    QCheckBox *sslBumpCheck;
    QLineEdit *proxyHostsEdit;

private:
    void presetChosen();
    void customEdited();
    void authEdited();
    QTableWidget *rulesTable(const QString &name);
    static void fillRules(QTableWidget *table, const QJsonArray &rules);
};

} // namespace capsule::app
