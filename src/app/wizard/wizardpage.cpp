// Base of the wizard's pages (see wizardpage.h).
#include "app/wizard/wizardpage.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace capsule::app {

WizardPage::WizardPage(WizardModel *model, QString prefix, QWidget *parent)
    : QWizardPage(parent)
    , m_model(model)
    , m_prefix(std::move(prefix))
{
    connect(model, &WizardModel::problemsChanged, this, &QWizardPage::completeChanged);
    connect(model, &WizardModel::reloaded, this, &WizardPage::reload);
}

void WizardPage::reload()
{
    m_loading = true;
    load();
    m_loading = false;
}

bool WizardPage::isComplete() const
{
    const QMap<QString, QString> problems = m_model->problems();
    for (auto it = problems.begin(); it != problems.end(); ++it) {
        if (it.key().startsWith(m_prefix))
            return false;
    }
    return true;
}

QLabel *WizardPage::problemLabel(const QString &field)
{
    auto *label = new QLabel(this);
    label->setObjectName(field + QStringLiteral("Problem"));
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #c0392b;"));
    label->setVisible(false);
    auto update = [this, label, field] {
        const QString text = m_model->problem(field);
        label->setText(text);
        label->setVisible(!text.isEmpty());
    };
    connect(m_model, &WizardModel::problemsChanged, label, update);
    update();
    return label;
}

QLabel *WizardPage::addRow(QFormLayout *form, const QString &label, QWidget *widget,
                           const QString &tooltip, const QString &field)
{
    widget->setToolTip(tooltip);
    form->addRow(label, widget);
    if (auto *buddy = qobject_cast<QLabel *>(form->labelForField(widget)))
        buddy->setToolTip(tooltip);
    if (field.isEmpty())
        return nullptr;
    QLabel *problem = problemLabel(field);
    form->addRow(QString(), problem);
    return problem;
}

QFormLayout *WizardPage::addAdvanced(QVBoxLayout *layout, const QString &title)
{
    auto *toggle = new QToolButton(this);
    toggle->setObjectName(QStringLiteral("advancedToggle"));
    toggle->setText(title.isEmpty() ? tr("Advanced") : title);
    toggle->setCheckable(true);
    toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toggle->setArrowType(Qt::RightArrow);
    toggle->setAutoRaise(true);
    auto *box = new QWidget(this);
    box->setObjectName(QStringLiteral("advancedSection"));
    auto *form = new QFormLayout(box);
    form->setContentsMargins(16, 0, 0, 0);
    box->setVisible(false);
    connect(toggle, &QToolButton::toggled, box, [toggle, box](bool on) {
        box->setVisible(on);
        toggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });
    layout->addWidget(toggle);
    layout->addWidget(box);
    return form;
}

} // namespace capsule::app
