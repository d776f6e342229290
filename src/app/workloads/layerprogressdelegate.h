// Draws the Workloads view's status cell of a workload that is building as a progress bar of its
// layers ("building: 2/3 layers"), the layer being built counting as half done; other rows as
// plain text.
#pragma once

#include <QStyledItemDelegate>

namespace capsule::app {

class LayerProgressDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;

    // The bar's text and value (0..100) for an index, or false when no bar is drawn (tests).
    static bool progressFor(const QModelIndex &index, QString *text, int *percent);
};

} // namespace capsule::app
