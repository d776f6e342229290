// The network page (see networkpage.h).
#include "app/wizard/networkpage.h"

#include "app/wizard/fieldcheck.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace capsule::app {

namespace {

const QString kCustom = QStringLiteral("__custom__");
enum RuleColumn { RuleDescription, RuleDomains, RuleCidrs, RulePorts, RuleProtocols, RuleColumns };

QString cell(QTableWidget *t, int r, int c)
{
    QTableWidgetItem *item = t->item(r, c);
    return item ? item->text().trimmed() : QString();
}

} // namespace

NetworkPage::NetworkPage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("network."), parent)
    , presetCombo(new QComboBox(this))
    , presetText(new QLabel(this))
    , customBox(new QWidget(this))
    , policyNameEdit(new QLineEdit(customBox))
    , defaultActionCombo(new QComboBox(customBox))
    , allowedTable(rulesTable(QStringLiteral("allowedTable")))
    , deniedTable(rulesTable(QStringLiteral("deniedTable")))
    , metadataCheck(new QCheckBox(tr("Metadata server"), customBox))
    , hostAccessCheck(new QCheckBox(tr("The host"), customBox))
    , otherVmsCheck(new QCheckBox(tr("Other runners"), customBox))
    , internalCidrsEdit(new QLineEdit(customBox))
    , providersTable(new QTableWidget(0, 3, this))
    , proxyPortSpin(new QSpinBox(this))
    , sslBumpCheck(new QCheckBox(tr("Inspect TLS (ssl_bump)"), this))
    , proxyHostsEdit(new QLineEdit(this))
{
    setTitle(tr("Network"));
    setSubTitle(tr("What the runners may reach. Pick a preset, or describe a custom policy."));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    layout->addLayout(form);
    presetCombo->setObjectName(QStringLiteral("networkCombo"));
    const std::pair<QString, QString> presets[] = {
        {QString(), tr("default (the server's: unrestricted)")},
        {QStringLiteral("unrestricted"), tr("unrestricted")},
        {QStringLiteral("restricted-egress"), tr("restricted egress")},
        {QStringLiteral("agent-sandbox"), tr("agent sandbox")},
        {QStringLiteral("quarantine"), tr("quarantine (no network)")},
        {kCustom, tr("custom policy...")}};
    for (const auto &[key, text] : presets)
        presetCombo->addItem(text, key);
    addRow(form, tr("&Policy:"), presetCombo,
           tr("config.network_policy_preset, or config.network_policy for a custom policy. "
              "Default: none (unrestricted)."));
    presetText->setObjectName(QStringLiteral("presetText"));
    presetText->setWordWrap(true);
    form->addRow(QString(), presetText);

    auto *custom = new QFormLayout(customBox);
    custom->setContentsMargins(0, 0, 0, 0);
    policyNameEdit->setObjectName(QStringLiteral("policyNameEdit"));
    addRow(custom, tr("Name:"), policyNameEdit, tr("A name for the policy (name). Optional."));
    defaultActionCombo->setObjectName(QStringLiteral("defaultActionCombo"));
    defaultActionCombo->addItem(tr("allow (deny what is listed)"), QStringLiteral("allow"));
    defaultActionCombo->addItem(tr("deny (allow only what is listed)"), QStringLiteral("deny"));
    addRow(custom, tr("Default egress:"), defaultActionCombo,
           tr("default_egress_action. Default: allow. Domain rules need deny."));
    const QString rules = tr("One rule per row: description, domains, CIDRs (10.0.0.0/8), ports "
                             "(443, 8000-8080), protocols (tcp, udp); lists separated by commas.");
    addRow(custom, tr("Allowed egress:"), allowedTable, tr("allowed_egress. ") + rules,
           QStringLiteral("network.allowed"));
    addRow(custom, tr("Denied egress:"), deniedTable, tr("denied_egress. ") + rules,
           QStringLiteral("network.denied"));
    auto *internal = new QHBoxLayout;
    metadataCheck->setObjectName(QStringLiteral("metadataCheck"));
    hostAccessCheck->setObjectName(QStringLiteral("hostAccessCheck"));
    otherVmsCheck->setObjectName(QStringLiteral("otherVmsCheck"));
    for (QCheckBox *c : {metadataCheck, hostAccessCheck, otherVmsCheck})
        internal->addWidget(c);
    metadataCheck->setToolTip(tr("internal_access.allow_metadata. Default: on."));
    hostAccessCheck->setToolTip(tr("internal_access.allow_host_access. Default: off."));
    otherVmsCheck->setToolTip(tr("internal_access.allow_other_vms. Default: off."));
    custom->addRow(tr("Internal access:"), internal);
    internalCidrsEdit->setObjectName(QStringLiteral("internalCidrsEdit"));
    internalCidrsEdit->setPlaceholderText(QStringLiteral("10.20.0.0/16"));
    addRow(custom, tr("Internal CIDRs:"), internalCidrsEdit,
           tr("internal_access.allowed_internal_cidrs: private ranges the runners may reach, "
              "each no broader than /16. Default: none."),
           QStringLiteral("network.internal"));
    layout->addWidget(customBox);

    QFormLayout *advanced = addAdvanced(layout, tr("Credential proxy (auth)"));
    providersTable->setObjectName(QStringLiteral("providersTable"));
    providersTable->setHorizontalHeaderLabels({tr("Type"), tr("Hosts"), tr("Config (k=v, ...)")});
    providersTable->horizontalHeader()->setStretchLastSection(true);
    providersTable->setMaximumHeight(90);
    addRow(advanced, tr("Providers:"), providersTable,
           tr("config.auth.providers: type (gcp-metadata, github-app, github-dual-token, "
              "bearer-token, token-exchange, delegated), host globs, provider config. Default: "
              "none."),
           QStringLiteral("network.auth"));
    auto *addProvider = new QPushButton(tr("Add provider"), this);
    advanced->addRow(QString(), addProvider);
    proxyPortSpin->setObjectName(QStringLiteral("proxyPortSpin"));
    proxyPortSpin->setRange(0, 65535);
    proxyPortSpin->setSpecialValueText(tr("not set"));
    addRow(advanced, tr("Proxy port:"), proxyPortSpin,
           tr("config.auth.proxy.listen_port (e.g. 3128). Default: not set."));
    addRow(advanced, QString(), sslBumpCheck, tr("config.auth.proxy.ssl_bump. Default: off."));
    addRow(advanced, tr("Proxy hosts:"), proxyHostsEdit,
           tr("config.auth.proxy.allowed_hosts, separated by commas. Default: none."));
    layout->addStretch();

    connect(presetCombo, &QComboBox::currentIndexChanged, this, &NetworkPage::presetChosen);
    connect(policyNameEdit, &QLineEdit::textChanged, this, &NetworkPage::customEdited);
    connect(defaultActionCombo, &QComboBox::currentIndexChanged, this, &NetworkPage::customEdited);
    for (QTableWidget *t : {allowedTable, deniedTable})
        connect(t, &QTableWidget::itemChanged, this, &NetworkPage::customEdited);
    for (QCheckBox *c : {metadataCheck, hostAccessCheck, otherVmsCheck})
        connect(c, &QCheckBox::toggled, this, &NetworkPage::customEdited);
    connect(internalCidrsEdit, &QLineEdit::textChanged, this, &NetworkPage::customEdited);
    connect(providersTable, &QTableWidget::itemChanged, this, &NetworkPage::authEdited);
    connect(proxyPortSpin, &QSpinBox::valueChanged, this, &NetworkPage::authEdited);
    connect(sslBumpCheck, &QCheckBox::toggled, this, &NetworkPage::authEdited);
    connect(proxyHostsEdit, &QLineEdit::textChanged, this, &NetworkPage::authEdited);
    connect(addProvider, &QPushButton::clicked, this,
            [this] { providersTable->insertRow(providersTable->rowCount()); });
    customBox->setVisible(false);
}

QTableWidget *NetworkPage::rulesTable(const QString &name)
{
    auto *table = new QTableWidget(1, RuleColumns, customBox);
    table->setObjectName(name);
    table->setHorizontalHeaderLabels(
        {tr("Description"), tr("Domains"), tr("CIDRs"), tr("Ports"), tr("Protocols")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setMinimumHeight(84);
    table->setMaximumHeight(110);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    // A row is added when the last one gets text.
    connect(table, &QTableWidget::itemChanged, table, [table](QTableWidgetItem *item) {
        if (item->row() == table->rowCount() - 1 && !item->text().isEmpty())
            table->insertRow(table->rowCount());
    });
    return table;
}

void NetworkPage::fillRules(QTableWidget *table, const QJsonArray &rules)
{
    table->setRowCount(0);
    for (const QJsonValue &v : rules) {
        const QJsonObject r = v.toObject();
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, RuleDescription,
                       new QTableWidgetItem(r.value(QStringLiteral("description")).toString()));
        table->setItem(row, RuleDomains,
                       new QTableWidgetItem(
                           fieldcheck::wordsText(r.value(QStringLiteral("domains")).toArray())));
        table->setItem(row, RuleCidrs,
                       new QTableWidgetItem(
                           fieldcheck::wordsText(r.value(QStringLiteral("cidrs")).toArray())));
        table->setItem(row, RulePorts,
                       new QTableWidgetItem(
                           fieldcheck::portRangesText(r.value(QStringLiteral("ports")).toArray())));
        table->setItem(row, RuleProtocols,
                       new QTableWidgetItem(
                           fieldcheck::wordsText(r.value(QStringLiteral("protocols")).toArray())));
    }
    table->insertRow(table->rowCount());
}

void NetworkPage::load()
{
    const QJsonObject c = model()->config();
    const QJsonObject policy = c.value(QStringLiteral("network_policy")).toObject();
    const QString preset = c.value(QStringLiteral("network_policy_preset")).toString();
    int index = presetCombo->findData(preset.toLower());
    if (!policy.isEmpty())
        index = presetCombo->findData(kCustom);
    else if (index < 0) {
        presetCombo->addItem(preset, preset);
        index = presetCombo->count() - 1;
    }
    presetCombo->setCurrentIndex(index);
    policyNameEdit->setText(policy.value(QStringLiteral("name")).toString());
    defaultActionCombo->setCurrentIndex(
        policy.value(QStringLiteral("default_egress_action")).toString() == QLatin1String("deny")
            ? 1
            : 0);
    fillRules(allowedTable, policy.value(QStringLiteral("allowed_egress")).toArray());
    fillRules(deniedTable, policy.value(QStringLiteral("denied_egress")).toArray());
    const QJsonObject internal = policy.value(QStringLiteral("internal_access")).toObject();
    metadataCheck->setChecked(internal.value(QStringLiteral("allow_metadata")).toBool(true));
    hostAccessCheck->setChecked(internal.value(QStringLiteral("allow_host_access")).toBool());
    otherVmsCheck->setChecked(internal.value(QStringLiteral("allow_other_vms")).toBool());
    internalCidrsEdit->setText(
        fieldcheck::wordsText(internal.value(QStringLiteral("allowed_internal_cidrs")).toArray()));
    const QJsonObject auth = c.value(QStringLiteral("auth")).toObject();
    providersTable->setRowCount(0);
    for (const QJsonValue &v : auth.value(QStringLiteral("providers")).toArray()) {
        const QJsonObject p = v.toObject();
        const int row = providersTable->rowCount();
        providersTable->insertRow(row);
        QStringList config;
        const QJsonObject pc = p.value(QStringLiteral("config")).toObject();
        for (auto it = pc.begin(); it != pc.end(); ++it)
            config << it.key() + QLatin1Char('=') + it.value().toString();
        providersTable->setItem(row, 0,
                                new QTableWidgetItem(p.value(QStringLiteral("type")).toString()));
        providersTable->setItem(row, 1,
                                new QTableWidgetItem(fieldcheck::wordsText(
                                    p.value(QStringLiteral("hosts")).toArray())));
        providersTable->setItem(row, 2, new QTableWidgetItem(config.join(QStringLiteral(", "))));
    }
    const QJsonObject proxy = auth.value(QStringLiteral("proxy")).toObject();
    proxyPortSpin->setValue(proxy.value(QStringLiteral("listen_port")).toInt());
    sslBumpCheck->setChecked(proxy.value(QStringLiteral("ssl_bump")).toBool());
    proxyHostsEdit->setText(
        fieldcheck::wordsText(proxy.value(QStringLiteral("allowed_hosts")).toArray()));
    for (const char *f : {"network.allowed", "network.denied", "network.internal", "network.auth"})
        model()->setProblem(QString::fromLatin1(f), QString());
    presetChosen();
}

void NetworkPage::presetChosen()
{
    const QString key = presetCombo->currentData().toString();
    static const QHash<QString, QString> texts = {
        {QString(), tr("No policy is sent; the server lets runners reach anything.")},
        {QStringLiteral("unrestricted"), tr("Runners may reach anything.")},
        {QStringLiteral("restricted-egress"),
         tr("Internet allowed; private networks (10/8, 172.16/12, 192.168/16) denied.")},
        {QStringLiteral("agent-sandbox"),
         tr("Everything denied; DNS through the policy proxy; the runner may add up to 20 "
            "domains and 5 CIDRs (no wider than /24) at run time.")},
        {QStringLiteral("quarantine"), tr("No network at all; the metadata server is blocked.")},
        {kCustom, tr("Your own rules below (contract 6.3).")}};
    presetText->setText(texts.value(key, tr("A preset this wizard does not know; it is sent "
                                            "as written.")));
    customBox->setVisible(key == kCustom);
    if (loading())
        return;
    if (key == kCustom) {
        model()->setConfigValue(QStringLiteral("network_policy_preset"), QString());
        customEdited();
    } else {
        for (const char *f : {"network.allowed", "network.denied", "network.internal"})
            model()->setProblem(QString::fromLatin1(f), QString());
        model()->setConfigValue(QStringLiteral("network_policy"), QJsonObject());
        model()->setConfigValue(QStringLiteral("network_policy_preset"), key);
    }
}

QJsonObject NetworkPage::customPolicy(const QJsonObject &base, QString *problem) const
{
    QJsonObject policy = base;
    problem->clear();
    const auto set = [&policy](const QString &key, const QJsonValue &v) {
        if (WizardModel::isEmptyValue(v))
            policy.remove(key);
        else
            policy.insert(key, v);
    };
    set(QStringLiteral("name"), policyNameEdit->text().trimmed());
    const QString action = defaultActionCombo->currentData().toString();
    set(QStringLiteral("default_egress_action"),
        action == QLatin1String("deny") ? action : QString());
    const auto rules = [&](QTableWidget *t, const QString &what, QString *why) {
        QJsonArray out;
        for (int r = 0; r < t->rowCount() && why->isEmpty(); ++r) {
            QJsonObject rule;
            const QString desc = cell(t, r, RuleDescription);
            const QJsonArray domains = fieldcheck::words(cell(t, r, RuleDomains));
            const QJsonArray cidrs = fieldcheck::cidrList(cell(t, r, RuleCidrs), why);
            if (!why->isEmpty())
                break;
            const QJsonArray ports = fieldcheck::portRanges(cell(t, r, RulePorts), why);
            if (!why->isEmpty())
                break;
            if (!domains.isEmpty() && action != QLatin1String("deny")) {
                *why = tr("%1 rule %2: domain rules need the default egress \"deny\".")
                           .arg(what)
                           .arg(r + 1);
                break;
            }
            if (!desc.isEmpty())
                rule.insert(QStringLiteral("description"), desc);
            if (!domains.isEmpty())
                rule.insert(QStringLiteral("domains"), domains);
            if (!cidrs.isEmpty())
                rule.insert(QStringLiteral("cidrs"), cidrs);
            if (!ports.isEmpty())
                rule.insert(QStringLiteral("ports"), ports);
            const QJsonArray protocols = fieldcheck::words(cell(t, r, RuleProtocols));
            if (!protocols.isEmpty())
                rule.insert(QStringLiteral("protocols"), protocols);
            if (!rule.isEmpty())
                out.append(rule);
        }
        return out;
    };
    QString allowedWhy, deniedWhy, internalWhy;
    set(QStringLiteral("allowed_egress"), rules(allowedTable, tr("Allowed"), &allowedWhy));
    set(QStringLiteral("denied_egress"), rules(deniedTable, tr("Denied"), &deniedWhy));
    QJsonObject internal = policy.value(QStringLiteral("internal_access")).toObject();
    if (!metadataCheck->isChecked() || internal.contains(QStringLiteral("allow_metadata")))
        internal.insert(QStringLiteral("allow_metadata"), metadataCheck->isChecked());
    const auto flag = [&internal](const QString &key, bool on) {
        if (on || internal.contains(key))
            internal.insert(key, on);
    };
    flag(QStringLiteral("allow_host_access"), hostAccessCheck->isChecked());
    flag(QStringLiteral("allow_other_vms"), otherVmsCheck->isChecked());
    const QJsonArray cidrs = fieldcheck::cidrList(internalCidrsEdit->text(), &internalWhy, 16);
    if (cidrs.isEmpty())
        internal.remove(QStringLiteral("allowed_internal_cidrs"));
    else
        internal.insert(QStringLiteral("allowed_internal_cidrs"), cidrs);
    set(QStringLiteral("internal_access"), internal);
    // Problems by field: "allowed|...".
    *problem = allowedWhy + QLatin1Char('|') + deniedWhy + QLatin1Char('|') + internalWhy;
    if (problem->count(QLatin1Char('|')) == problem->size())
        problem->clear();
    return policy;
}

void NetworkPage::customEdited()
{
    if (loading() || presetCombo->currentData().toString() != kCustom)
        return;
    QString problem;
    const QJsonObject policy =
        customPolicy(model()->configValue(QStringLiteral("network_policy")).toObject(), &problem);
    const QStringList parts =
        problem.isEmpty() ? QStringList{{}, {}, {}} : problem.split(QLatin1Char('|'));
    model()->setProblem(QStringLiteral("network.allowed"), parts.value(0));
    model()->setProblem(QStringLiteral("network.denied"), parts.value(1));
    model()->setProblem(QStringLiteral("network.internal"), parts.value(2));
    if (!problem.isEmpty())
        return;
    // An empty custom policy is still a policy ({} means "custom, all defaults").
    QJsonObject config = model()->config();
    if (config.value(QStringLiteral("network_policy")).toObject() != policy ||
        !config.contains(QStringLiteral("network_policy")))
        model()->setConfigExact(QStringLiteral("network_policy"), policy);
}

void NetworkPage::authEdited()
{
    if (loading())
        return;
    QJsonObject auth = model()->configValue(QStringLiteral("auth")).toObject();
    QJsonArray providers;
    QString problem;
    for (int r = 0; r < providersTable->rowCount(); ++r) {
        const QString type = cell(providersTable, r, 0);
        if (type.isEmpty())
            continue;
        static const QStringList known = {
            QStringLiteral("gcp-metadata"),      QStringLiteral("github-app"),
            QStringLiteral("github-dual-token"), QStringLiteral("bearer-token"),
            QStringLiteral("token-exchange"),    QStringLiteral("delegated")};
        if (!known.contains(type)) {
            problem = tr("Provider %1: \"%2\" is not a provider type (%3).")
                          .arg(r + 1)
                          .arg(type, known.join(QStringLiteral(", ")));
            break;
        }
        QJsonObject config;
        for (const QString &kv :
             cell(providersTable, r, 2).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const int eq = int(kv.indexOf(QLatin1Char('=')));
            if (eq <= 0) {
                problem = tr("Provider %1: write its config as key=value, key=value.").arg(r + 1);
                break;
            }
            config.insert(kv.left(eq).trimmed(), kv.mid(eq + 1).trimmed());
        }
        QJsonObject p = auth.value(QStringLiteral("providers")).toArray().at(r).toObject();
        p.insert(QStringLiteral("type"), type);
        p.insert(QStringLiteral("hosts"), fieldcheck::words(cell(providersTable, r, 1)));
        p.insert(QStringLiteral("config"), config);
        providers.append(p);
    }
    model()->setProblem(QStringLiteral("network.auth"), problem);
    if (!problem.isEmpty())
        return;
    if (providers.isEmpty())
        auth.remove(QStringLiteral("providers"));
    else
        auth.insert(QStringLiteral("providers"), providers);
    QJsonObject proxy = auth.value(QStringLiteral("proxy")).toObject();
    const auto put = [&proxy](const QString &key, const QJsonValue &v) {
        if (WizardModel::isEmptyValue(v) && !proxy.contains(key))
            return;
        proxy.insert(key, v);
    };
    put(QStringLiteral("listen_port"), proxyPortSpin->value());
    put(QStringLiteral("ssl_bump"), sslBumpCheck->isChecked());
    put(QStringLiteral("allowed_hosts"), fieldcheck::words(proxyHostsEdit->text()));
    if (proxy.isEmpty())
        auth.remove(QStringLiteral("proxy"));
    else
        auth.insert(QStringLiteral("proxy"), proxy);
    model()->setConfigValue(QStringLiteral("auth"), auth);
}

} // namespace capsule::app
