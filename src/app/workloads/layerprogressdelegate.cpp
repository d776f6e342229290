// See layerprogressdelegate.h.
#include "app/workloads/layerprogressdelegate.h"

#include "app/workloads/workloadsmodel.h"

#include <QApplication>
#include <QPainter>
#include <QPoint>
#include <QStyleOptionProgressBar>

namespace capsule::app {

bool LayerProgressDelegate::progressFor(const QModelIndex &index, QString *text, int *percent)
{
    if (!index.data(WorkloadsModel::BuildingRole).toBool())
        return false;
    const QPoint progress = index.data(WorkloadsModel::LayerProgressRole).toPoint();
    if (progress.y() <= 0)
        return false;
    const int done = qBound(0, progress.x(), progress.y());
    // The layer being built counts as half done, so a one-layer build does not sit at 0 %.
    *percent = qMin(100, (200 * done + (done < progress.y() ? 100 : 0)) / (2 * progress.y()));
    *text = tr("building: %1/%2 layers").arg(done).arg(progress.y());
    return true;
}

void LayerProgressDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const
{
    QString text;
    int percent = 0;
    if (!progressFor(index, &text, &percent)) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // The cell's background (selection, alternating colour) first, then the bar inside it.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 2, -2, -2);
    bar.minimum = 0;
    bar.maximum = 100;
    bar.progress = percent;
    bar.text = text;
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    bar.state = option.state | QStyle::State_Horizontal;
    bar.palette = option.palette;
    bar.fontMetrics = option.fontMetrics;
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}

} // namespace capsule::app
