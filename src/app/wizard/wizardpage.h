// Base of the wizard's pages: loads its widgets from the WizardModel, writes edits through to it,
// and blocks Next while one of its fields has a problem (shown beside that field).
#pragma once

#include "app/wizard/wizardmodel.h"

#include <QWizardPage>

class QFormLayout;
class QGroupBox;
class QLabel;
class QVBoxLayout;

namespace capsule::app {

class WizardPage : public QWizardPage
{
    Q_OBJECT
public:
    // Field ids of this page's problems start with `prefix` ("name", "layers.", ...).
    WizardPage(WizardModel *model, QString prefix, QWidget *parent = nullptr);

    bool isComplete() const override;
    // Sets the widgets from the model without writing anything back.
    virtual void load() = 0;

protected:
    WizardModel *model() const { return m_model; }
    // Adds "label: widget" with a tooltip (what it does, its default) and a problem line under
    // it for `field` (empty = none). Returns the problem label.
    QLabel *addRow(QFormLayout *form, const QString &label, QWidget *widget, const QString &tooltip,
                   const QString &field = {});
    // A collapsed "Advanced" section; its form layout is returned.
    QFormLayout *addAdvanced(QVBoxLayout *layout, const QString &title = {});
    // A red line showing `field`'s problem; hidden while there is none.
    QLabel *problemLabel(const QString &field);
    // True while load() runs: edit handlers ignore the signals it causes.
    bool loading() const { return m_loading; }
    void reload();

private:
    WizardModel *m_model;
    QString m_prefix;
    bool m_loading = false;
};

} // namespace capsule::app
