// See runnerdetails.h.
#include "app/runners/runnerdetails.h"

#include "app/connections/serverconnection.h"
#include "app/runners/runnerservice.h"
#include "app/runners/runnersmodel.h"

#include "core/client.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace capsule::app {

RunnerDetails::RunnerDetails(ServerConnection *connection, RunnersModel *model, QWidget *parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_model(model)
    , m_form(new QFormLayout)
    , m_reason(new QLineEdit(this))
    , m_blockEgress(new QCheckBox(tr("Block egress"), this))
    , m_syncFs(new QCheckBox(tr("Sync file systems first"), this))
    , m_connect(new QPushButton(tr("Co&nnect"), this))
    , m_pause(new QPushButton(tr("&Pause"), this))
    , m_quarantine(new QPushButton(tr("&Quarantine"), this))
    , m_unquarantine(new QPushButton(tr("&Unquarantine"), this))
    , m_service(new RunnerService(connection, this))
{
    setObjectName(QStringLiteral("runnerDetails"));
    m_form->setLabelAlignment(Qt::AlignRight);
    addField(QStringLiteral("id"), tr("Runner:"));
    addField(QStringLiteral("workload"), tr("Workload:"));
    addField(QStringLiteral("status"), tr("Status:"));
    addField(QStringLiteral("history"), tr("Seen:"));
    addField(QStringLiteral("host"), tr("Host:"));
    addField(QStringLiteral("session"), tr("Session:"));
    addField(QStringLiteral("labels"), tr("Labels:"));
    addField(QStringLiteral("created"), tr("Created:"));
    addField(QStringLiteral("tenant"), tr("Tenant:"));
    addField(QStringLiteral("proxy"), tr("Proxy:"));
    addField(QStringLiteral("policy"), tr("Network policy:"));
    addField(QStringLiteral("failure"), tr("Last failure:"));
    m_reason->setObjectName(QStringLiteral("quarantineReason"));
    m_reason->setPlaceholderText(tr("reason (kept with the runner)"));
    m_blockEgress->setChecked(true);
    m_connect->setToolTip(
        tr("Ask the control plane where the runner is now (re-resolve its host)"));
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_connect);
    actions->addWidget(m_pause);
    actions->addWidget(m_syncFs);
    actions->addSpacing(12);
    actions->addWidget(m_quarantine);
    actions->addWidget(m_reason, 1);
    actions->addWidget(m_blockEgress);
    actions->addWidget(m_unquarantine);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addLayout(actions);
    layout->addWidget(m_service, 1);
    connect(m_connect, &QPushButton::clicked, this, &RunnerDetails::connectRunner);
    connect(m_pause, &QPushButton::clicked, this, &RunnerDetails::pauseRunner);
    connect(m_quarantine, &QPushButton::clicked, this, &RunnerDetails::quarantineRunner);
    connect(m_unquarantine, &QPushButton::clicked, this, &RunnerDetails::unquarantineRunner);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RunnerDetails::refresh);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &RunnerDetails::refresh);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &RunnerDetails::refresh);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &RunnerDetails::refresh);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &RunnerDetails::refresh);
    refresh();
}

QLabel *RunnerDetails::addField(const QString &key, const QString &label)
{
    auto *value = new QLabel(this);
    value->setObjectName(QStringLiteral("detail_") + key);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    m_form->addRow(label, value);
    m_fields.insert(key, value);
    return value;
}

QString RunnerDetails::field(const QString &name) const
{
    if (name == QLatin1String("ttl") || name == QLatin1String("port") ||
        name == QLatin1String("url"))
        return m_service->field(name);
    const QLabel *label = m_fields.value(name);
    return label ? label->text() : QString();
}

void RunnerDetails::setRunner(const QString &runnerId)
{
    m_runnerId = runnerId;
    refresh();
}

void RunnerDetails::setQuarantineReason(const QString &reason)
{
    m_reason->setText(reason);
}

void RunnerDetails::setBlockEgress(bool on)
{
    m_blockEgress->setChecked(on);
}

void RunnerDetails::setSyncFs(bool on)
{
    m_syncFs->setChecked(on);
}

void RunnerDetails::refresh()
{
    const int row = m_runnerId.isEmpty() ? -1 : m_model->rowOf(m_runnerId);
    const bool have = row >= 0;
    const RunnerRow r = have ? m_model->row(row) : RunnerRow();
    const QJsonObject raw = have ? m_model->rawOf(m_runnerId) : QJsonObject();
    const QString none = QStringLiteral("\u2014");
    auto set = [this, &none](const char *key, const QString &text) {
        m_fields.value(QString::fromLatin1(key))->setText(text.isEmpty() ? none : text);
    };
    set("id", have ? r.key : tr("Select a runner to see its details."));
    set("workload", have ? tr("%1 (%2)").arg(r.workload, r.workloadKey) : QString());
    set("status", have ? tr("%1 (server state: %2)").arg(r.status, r.rawStatus) : QString());
    set("history",
        have ? m_model->statusHistory(m_runnerId).join(QStringLiteral(" \u2192 ")) : QString());
    set("host", have && !r.host.isEmpty() ? tr("%1 at %2").arg(r.host, r.hostAddress) : QString());
    set("session", r.session);
    QStringList labels;
    const QJsonObject labelObject = raw.value(QStringLiteral("labels")).toObject();
    for (auto it = labelObject.begin(); it != labelObject.end(); ++it)
        labels << it.key() + QLatin1Char('=') + it.value().toString();
    set("labels", labels.join(QStringLiteral(", ")));
    set("created",
        have && r.created.isValid()
            ? tr("%1 (%2 ago)").arg(r.created.toLocalTime().toString(Qt::ISODate), r.ageText)
            : QString());
    set("tenant", raw.value(QStringLiteral("tenant_id")).toString());
    const QString proxy = raw.value(QStringLiteral("proxy_addr")).toString();
    set("proxy", proxy.isEmpty() ? QString()
                                 : tr("%1 (CA cert port %2)")
                                       .arg(proxy)
                                       .arg(raw.value(QStringLiteral("ca_cert_port")).toInt()));
    QString policy = raw.value(QStringLiteral("network_policy_preset")).toString();
    if (raw.contains(QStringLiteral("quarantine_reason")))
        policy = tr("%1 (quarantined: %2)")
                     .arg(policy.isEmpty() ? tr("the workload's own") : policy,
                          raw.value(QStringLiteral("quarantine_reason")).toString());
    set("policy", policy);
    set("failure", have ? m_lastFailure.value(m_runnerId) : QString());
    const bool running = have && !r.starting && !r.suspended && !r.hostAddress.isEmpty();
    // The config id when the listing names it (capsule-local does): configs sharing one leaf key
    // make the key ambiguous (409), and the runner came from exactly one of them.
    const QString configId = raw.value(QStringLiteral("config_id")).toString();
    m_service->setRunner(have && !r.starting ? m_runnerId : QString(),
                         configId.isEmpty() ? r.workloadKey : configId, r.hostAddress, running);
    const bool usable =
        have && !r.starting && m_connection && m_connection->isUsable() && m_busy == 0;
    const bool quarantined = r.state == RunnerState::Quarantined;
    m_connect->setEnabled(usable && !r.suspended);
    m_pause->setEnabled(usable && !r.suspended && !quarantined);
    m_quarantine->setEnabled(usable && !r.suspended && !quarantined);
    m_unquarantine->setEnabled(usable && quarantined);
}

void RunnerDetails::run(const QString &what, const std::function<void(const QString &)> &start)
{
    if (m_runnerId.isEmpty() || !m_connection || !m_connection->client())
        return;
    ++m_busy;
    refresh();
    start(what);
}

void RunnerDetails::fail(const QString &id, const QString &what, const Error &error)
{
    --m_busy;
    m_lastFailure.insert(id, error.requestId);
    emit operationFinished(what, error.toString());
    refresh();
}

void RunnerDetails::noteFailure(const QString &requestId)
{
    if (!requestId.isEmpty())
        m_lastFailure.insert(m_runnerId, requestId);
}

void RunnerDetails::connectRunner()
{
    const QString id = m_runnerId;
    run(tr("Connecting to %1").arg(id), [this, id](const QString &what) {
        m_connection->client()->runners()->connectRunner(id)->then(
            this,
            [this, what](const AllocateReply &reply) {
                --m_busy;
                m_model->refresh();
                emit operationFinished(what + tr(" (host %1)").arg(reply.hostAddress), {});
                refresh();
            },
            [this, what, id](const Error &error) { fail(id, what, error); });
    });
}

void RunnerDetails::pauseRunner()
{
    const QString id = m_runnerId;
    const bool sync = m_syncFs->isChecked();
    run(tr("Pausing %1").arg(id), [this, id, sync](const QString &what) {
        m_connection->client()->runners()->pause(id, sync)->then(
            this,
            [this, what, id](const PauseReply &reply) {
                --m_busy;
                m_model->notePaused(id, reply.sessionId);
                emit operationFinished(what, {});
                refresh();
            },
            [this, what, id](const Error &error) { fail(id, what, error); });
    });
}

void RunnerDetails::quarantineRunner()
{
    const QString id = m_runnerId;
    const QString reason = m_reason->text().trimmed().isEmpty() ? QStringLiteral("capsule-desktop")
                                                                : m_reason->text().trimmed();
    const bool block = m_blockEgress->isChecked();
    run(tr("Quarantining %1").arg(id), [this, id, reason, block](const QString &what) {
        m_connection->client()
            ->runners()
            ->quarantine(id, reason, block)
            ->then(
                this,
                [this, what](const QuarantineReply &reply) {
                    --m_busy;
                    m_model->refresh();
                    emit operationFinished(what, reply.success ? QString() : reply.error);
                    refresh();
                },
                [this, what, id](const Error &error) { fail(id, what, error); });
    });
}

void RunnerDetails::unquarantineRunner()
{
    const QString id = m_runnerId;
    const bool unblock = m_blockEgress->isChecked();
    run(tr("Unquarantining %1").arg(id), [this, id, unblock](const QString &what) {
        m_connection->client()
            ->runners()
            ->unquarantine(id, unblock)
            ->then(
                this,
                [this, what](const QuarantineReply &reply) {
                    --m_busy;
                    m_model->refresh();
                    emit operationFinished(what, reply.success ? QString() : reply.error);
                    refresh();
                },
                [this, what, id](const Error &error) { fail(id, what, error); });
    });
}

} // namespace capsule::app
