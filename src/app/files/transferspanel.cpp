// The transfers panel: every upload/download of the TransferQueue with progress, cancel and retry.
#include "app/files/transferspanel.h"

#include "app/files/remotefilesmodel.h"

#include "core/transfer.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace capsule::app {

namespace {
enum Column { SourceColumn, DestinationColumn, ProgressColumn, StateColumn };

QString shortRunner(const QString &runnerId)
{
    return runnerId.left(8);
}
} // namespace

TransfersPanel::TransfersPanel(TransferQueue *queue, QWidget *parent)
    : QWidget(parent)
    , m_queue(queue)
    , m_list(new QTreeWidget(this))
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
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(cancel);
    buttons->addWidget(retry);
    buttons->addWidget(clear);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);

    connect(m_queue, &TransferQueue::added, this, &TransfersPanel::updateItem);
    connect(m_queue, &TransferQueue::started, this, &TransfersPanel::updateItem);
    connect(m_queue, &TransferQueue::progress, this, [this](int id) { updateItem(id); });
    connect(m_queue, &TransferQueue::finished, this, [this](int id) { updateItem(id); });
    connect(m_queue, &TransferQueue::failed, this, [this](int id) { updateItem(id); });
    connect(m_queue, &TransferQueue::removed, this, [this](int id) { delete m_items.take(id); });
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
    const QString from = upload ? entry->localPath : remote;
    const QString to = upload ? remote : entry->localPath;
    item->setText(SourceColumn, from);
    item->setText(DestinationColumn, to);
    item->setIcon(SourceColumn, QIcon(upload ? QStringLiteral(":/icons/upload.svg")
                                             : QStringLiteral(":/icons/download.svg")));
    const QString tip = upload ? tr("Upload of %1 to %2 on runner %3")
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
        state = entry->progress.stage.isEmpty() ? tr("Running") : entry->progress.stage;
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
}

} // namespace capsule::app
