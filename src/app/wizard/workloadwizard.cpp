// The RunnerConfig wizard: name, image, layers, runtime, review (onboard.yaml + workload key).
#include "app/wizard/workloadwizard.h"

#include "core/onboard.h"

#include "ui_wizardlayerspage.h"
#include "ui_wizardnamepage.h"
#include "ui_wizardreviewpage.h"
#include "ui_wizardruntimepage.h"

#include <QFileDialog>
#include <QJsonDocument>
#include <QProcess>
#include <QSaveFile>
#include <QSet>

namespace capsule::app {

namespace {

// Pages only report completeness; the wizard holds the logic.
class Page : public QWizardPage
{
public:
    using QWizardPage::QWizardPage;
    std::function<bool()> complete;
    bool isComplete() const override { return complete ? complete() : true; }
    void changed() { emit completeChanged(); }
};

} // namespace

WorkloadWizard::WorkloadWizard(QWidget *parent)
    : QWizard(parent)
    , m_name(new Ui::WizardNamePage)
    , m_layers(new Ui::WizardLayersPage)
    , m_runtime(new Ui::WizardRuntimePage)
    , m_review(new Ui::WizardReviewPage)
{
    setObjectName(QStringLiteral("workloadWizard"));
    setWindowTitle(tr("New Workload"));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setButtonText(QWizard::FinishButton, tr("Create"));

    auto *name = new Page(this);
    m_name->setupUi(name);
    name->complete = [this] {
        return RunnerConfig::isValidConfigId(m_name->nameEdit->text().trimmed());
    };
    connect(m_name->nameEdit, &QLineEdit::textChanged, this, [this, name] {
        validateName();
        name->changed();
    });
    setPage(NamePage, name);

    auto *layers = new Page(this);
    m_layers->setupUi(layers);
    layers->complete = [this] {
        return m_layers->layersProblem->text().isEmpty();
    };
    connect(m_layers->commandsEdit, &QPlainTextEdit::textChanged, this, [this, layers] {
        validateLayers();
        layers->changed();
    });
    setPage(LayersPage, layers);

    auto *runtime = new Page(this);
    m_runtime->setupUi(runtime);
    // Contract 6.2: what each tier gives a runner.
    m_runtime->tierCombo->addItem(tr("default (m: 4 vCPU, 4 GiB memory)"), QString());
    const std::pair<const char *, QString> tiers[] = {{"xs", tr("xs: 1 vCPU, 512 MiB memory")},
                                                      {"s", tr("s: 1 vCPU, 1 GiB memory")},
                                                      {"m", tr("m: 4 vCPU, 4 GiB memory")},
                                                      {"l", tr("l: 8 vCPU, 8 GiB memory")},
                                                      {"xl", tr("xl: 16 vCPU, 16 GiB memory")}};
    for (const auto &[tier, text] : tiers)
        m_runtime->tierCombo->addItem(text, QString::fromLatin1(tier));
    m_runtime->networkCombo->addItem(tr("default"), QString());
    m_runtime->networkCombo->addItem(tr("unrestricted"), QStringLiteral("unrestricted"));
    m_runtime->networkCombo->addItem(tr("restricted egress (no private networks)"),
                                     QStringLiteral("restricted-egress"));
    m_runtime->networkCombo->addItem(tr("agent sandbox (deny, DNS via policy proxy)"),
                                     QStringLiteral("agent-sandbox"));
    m_runtime->networkCombo->addItem(tr("quarantine (no network)"), QStringLiteral("quarantine"));
    setPage(RuntimePage, runtime);

    auto *review = new Page(this);
    m_review->setupUi(review);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    m_review->yamlView->setFont(mono);
    connect(m_review->saveButton, &QPushButton::clicked, this, &WorkloadWizard::saveDialog);
    setPage(ReviewPage, review);

    validateName();
    validateLayers();
    resize(640, 520);
}

WorkloadWizard::~WorkloadWizard()
{
    delete m_name;
    delete m_layers;
    delete m_runtime;
    delete m_review;
}

void WorkloadWizard::validateName()
{
    const QString id = m_name->nameEdit->text().trimmed();
    QString why;
    if (id.isEmpty())
        m_name->nameProblem->clear();
    else if (!RunnerConfig::isValidConfigId(id, &why))
        m_name->nameProblem->setText(nameRuleText(id));
    else
        m_name->nameProblem->clear();
}

QString WorkloadWizard::nameRuleText(const QString &id)
{
    // The server's rule (configs.cpp, RunnerConfig::isValidConfigId): 3 to 64 characters of
    // a-z, 0-9 and '-', starting and ending with a letter or digit.
    QString what;
    if (id.size() < 3)
        what = tr("This name is too short (%n character(s)).", nullptr, int(id.size()));
    else if (id.size() > 64)
        what = tr("This name is too long (%n characters).", nullptr, int(id.size()));
    else if (id.startsWith(QLatin1Char('-')) || id.endsWith(QLatin1Char('-')))
        what = tr("A name cannot start or end with a dash.");
    else {
        for (const QChar c : id) {
            if (c.isUpper()) {
                what = tr("Capital letters are not allowed (\"%1\").").arg(c);
                break;
            }
            if (!(c.isDigit() || c == QLatin1Char('-') ||
                  (c >= QLatin1Char('a') && c <= QLatin1Char('z')))) {
                what = c.isSpace() ? tr("Spaces are not allowed.")
                                   : tr("\"%1\" is not allowed.").arg(c);
                break;
            }
        }
    }
    const QString rule = tr("Use 3 to 64 lowercase letters, digits and dashes, starting and "
                            "ending with a letter or digit (e.g. my-app-2).");
    return what.isEmpty() ? rule : what + QLatin1Char(' ') + rule;
}

void WorkloadWizard::validateLayers()
{
    QString problem;
    const QJsonArray layers = parseLayers(m_layers->commandsEdit->toPlainText(), &problem);
    if (problem.isEmpty() && layers.isEmpty() &&
        m_name->baseImageEdit->currentText().trimmed().isEmpty())
        problem = tr("Add at least one command, or go back and choose a base image.");
    m_layers->layersProblem->setText(problem);
}

QJsonArray WorkloadWizard::parseLayers(const QString &text, QString *problem)
{
    QJsonArray layers;
    QSet<QString> names;
    QString current;
    QJsonArray commands;
    int lineNo = 0;
    auto flush = [&]() -> bool {
        if (current.isEmpty() && commands.isEmpty())
            return true;
        const QString name = current.isEmpty() ? QStringLiteral("main") : current;
        if (commands.isEmpty()) {
            *problem = tr("Layer \"%1\" has no commands.").arg(name);
            return false;
        }
        layers.append(QJsonObject{{QStringLiteral("name"), name},
                                  {QStringLiteral("init_commands"), commands}});
        commands = {};
        return true;
    };
    problem->clear();
    for (const QString &raw : text.split(QLatin1Char('\n'))) {
        ++lineNo;
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        if (line.startsWith(QLatin1Char('[')) && line.endsWith(QLatin1Char(']'))) {
            if (!flush())
                return {};
            current = line.mid(1, line.size() - 2).trimmed();
            if (current.isEmpty() || current == QLatin1String("_platform")) {
                *problem = tr("Line %1: \"%2\" is not a valid layer name.").arg(lineNo).arg(line);
                return {};
            }
            if (names.contains(current)) {
                *problem = tr("Line %1: the layer \"%2\" appears twice.").arg(lineNo).arg(current);
                return {};
            }
            names.insert(current);
            continue;
        }
        if (line.startsWith(QLatin1Char('{'))) {
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8(), &error);
            if (!doc.isObject()) {
                *problem = tr("Line %1: not a JSON command mapping (%2).")
                               .arg(lineNo)
                               .arg(error.errorString());
                return {};
            }
            commands.append(normalizeCommand(doc.object()));
            continue;
        }
        if (current.isEmpty()) {
            current = QStringLiteral("main");
            names.insert(current);
        }
        commands.append(normalizeCommand(line));
    }
    if (!flush())
        return {};
    return layers;
}

QString WorkloadWizard::layersText(const QJsonArray &layers)
{
    QStringList lines;
    for (const QJsonValue &v : layers) {
        const QJsonObject layer = v.toObject();
        lines << QStringLiteral("[%1]").arg(layer.value(QStringLiteral("name")).toString());
        for (const QJsonValue &c : layer.value(QStringLiteral("init_commands")).toArray()) {
            const QJsonObject cmd = normalizeCommand(c);
            const QJsonArray args = cmd.value(QStringLiteral("args")).toArray();
            const bool plain =
                cmd.value(QStringLiteral("type")).toString() == QLatin1String("shell") &&
                args.size() == 3 && args.at(0) == QLatin1String("bash") &&
                args.at(1) == QLatin1String("-lc") &&
                !cmd.value(QStringLiteral("run_as_root")).toBool() &&
                !args.at(2).toString().contains(QLatin1Char('\n')) && cmd.size() <= 3;
            lines << (plain ? args.at(2).toString()
                            : QString::fromUtf8(QJsonDocument(cmd).toJson(QJsonDocument::Compact)));
        }
    }
    return lines.join(QLatin1Char('\n'));
}

void WorkloadWizard::setBody(const QJsonObject &body)
{
    m_baseBody = body;
    const RunnerConfig config = RunnerConfig::fromBody(body);
    m_name->nameEdit->setText(config.id());
    m_name->baseImageEdit->setCurrentText(config.baseImage());
    m_layers->commandsEdit->setPlainText(layersText(config.layers()));
    const QJsonObject cfg = config.config();
    const int tier = m_runtime->tierCombo->findData(cfg.value(QStringLiteral("tier")).toString());
    m_runtime->tierCombo->setCurrentIndex(qMax(0, tier));
    m_runtime->ttlSpin->setValue(cfg.value(QStringLiteral("ttl")).toInt());
    m_runtime->autoPauseCheck->setChecked(cfg.value(QStringLiteral("auto_pause")).toBool());
    const QString preset = cfg.value(QStringLiteral("network_policy_preset")).toString();
    int net = m_runtime->networkCombo->findData(preset);
    if (net < 0 && !preset.isEmpty()) {
        m_runtime->networkCombo->addItem(preset, preset);
        net = m_runtime->networkCombo->count() - 1;
    }
    m_runtime->networkCombo->setCurrentIndex(qMax(0, net));
    const QJsonObject start = config.startCommand();
    QStringList argv;
    for (const QJsonValue &a : start.value(QStringLiteral("command")).toArray())
        argv << a.toString();
    // The inverse of QProcess::splitCommand (Qt 6.4 has no joinCommand).
    QStringList quoted;
    for (QString arg : argv) {
        if (arg.isEmpty() || arg.contains(QLatin1Char(' ')) || arg.contains(QLatin1Char('"')))
            arg = QLatin1Char('"') + arg.replace(QLatin1String("\""), QLatin1String("\"\"\"")) +
                  QLatin1Char('"');
        quoted << arg;
    }
    m_runtime->startCommandEdit->setText(quoted.join(QLatin1Char(' ')));
    m_runtime->portSpin->setValue(start.value(QStringLiteral("port")).toInt());
    validateName();
    validateLayers();
}

RunnerConfig WorkloadWizard::config(QString *problem) const
{
    QString local;
    QString &why = problem ? *problem : local;
    const QString id = m_name->nameEdit->text().trimmed();
    if (!RunnerConfig::isValidConfigId(id, &why))
        return {};
    RunnerConfig c = RunnerConfig::fromBody(m_baseBody).withDisplayName(id);
    const QString image = m_name->baseImageEdit->currentText().trimmed();
    c = c.withBaseImage(image);
    QJsonArray layers = parseLayers(m_layers->commandsEdit->toPlainText(), &why);
    if (!why.isEmpty())
        return {};
    // Keep what the page does not show (drives, refresh settings) of layers that kept their name.
    const QJsonArray original = m_baseBody.value(QStringLiteral("layers")).toArray();
    for (int i = 0; i < layers.size(); ++i) {
        QJsonObject layer = layers.at(i).toObject();
        for (const QJsonValue &v : original) {
            const QJsonObject old = v.toObject();
            if (old.value(QStringLiteral("name")) != layer.value(QStringLiteral("name")))
                continue;
            for (auto it = old.begin(); it != old.end(); ++it) {
                if (!layer.contains(it.key()))
                    layer.insert(it.key(), it.value());
            }
        }
        layers[i] = layer;
    }
    c = c.withLayers(layers);
    const QString tier = m_runtime->tierCombo->currentData().toString();
    if (!tier.isEmpty())
        c = c.withTier(tier);
    if (m_runtime->ttlSpin->value() > 0)
        c = c.withTtl(m_runtime->ttlSpin->value());
    if (m_runtime->autoPauseCheck->isChecked())
        c = c.withAutoPause(true);
    const QString preset = m_runtime->networkCombo->currentData().toString();
    if (!preset.isEmpty())
        c = c.withNetworkPolicyPreset(preset);
    const QStringList argv = QProcess::splitCommand(m_runtime->startCommandEdit->text());
    if (!argv.isEmpty()) {
        QJsonObject start = c.startCommand();
        start.insert(QStringLiteral("command"), QJsonArray::fromStringList(argv));
        if (m_runtime->portSpin->value() > 0)
            start.insert(QStringLiteral("port"), m_runtime->portSpin->value());
        c = c.withStartCommand(start);
    }
    return c;
}

QJsonObject WorkloadWizard::body(Error *error) const
{
    QString problem;
    const RunnerConfig c = config(&problem);
    if (!problem.isEmpty()) {
        if (error)
            *error = Error(ErrorKind::Value, problem);
        return {};
    }
    return c.toBody(error);
}

QByteArray WorkloadWizard::yaml() const
{
    const QJsonObject b = body();
    return b.isEmpty() ? QByteArray() : writeOnboard(b);
}

bool WorkloadWizard::buildAfterCreate() const
{
    return m_review->buildCheck->isChecked();
}

bool WorkloadWizard::saveTo(const QString &path, QString *error) const
{
    const QByteArray text = yaml();
    QSaveFile file(path);
    if (text.isEmpty() || !file.open(QIODevice::WriteOnly) || file.write(text) != text.size() ||
        !file.commit()) {
        if (error)
            *error = text.isEmpty() ? tr("The workload is not complete.") : file.errorString();
        return false;
    }
    return true;
}

void WorkloadWizard::saveDialog()
{
    auto *dialog = new QFileDialog(this, tr("Save onboard.yaml"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilter(tr("YAML files (*.yaml *.yml)"));
    dialog->selectFile(QStringLiteral("onboard.yaml"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        if (saveTo(path, &error))
            m_review->keyLabel->setText(m_review->keyLabel->text() +
                                        tr("<br>Saved to %1").arg(path.toHtmlEscaped()));
        else
            m_review->keyLabel->setText(tr("Cannot save %1: %2").arg(path, error));
    });
    dialog->open();
}

void WorkloadWizard::initializePage(int id)
{
    if (id == ReviewPage) {
        QString problem;
        const RunnerConfig c = config(&problem);
        Error error;
        const QJsonObject b = problem.isEmpty() ? c.toBody(&error) : QJsonObject();
        if (b.isEmpty()) {
            m_review->keyLabel->setText(problem.isEmpty() ? error.message : problem);
            m_review->yamlView->clear();
            return;
        }
        m_review->keyLabel->setText(
            tr("Workload key: <b>%1</b> (computed here; the server reports the same key)")
                .arg(c.workloadKey()));
        m_review->yamlView->setPlainText(QString::fromUtf8(writeOnboard(b)));
    }
    QWizard::initializePage(id);
}

bool WorkloadWizard::validateCurrentPage()
{
    if (currentId() == ReviewPage) {
        Error error;
        const QJsonObject b = body(&error);
        if (b.isEmpty()) {
            m_review->keyLabel->setText(error.message);
            return false;
        }
        emit onboardRequested(b, buildAfterCreate());
    }
    return QWizard::validateCurrentPage();
}

} // namespace capsule::app
