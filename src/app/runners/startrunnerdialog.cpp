// See startrunnerdialog.h.
#include "app/runners/startrunnerdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace capsule::app {

namespace {
const char *const kCustom = "__custom__";

QLabel *errorLabel(const char *name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QString::fromLatin1(name));
    label->setStyleSheet(QStringLiteral("color: #c01c28;"));
    label->setWordWrap(true);
    label->setVisible(false);
    return label;
}
} // namespace

QStringList StartRunnerDialog::presets()
{
    return {QStringLiteral("unrestricted"), QStringLiteral("restricted-egress"),
            QStringLiteral("agent-sandbox"), QStringLiteral("quarantine")};
}

StartRunnerDialog::StartRunnerDialog(const QString &workloadName,
                                     const QList<PausedSession> &paused, QWidget *parent)
    : QDialog(parent)
    , m_labels(new QTableWidget(0, 2, this))
    , m_labelsError(errorLabel("labelsError", this))
    , m_session(new QComboBox(this))
    , m_preset(new QComboBox(this))
    , m_policy(new QPlainTextEdit(this))
    , m_policyError(errorLabel("policyError", this))
    , m_proxy(new QLineEdit(this))
    , m_proxyError(errorLabel("proxyError", this))
    , m_caPort(new QSpinBox(this))
    , m_tenant(new QLineEdit(this))
    , m_timeout(new QDoubleSpinBox(this))
    , m_openTerminal(new QCheckBox(tr("Open a &terminal when ready"), this))
    , m_openFiles(new QCheckBox(tr("Open the &files when ready"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("startRunnerDialog"));
    setWindowTitle(tr("Start Runner - %1").arg(workloadName));

    m_labels->setObjectName(QStringLiteral("labelsTable"));
    m_labels->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    m_labels->horizontalHeader()->setStretchLastSection(true);
    m_labels->verticalHeader()->hide();
    m_labels->setMinimumHeight(m_labels->fontMetrics().height() * 6);
    auto *addLabel = new QPushButton(tr("Add Label"), this);
    auto *removeLabel = new QPushButton(tr("Remove Label"), this);
    connect(addLabel, &QPushButton::clicked, this, [this] { addLabelRow(); });
    connect(removeLabel, &QPushButton::clicked, this, [this] {
        if (m_labels->currentRow() >= 0)
            m_labels->removeRow(m_labels->currentRow());
    });
    auto *labelButtons = new QHBoxLayout;
    labelButtons->addWidget(addLabel);
    labelButtons->addWidget(removeLabel);
    labelButtons->addStretch(1);

    m_session->setObjectName(QStringLiteral("sessionCombo"));
    m_session->setEditable(true);
    m_session->addItem(QString());
    for (const PausedSession &session : paused) {
        m_session->addItem(session.sessionId);
        m_session->setItemData(m_session->count() - 1, session.description, Qt::ToolTipRole);
    }
    m_session->lineEdit()->setPlaceholderText(tr("new session (the server picks an id)"));
    auto *sessionHint =
        new QLabel(paused.isEmpty() ? tr("Type an id to name the new session.")
                                    : tr("Pick a paused session to resume it, or type an id "
                                         "to name a new one."),
                   this);
    sessionHint->setWordWrap(true);

    m_preset->setObjectName(QStringLiteral("presetCombo"));
    m_preset->addItem(tr("the workload's own"), QString());
    for (const QString &preset : presets())
        m_preset->addItem(preset, preset);
    m_preset->addItem(tr("custom JSON..."), QString::fromLatin1(kCustom));
    m_policy->setObjectName(QStringLiteral("policyJson"));
    m_policy->setPlaceholderText(QStringLiteral("{\"egress\": {\"default\": \"deny\"}}"));
    m_policy->setMaximumHeight(m_policy->fontMetrics().height() * 6);
    m_policy->setVisible(false);
    connect(m_preset, &QComboBox::currentIndexChanged, this, &StartRunnerDialog::onPresetChanged);
    connect(m_policy, &QPlainTextEdit::textChanged, this, [this] {
        if (m_policyError->isVisible())
            validate();
    });

    m_proxy->setObjectName(QStringLiteral("proxyAddress"));
    m_proxy->setPlaceholderText(tr("host:port of the credential broker (optional)"));
    m_caPort->setObjectName(QStringLiteral("caCertPort"));
    m_caPort->setRange(0, 65535);
    m_caPort->setSpecialValueText(tr("default (8443 with a proxy)"));
    m_tenant->setObjectName(QStringLiteral("tenantId"));
    m_timeout->setObjectName(QStringLiteral("startupTimeout"));
    m_timeout->setRange(0, 3600);
    m_timeout->setDecimals(0);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setSpecialValueText(tr("the connection's default"));

    auto *form = new QFormLayout;
    form->addRow(tr("Labels:"), m_labels);
    form->addRow(QString(), labelButtons);
    form->addRow(QString(), m_labelsError);
    form->addRow(tr("&Session:"), m_session);
    form->addRow(QString(), sessionHint);
    form->addRow(tr("&Network policy:"), m_preset);
    form->addRow(QString(), m_policy);
    form->addRow(QString(), m_policyError);
    form->addRow(tr("&Proxy address:"), m_proxy);
    form->addRow(QString(), m_proxyError);
    form->addRow(tr("&CA cert port:"), m_caPort);
    form->addRow(tr("T&enant id:"), m_tenant);
    form->addRow(tr("Startup &timeout:"), m_timeout);
    form->addRow(QString(), m_openTerminal);
    form->addRow(QString(), m_openFiles);

    QPushButton *start = m_buttons->addButton(tr("&Start"), QDialogButtonBox::AcceptRole);
    start->setObjectName(QStringLiteral("startButton"));
    start->setDefault(true);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!validate().isEmpty())
            return; // the problem is under its field; nothing typed is lost
        emit startRequested(options(), openTerminalWhenReady(), openFilesWhenReady());
        accept();
    });
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
}

void StartRunnerDialog::addLabelRow(const QString &key, const QString &value)
{
    const int row = m_labels->rowCount();
    m_labels->insertRow(row);
    m_labels->setItem(row, 0, new QTableWidgetItem(key));
    m_labels->setItem(row, 1, new QTableWidgetItem(value));
    if (key.isEmpty())
        m_labels->editItem(m_labels->item(row, 0));
}

void StartRunnerDialog::onPresetChanged()
{
    const bool custom = m_preset->currentData().toString() == QLatin1String(kCustom);
    m_policy->setVisible(custom);
    if (!custom)
        showProblem(m_policyError, {});
}

void StartRunnerDialog::showProblem(QLabel *label, const QString &problem)
{
    label->setText(problem);
    label->setVisible(!problem.isEmpty());
}

void StartRunnerDialog::setLabels(const QList<QPair<QString, QString>> &labels)
{
    m_labels->setRowCount(0);
    for (const auto &[key, value] : labels)
        addLabelRow(key, value);
}

void StartRunnerDialog::setSessionId(const QString &id)
{
    m_session->setCurrentText(id);
}

void StartRunnerDialog::setNetworkPreset(const QString &preset)
{
    const int at = m_preset->findData(preset);
    m_preset->setCurrentIndex(at < 0 ? 0 : at);
}

void StartRunnerDialog::setCustomPolicy(const QString &json)
{
    m_preset->setCurrentIndex(m_preset->findData(QString::fromLatin1(kCustom)));
    m_policy->setPlainText(json);
}

void StartRunnerDialog::setProxyAddress(const QString &hostPort)
{
    m_proxy->setText(hostPort);
}

void StartRunnerDialog::setCaCertPort(int port)
{
    m_caPort->setValue(port);
}

void StartRunnerDialog::setTenantId(const QString &tenant)
{
    m_tenant->setText(tenant);
}

void StartRunnerDialog::setStartupTimeout(double seconds)
{
    m_timeout->setValue(seconds);
}

void StartRunnerDialog::setOpenTerminal(bool on)
{
    m_openTerminal->setChecked(on);
}

void StartRunnerDialog::setOpenFiles(bool on)
{
    m_openFiles->setChecked(on);
}

QString StartRunnerDialog::validate()
{
    QString first;
    auto note = [&first](const QString &problem) {
        if (first.isEmpty())
            first = problem;
        return problem;
    };
    // Labels: keys non-empty, unique, not internal ('_' keys belong to the server).
    QString labelsProblem;
    QStringList seen;
    for (int row = 0; row < m_labels->rowCount() && labelsProblem.isEmpty(); ++row) {
        const QString key =
            m_labels->item(row, 0) ? m_labels->item(row, 0)->text().trimmed() : QString();
        const QString value = m_labels->item(row, 1) ? m_labels->item(row, 1)->text() : QString();
        if (key.isEmpty() && value.isEmpty())
            continue;
        if (key.isEmpty())
            labelsProblem = tr("Label %1 has a value but no key.").arg(row + 1);
        else if (key.startsWith(QLatin1Char('_')))
            labelsProblem =
                tr("The label key \"%1\" starts with _: such keys are reserved for the server.")
                    .arg(key);
        else if (seen.contains(key))
            labelsProblem = tr("The label key \"%1\" appears twice.").arg(key);
        seen << key;
    }
    showProblem(m_labelsError, note(labelsProblem));

    QString policyProblem;
    if (m_preset->currentData().toString() == QLatin1String(kCustom)) {
        QJsonParseError error{};
        const QByteArray text = m_policy->toPlainText().toUtf8();
        const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
        if (text.trimmed().isEmpty())
            policyProblem = tr("Type the policy as a JSON object, or pick a preset.");
        else if (error.error != QJsonParseError::NoError) {
            const int line = int(text.left(error.offset).count('\n')) + 1;
            policyProblem = tr("Not valid JSON at line %1 (offset %2): %3")
                                .arg(line)
                                .arg(error.offset)
                                .arg(error.errorString());
        } else if (!doc.isObject())
            policyProblem = tr("The policy must be a JSON object ({...}).");
    }
    showProblem(m_policyError, note(policyProblem));

    QString proxyProblem;
    const QString proxy = m_proxy->text().trimmed();
    if (!proxy.isEmpty()) {
        const qsizetype colon = proxy.lastIndexOf(QLatin1Char(':'));
        bool ok = false;
        const int port = colon > 0 ? proxy.mid(colon + 1).toInt(&ok) : 0;
        if (colon <= 0 || !ok || port < 1 || port > 65535)
            proxyProblem = tr("Write the proxy address as host:port, e.g. 10.0.0.1:3128.");
    }
    showProblem(m_proxyError, note(proxyProblem));
    return first;
}

AllocateOptions StartRunnerDialog::options() const
{
    AllocateOptions options;
    for (int row = 0; row < m_labels->rowCount(); ++row) {
        const QString key =
            m_labels->item(row, 0) ? m_labels->item(row, 0)->text().trimmed() : QString();
        if (!key.isEmpty())
            options.labels.insert(key, m_labels->item(row, 1) ? m_labels->item(row, 1)->text()
                                                              : QString());
    }
    options.sessionId = m_session->currentText().trimmed();
    const QString preset = m_preset->currentData().toString();
    if (preset == QLatin1String(kCustom))
        options.networkPolicyJson =
            QString::fromUtf8(QJsonDocument::fromJson(m_policy->toPlainText().toUtf8())
                                  .toJson(QJsonDocument::Compact));
    else
        options.networkPolicyPreset = preset;
    options.proxyAddr = m_proxy->text().trimmed();
    if (m_caPort->value() > 0)
        options.caCertPort = m_caPort->value();
    options.tenantId = m_tenant->text().trimmed();
    if (m_timeout->value() > 0)
        options.startupTimeout = m_timeout->value();
    return options;
}

bool StartRunnerDialog::openTerminalWhenReady() const
{
    return m_openTerminal->isChecked();
}

bool StartRunnerDialog::openFilesWhenReady() const
{
    return m_openFiles->isChecked();
}

} // namespace capsule::app
