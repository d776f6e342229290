// The review page (see reviewpage.h).
#include "app/wizard/reviewpage.h"

#include "app/widgets/syntaxcolors.h"

#include "app/wizard/onboarddiff.h"
#include "core/onboard.h"
#include "core/runnerconfig.h"
#include "core/workloadkey.h"

#include <QCheckBox>
#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>

namespace capsule::app {

void YamlHighlighter::highlightBlock(const QString &text)
{
    const SyntaxColors c = SyntaxColors::forPalette();
    QTextCharFormat key, comment, string, scalar, dash;
    key.setForeground(c.key);
    key.setFontWeight(QFont::Bold);
    comment.setForeground(c.comment);
    comment.setFontItalic(true);
    string.setForeground(c.string);
    scalar.setForeground(c.number);
    dash.setForeground(c.keyword);
    static const QRegularExpression keyRe(
        QStringLiteral("^(\\s*(?:-\\s+)?)([^\\s#'\"][^:#]*?):(\\s|$)"));
    static const QRegularExpression dashRe(QStringLiteral("^\\s*-(\\s|$)"));
    static const QRegularExpression stringRe(
        QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^']|'')*'"));
    static const QRegularExpression scalarRe(QStringLiteral(
        "(?<=[\\s:\\[,{])(-?[0-9][0-9_.]*|true|false|null|yes|no|on|off|~)(?=[\\s,\\]}]|$)"));
    QRegularExpressionMatch m = dashRe.match(text);
    if (m.hasMatch())
        setFormat(int(m.capturedStart()), int(m.capturedLength()), dash);
    m = keyRe.match(text);
    if (m.hasMatch())
        setFormat(int(m.capturedStart(2)), int(m.capturedLength(2)), key);
    for (auto it = scalarRe.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch s = it.next();
        setFormat(int(s.capturedStart()), int(s.capturedLength()), scalar);
    }
    int commentAt = -1;
    for (auto it = stringRe.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch s = it.next();
        setFormat(int(s.capturedStart()), int(s.capturedLength()), string);
    }
    // A comment starts at '#' at the line start or after a space, outside quotes.
    bool inSingle = false, inDouble = false;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('"') && !inSingle)
            inDouble = !inDouble;
        else if (c == QLatin1Char('\'') && !inDouble)
            inSingle = !inSingle;
        else if (c == QLatin1Char('#') && !inSingle && !inDouble &&
                 (i == 0 || text.at(i - 1).isSpace())) {
            commentAt = i;
            break;
        }
    }
    if (commentAt >= 0)
        setFormat(commentAt, int(text.size()) - commentAt, comment);
}

ReviewPage::ReviewPage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("review."), parent)
    , keyLabel(new QLabel(this))
    , yamlEdit(new QPlainTextEdit(this))
    , defaultsLabel(new QLabel(this))
    , changesLabel(new QLabel(this))
    , blockingLabel(new QLabel(this))
    , buildCheck(new QCheckBox(tr("&Build the layers after creating the workload"), this))
    , copyButton(new QPushButton(tr("&Copy"), this))
    , saveButton(new QPushButton(tr("&Save YAML..."), this))
    , m_parseTimer(new QTimer(this))
{
    setTitle(tr("Review"));
    setSubTitle(tr("The workload's onboard.yaml. Edit it here if you like: the other pages "
                   "follow. Create sends it to the server."));
    auto *layout = new QVBoxLayout(this);
    keyLabel->setObjectName(QStringLiteral("keyLabel"));
    keyLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(keyLabel);
    yamlEdit->setObjectName(QStringLiteral("yamlEdit"));
    yamlEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    yamlEdit->setLineWrapMode(QPlainTextEdit::NoWrap);
    yamlEdit->setToolTip(tr("The complete onboard.yaml (contract 5). Edits are read back after "
                            "a short pause; an error names its line and column."));
    new YamlHighlighter(yamlEdit->document());
    layout->addWidget(yamlEdit, 1);
    layout->addWidget(problemLabel(QStringLiteral("review.yaml")));
    layout->addWidget(problemLabel(QStringLiteral("review.structure")));
    blockingLabel->setObjectName(QStringLiteral("blockingLabel"));
    blockingLabel->setWordWrap(true);
    blockingLabel->setStyleSheet(QStringLiteral("color: #c0392b;"));
    layout->addWidget(blockingLabel);
    connect(model, &WizardModel::problemsChanged, this, [this] {
        QString first;
        const QMap<QString, QString> problems = this->model()->problems();
        for (auto it = problems.begin(); it != problems.end() && first.isEmpty(); ++it) {
            if (!it.key().startsWith(QLatin1String("review.")))
                first = tr("Fix this first: %1").arg(it.value());
        }
        blockingLabel->setText(first);
        blockingLabel->setVisible(!first.isEmpty());
    });
    blockingLabel->setVisible(false);
    changesLabel->setObjectName(QStringLiteral("changesLabel"));
    changesLabel->setWordWrap(true);
    changesLabel->setVisible(false);
    layout->addWidget(changesLabel);
    defaultsLabel->setObjectName(QStringLiteral("defaultsLabel"));
    defaultsLabel->setWordWrap(true);
    defaultsLabel->setTextFormat(Qt::PlainText);
    layout->addWidget(defaultsLabel);
    auto *buttons = new QHBoxLayout;
    buildCheck->setObjectName(QStringLiteral("buildCheck"));
    buildCheck->setChecked(true);
    buttons->addWidget(buildCheck);
    buttons->addStretch();
    copyButton->setObjectName(QStringLiteral("copyButton"));
    saveButton->setObjectName(QStringLiteral("saveButton"));
    buttons->addWidget(copyButton);
    buttons->addWidget(saveButton);
    layout->addLayout(buttons);

    m_parseTimer->setSingleShot(true);
    m_parseTimer->setInterval(400);
    connect(m_parseTimer, &QTimer::timeout, this, &ReviewPage::parseNow);
    connect(yamlEdit, &QPlainTextEdit::textChanged, this, &ReviewPage::yamlEdited);
    connect(model, &WizardModel::changed, this, &ReviewPage::refresh);
    connect(copyButton, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(yamlEdit->toPlainText()); });
    connect(saveButton, &QPushButton::clicked, this, &ReviewPage::saveRequested);
}

void ReviewPage::load()
{
    refresh();
}

void ReviewPage::yamlEdited()
{
    if (m_writing)
        return;
    m_parseTimer->start();
}

void ReviewPage::parseNow()
{
    m_parseTimer->stop();
    const QString text = yamlEdit->toPlainText();
    Error error;
    // A trailing newline makes parseOnboard read it as text, never as a path.
    const QJsonObject body = parseOnboard(text + QLatin1Char('\n'), {}, &error);
    if (body.isEmpty()) {
        // "<yaml text>:3:5: ..." -> "Line 3, column 5: ..."; the pages keep what they had.
        QString message = error.message;
        const QRegularExpressionMatch m =
            QRegularExpression(QStringLiteral("^<yaml text>:(\\d+):(\\d+): ")).match(message);
        if (m.hasMatch())
            message = tr("Line %1, column %2: %3")
                          .arg(m.captured(1), m.captured(2), message.mid(m.capturedLength()));
        else if (message.startsWith(QLatin1String("<yaml text>: ")))
            message = message.mid(13);
        model()->setProblem(QStringLiteral("review.yaml"), message);
        return;
    }
    model()->setProblem(QStringLiteral("review.yaml"), QString());
    m_fromYaml = true;
    model()->reset(body, onboardSections(text.toUtf8()));
    m_fromYaml = false;
}

QStringList ReviewPage::differencesFromDefaults(const QJsonObject &body)
{
    // The defaults of 4.1: tier m, rootfs 8 GiB, workspace 50 GiB, runner user "runner".
    static const QHash<QString, QJsonValue> defaults = {
        {QStringLiteral("tier"), QStringLiteral("m")},
        {QStringLiteral("rootfs_size_gb"), 8},
        {QStringLiteral("workspace_size_gb"), 50},
        {QStringLiteral("runner_user"), QStringLiteral("runner")}};
    QStringList out;
    const auto text = [](const QJsonValue &v) {
        if (v.isString())
            return v.toString();
        if (v.isArray())
            return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
        if (v.isObject()) // a summary: its keys
            return QStringLiteral("{%1}").arg(v.toObject().keys().join(QStringLiteral(", ")));
        return QString::fromUtf8(
            QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
    };
    if (!body.value(QStringLiteral("base_image")).toString().isEmpty())
        out << QStringLiteral("base_image: ") + body.value(QStringLiteral("base_image")).toString();
    const QJsonObject config = body.value(QStringLiteral("config")).toObject();
    for (auto it = config.begin(); it != config.end(); ++it) {
        if (WizardModel::isEmptyValue(it.value()) || defaults.value(it.key()) == it.value())
            continue;
        QString value = text(it.value());
        if (value.size() > 60)
            value = value.left(57) + QStringLiteral("...");
        out << QStringLiteral("config.%1: %2").arg(it.key(), value);
    }
    for (const QJsonValue &v : body.value(QStringLiteral("layers")).toArray()) {
        const QJsonObject layer = v.toObject();
        const QString name = layer.value(QStringLiteral("name")).toString();
        if (!layer.value(QStringLiteral("drives")).toArray().isEmpty())
            out << QStringLiteral("layer %1: %2 drive(s)")
                       .arg(name)
                       .arg(layer.value(QStringLiteral("drives")).toArray().size());
        if (!layer.value(QStringLiteral("refresh_interval")).toString().isEmpty())
            out << QStringLiteral("layer %1: refresh every %2")
                       .arg(name, layer.value(QStringLiteral("refresh_interval")).toString());
    }
    const QJsonObject start = body.value(QStringLiteral("start_command")).toObject();
    if (!start.isEmpty())
        out << QStringLiteral("start_command: %1")
                   .arg(text(start.value(QStringLiteral("command"))));
    return out;
}

QStringList ReviewPage::rebuiltLayers(const QJsonObject &before, const QJsonObject &after)
{
    QHash<QString, QString> old;
    for (const MaterializedLayer &l : materializeLayers(before))
        old.insert(l.name, l.hash);
    QStringList out;
    for (const MaterializedLayer &l : materializeLayers(after)) {
        if (old.value(l.name) != l.hash)
            out << l.name;
    }
    return out;
}

void ReviewPage::refresh()
{
    const QJsonObject body = model()->body();
    if (!m_fromYaml) {
        m_writing = true;
        const int scroll =
            yamlEdit->verticalScrollBar() ? yamlEdit->verticalScrollBar()->value() : 0;
        const QString text = QString::fromUtf8(writeOnboard(body, model()->sections()));
        if (yamlEdit->toPlainText() != text)
            yamlEdit->setPlainText(text);
        if (yamlEdit->verticalScrollBar())
            yamlEdit->verticalScrollBar()->setValue(scroll);
        m_writing = false;
        model()->setProblem(QStringLiteral("review.yaml"), QString());
    }
    Error error;
    const RunnerConfig config = RunnerConfig::fromBody(body);
    const QString id = body.value(QStringLiteral("display_name")).toString();
    keyLabel->setText(RunnerConfig::isValidConfigId(id)
                          ? tr("Workload key: <b>%1</b> (computed here; the server reports the "
                               "same key)")
                                .arg(leafWorkloadKey(body))
                          : tr("Workload key: <b>%1</b> (the workload still needs a valid name)")
                                .arg(leafWorkloadKey(body)));
    const QStringList diffs = differencesFromDefaults(body);
    defaultsLabel->setText(
        diffs.isEmpty()
            ? tr("Every setting is at its default.")
            : tr("Differs from the defaults: %1").arg(diffs.join(QStringLiteral("; "))));
    if (m_original.isEmpty()) {
        changesLabel->setVisible(false);
        return;
    }
    const QStringList changes = describeWorkloadChanges(m_original, body);
    const QStringList rebuilt = rebuiltLayers(m_original, body);
    QStringList escaped;
    for (const QString &line : changes)
        escaped << line.toHtmlEscaped();
    QString html = changes.isEmpty() ? tr("No changes to the stored workload.")
                                     : tr("Changes to the stored workload:<br>&nbsp;&nbsp;%1")
                                           .arg(escaped.join(QStringLiteral("<br>&nbsp;&nbsp;")));
    if (!rebuilt.isEmpty())
        html += tr("<br>Layers that will rebuild: %1").arg(rebuilt.join(QStringLiteral(", ")));
    changesLabel->setText(html);
    changesLabel->setVisible(true);
    model()->setProblem(
        QStringLiteral("review.structure"),
        workloadStructureChanges(m_original, body)
            ? tr("The server will refuse this: an existing workload keeps its layers (count, "
                 "names, init commands, drives) and tier; only the base image, runtime "
                 "settings, start command and refresh settings can change. Save it under a new "
                 "name instead.")
            : QString());
}

} // namespace capsule::app
