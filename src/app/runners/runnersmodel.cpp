// Table model of the server's runners plus the sessions this app paused (so they can be resumed).
#include "app/runners/runnersmodel.h"

#include "core/client.h"

#include <QJsonArray>
#include <QMimeData>
#include <QUrl>
#include <algorithm>

namespace capsule::app {

QVariantList RunnerRow::columns() const
{
    return {key, workload, status, host, session, ageText};
}

RunnersModel::RunnersModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    connect(&m_timer, &QTimer::timeout, this, &RunnersModel::refresh);
    setRefreshInterval(3000);
}

void RunnersModel::setClient(Client *client)
{
    m_client = client;
    ++m_generation;
    m_refreshing = false;
    m_known.clear();
    m_lastListing = {};
    apply({});
    refresh();
}

void RunnersModel::setRefreshInterval(int ms)
{
    if (ms <= 0)
        m_timer.stop();
    else
        m_timer.start(ms);
}

void RunnersModel::setWorkloadNamer(std::function<QString(const QString &)> namer)
{
    m_namer = std::move(namer);
}

int RunnersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RunnersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunnersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunnerRow &r = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        if (r.starting && index.column() == IdColumn)
            return tr("(new runner)");
        return r.columns().value(index.column());
    case Qt::ToolTipRole:
        if (index.column() == WorkloadColumn)
            return r.workloadKey;
        if (index.column() == AgeColumn && r.created.isValid())
            return r.created.toLocalTime().toString(Qt::ISODate);
        if (index.column() == StatusColumn)
            return statusExplanation(r.rawStatus);
        return r.columns().value(index.column());
    case RunnerIdRole:
        return r.starting ? QString() : r.key;
    case StartingRole:
        return r.starting;
    case SessionRole:
        return r.session;
    case WorkloadKeyRole:
        return r.workloadKey;
    case SuspendedRole:
        return r.suspended;
    case HostAddressRole:
        return r.hostAddress;
    case RawStatusRole:
        return r.rawStatus;
    }
    return {};
}

QVariant RunnersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
        return tr("Runner");
    case WorkloadColumn:
        return tr("Workload");
    case StatusColumn:
        return tr("Status");
    case HostColumn:
        return tr("Host");
    case SessionColumn:
        return tr("Session");
    case AgeColumn:
        return tr("Age");
    }
    return {};
}

Qt::ItemFlags RunnersModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && !m_rows.at(index.row()).suspended)
        f |= Qt::ItemIsDropEnabled;
    return f;
}

QStringList RunnersModel::mimeTypes() const
{
    return {QStringLiteral("text/uri-list")};
}

Qt::DropActions RunnersModel::supportedDropActions() const
{
    return Qt::CopyAction;
}

namespace {
QStringList localFiles(const QMimeData *data)
{
    QStringList paths;
    if (!data || !data->hasUrls())
        return paths;
    for (const QUrl &url : data->urls()) {
        if (url.isLocalFile())
            paths << url.toLocalFile();
    }
    return paths;
}
} // namespace

bool RunnersModel::canDropMimeData(const QMimeData *data, Qt::DropAction, int row, int,
                                   const QModelIndex &parent) const
{
    // Onto a row (parent = the row's index, row = -1), a running one.
    const int at = parent.isValid() ? parent.row() : row;
    if (at < 0 || at >= m_rows.size() || m_rows.at(at).suspended)
        return false;
    return !localFiles(data).isEmpty();
}

bool RunnersModel::dropMimeData(const QMimeData *data, Qt::DropAction action, int row, int column,
                                const QModelIndex &parent)
{
    if (!canDropMimeData(data, action, row, column, parent))
        return false;
    const int at = parent.isValid() ? parent.row() : row;
    emit uploadRequested(m_rows.at(at).key, localFiles(data));
    return true;
}

int RunnersModel::rowOf(const QString &runnerId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).key == runnerId)
            return i;
    }
    return -1;
}

QString RunnersModel::ageText(const QDateTime &created, const QDateTime &now)
{
    if (!created.isValid())
        return {};
    // Minute granularity: a refresh must not touch every row every few seconds.
    const qint64 minutes = qMax<qint64>(0, created.secsTo(now) / 60);
    if (minutes < 1)
        return tr("< 1 min");
    if (minutes < 60)
        return tr("%n min", nullptr, int(minutes));
    if (minutes < 48 * 60)
        return tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
    return tr("%n day(s)", nullptr, int(minutes / (24 * 60)));
}

bool RunnersModel::isPausedState(const QString &raw)
{
    return isPaused(runnerStateFromWire(raw));
}

QString RunnersModel::statusText(const QString &raw)
{
    // Contract 2.2: the listing gives the host's raw state. The control plane stores "busy" when
    // allocate returns and never changes it, so busy/idle/running/ready all mean "up".
    const RunnerState state = runnerStateFromWire(raw);
    if (isUp(state))
        return tr("Running");
    if (isStarting(state))
        return tr("Starting");
    if (isPaused(state))
        return tr("Paused");
    switch (state) {
    case RunnerState::Pausing:
        return tr("Pausing");
    case RunnerState::Quarantined:
        return tr("Quarantined");
    case RunnerState::Draining:
        return tr("Draining");
    case RunnerState::Retiring:
        return tr("Stopping");
    case RunnerState::Terminated:
        return tr("Stopped");
    default:
        return raw; // a state this client does not know: the server's word
    }
}

QString RunnersModel::statusExplanation(const QString &raw)
{
    const RunnerState state = runnerStateFromWire(raw);
    QString text;
    if (isUp(state))
        text = tr("Up: ready for commands, terminals and files.");
    else if (isStarting(state))
        text = tr("Booting; commands, terminals and files work once it is running.");
    else if (isPaused(state))
        text = tr("Paused: its files and processes are saved in a snapshot. Resume it to use it "
                  "again (same runner id).");
    else if (state == RunnerState::Pausing)
        text = tr("Saving a snapshot; it can be resumed afterwards.");
    else if (state == RunnerState::Quarantined)
        text = tr("Quarantined: network egress blocked and the VM paused.");
    else if (state == RunnerState::Draining)
        text = tr("Its host is draining: it keeps running but no new work lands there.");
    else if (state == RunnerState::Retiring || state == RunnerState::Terminated)
        text = tr("Being released or already gone.");
    if (raw.isEmpty())
        return text;
    return text.isEmpty() ? tr("Server state: %1").arg(raw)
                          : tr("%1 (server state: %2)").arg(text, raw);
}

void RunnersModel::noteAllocated(const AllocateReply &reply, const QString &workloadKey)
{
    const QString id = reply.runnerId;
    if (id.isEmpty())
        return;
    Known &known = m_known[id];
    known.session = reply.sessionId;
    known.hostAddress = reply.hostAddress;
    if (!workloadKey.isEmpty())
        known.workloadKey = workloadKey;
    if (!known.created.isValid())
        known.created = QDateTime::currentDateTimeUtc();
    known.suspended = false;
    // Show it at once: the server's listing may lag behind allocate by a heartbeat.
    QList<RunnerInfo> listing = m_lastListing;
    bool listed = false;
    for (RunnerInfo &info : listing) {
        if (info.runnerId != id)
            continue;
        listed = true;
        // A resumed runner is up now, whatever the last listing said.
        if (isPaused(info.state()))
            info.status = toWire(RunnerState::Ready);
    }
    if (!listed) {
        RunnerInfo info;
        info.runnerId = id;
        info.workloadKey = known.workloadKey;
        info.status = toWire(RunnerState::Ready);
        info.hostId = reply.hostId;
        listing.append(info);
    }
    apply(listing);
}

void RunnersModel::notePaused(const QString &runnerId, const QString &sessionId)
{
    Known &known = m_known[runnerId];
    if (!sessionId.isEmpty())
        known.session = sessionId;
    known.suspended = true;
    if (!known.created.isValid())
        known.created = QDateTime::currentDateTimeUtc();
    // Pausing takes the runner out of the registry; the next listing confirms it.
    QList<RunnerInfo> listing;
    for (const RunnerInfo &info : std::as_const(m_lastListing)) {
        if (info.runnerId != runnerId)
            listing.append(info);
    }
    apply(listing);
}

void RunnersModel::noteResumed(const QString &runnerId)
{
    if (m_known.contains(runnerId))
        m_known[runnerId].suspended = false;
    apply(m_lastListing);
}

void RunnersModel::noteReleased(const QString &runnerId)
{
    m_known.remove(runnerId);
    QList<RunnerInfo> listing;
    for (const RunnerInfo &info : std::as_const(m_lastListing)) {
        if (info.runnerId != runnerId)
            listing.append(info);
    }
    apply(listing);
}

void RunnersModel::apply(const QList<RunnerInfo> &runners)
{
    m_lastListing = runners;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<RunnerRow> rows;
    QSet<QString> listed;
    for (const RunnerInfo &o : runners) {
        RunnerRow r;
        r.key = o.runnerId;
        if (r.key.isEmpty())
            continue;
        listed.insert(r.key);
        Known &known = m_known[r.key];
        r.workloadKey = o.workloadKey;
        if (r.workloadKey.isEmpty())
            r.workloadKey = known.workloadKey;
        r.rawStatus = o.status;
        r.state = o.state();
        r.status = statusText(o.status);
        r.suspended = isPaused(r.state);
        r.host = o.hostName.isEmpty() ? o.hostId : o.hostName;
        r.hostAddress = o.hostAddress;
        if (r.hostAddress.isEmpty())
            r.hostAddress = known.hostAddress;
        r.session = o.sessionId;
        if (r.session.isEmpty())
            r.session = known.session;
        // RunnerInfo has no typed created_at; a server that sends one keeps it in raw.
        r.created = jsonTime(o.raw.value(QStringLiteral("created_at")));
        if (!r.created.isValid()) {
            if (!known.created.isValid())
                known.created = now;
            r.created = known.created;
        }
        rows.append(r);
    }
    // Paused sessions leave the server's registry; keep them visible so they can be resumed.
    for (auto it = m_known.cbegin(); it != m_known.cend(); ++it) {
        if (!it->suspended || listed.contains(it.key()))
            continue;
        RunnerRow r;
        r.key = it.key();
        r.workloadKey = it->workloadKey;
        r.state = RunnerState::Suspended;
        r.rawStatus = toWire(r.state);
        r.status = statusText(r.rawStatus);
        r.session = it->session;
        r.created = it->created;
        r.suspended = true;
        rows.append(r);
    }
    // Starts in flight have a row from the moment Start is pressed.
    for (auto it = m_starting.cbegin(); it != m_starting.cend(); ++it) {
        RunnerRow r;
        r.key = it.key();
        r.workloadKey = it->workloadKey;
        r.rawStatus = QStringLiteral("starting");
        r.status = tr("Starting...");
        r.created = it->created;
        r.starting = true;
        rows.append(r);
    }
    const QString clock = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    for (const RunnerRow &r : std::as_const(rows)) {
        QStringList &seen = m_history[r.key];
        if (!r.starting && (seen.isEmpty() || !seen.last().endsWith(QLatin1Char(' ') + r.status)))
            seen << clock + QLatin1Char(' ') + r.status;
    }
    for (RunnerRow &r : rows) {
        r.workload = m_namer ? m_namer(r.workloadKey) : QString();
        if (r.workload.isEmpty())
            r.workload = r.workloadKey;
        r.ageText = ageText(r.created, now);
    }
    std::sort(rows.begin(), rows.end(),
              [](const RunnerRow &a, const RunnerRow &b) { return a.key < b.key; });
    syncRows(this, m_rows, rows);
}

QString RunnersModel::addStarting(const QString &workloadKey)
{
    // '~' sorts after every runner id, so the new row comes last.
    const QString key = QStringLiteral("~starting-%1").arg(++m_startingSerial);
    Known entry;
    entry.workloadKey = workloadKey;
    entry.created = QDateTime::currentDateTimeUtc();
    m_starting.insert(key, entry);
    apply(m_lastListing);
    return key;
}

QJsonObject RunnersModel::rawOf(const QString &runnerId) const
{
    for (const RunnerInfo &info : m_lastListing)
        if (info.runnerId == runnerId)
            return info.raw;
    return {};
}

void RunnersModel::finishStarting(const QString &placeholder)
{
    if (m_starting.remove(placeholder))
        apply(m_lastListing);
}

void RunnersModel::refresh()
{
    if (!m_client || m_refreshing)
        return;
    m_refreshing = true;
    const int generation = m_generation;
    m_client->runners()->list()->then(
        this,
        [this, generation](const RunnerList &reply) {
            if (generation != m_generation)
                return;
            m_refreshing = false;
            apply(reply.runners);
            emit refreshed();
        },
        [this, generation](const Error &error) {
            if (generation != m_generation)
                return;
            m_refreshing = false;
            emit refreshFailed(error.toString());
        });
}

} // namespace capsule::app
