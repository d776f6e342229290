// The transfers panel: every upload/download of the TransferQueue with progress, cancel and retry.
#pragma once

#include "core/transfer/transfertypes.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QSpinBox;
class QTreeWidget;
class QTreeWidgetItem;

namespace capsule {
class TransferQueue;
} // namespace capsule

namespace capsule::app {

class TransfersPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TransfersPanel(TransferQueue *queue, QWidget *parent = nullptr);

    QTreeWidget *list() const { return m_list; }
    static QString progressText(const TransferProgress &progress);
    static QString stageText(TransferStage stage); // the running stage in words
    QString totalsText() const;                    // the footer: counts, bytes, rate
    QSpinBox *concurrency() const { return m_concurrency; }

public slots:
    void cancelSelected();
    void retrySelected();
    void clearFinished();
    void pauseSelected();
    void resumeSelected();

signals:
    // A batch ended (the queue went idle); `inactive`: the window was not active (the main
    // window's Notifier then flashes the task bar entry and shows a tray message).
    void batchFinished(const QString &summary, bool inactive);

private:
    QTreeWidgetItem *itemFor(int id);
    void updateItem(int id);
    void updateTotals();
    void batchIdle();

    TransferQueue *m_queue;
    QTreeWidget *m_list;
    QSpinBox *m_concurrency;
    QLabel *m_totals;
    QHash<int, QTreeWidgetItem *> m_items;
    int m_reportedEnded = 0; // finished + failed when the last batch was reported
    int m_reportedFinished = 0;
};

} // namespace capsule::app
