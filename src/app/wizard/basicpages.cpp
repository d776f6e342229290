// Name, base image, tier; runtime settings (see basicpages.h).
#include "app/wizard/basicpages.h"

#include "app/wizard/fieldcheck.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace capsule::app {

BasicsPage::BasicsPage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("basics."), parent)
    , nameEdit(new QLineEdit(this))
    , baseImageEdit(new QComboBox(this))
    , tierCombo(new QComboBox(this))
{
    setTitle(tr("Name and image"));
    setSubTitle(tr("Name the workload and choose what its runners start from. Everything else "
                   "has a default; you can skip ahead at any time."));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    nameEdit->setObjectName(QStringLiteral("nameEdit"));
    nameEdit->setPlaceholderText(QStringLiteral("my-sandbox"));
    addRow(form, tr("&Name:"), nameEdit,
           tr("The workload's name (its config id): 3 to 64 lowercase letters, digits and "
              "dashes. Required; no default."),
           QStringLiteral("basics.name"));
    baseImageEdit->setObjectName(QStringLiteral("baseImageEdit"));
    baseImageEdit->setEditable(true);
    baseImageEdit->addItems({QString(), QStringLiteral("debian:12"), QStringLiteral("ubuntu:24.04"),
                             QStringLiteral("python:3.12-slim"), QStringLiteral("node:20-slim")});
    baseImageEdit->lineEdit()->setPlaceholderText(tr("(none: the server's default system)"));
    addRow(form, tr("Base &image:"), baseImageEdit,
           tr("Container image the runners start from (base_image). It adds the implicit "
              "_platform layer. Default: none (then at least one layer is needed)."),
           QStringLiteral("basics.image"));
    tierCombo->setObjectName(QStringLiteral("tierCombo"));
    // Contract 6.2: what each tier gives a runner.
    tierCombo->addItem(tr("default (m: 4 vCPU, 4 GiB memory)"), QString());
    const std::pair<const char *, QString> tiers[] = {{"xs", tr("xs: 1 vCPU, 512 MiB memory")},
                                                      {"s", tr("s: 1 vCPU, 1 GiB memory")},
                                                      {"m", tr("m: 4 vCPU, 4 GiB memory")},
                                                      {"l", tr("l: 8 vCPU, 8 GiB memory")},
                                                      {"xl", tr("xl: 16 vCPU, 16 GiB memory")}};
    for (const auto &[tier, text] : tiers)
        tierCombo->addItem(text, QString::fromLatin1(tier));
    addRow(form, tr("&Tier:"), tierCombo,
           tr("Size of each runner (config.tier). Default: m (4 vCPU, 4 GiB). The tier is part "
              "of the workload key and cannot change once the workload exists."));
    layout->addStretch();

    connect(nameEdit, &QLineEdit::textChanged, this, &BasicsPage::nameEdited);
    connect(baseImageEdit, &QComboBox::currentTextChanged, this, [this](const QString &text) {
        if (loading())
            return;
        const QString image = text.trimmed();
        this->model()->setProblem(QStringLiteral("basics.image"),
                                  image.contains(QRegularExpression(QStringLiteral("\\s")))
                                      ? tr("An image name has no spaces.")
                                      : QString());
        this->model()->setTop(QStringLiteral("base_image"), image);
    });
    connect(tierCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (!loading())
            this->model()->setConfigValue(QStringLiteral("tier"),
                                          tierCombo->currentData().toString());
    });
}

void BasicsPage::nameEdited()
{
    if (loading())
        return;
    const QString id = nameEdit->text().trimmed();
    model()->setProblem(QStringLiteral("basics.name"), id.isEmpty()
                                                           ? tr("The workload needs a name.")
                                                           : fieldcheck::workloadName(id));
    model()->setTop(QStringLiteral("display_name"), id);
}

void BasicsPage::load()
{
    const QString id = model()->top(QStringLiteral("display_name")).toString();
    nameEdit->setText(id);
    model()->setProblem(QStringLiteral("basics.name"), id.isEmpty()
                                                           ? tr("The workload needs a name.")
                                                           : fieldcheck::workloadName(id));
    baseImageEdit->setCurrentText(model()->top(QStringLiteral("base_image")).toString());
    const QString tier = model()->configValue(QStringLiteral("tier")).toString();
    int index = tierCombo->findData(tier);
    if (index < 0) {
        tierCombo->addItem(tier, tier); // the server will say what is wrong with it
        index = tierCombo->count() - 1;
    }
    tierCombo->setCurrentIndex(index);
}

RuntimePage::RuntimePage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("runtime."), parent)
    , ttlEdit(new QLineEdit(this))
    , autoPauseCheck(new QCheckBox(tr("Pause idle runners (auto_pause)"), this))
    , autoRolloutCombo(new QComboBox(this))
    , sessionMaxAgeEdit(new QLineEdit(this))
    , rootfsSpin(new QSpinBox(this))
    , workspaceSpin(new QSpinBox(this))
    , runnerUserEdit(new QLineEdit(this))
{
    setTitle(tr("Runtime"));
    setSubTitle(tr("How runners of this workload live. The defaults suit most workloads."));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    ttlEdit->setObjectName(QStringLiteral("ttlEdit"));
    ttlEdit->setPlaceholderText(tr("0 (never)"));
    addRow(form, tr("Idle &TTL:"), ttlEdit,
           tr("Seconds (or a duration such as 15m) a runner may sit idle before it is paused "
              "(config.ttl). Default: 0, never."),
           QStringLiteral("runtime.ttl"));
    autoPauseCheck->setObjectName(QStringLiteral("autoPauseCheck"));
    addRow(form, QString(), autoPauseCheck,
           tr("Pause a runner after its idle TTL instead of keeping it running "
              "(config.auto_pause). Default: off."));

    QFormLayout *advanced = addAdvanced(layout);
    autoRolloutCombo->setObjectName(QStringLiteral("autoRolloutCombo"));
    autoRolloutCombo->addItem(tr("server default"), QJsonValue());
    autoRolloutCombo->addItem(tr("on: promote each finished build"), true);
    autoRolloutCombo->addItem(tr("off: record builds as ready only"), false);
    addRow(advanced, tr("Auto &rollout:"), autoRolloutCombo,
           tr("Promote the finished leaf version to new runners (config.auto_rollout). Default: "
              "not set (the SDK sends nothing; the Go tool sends true)."));
    sessionMaxAgeEdit->setObjectName(QStringLiteral("sessionMaxAgeEdit"));
    sessionMaxAgeEdit->setPlaceholderText(tr("0 (no limit)"));
    addRow(advanced, tr("Session max &age:"), sessionMaxAgeEdit,
           tr("Seconds (or a duration such as 24h) a paused session is kept "
              "(config.session_max_age_seconds). Default: 0."),
           QStringLiteral("runtime.sessionMaxAge"));
    rootfsSpin->setObjectName(QStringLiteral("rootfsSpin"));
    rootfsSpin->setRange(0, 1024);
    rootfsSpin->setSpecialValueText(tr("default (8 GiB)"));
    rootfsSpin->setSuffix(tr(" GiB"));
    addRow(advanced, tr("Root &filesystem:"), rootfsSpin,
           tr("Size of each runner's root filesystem (config.rootfs_size_gb). Default: 8 GiB."));
    workspaceSpin->setObjectName(QStringLiteral("workspaceSpin"));
    workspaceSpin->setRange(0, 4096);
    workspaceSpin->setSpecialValueText(tr("default (50 GiB)"));
    workspaceSpin->setSuffix(tr(" GiB"));
    addRow(advanced, tr("&Workspace:"), workspaceSpin,
           tr("Size of the /workspace drive layers get when they define no drives "
              "(config.workspace_size_gb). Default: 50 GiB. Changes the workload key."));
    runnerUserEdit->setObjectName(QStringLiteral("runnerUserEdit"));
    runnerUserEdit->setPlaceholderText(QStringLiteral("runner"));
    addRow(advanced, tr("Runner &user:"), runnerUserEdit,
           tr("User for exec, terminals and non-root commands (config.runner_user). Default: "
              "runner."),
           QStringLiteral("runtime.user"));
    layout->addStretch();

    connect(ttlEdit, &QLineEdit::textChanged, this, [this] {
        secondsEdited(ttlEdit, QStringLiteral("ttl"), QStringLiteral("runtime.ttl"),
                      tr("Idle TTL"));
    });
    connect(sessionMaxAgeEdit, &QLineEdit::textChanged, this, [this] {
        secondsEdited(sessionMaxAgeEdit, QStringLiteral("session_max_age_seconds"),
                      QStringLiteral("runtime.sessionMaxAge"), tr("Session max age"));
    });
    connect(autoPauseCheck, &QCheckBox::toggled, this, [this](bool on) {
        if (!loading())
            this->model()->setConfigValue(QStringLiteral("auto_pause"), on);
    });
    connect(autoRolloutCombo, &QComboBox::currentIndexChanged, this, [this] {
        if (loading())
            return;
        // Tri-state: an explicit false is written, "server default" removes the key.
        const int i = autoRolloutCombo->currentIndex();
        this->model()->setConfigExact(QStringLiteral("auto_rollout"),
                                      i == 0 ? QJsonValue() : QJsonValue(i == 1));
    });
    connect(rootfsSpin, &QSpinBox::valueChanged, this, [this](int gb) {
        if (!loading())
            this->model()->setConfigValue(QStringLiteral("rootfs_size_gb"), gb);
    });
    connect(workspaceSpin, &QSpinBox::valueChanged, this, [this](int gb) {
        if (!loading())
            this->model()->setConfigValue(QStringLiteral("workspace_size_gb"), gb);
    });
    connect(runnerUserEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (loading())
            return;
        static const QRegularExpression user(QStringLiteral("^[a-z_][a-z0-9_-]*\\z"));
        const QString u = text.trimmed();
        this->model()->setProblem(
            QStringLiteral("runtime.user"),
            u.isEmpty() || user.match(u).hasMatch()
                ? QString()
                : tr("\"%1\" is not a user name (lowercase letters, digits, _ and -).").arg(u));
        this->model()->setConfigValue(QStringLiteral("runner_user"), u);
    });
}

void RuntimePage::secondsEdited(QLineEdit *edit, const QString &key, const QString &field,
                                const QString &what)
{
    if (loading())
        return;
    qint64 seconds = 0;
    const QString problem = fieldcheck::secondsOrDuration(edit->text(), what, &seconds);
    model()->setProblem(field, problem);
    if (problem.isEmpty())
        model()->setConfigValue(key, seconds);
}

void RuntimePage::load()
{
    const QJsonObject c = model()->config();
    const auto seconds = [](const QJsonValue &v) {
        return v.toDouble() > 0 ? QString::number(qint64(v.toDouble())) : QString();
    };
    ttlEdit->setText(seconds(c.value(QStringLiteral("ttl"))));
    sessionMaxAgeEdit->setText(seconds(c.value(QStringLiteral("session_max_age_seconds"))));
    autoPauseCheck->setChecked(c.value(QStringLiteral("auto_pause")).toBool());
    const QJsonValue rollout = c.value(QStringLiteral("auto_rollout"));
    autoRolloutCombo->setCurrentIndex(rollout.isBool() ? (rollout.toBool() ? 1 : 2) : 0);
    rootfsSpin->setValue(c.value(QStringLiteral("rootfs_size_gb")).toInt());
    workspaceSpin->setValue(c.value(QStringLiteral("workspace_size_gb")).toInt());
    runnerUserEdit->setText(c.value(QStringLiteral("runner_user")).toString());
}

} // namespace capsule::app
