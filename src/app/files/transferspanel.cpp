// The transfers panel: every upload/download of the TransferQueue with progress, cancel and retry.
#include "app/files/transferspanel.h"

#include "app/files/remotefilesmodel.h"

#include "core/transfer.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <memory>

namespace capsule::app {

namespace {
enum Column { SourceColumn, DestinationColumn, ProgressColumn, StateColumn };

QString shortRunner(const QString &runnerId)
{
    return runnerId.left(8);
}

const QString kConcurrencyKey = QStringLiteral("transfers/concurrency");

} // namespace

TransfersPanel::TransfersPanel(TransferQueue *queue, QWidget *parent)
    : QWidget(parent)
    , m_queue(queue)
    , m_list(new QTreeWidget(this))
    , m_concurrency(new QSpinBox(this))
    , m_totals(new QLabel(this))
{
    setObjectName(QStringLiteral("transfersPanel"));
    m_list->setObjectName(QStringLiteral("transfersList"));
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setHeaderLabels({tr("From"), tr("To"), tr("Progress"), tr("State")});
    m_list->header()->resizeSection(SourceColumn, 280);
    m_list->header()->resizeSection(DestinationColumn, 280);
    m_list->header()->resizeSection(ProgressColumn, 320);

    auto *cancel = new QPushButton(tr("&Cancel"), this);
    auto *retry = new QPushButton(tr("Re&try"), this);
    auto *clear = new QPushButton(tr("C&lear Finished"), this);
    cancel->setObjectName(QStringLiteral("cancelTransferButton"));
    retry->setObjectName(QStringLiteral("retryTransferButton"));
    connect(cancel, &QPushButton::clicked, this, &TransfersPanel::cancelSelected);
    connect(retry, &QPushButton::clicked, this, &TransfersPanel::retrySelected);
    connect(clear, &QPushButton::clicked, this, &TransfersPanel::clearFinished);
    auto *pause = new QPushButton(tr("&Pause"), this);
    auto *resume = new QPushButton(tr("Res&ume"), this);
    pause->setObjectName(QStringLiteral("pauseTransferButton"));
    resume->setObjectName(QStringLiteral("resumeTransferButton"));
    pause->setToolTip(tr("Hold queued transfers back"));
    connect(pause, &QPushButton::clicked, this, &TransfersPanel::pauseSelected);
    connect(resume, &QPushButton::clicked, this, &TransfersPanel::resumeSelected);
    m_concurrency->setObjectName(QStringLiteral("transferConcurrency"));
    m_concurrency->setRange(1, 8);
    // Kept across runs (QSettings transfers/concurrency).
    const int saved = QSettings().value(kConcurrencyKey, m_queue->maxConcurrent()).toInt();
    m_queue->setMaxConcurrent(qBound(1, saved, 8));
    m_concurrency->setValue(m_queue->maxConcurrent());
    m_concurrency->setToolTip(tr("Transfers running at once"));
    connect(m_concurrency, &QSpinBox::valueChanged, this, [this](int n) {
        m_queue->setMaxConcurrent(n);
        QSettings().setValue(kConcurrencyKey, n);
    });
    m_totals->setObjectName(QStringLiteral("transferTotals"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(cancel);
    buttons->addWidget(retry);
    buttons->addWidget(pause);
    buttons->addWidget(resume);
    buttons->addWidget(clear);
    buttons->addStretch(1);
    buttons->addWidget(m_totals);
    buttons->addWidget(new QLabel(tr("At once:"), this));
    buttons->addWidget(m_concurrency);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);

    connect(m_queue, &TransferQueue::added, this, &TransfersPanel::updateItem);
    connect(m_queue, &TransferQueue::started, this, &TransfersPanel::updateItem);
    connect(m_queue, &TransferQueue::progress, this, [this](int id) { updateItem(id); });
    connect(m_queue, &TransferQueue::finished, this, [this](int id) { updateItem(id); });
    connect(m_queue, &TransferQueue::failed, this, [this](int id) { updateItem(id); });
    connect(m_queue, &TransferQueue::removed, this, [this](int id) {
        std::unique_ptr<QTreeWidgetItem> gone(m_items.take(id)); // leaves the list with it
    });
    connect(m_queue, &TransferQueue::changed, this, &TransfersPanel::updateItem);
    connect(m_queue, &TransferQueue::idle, this, &TransfersPanel::batchIdle);
    updateTotals();
}

QString TransfersPanel::totalsText() const
{
    const TransferQueue::Totals t = m_queue->totals();
    QString text = tr("%1 running, %2 queued, %3 done, %4 failed")
                       .arg(t.running)
                       .arg(t.queued)
                       .arg(t.finished)
                       .arg(t.failed);
    if (t.bytesTotal > 0)
        text += tr(" - %1 of %2")
                    .arg(RemoteFilesModel::sizeText(t.bytesDone),
                         RemoteFilesModel::sizeText(t.bytesTotal));
    if (t.bytesPerSecond > 0)
        text += tr(", %1/s").arg(RemoteFilesModel::sizeText(qint64(t.bytesPerSecond)));
    return text;
}

void TransfersPanel::updateTotals()
{
    m_totals->setText(totalsText());
}

void TransfersPanel::batchIdle()
{
    // Said only once per batch: something ran since the last idle.
    const TransferQueue::Totals t = m_queue->totals();
    if (t.finished + t.failed == m_reportedEnded)
        return;
    const int finished = t.finished - m_reportedFinished;
    const int failed = t.failed - (m_reportedEnded - m_reportedFinished);
    m_reportedEnded = t.finished + t.failed;
    m_reportedFinished = t.finished;
    const QString summary =
        failed > 0 ? tr("Transfers finished: %1 done, %2 failed").arg(finished).arg(failed)
                   : tr("Transfers finished: %n done", nullptr, finished);
    const QWidget *top = window();
    emit batchFinished(summary, !top || !top->isActiveWindow());
}

QString TransfersPanel::progressText(const TransferProgress &p)
{
    QString text = RemoteFilesModel::sizeText(p.bytesDone);
    if (p.bytesTotal >= 0) {
        const int percent = p.bytesTotal > 0 ? int(p.bytesDone * 100 / p.bytesTotal) : 100;
        text = tr("%1% (%2 of %3)")
                   .arg(percent)
                   .arg(RemoteFilesModel::sizeText(p.bytesDone),
                        RemoteFilesModel::sizeText(p.bytesTotal));
    }
    if (p.bytesPerSecond > 0)
        text += tr(", %1/s").arg(RemoteFilesModel::sizeText(qint64(p.bytesPerSecond)));
    if (p.etaSeconds >= 0)
        text += tr(", %n s left", nullptr, int(p.etaSeconds + 0.5));
    if (p.filesTotal > 1)
        text += tr(", %1/%2 files").arg(p.filesDone).arg(p.filesTotal);
    return text;
}

QTreeWidgetItem *TransfersPanel::itemFor(int id)
{
    QTreeWidgetItem *&item = m_items[id];
    if (!item) {
        item = new QTreeWidgetItem(m_list);
        item->setData(SourceColumn, Qt::UserRole, id);
        m_list->scrollToItem(item); // a new transfer is always in view
    }
    return item;
}

void TransfersPanel::updateItem(int id)
{
    const auto entry = m_queue->item(id);
    if (!entry)
        return;
    QTreeWidgetItem *item = itemFor(id);
    const bool upload = entry->direction == TransferDirection::Upload;
    // From and To name both ends; the runner side as "SHORTID:/path" (full id in the tooltip).
    const QString remote = tr("%1:%2").arg(shortRunner(entry->runnerId), entry->remotePath);
    const bool relay = entry->direction == TransferDirection::Relay;
    const QString local =
        relay ? tr("%1:%2").arg(shortRunner(entry->sourceRunnerId), entry->localPath)
              : entry->localPath;
    const QString from = upload || relay ? local : remote;
    const QString to = upload || relay ? remote : local;
    item->setText(SourceColumn, from);
    item->setText(DestinationColumn, to);
    item->setIcon(SourceColumn, QIcon(upload || relay ? QStringLiteral(":/icons/upload.svg")
                                                      : QStringLiteral(":/icons/download.svg")));
    const QString tip = relay ? tr("Copy of %1 on runner %2 to %3 on runner %4")
                                    .arg(entry->localPath, entry->sourceRunnerId, entry->remotePath,
                                         entry->runnerId)
                        : upload ? tr("Upload of %1 to %2 on runner %3")
                                       .arg(entry->localPath, entry->remotePath, entry->runnerId)
                                 : tr("Download of %1 from runner %2 to %3")
                                       .arg(entry->remotePath, entry->runnerId, entry->localPath);
    item->setToolTip(SourceColumn, tip);
    item->setToolTip(DestinationColumn, tip);
    QString state;
    switch (entry->state) {
    case TransferQueue::State::Queued:
        state = tr("Queued");
        break;
    case TransferQueue::State::Running:
        state = stageText(entry->progress.stage);
        break;
    case TransferQueue::State::Finished:
        state = entry->result.contentVerified ? tr("Done (verified)") : tr("Done");
        if (!entry->result.ownershipProblem.isEmpty())
            state += tr(", owned by root: %1").arg(entry->result.ownershipProblem);
        break;
    case TransferQueue::State::Failed:
        state = tr("Failed: %1").arg(entry->error.toString());
        break;
    case TransferQueue::State::Cancelled:
        state = tr("Cancelled");
        break;
    case TransferQueue::State::Paused:
        state = tr("Paused");
        break;
    }
    if (entry->state == TransferQueue::State::Finished) {
        // Rate and time left mean nothing any more: say how much moved and how fast on average.
        const TransferResult &r = entry->result;
        const double seconds = qMax<qint64>(r.durationMs, 1) / 1000.0;
        QString text = tr("%1 in %2 s (%3/s)")
                           .arg(RemoteFilesModel::sizeText(r.bytes))
                           .arg(seconds, 0, 'f', seconds < 10 ? 1 : 0)
                           .arg(RemoteFilesModel::sizeText(qint64(r.bytesTransferred / seconds)));
        if (r.files > 1)
            text += tr(", %n files", nullptr, r.files);
        item->setText(ProgressColumn, text);
    } else {
        item->setText(ProgressColumn, progressText(entry->progress));
    }
    item->setText(StateColumn, state);
    item->setToolTip(StateColumn, state);
    updateTotals();
}

void TransfersPanel::cancelSelected()
{
    for (QTreeWidgetItem *item : m_list->selectedItems())
        m_queue->cancel(item->data(SourceColumn, Qt::UserRole).toInt());
}

void TransfersPanel::retrySelected()
{
    for (QTreeWidgetItem *item : m_list->selectedItems()) {
        const int id = item->data(SourceColumn, Qt::UserRole).toInt();
        if (m_queue->retry(id))
            updateItem(id);
    }
}

void TransfersPanel::clearFinished()
{
    m_queue->removeFinished();
    const TransferQueue::Totals t = m_queue->totals();
    m_reportedEnded = t.finished + t.failed;
    m_reportedFinished = t.finished;
    updateTotals();
}

void TransfersPanel::pauseSelected()
{
    for (QTreeWidgetItem *item : m_list->selectedItems())
        m_queue->pause(item->data(SourceColumn, Qt::UserRole).toInt());
}

void TransfersPanel::resumeSelected()
{
    for (QTreeWidgetItem *item : m_list->selectedItems())
        m_queue->resume(item->data(SourceColumn, Qt::UserRole).toInt());
}

QString TransfersPanel::stageText(TransferStage stage)
{
    switch (stage) {
    case TransferStage::Preparing:
        return tr("Preparing");
    case TransferStage::Transferring:
        return tr("Transferring");
    case TransferStage::Verifying:
        return tr("Verifying sizes");
    case TransferStage::Comparing:
        return tr("Comparing sha256");
    case TransferStage::Finishing:
        return tr("Finishing");
    case TransferStage::Done:
        return tr("Done");
    }
    return tr("Running");
}

} // namespace capsule::app
