// The start command page: argv, port, health path, environment and user of the service a
// runner starts (start_command, contract 4.1).
#pragma once

#include "app/wizard/wizardpage.h"

class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QListWidget;

namespace capsule::app {

class StartPage : public WizardPage
{
    Q_OBJECT
public:
    explicit StartPage(WizardModel *model, QWidget *parent = nullptr);
    void load() override;

    // The inverse of QProcess::splitCommand (Qt 6.4 has no joinCommand).
    static QString joinCommand(const QStringList &argv);

    QLineEdit *commandEdit;
    QSpinBox *portSpin;
    QLineEdit *healthEdit;
    QPlainTextEdit *envEdit;
    QLineEdit *runAsEdit;

private:
    void edited();
};

// The tenant page: the 0.4.0 tenant GCE builder fields (contract 10).
class TenantPage : public WizardPage
{
    Q_OBJECT
public:
    explicit TenantPage(WizardModel *model, QWidget *parent = nullptr);
    void load() override;

    QLineEdit *projectEdit;
    QLineEdit *zoneEdit;
    QLineEdit *networkEdit;
    QLineEdit *subnetEdit;
    QLineEdit *serviceAccountEdit;
};

// The first page: a blank workload or a ready-made one, each a normal editable config.
class TemplatePage : public WizardPage
{
    Q_OBJECT
public:
    explicit TemplatePage(WizardModel *model, QWidget *parent = nullptr);
    void load() override {}

    struct Template
    {
        QString id;
        QString title;
        QString description;
        QJsonObject body;
    };
    static QList<Template> templates();

    QListWidget *list;

signals:
    void chosen(const QJsonObject &body);
};

} // namespace capsule::app
