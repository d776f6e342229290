// Applies a fresh list of rows to a table model with minimal signals, so views keep their state.
#pragma once

#include <QAbstractItemModel>
#include <QList>
#include <QSet>

namespace capsule::app {

// Rows must carry `key` (stable identity) and `columns()` (display values compared per column).
// Both lists must be ordered the same way (callers sort by key or name). Removed rows are
// removed, new rows inserted in place, and dataChanged is emitted only for changed cells of rows
// that stayed: selection and scroll position survive a refresh.
template<class Model, class Row>
void syncRows(Model *model, QList<Row> &rows, QList<Row> fresh)
{
    QSet<QString> freshKeys;
    for (const Row &row : fresh)
        freshKeys.insert(row.key);
    for (int i = rows.size() - 1; i >= 0; --i) {
        if (freshKeys.contains(rows.at(i).key))
            continue;
        model->beginRemoveRows({}, i, i);
        rows.removeAt(i);
        model->endRemoveRows();
    }
    QSet<QString> existing;
    for (const Row &row : rows)
        existing.insert(row.key);
    for (int j = 0; j < fresh.size(); ++j) {
        Row &next = fresh[j];
        if (!existing.contains(next.key)) {
            model->beginInsertRows({}, j, j);
            rows.insert(j, std::move(next));
            model->endInsertRows();
            continue;
        }
        // Same relative order on both sides: the row with this key is at j (or has moved).
        int at = j;
        while (at < rows.size() && rows.at(at).key != next.key)
            ++at;
        if (at != j) {
            model->beginMoveRows({}, at, at, {}, j);
            rows.move(at, j);
            model->endMoveRows();
        }
        const QVariantList before = rows.at(j).columns();
        const QVariantList after = next.columns();
        int first = -1;
        int last = -1;
        for (int c = 0; c < after.size(); ++c) {
            if (c < before.size() && before.at(c) == after.at(c))
                continue;
            if (first < 0)
                first = c;
            last = c;
        }
        const bool extraChanged = !(rows.at(j) == next);
        rows[j] = std::move(next);
        if (first >= 0)
            emit model->dataChanged(model->index(j, first), model->index(j, last),
                                    {Qt::DisplayRole, Qt::ToolTipRole});
        else if (extraChanged)
            emit model->dataChanged(model->index(j, 0), model->index(j, after.size() - 1),
                                    {Qt::ToolTipRole, Qt::UserRole});
    }
}

} // namespace capsule::app
