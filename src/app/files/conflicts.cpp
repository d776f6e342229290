// See conflicts.h.
#include "app/files/conflicts.h"

#include "app/files/remotefilesmodel.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <memory>

namespace capsule::app {

QString keepBothName(const QString &name, const QSet<QString> &taken)
{
    // "archive.tar.gz" keeps its whole suffix; a leading dot (".bashrc") is part of the stem.
    qsizetype dot = name.indexOf(QLatin1Char('.'), 1);
    if (dot < 0)
        dot = name.size();
    const QString stem = name.left(dot);
    const QString suffix = name.mid(dot);
    for (int n = 2;; ++n) {
        const QString candidate = QStringLiteral("%1 (%2)%3").arg(stem).arg(n).arg(suffix);
        if (!taken.contains(candidate))
            return candidate;
    }
}

ConflictOutcome applyChoice(const ConflictItem &item, ConflictChoice choice, QSet<QString> *taken)
{
    switch (choice) {
    case ConflictChoice::Overwrite:
        return {false, item.target, true};
    case ConflictChoice::OverwriteIfNewer:
        // Unknown times count as not newer: nothing is replaced on a guess.
        if (item.sourceModified.isValid() && item.targetModified.isValid() &&
            item.sourceModified > item.targetModified)
            return {false, item.target, true};
        return {true, {}, false};
    case ConflictChoice::KeepBoth: {
        const QString folder = RemoteFilesModel::parentPath(item.target);
        const QString name = keepBothName(item.target.section(QLatin1Char('/'), -1), *taken);
        taken->insert(name);
        return {false, RemoteFilesModel::joinPath(folder, name), false};
    }
    case ConflictChoice::Skip:
    case ConflictChoice::CancelBatch:
        break;
    }
    return {true, {}, false};
}

namespace {

QString describe(qint64 size, const QDateTime &modified, bool dir)
{
    const QString what =
        dir ? ConflictDialog::tr("folder")
            : (size >= 0 ? RemoteFilesModel::sizeText(size) : ConflictDialog::tr("size unknown"));
    const QString when = modified.isValid()
                             ? QLocale().toString(modified.toLocalTime(), QLocale::ShortFormat)
                             : ConflictDialog::tr("time unknown");
    return QStringLiteral("%1, %2").arg(what, when);
}

} // namespace

ConflictDialog::ConflictDialog(const ConflictItem &item, int remaining, bool upload,
                               QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("File exists"));
    setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(this);
    const QString name = item.target.section(QLatin1Char('/'), -1);
    const QString where = upload ? tr("on the runner") : tr("on this computer");
    auto *text = new QLabel(tr("<b>%1</b> already exists %2 in %3.")
                                .arg(name.toHtmlEscaped(), where,
                                     RemoteFilesModel::parentPath(item.target).toHtmlEscaped()),
                            this);
    text->setWordWrap(true);
    layout->addWidget(text);
    auto *details =
        new QLabel(tr("Existing: %1\nNew: %2")
                       .arg(describe(item.targetSize, item.targetModified, item.targetIsDir),
                            describe(item.sourceSize, item.sourceModified, false)),
                   this);
    details->setObjectName(QStringLiteral("conflictDetails"));
    layout->addWidget(details);
    if (remaining > 0) {
        m_all =
            new QCheckBox(tr("Apply to all %n remaining conflict(s)", nullptr, remaining), this);
        m_all->setObjectName(QStringLiteral("applyToAll"));
        layout->addWidget(m_all);
    }
    auto *buttons = new QDialogButtonBox(this);
    auto add = [this, buttons](const QString &label, ConflictChoice choice, const char *name) {
        QPushButton *b = buttons->addButton(label, QDialogButtonBox::ActionRole);
        b->setObjectName(QLatin1String(name));
        connect(b, &QPushButton::clicked, this, [this, choice] { answer(choice); });
        return b;
    };
    add(tr("&Overwrite"), ConflictChoice::Overwrite, "overwrite");
    add(tr("Overwrite if &newer"), ConflictChoice::OverwriteIfNewer, "overwriteIfNewer");
    add(tr("&Keep both"), ConflictChoice::KeepBoth, "keepBoth")
        ->setToolTip(tr("Copy under a new name: %1").arg(keepBothName(name, {})));
    add(tr("&Skip"), ConflictChoice::Skip, "skip")->setDefault(true);
    add(tr("Cancel all"), ConflictChoice::CancelBatch, "cancelAll");
    layout->addWidget(buttons);
    // Closing the window (Esc) skips this item, like Skip, and asks about the next one.
    connect(this, &QDialog::rejected, this, [this] {
        if (!property("answered").toBool())
            emit answered(ConflictAnswer{ConflictChoice::Skip, false});
    });
}

void ConflictDialog::answer(ConflictChoice choice)
{
    setProperty("answered", true);
    emit answered(ConflictAnswer{choice, m_all && m_all->isChecked()});
    accept();
}

namespace {

// The state of one batch while its questions are open.
struct Batch
{
    QWidget *parent = nullptr;
    bool upload = true;
    QList<ConflictItem> items;
    QSet<QString> taken;
    ConflictSeam seam;
    std::function<void(const QList<ConflictOutcome> &, bool)> done;
    QList<ConflictOutcome> outcomes;
};

void askNext(const std::shared_ptr<Batch> &batch);

void answered(const std::shared_ptr<Batch> &batch, const ConflictAnswer &a)
{
    if (a.choice == ConflictChoice::CancelBatch) {
        batch->done({}, true);
        return;
    }
    const qsizetype from = batch->outcomes.size();
    const qsizetype to = a.applyToAll ? batch->items.size() : from + 1;
    for (qsizetype i = from; i < to; ++i)
        batch->outcomes << applyChoice(batch->items.at(i), a.choice, &batch->taken);
    askNext(batch);
}

void askNext(const std::shared_ptr<Batch> &batch)
{
    const qsizetype at = batch->outcomes.size();
    if (at >= batch->items.size()) {
        batch->done(batch->outcomes, false);
        return;
    }
    const int remaining = int(batch->items.size() - at - 1);
    if (batch->seam) {
        answered(batch, batch->seam(batch->items.at(at), remaining));
        return;
    }
    auto *dialog = new ConflictDialog(batch->items.at(at), remaining, batch->upload, batch->parent);
    QObject::connect(dialog, &ConflictDialog::answered, dialog,
                     [batch](const ConflictAnswer &a) { answered(batch, a); });
    dialog->open();
}

} // namespace

void resolveConflicts(QWidget *parent, bool upload, QList<ConflictItem> items, QSet<QString> taken,
                      const ConflictSeam &seam,
                      std::function<void(const QList<ConflictOutcome> &, bool)> done)
{
    auto batch = std::make_shared<Batch>();
    batch->parent = parent;
    batch->upload = upload;
    batch->items = std::move(items);
    batch->taken = std::move(taken);
    batch->seam = seam;
    batch->done = std::move(done);
    askNext(batch);
}

} // namespace capsule::app
