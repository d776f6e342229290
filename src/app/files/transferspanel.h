// The transfers panel: every upload/download of the TransferQueue with progress, cancel and retry.
#pragma once

#include <QHash>
#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace capsule {
class TransferQueue;
struct TransferProgress;
} // namespace capsule

namespace capsule::app {

class TransfersPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TransfersPanel(TransferQueue *queue, QWidget *parent = nullptr);

    QTreeWidget *list() const { return m_list; }
    static QString progressText(const TransferProgress &progress);

public slots:
    void cancelSelected();
    void retrySelected();
    void clearFinished();

private:
    QTreeWidgetItem *itemFor(int id);
    void updateItem(int id);

    TransferQueue *m_queue;
    QTreeWidget *m_list;
    QHash<int, QTreeWidgetItem *> m_items;
};

} // namespace capsule::app
