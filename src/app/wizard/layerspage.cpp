// The layers page (see layerspage.h).
#include "app/wizard/layerspage.h"

#include "app/wizard/fieldcheck.h"
#include "core/runnerconfig.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>

namespace capsule::app {

namespace {

const QString kRoot = QStringLiteral("root: ");

enum DriveColumn { DriveId, DriveLabel, DriveSize, DriveReadOnly, DriveMount, DriveColumns };

QString compact(const QJsonValue &v)
{
    return QString::fromUtf8(v.isArray()
                                 ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                 : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

} // namespace

QJsonArray LayersPage::parseCommands(const QString &text, QString *problem)
{
    QJsonArray out;
    problem->clear();
    int lineNo = 0;
    for (const QString &raw : text.split(QLatin1Char('\n'))) {
        ++lineNo;
        QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        bool root = false;
        if (line.startsWith(kRoot.trimmed())) {
            root = true;
            line = line.mid(kRoot.trimmed().size()).trimmed();
        }
        QJsonObject command;
        if (line.startsWith(QLatin1Char('[')) || line.startsWith(QLatin1Char('{'))) {
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8(), &error);
            if (doc.isNull()) {
                *problem = tr("Line %1: not a JSON %2 (%3).")
                               .arg(lineNo)
                               .arg(line.startsWith(QLatin1Char('[')) ? tr("argv list")
                                                                      : tr("command mapping"))
                               .arg(error.errorString());
                return {};
            }
            if (doc.isArray()) {
                for (const QJsonValue &a : doc.array()) {
                    if (!a.isString()) {
                        *problem = tr("Line %1: every argument must be a string.").arg(lineNo);
                        return {};
                    }
                }
                if (doc.array().isEmpty()) {
                    *problem = tr("Line %1: the argv list is empty.").arg(lineNo);
                    return {};
                }
                command = QJsonObject{{QStringLiteral("type"), QStringLiteral("shell")},
                                      {QStringLiteral("args"), doc.array()}};
            } else {
                command = normalizeCommand(doc.object());
            }
        } else {
            command = normalizeCommand(line);
        }
        if (root)
            command.insert(QStringLiteral("run_as_root"), true);
        out.append(command);
    }
    return out;
}

QString LayersPage::commandsText(const QJsonArray &commands)
{
    QStringList lines;
    for (const QJsonValue &v : commands) {
        QJsonObject c = normalizeCommand(v);
        const bool root = c.value(QStringLiteral("run_as_root")).toBool();
        QJsonObject rest = c;
        rest.remove(QStringLiteral("type"));
        rest.remove(QStringLiteral("args"));
        rest.remove(QStringLiteral("run_as_root"));
        const QJsonArray args = c.value(QStringLiteral("args")).toArray();
        bool argsAreStrings = !args.isEmpty();
        for (const QJsonValue &a : args)
            argsAreStrings = argsAreStrings && a.isString();
        // Anything the short forms cannot say stays a mapping. An explicit run_as_root: false (as
        // the server's definition spells it) shows short too; unedited commands are written back
        // as they were read (editLayer() compares the text).
        if (c.value(QStringLiteral("type")).toString() != QLatin1String("shell") ||
            !rest.isEmpty() || !argsAreStrings) {
            lines << compact(c);
            continue;
        }
        QString line;
        const QString script = args.size() == 3 && args.at(0) == QLatin1String("bash") &&
                                       args.at(1) == QLatin1String("-lc")
                                   ? args.at(2).toString()
                                   : QString();
        if (!script.isEmpty() && !script.contains(QLatin1Char('\n')) &&
            script == script.trimmed() && !script.startsWith(QLatin1Char('[')) &&
            !script.startsWith(QLatin1Char('{')) && !script.startsWith(QLatin1Char('#')) &&
            !script.startsWith(kRoot.trimmed()))
            line = script;
        else
            line = compact(args);
        lines << (root ? kRoot + line : line);
    }
    return lines.join(QLatin1Char('\n'));
}

LayersPage::LayersPage(WizardModel *model, QWidget *parent)
    : WizardPage(model, QStringLiteral("layers."), parent)
    , layerList(new QListWidget(this))
    , addButton(new QPushButton(tr("&Add"), this))
    , removeButton(new QPushButton(tr("&Remove"), this))
    , upButton(new QPushButton(tr("&Up"), this))
    , downButton(new QPushButton(tr("Do&wn"), this))
    , initEdit(new QPlainTextEdit(this))
    , refreshEdit(new QPlainTextEdit(this))
    , intervalEdit(new QLineEdit(this))
    , drivesTable(new QTableWidget(0, DriveColumns, this))
    , addDriveButton(new QPushButton(tr("Add drive"), this))
    , removeDriveButton(new QPushButton(tr("Remove drive"), this))
{
    setTitle(tr("Layers"));
    setSubTitle(tr("Commands that prepare the runners' disk, in layers built root first. A "
                   "change rebuilds its layer and the ones after it."));
    auto *layout = new QHBoxLayout(this);
    auto *left = new QVBoxLayout;
    layerList->setObjectName(QStringLiteral("layerList"));
    layerList->setToolTip(tr("The layers, root first. Double-click to rename. Layers are "
                             "cached and shared between workloads with identical layers."));
    left->addWidget(layerList);
    for (QPushButton *b : {addButton, removeButton, upButton, downButton})
        left->addWidget(b);
    left->addWidget(problemLabel(QStringLiteral("layers.list")));
    layout->addLayout(left, 1);

    auto *right = new QVBoxLayout;
    auto *form = new QFormLayout;
    right->addLayout(form);
    initEdit->setObjectName(QStringLiteral("initEdit"));
    initEdit->setPlaceholderText(QStringLiteral("apt-get update\nroot: [\"pip\", \"install\", "
                                                "\"numpy\"]"));
    const QString format = tr("One command per line: a shell line (run with bash -lc), an argv "
                              "list [\"pip\",\"install\",\"x\"], or a JSON command mapping. "
                              "Start a line with \"root: \" to run it as root (run_as_root).");
    addRow(form, tr("&Init commands:"), initEdit,
           tr("Commands that build this layer (init_commands, required). ") + format,
           QStringLiteral("layers.init"));
    refreshEdit->setObjectName(QStringLiteral("refreshEdit"));
    refreshEdit->setMaximumHeight(70);
    addRow(form, tr("Re&fresh commands:"), refreshEdit,
           tr("Commands run when the layer is refreshed (refresh_commands). Default: none. ") +
               format,
           QStringLiteral("layers.refresh"));
    intervalEdit->setObjectName(QStringLiteral("intervalEdit"));
    intervalEdit->setPlaceholderText(tr("e.g. 6h (default: no schedule)"));
    addRow(form, tr("Refresh &interval:"), intervalEdit,
           tr("How often to refresh the layer, as a Go duration such as 30m, 6h or 1h30m "
              "(refresh_interval). \"daily\" is refused by the server. Default: none."),
           QStringLiteral("layers.interval"));
    drivesTable->setObjectName(QStringLiteral("drivesTable"));
    drivesTable->setHorizontalHeaderLabels(
        {tr("Drive id"), tr("Label"), tr("Size (GiB)"), tr("Read-only"), tr("Mount path")});
    drivesTable->horizontalHeader()->setStretchLastSection(true);
    drivesTable->verticalHeader()->hide();
    drivesTable->setMaximumHeight(110);
    addRow(form, tr("&Drives:"), drivesTable,
           tr("Extra disks of this layer (drives): id (unique), label, size in GiB, read-only, "
              "mount path. Default: none, and then the layer gets the /workspace drive "
              "(workspace_size_gb)."),
           QStringLiteral("layers.drives"));
    auto *driveButtons = new QHBoxLayout;
    driveButtons->addWidget(addDriveButton);
    driveButtons->addWidget(removeDriveButton);
    driveButtons->addStretch();
    form->addRow(QString(), driveButtons);
    right->addStretch();
    layout->addLayout(right, 3);

    connect(layerList, &QListWidget::currentRowChanged, this, &LayersPage::showLayer);
    connect(layerList, &QListWidget::itemChanged, this, &LayersPage::listEdited);
    connect(addButton, &QPushButton::clicked, this, [this] {
        QJsonArray all = layers();
        QSet<QString> names;
        for (const QJsonValue &v : all)
            names.insert(v.toObject().value(QStringLiteral("name")).toString());
        QString name = all.isEmpty() ? QStringLiteral("main") : QStringLiteral("layer");
        for (int n = 2; names.contains(name); ++n)
            name = QStringLiteral("layer%1").arg(n);
        all.append(QJsonObject{{QStringLiteral("name"), name},
                               {QStringLiteral("init_commands"), QJsonArray()}});
        m_drafts.append(Draft{});
        this->model()->setTop(QStringLiteral("layers"), all);
        reload();
        layerList->setCurrentRow(layerList->count() - 1);
        initEdit->setFocus();
    });
    connect(removeButton, &QPushButton::clicked, this, [this] {
        const int row = layerList->currentRow();
        if (row < 0)
            return;
        QJsonArray all = layers();
        all.removeAt(row);
        m_drafts.removeAt(row);
        this->model()->setTop(QStringLiteral("layers"), all);
        reload();
        layerList->setCurrentRow(qMin(row, layerList->count() - 1));
    });
    connect(upButton, &QPushButton::clicked, this, [this] { moveLayer(-1); });
    connect(downButton, &QPushButton::clicked, this, [this] { moveLayer(1); });
    for (QPlainTextEdit *e : {initEdit, refreshEdit})
        connect(e, &QPlainTextEdit::textChanged, this, &LayersPage::editLayer);
    connect(intervalEdit, &QLineEdit::textChanged, this, &LayersPage::editLayer);
    connect(drivesTable, &QTableWidget::itemChanged, this, &LayersPage::drivesEdited);
    connect(addDriveButton, &QPushButton::clicked, this, [this] {
        const int row = drivesTable->rowCount();
        drivesTable->insertRow(row);
        m_showing = true;
        drivesTable->setItem(row, DriveId,
                             new QTableWidgetItem(QStringLiteral("data%1").arg(row + 1)));
        drivesTable->setItem(row, DriveLabel, new QTableWidgetItem(QStringLiteral("DATA")));
        drivesTable->setItem(row, DriveSize, new QTableWidgetItem(QStringLiteral("10")));
        auto *ro = new QTableWidgetItem;
        ro->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
        ro->setCheckState(Qt::Unchecked);
        drivesTable->setItem(row, DriveReadOnly, ro);
        m_showing = false;
        drivesTable->setItem(row, DriveMount, new QTableWidgetItem(QStringLiteral("/mnt/data")));
    });
    connect(removeDriveButton, &QPushButton::clicked, this, [this] {
        if (drivesTable->currentRow() >= 0) {
            drivesTable->removeRow(drivesTable->currentRow());
            drivesEdited();
        }
    });
}

QJsonArray LayersPage::layers() const
{
    return model()->top(QStringLiteral("layers")).toArray();
}

void LayersPage::load()
{
    const QJsonArray all = layers();
    m_drafts.clear();
    m_showing = true;
    layerList->clear();
    for (const QJsonValue &v : all) {
        const QJsonObject layer = v.toObject();
        auto *item = new QListWidgetItem(layer.value(QStringLiteral("name")).toString());
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        layerList->addItem(item);
        m_drafts.append({commandsText(layer.value(QStringLiteral("init_commands")).toArray()),
                         commandsText(layer.value(QStringLiteral("refresh_commands")).toArray()),
                         layer.value(QStringLiteral("refresh_interval")).toString()});
    }
    m_showing = false;
    m_current = -1;
    layerList->setCurrentRow(all.isEmpty() ? -1 : 0);
    if (all.isEmpty())
        showLayer(-1);
    validate();
}

void LayersPage::showLayer(int row)
{
    m_showing = true;
    m_current = row;
    const bool have = row >= 0 && row < m_drafts.size();
    for (QWidget *w : std::initializer_list<QWidget *>{
             initEdit, refreshEdit, intervalEdit, drivesTable, addDriveButton, removeDriveButton,
             removeButton, upButton, downButton})
        w->setEnabled(have);
    initEdit->setPlainText(have ? m_drafts.at(row).init : QString());
    refreshEdit->setPlainText(have ? m_drafts.at(row).refresh : QString());
    intervalEdit->setText(have ? m_drafts.at(row).interval : QString());
    drivesTable->setRowCount(0);
    const QJsonArray drives =
        have ? layers().at(row).toObject().value(QStringLiteral("drives")).toArray() : QJsonArray();
    for (const QJsonValue &v : drives) {
        const QJsonObject d = v.toObject();
        const int r = drivesTable->rowCount();
        drivesTable->insertRow(r);
        drivesTable->setItem(r, DriveId,
                             new QTableWidgetItem(d.value(QStringLiteral("drive_id")).toString()));
        drivesTable->setItem(r, DriveLabel,
                             new QTableWidgetItem(d.value(QStringLiteral("label")).toString()));
        drivesTable->setItem(
            r, DriveSize,
            new QTableWidgetItem(QString::number(d.value(QStringLiteral("size_gb")).toInteger())));
        auto *ro = new QTableWidgetItem;
        ro->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
        ro->setCheckState(d.value(QStringLiteral("read_only")).toBool() ? Qt::Checked
                                                                        : Qt::Unchecked);
        drivesTable->setItem(r, DriveReadOnly, ro);
        drivesTable->setItem(
            r, DriveMount, new QTableWidgetItem(d.value(QStringLiteral("mount_path")).toString()));
    }
    m_showing = false;
    // The problems shown are this layer's.
    QString problem;
    const QJsonArray init = parseCommands(initEdit->toPlainText(), &problem);
    model()->setProblem(QStringLiteral("layers.init"),
                        problem.isEmpty() && init.isEmpty() && have
                            ? tr("A layer needs at least one init command.")
                            : problem);
    parseCommands(refreshEdit->toPlainText(), &problem);
    model()->setProblem(QStringLiteral("layers.refresh"), problem);
    const QString interval = intervalEdit->text().trimmed();
    model()->setProblem(
        QStringLiteral("layers.interval"),
        interval.isEmpty() ? QString() : fieldcheck::goDuration(interval, tr("Refresh interval")));
    model()->setProblem(QStringLiteral("layers.drives"), QString());
    validate();
}

void LayersPage::editLayer()
{
    if (m_showing || loading() || m_current < 0 || m_current >= m_drafts.size())
        return;
    Draft &draft = m_drafts[m_current];
    draft = {initEdit->toPlainText(), refreshEdit->toPlainText(), intervalEdit->text().trimmed()};
    QJsonArray all = layers();
    QJsonObject layer = all.at(m_current).toObject();
    QString problem;
    const QJsonArray init = parseCommands(draft.init, &problem);
    model()->setProblem(QStringLiteral("layers.init"),
                        problem.isEmpty() && init.isEmpty()
                            ? tr("A layer needs at least one init command.")
                            : problem);
    if (problem.isEmpty() && init != layer.value(QStringLiteral("init_commands")).toArray() &&
        commandsText(layer.value(QStringLiteral("init_commands")).toArray()) != draft.init)
        layer.insert(QStringLiteral("init_commands"), init);
    const QJsonArray refresh = parseCommands(draft.refresh, &problem);
    model()->setProblem(QStringLiteral("layers.refresh"), problem);
    if (problem.isEmpty() &&
        commandsText(layer.value(QStringLiteral("refresh_commands")).toArray()) != draft.refresh) {
        if (refresh.isEmpty())
            layer.remove(QStringLiteral("refresh_commands"));
        else
            layer.insert(QStringLiteral("refresh_commands"), refresh);
    }
    problem = draft.interval.isEmpty()
                  ? QString()
                  : fieldcheck::goDuration(draft.interval, tr("Refresh interval"));
    model()->setProblem(QStringLiteral("layers.interval"), problem);
    if (problem.isEmpty() &&
        layer.value(QStringLiteral("refresh_interval")).toString() != draft.interval) {
        if (draft.interval.isEmpty())
            layer.remove(QStringLiteral("refresh_interval"));
        else
            layer.insert(QStringLiteral("refresh_interval"), draft.interval);
    }
    all[m_current] = layer;
    model()->setTop(QStringLiteral("layers"), all);
    validate();
}

void LayersPage::drivesEdited()
{
    if (m_showing || loading() || m_current < 0)
        return;
    QJsonArray drives;
    QSet<QString> ids;
    QString problem;
    const QJsonArray old =
        layers().at(m_current).toObject().value(QStringLiteral("drives")).toArray();
    for (int r = 0; r < drivesTable->rowCount(); ++r) {
        const auto text = [this, r](int c) {
            QTableWidgetItem *item = drivesTable->item(r, c);
            return item ? item->text().trimmed() : QString();
        };
        bool ok = false;
        const qint64 size = text(DriveSize).toLongLong(&ok);
        const QString id = text(DriveId);
        if (id.isEmpty())
            problem = tr("Drive %1 needs an id.").arg(r + 1);
        else if (ids.contains(id))
            problem = tr("The drive id \"%1\" is used twice in this layer.").arg(id);
        else if (!ok || size < 1 || size > 65536)
            problem = tr("Drive %1: the size is a whole number of GiB from 1 to 65536.").arg(id);
        else if (!text(DriveMount).isEmpty() && !text(DriveMount).startsWith(QLatin1Char('/')))
            problem = tr("Drive %1: the mount path must be absolute (start with /).").arg(id);
        if (!problem.isEmpty())
            break;
        ids.insert(id);
        // Keys the table does not show (e.g. commands) stay with the drive of the same id.
        QJsonObject d;
        for (const QJsonValue &v : old)
            if (v.toObject().value(QStringLiteral("drive_id")).toString() == id)
                d = v.toObject();
        d.insert(QStringLiteral("drive_id"), id);
        d.insert(QStringLiteral("label"), text(DriveLabel));
        d.insert(QStringLiteral("size_gb"), size);
        const bool ro = drivesTable->item(r, DriveReadOnly) &&
                        drivesTable->item(r, DriveReadOnly)->checkState() == Qt::Checked;
        d.insert(QStringLiteral("read_only"), ro);
        if (text(DriveMount).isEmpty())
            d.remove(QStringLiteral("mount_path"));
        else
            d.insert(QStringLiteral("mount_path"), text(DriveMount));
        drives.append(d);
    }
    model()->setProblem(QStringLiteral("layers.drives"), problem);
    if (!problem.isEmpty() || drives == old)
        return;
    QJsonArray all = layers();
    QJsonObject layer = all.at(m_current).toObject();
    if (drives.isEmpty())
        layer.remove(QStringLiteral("drives"));
    else
        layer.insert(QStringLiteral("drives"), drives);
    all[m_current] = layer;
    model()->setTop(QStringLiteral("layers"), all);
}

void LayersPage::listEdited()
{
    if (m_showing || loading())
        return;
    QJsonArray all = layers();
    for (int i = 0; i < layerList->count() && i < all.size(); ++i) {
        QJsonObject layer = all.at(i).toObject();
        const QString name = layerList->item(i)->text().trimmed();
        if (layer.value(QStringLiteral("name")).toString() != name)
            layer.insert(QStringLiteral("name"), name);
        all[i] = layer;
    }
    model()->setTop(QStringLiteral("layers"), all);
    validate();
}

void LayersPage::moveLayer(int delta)
{
    const int row = layerList->currentRow();
    const int to = row + delta;
    QJsonArray all = layers();
    if (row < 0 || to < 0 || to >= all.size())
        return;
    const QJsonValue moved = all.at(row);
    all.removeAt(row);
    all.insert(to, moved);
    m_drafts.move(row, to);
    const QList<Draft> drafts = m_drafts;
    model()->setTop(QStringLiteral("layers"), all);
    reload();
    m_drafts = drafts;
    layerList->setCurrentRow(to);
}

void LayersPage::validate()
{
    const QJsonArray all = layers();
    QString problem;
    QSet<QString> names;
    for (int i = 0; i < all.size() && problem.isEmpty(); ++i) {
        const QJsonObject layer = all.at(i).toObject();
        const QString name = layer.value(QStringLiteral("name")).toString();
        problem = fieldcheck::layerName(name);
        if (problem.isEmpty() && names.contains(name))
            problem = tr("Two layers are called \"%1\"; layer names must be unique.").arg(name);
        names.insert(name);
        if (problem.isEmpty() && i != m_current &&
            layer.value(QStringLiteral("init_commands")).toArray().isEmpty())
            problem = tr("Layer \"%1\" has no init commands.").arg(name);
    }
    if (problem.isEmpty() && all.isEmpty() &&
        model()->top(QStringLiteral("base_image")).toString().isEmpty())
        problem = tr("Add a layer, or go back and choose a base image.");
    model()->setProblem(QStringLiteral("layers.list"), problem);
    if (m_current < 0) {
        for (const char *f : {"layers.init", "layers.refresh", "layers.interval", "layers.drives"})
            model()->setProblem(QString::fromLatin1(f), QString());
    } else if (m_drafts.value(m_current).init.trimmed().isEmpty()) {
        model()->setProblem(QStringLiteral("layers.init"),
                            tr("A layer needs at least one init command."));
    }
}

} // namespace capsule::app
