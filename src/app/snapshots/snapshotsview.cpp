// See snapshotsview.h.
#include "app/snapshots/snapshotsview.h"

#include "app/connections/serverconnection.h"
#include "app/widgets/emptyhint.h"

#include "core/client.h"

#include <QComboBox>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace capsule::app {

void SnapshotsModel::setList(const SnapshotList &list)
{
    beginResetModel();
    m_rows = list.snapshots;
    m_current = list.currentVersion;
    endResetModel();
}

void SnapshotsModel::setNameLookup(std::function<QString(const QString &)> lookup)
{
    m_nameLookup = std::move(lookup);
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, WorkloadColumn), index(int(m_rows.size()) - 1, WorkloadColumn));
}

QStringList SnapshotsModel::workloadKeys() const
{
    QStringList keys;
    for (const Snapshot &s : m_rows)
        if (!s.workloadKey.isEmpty() && !keys.contains(s.workloadKey))
            keys << s.workloadKey;
    keys.sort();
    return keys;
}

QString SnapshotsModel::workloadText(const QString &key) const
{
    const QString name = m_nameLookup && !key.isEmpty() ? m_nameLookup(key) : QString();
    return name.isEmpty() ? key : tr("%1 (%2)").arg(name, key);
}

int SnapshotsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SnapshotsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SnapshotsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Snapshot &s = m_rows.at(index.row());
    const bool current = !m_current.isEmpty() && s.version == m_current;
    if (role == Qt::FontRole && current) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == WorkloadKeyRole)
        return s.workloadKey;
    if (role == Qt::UserRole) // sort keys
        switch (index.column()) {
        case WorkloadColumn:
            return workloadText(s.workloadKey);
        case SizeColumn:
            return s.sizeBytes;
        case CreatedColumn:
            return s.createdAt;
        default:
            break;
        }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::UserRole)
        return {};
    switch (index.column()) {
    case WorkloadColumn:
        return workloadText(s.workloadKey);
    case VersionColumn:
        return current ? tr("%1 (current)").arg(s.version) : s.version;
    case StatusColumn:
        return s.status;
    case SizeColumn:
        return role == Qt::ToolTipRole ? tr("%n byte(s)", nullptr, int(s.sizeBytes))
                                       : QLocale().formattedDataSize(s.sizeBytes, 2);
    case CreatedColumn:
        return s.createdAt.isValid() ? s.createdAt.toLocalTime().toString(Qt::ISODate) : QString();
    case CommitColumn:
        return role == Qt::ToolTipRole ? s.gcsPath : s.repoCommit;
    }
    return {};
}

QVariant SnapshotsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case WorkloadColumn:
        return tr("Workload");
    case VersionColumn:
        return tr("Version");
    case StatusColumn:
        return tr("Status");
    case SizeColumn:
        return tr("Size");
    case CreatedColumn:
        return tr("Created");
    case CommitColumn:
        return tr("Commit");
    }
    return {};
}

SnapshotsView::SnapshotsView(ServerConnection *connection, QWidget *parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_model(new SnapshotsModel(this))
    , m_view(new QTableView(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_workloadFilter(new QComboBox(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("snapshotsView"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_proxy->setFilterKeyColumn(SnapshotsModel::WorkloadColumn);
    m_proxy->setFilterRole(SnapshotsModel::WorkloadKeyRole);
    m_workloadFilter->setObjectName(QStringLiteral("snapshotsWorkloadFilter"));
    m_workloadFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_workloadFilter->addItem(tr("All workloads"), QString());
    connect(m_workloadFilter, &QComboBox::currentIndexChanged, this, [this] {
        const QString key = workloadFilter();
        m_proxy->setFilterRegularExpression(
            key.isEmpty() ? QString()
                          : QStringLiteral("^%1$").arg(QRegularExpression::escape(key)));
    });
    m_view->setObjectName(QStringLiteral("snapshotsTable"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SnapshotsModel::CreatedColumn, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle);
    // Versions may be "session/<uuid>": wide enough for one; the created time in full.
    m_view->setColumnWidth(SnapshotsModel::VersionColumn,
                           m_view->fontMetrics().horizontalAdvance(
                               QStringLiteral("session/00000000-0000-0000-0000-000000000000")) +
                               16);
    m_view->setColumnWidth(
        SnapshotsModel::CreatedColumn,
        m_view->fontMetrics().horizontalAdvance(QStringLiteral("2026-12-05T13:07:34+00:00")) + 16);
    m_status->setObjectName(QStringLiteral("snapshotsStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hint = new EmptyHint(m_view, tr("<p><b>No snapshots.</b></p><p>Snapshots are the saved "
                                      "images the server restores runners from; they appear "
                                      "after builds and pauses.</p>"));
    m_view->setColumnWidth(SnapshotsModel::WorkloadColumn, 220);
    auto *filterRow = new QHBoxLayout;
    auto *filterLabel = new QLabel(tr("&Workload:"), this);
    filterLabel->setBuddy(m_workloadFilter);
    filterRow->addWidget(filterLabel);
    filterRow->addWidget(m_workloadFilter);
    filterRow->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filterRow);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    if (m_connection)
        connect(m_connection, &ServerConnection::serverChanged, this, [this] {
            m_model->setList({});
            fillWorkloadFilter();
            if (isVisible())
                refresh();
        });
}

QString SnapshotsView::statusText() const
{
    return m_status->text();
}

void SnapshotsView::setNameLookup(std::function<QString(const QString &)> lookup)
{
    m_model->setNameLookup(std::move(lookup));
    fillWorkloadFilter();
}

void SnapshotsView::fillWorkloadFilter()
{
    const QString selected = workloadFilter();
    const QSignalBlocker blocker(m_workloadFilter);
    while (m_workloadFilter->count() > 1)
        m_workloadFilter->removeItem(1);
    QStringList keys = m_model->workloadKeys();
    // A workload chosen before stays offered (with no rows) rather than silently showing all.
    if (!selected.isEmpty() && !keys.contains(selected))
        keys << selected;
    for (const QString &key : std::as_const(keys))
        m_workloadFilter->addItem(m_model->workloadText(key), key);
    m_workloadFilter->setCurrentIndex(qMax(0, m_workloadFilter->findData(selected)));
}

bool SnapshotsView::setWorkloadFilter(const QString &workloadKey)
{
    const int i = m_workloadFilter->findData(workloadKey);
    if (i < 0)
        return false;
    m_workloadFilter->setCurrentIndex(i);
    return true;
}

QString SnapshotsView::workloadFilter() const
{
    return m_workloadFilter->currentData().toString();
}

int SnapshotsView::visibleRows() const
{
    return m_proxy->rowCount();
}

void SnapshotsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void SnapshotsView::refresh()
{
    Client *client = m_connection ? m_connection->client() : nullptr;
    if (!client)
        return;
    const int generation = ++m_generation;
    m_status->setText(tr("Loading snapshots..."));
    client->snapshots()->list()->then(
        this,
        [this, generation](const SnapshotList &list) {
            if (generation != m_generation)
                return;
            m_model->setList(list);
            fillWorkloadFilter();
            m_hint->setOverride({});
            m_status->setText(tr("%n snapshot(s)", nullptr, int(list.snapshots.size())) +
                              (list.currentVersion.isEmpty()
                                   ? QString()
                                   : tr(" · current version %1").arg(list.currentVersion)));
            emit refreshed();
        },
        [this, generation](const Error &error) {
            if (generation != m_generation)
                return;
            m_hint->setOverride(tr("<p><b>Snapshots could not be listed.</b></p><p>%1</p>")
                                    .arg(error.toString().toHtmlEscaped()));
            m_status->setText(
                error.requestId.isEmpty()
                    ? error.toString()
                    : tr("%1 (request id %2)").arg(error.toString(), error.requestId));
            emit refreshed();
        });
}

} // namespace capsule::app
