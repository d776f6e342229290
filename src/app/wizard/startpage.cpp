// Start command, tenant and template pages (see startpage.h).
#include "app/wizard/startpage.h"

#include "app/wizard/fieldcheck.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace capsule::app {

QString StartPage::joinCommand(const QStringList &argv)
{
    QStringList quoted;
    for (QString arg : argv) {
        if (arg.isEmpty() || arg.contains(QLatin1Char(' ')) || arg.contains(QLatin1Char('"')))
            arg = QLatin1Char('"') + arg.replace(QLatin1String("\""), QLatin1String("\"\"\"")) +
                  QLatin1Char('"');
        quoted << arg;
    }
    return quoted.join(QLatin1Char(' '));
}

StartPage::StartPage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("start."), parent)
    , commandEdit(new QLineEdit(this))
    , portSpin(new QSpinBox(this))
    , healthEdit(new QLineEdit(this))
    , envEdit(new QPlainTextEdit(this))
    , runAsEdit(new QLineEdit(this))
{
    setTitle(tr("Start command"));
    setSubTitle(tr("A service each runner starts when it is ready, e.g. a web server. Leave the "
                   "command empty for none."));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    commandEdit->setObjectName(QStringLiteral("startCommandEdit"));
    commandEdit->setPlaceholderText(QStringLiteral("python3 -m http.server 8080"));
    addRow(form, tr("&Command:"), commandEdit,
           tr("start_command.command: the program and its arguments (quote arguments with "
              "spaces). Run directly, not through a shell. Default: none."),
           QStringLiteral("start.command"));
    portSpin->setObjectName(QStringLiteral("portSpin"));
    portSpin->setRange(0, 65535);
    portSpin->setSpecialValueText(tr("none"));
    addRow(form, tr("&Port:"), portSpin,
           tr("start_command.port: the port the service listens on. Default: none."),
           QStringLiteral("start.port"));
    healthEdit->setObjectName(QStringLiteral("healthEdit"));
    healthEdit->setPlaceholderText(QStringLiteral("/healthz"));
    addRow(form, tr("&Health path:"), healthEdit,
           tr("start_command.health_path: an HTTP path that answers once the service is up. "
              "Default: none."),
           QStringLiteral("start.health"));
    QFormLayout *advanced = addAdvanced(layout);
    envEdit->setObjectName(QStringLiteral("envEdit"));
    envEdit->setPlaceholderText(QStringLiteral("PORT=8080\nDEBUG=1"));
    envEdit->setMaximumHeight(80);
    addRow(advanced, tr("&Environment:"), envEdit,
           tr("start_command.env: NAME=value, one per line. Default: none."),
           QStringLiteral("start.env"));
    runAsEdit->setObjectName(QStringLiteral("runAsEdit"));
    runAsEdit->setPlaceholderText(tr("the runner user"));
    addRow(advanced, tr("Run &as:"), runAsEdit,
           tr("start_command.run_as: the user the service runs as. Default: the runner user."));
    layout->addStretch();
    connect(commandEdit, &QLineEdit::textChanged, this, &StartPage::edited);
    connect(portSpin, &QSpinBox::valueChanged, this, &StartPage::edited);
    connect(healthEdit, &QLineEdit::textChanged, this, &StartPage::edited);
    connect(envEdit, &QPlainTextEdit::textChanged, this, &StartPage::edited);
    connect(runAsEdit, &QLineEdit::textChanged, this, &StartPage::edited);
}

void StartPage::load()
{
    const QJsonObject start = model()->startCommand();
    QStringList argv;
    for (const QJsonValue &a : start.value(QStringLiteral("command")).toArray())
        argv << a.toString();
    commandEdit->setText(joinCommand(argv));
    portSpin->setValue(start.value(QStringLiteral("port")).toInt());
    healthEdit->setText(start.value(QStringLiteral("health_path")).toString());
    envEdit->setPlainText(fieldcheck::keyValuesText(start.value(QStringLiteral("env")).toObject()));
    runAsEdit->setText(start.value(QStringLiteral("run_as")).toString());
    for (const char *f : {"start.command", "start.port", "start.health", "start.env"})
        model()->setProblem(QString::fromLatin1(f), QString());
}

void StartPage::edited()
{
    if (loading())
        return;
    const QStringList argv = QProcess::splitCommand(commandEdit->text());
    const bool any = portSpin->value() > 0 || !healthEdit->text().trimmed().isEmpty() ||
                     !envEdit->toPlainText().trimmed().isEmpty();
    model()->setProblem(QStringLiteral("start.command"),
                        argv.isEmpty() && any
                            ? tr("A port, health path or environment needs a command to start.")
                            : QString());
    const QString health = healthEdit->text().trimmed();
    model()->setProblem(QStringLiteral("start.health"),
                        health.isEmpty() || health.startsWith(QLatin1Char('/'))
                            ? QString()
                            : tr("The health path starts with / (e.g. /healthz)."));
    model()->setProblem(QStringLiteral("start.port"),
                        !health.isEmpty() && portSpin->value() == 0
                            ? tr("A health path needs the port it is served on.")
                            : QString());
    QString envProblem;
    const QJsonObject env = fieldcheck::keyValues(envEdit->toPlainText(), &envProblem, true);
    model()->setProblem(QStringLiteral("start.env"), envProblem);
    const QJsonArray command = QJsonArray::fromStringList(argv);
    if (model()->startCommand().value(QStringLiteral("command")).toArray() != command)
        model()->setStartValue(QStringLiteral("command"), command);
    model()->setStartValue(QStringLiteral("port"), portSpin->value());
    model()->setStartValue(QStringLiteral("health_path"), health);
    if (envProblem.isEmpty())
        model()->setStartValue(QStringLiteral("env"), env);
    model()->setStartValue(QStringLiteral("run_as"), runAsEdit->text().trimmed());
}

TenantPage::TenantPage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("tenant."), parent)
    , projectEdit(new QLineEdit(this))
    , zoneEdit(new QLineEdit(this))
    , networkEdit(new QLineEdit(this))
    , subnetEdit(new QLineEdit(this))
    , serviceAccountEdit(new QLineEdit(this))
{
    setTitle(tr("Tenant (optional)"));
    setSubTitle(tr("Only for multi-tenant servers that build layers in a tenant's own GCP "
                   "project. Leave everything empty otherwise. With a tenant project the server "
                   "stores the workload as <project>--<name>; the workload key is unchanged."));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    const struct
    {
        QLineEdit *edit;
        const char *key;
        QString label;
        QString tip;
        const char *placeholder;
    } fields[] = {{projectEdit, "tenant_gcp_project", tr("GCP &project:"),
                   tr("config.tenant_gcp_project: the tenant's project the builder VMs run in."),
                   "acme-builds"},
                  {zoneEdit, "tenant_gcp_zone", tr("&Zone:"),
                   tr("config.tenant_gcp_zone: the zone of the builder VMs."), "europe-west4-a"},
                  {networkEdit, "tenant_network", tr("&Network:"),
                   tr("config.tenant_network: the VPC network of the builder VMs."), "default"},
                  {subnetEdit, "tenant_subnet", tr("&Subnet:"),
                   tr("config.tenant_subnet: the subnetwork of the builder VMs."), "builders"},
                  {serviceAccountEdit, "tenant_service_account", tr("Service &account:"),
                   tr("config.tenant_service_account: the identity the builder VMs run as."),
                   "builder@acme-builds.iam.gserviceaccount.com"}};
    for (const auto &f : fields) {
        f.edit->setObjectName(QString::fromLatin1(f.key));
        f.edit->setPlaceholderText(QString::fromLatin1(f.placeholder));
        const QString key = QString::fromLatin1(f.key);
        addRow(form, f.label, f.edit, f.tip + tr(" Default: not set."),
               QStringLiteral("tenant.") + key);
        connect(f.edit, &QLineEdit::textChanged, this, [this, key](const QString &text) {
            if (loading())
                return;
            const QString v = text.trimmed();
            this->model()->setProblem(QStringLiteral("tenant.") + key,
                                      v.contains(QRegularExpression(QStringLiteral("\\s")))
                                          ? tr("No spaces, please.")
                                          : QString());
            this->model()->setConfigValue(key, v);
        });
    }
    layout->addStretch();
}

void TenantPage::load()
{
    const QJsonObject c = model()->config();
    projectEdit->setText(c.value(QStringLiteral("tenant_gcp_project")).toString());
    zoneEdit->setText(c.value(QStringLiteral("tenant_gcp_zone")).toString());
    networkEdit->setText(c.value(QStringLiteral("tenant_network")).toString());
    subnetEdit->setText(c.value(QStringLiteral("tenant_subnet")).toString());
    serviceAccountEdit->setText(c.value(QStringLiteral("tenant_service_account")).toString());
}

QList<TemplatePage::Template> TemplatePage::templates()
{
    const auto cmd = [](const QString &script, bool root = false) {
        QJsonObject c{{QStringLiteral("type"), QStringLiteral("shell")},
                      {QStringLiteral("args"),
                       QJsonArray{QStringLiteral("bash"), QStringLiteral("-lc"), script}}};
        if (root)
            c.insert(QStringLiteral("run_as_root"), true);
        return c;
    };
    const auto layer = [](const QString &name, const QJsonArray &commands) {
        return QJsonObject{{QStringLiteral("name"), name},
                           {QStringLiteral("init_commands"), commands}};
    };
    return {
        {QStringLiteral("blank"), tr("Blank workload"),
         tr("Start from nothing: one empty layer to fill in."),
         QJsonObject{{QStringLiteral("layers"), QJsonArray{layer(QStringLiteral("main"), {})}}}},
        {QStringLiteral("python"), tr("Python with pip requirements"),
         tr("python:3.12-slim; a deps layer installs /workspace/requirements.txt when present."),
         QJsonObject{
             {QStringLiteral("display_name"), QStringLiteral("python-dev")},
             {QStringLiteral("base_image"), QStringLiteral("python:3.12-slim")},
             {QStringLiteral("layers"),
              QJsonArray{layer(QStringLiteral("deps"),
                               {cmd(QStringLiteral("python3 -m venv /workspace/.venv")),
                                cmd(QStringLiteral("test ! -f /workspace/requirements.txt || "
                                                   "/workspace/.venv/bin/pip install -r "
                                                   "/workspace/requirements.txt"))})}}}},
        {QStringLiteral("node"), tr("Node with npm"),
         tr("node:20-slim; a deps layer runs npm install in /workspace when a package.json is "
            "there."),
         QJsonObject{{QStringLiteral("display_name"), QStringLiteral("node-dev")},
                     {QStringLiteral("base_image"), QStringLiteral("node:20-slim")},
                     {QStringLiteral("layers"),
                      QJsonArray{layer(QStringLiteral("deps"),
                                       {cmd(QStringLiteral("cd /workspace && (test ! -f "
                                                           "package.json || npm install)"))})}}}},
        {QStringLiteral("service"), tr("Debian shell with a service on a port"),
         tr("debian:12; a site layer installs python3 and writes a page; each runner serves it "
            "on port 8080."),
         QJsonObject{
             {QStringLiteral("display_name"), QStringLiteral("web-demo")},
             {QStringLiteral("base_image"), QStringLiteral("debian:12")},
             {QStringLiteral("layers"),
              QJsonArray{layer(QStringLiteral("site"),
                               {cmd(QStringLiteral("apt-get update && apt-get install -y "
                                                   "--no-install-recommends python3-minimal"),
                                    true),
                                cmd(QStringLiteral("mkdir -p /workspace/site && echo hello > "
                                                   "/workspace/site/index.html"))})}},
             {QStringLiteral("start_command"),
              QJsonObject{
                  {QStringLiteral("command"),
                   QJsonArray{QStringLiteral("python3"), QStringLiteral("-m"),
                              QStringLiteral("http.server"), QStringLiteral("8080"),
                              QStringLiteral("--directory"), QStringLiteral("/workspace/site")}},
                  {QStringLiteral("port"), 8080},
                  {QStringLiteral("health_path"), QStringLiteral("/")}}}}},
    };
}

TemplatePage::TemplatePage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("template."), parent)
    , list(new QListWidget(this))
{
    setTitle(tr("Start from"));
    setSubTitle(tr("A blank workload or a ready-made one; every field stays editable."));
    auto *layout = new QVBoxLayout(this);
    list->setObjectName(QStringLiteral("templateList"));
    for (const Template &t : templates()) {
        auto *item = new QListWidgetItem(t.title + QStringLiteral("\n    ") + t.description, list);
        item->setData(Qt::UserRole, t.id);
        item->setToolTip(t.description);
    }
    list->setCurrentRow(0);
    layout->addWidget(list);
    connect(list, &QListWidget::currentRowChanged, this, [this](int row) {
        const QList<Template> all = templates();
        if (row >= 0 && row < all.size())
            emit chosen(all.at(row).body);
    });
}

} // namespace capsule::app
