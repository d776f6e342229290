// Uploads and downloads onto names that exist: one question per conflict, or once per batch with
// "apply to all". Never a nested event loop: the dialog is opened with open() and answers by
// signal; a test seam answers instead of the dialog.
#pragma once

#include <QDateTime>
#include <QDialog>
#include <QList>
#include <QSet>
#include <QString>
#include <functional>

class QCheckBox;

namespace capsule::app {

enum class ConflictChoice { Overwrite, Skip, KeepBoth, OverwriteIfNewer, CancelBatch };

// One transfer whose destination exists.
struct ConflictItem
{
    QString source; // what is copied (local path or runner path)
    QString target; // the destination that exists
    qint64 sourceSize = -1;
    QDateTime sourceModified;
    qint64 targetSize = -1;
    QDateTime targetModified;
    bool targetIsDir = false;
};

struct ConflictAnswer
{
    ConflictChoice choice = ConflictChoice::Skip;
    bool applyToAll = false;
};

// What to do with one item after the questions: copy to `target` (replacing what is there when
// `overwrite`), or skip it.
struct ConflictOutcome
{
    bool skip = false;
    QString target;
    bool overwrite = false;
};

// "name (2).ext" for "name.ext": the first "name (n).ext" (n >= 2) not in `taken` (names in the
// destination folder, plus names already given out in this batch).
QString keepBothName(const QString &name, const QSet<QString> &taken);
// The outcome of `choice` for `item`; `taken` collects names given by KeepBoth.
ConflictOutcome applyChoice(const ConflictItem &item, ConflictChoice choice, QSet<QString> *taken);

// The question about one item: Overwrite, Skip, Keep both, Overwrite if newer, Cancel, and
// "Apply to all N remaining conflicts".
class ConflictDialog : public QDialog
{
    Q_OBJECT
public:
    ConflictDialog(const ConflictItem &item, int remaining, bool upload, QWidget *parent);

signals:
    void answered(const capsule::app::ConflictAnswer &answer);

private:
    void answer(ConflictChoice choice);
    QCheckBox *m_all = nullptr;
};

// Resolves the conflicts of one batch: asks about each item in turn (a dialog at a time, or
// `seam` when set) until an answer applies to all, then calls done(outcomes, cancelled) with one
// outcome per item. `taken` are the names in the destination folder.
using ConflictSeam = std::function<ConflictAnswer(const ConflictItem &item, int remaining)>;
void resolveConflicts(QWidget *parent, bool upload, QList<ConflictItem> items, QSet<QString> taken,
                      const ConflictSeam &seam,
                      std::function<void(const QList<ConflictOutcome> &, bool cancelled)> done);

} // namespace capsule::app
