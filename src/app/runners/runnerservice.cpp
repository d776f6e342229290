// See runnerservice.h.
#include "app/runners/runnerservice.h"

#include "app/connections/serverconnection.h"

#include "core/client.h"

#include <QCheckBox>
#include <QDesktopServices>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace capsule::app {

namespace {
// How much service log the pane keeps (the view drops the oldest blocks beyond it).
constexpr int kMaxLogBlocks = 5000;
} // namespace

RunnerService::RunnerService(ServerConnection *connection, QWidget *parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_ttl(new QLabel(this))
    , m_port_(new QLabel(this))
    , m_urlLabel(new QLabel(this))
    , m_open(new QPushButton(tr("Open in &browser"), this))
    , m_follow(new QCheckBox(tr("&Follow"), this))
    , m_reload(new QPushButton(tr("Re&load logs"), this))
    , m_log(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("runnerService"));
    m_ttl->setObjectName(QStringLiteral("detail_ttl"));
    m_port_->setObjectName(QStringLiteral("detail_port"));
    m_urlLabel->setObjectName(QStringLiteral("detail_url"));
    m_open->setObjectName(QStringLiteral("openInBrowser"));
    m_follow->setObjectName(QStringLiteral("followServiceLogs"));
    m_log->setObjectName(QStringLiteral("serviceLogs"));
    for (QLabel *label : {m_ttl, m_port_, m_urlLabel}) {
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setWordWrap(true);
    }
    m_open->setToolTip(tr("Open the start command's service through the host's proxy"));
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep showing new lines as the service writes them"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(kMaxLogBlocks);
    m_log->setPlaceholderText(tr("The start command's output appears here."));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_log->setFont(mono);

    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    form->addRow(tr("TTL:"), m_ttl);
    form->addRow(tr("Service:"), m_port_);
    auto *urlRow = new QHBoxLayout;
    urlRow->addWidget(m_urlLabel, 1);
    urlRow->addWidget(m_open);
    form->addRow(tr("Service URL:"), urlRow);
    auto *logBar = new QHBoxLayout;
    logBar->addWidget(new QLabel(tr("Service logs:"), this));
    logBar->addStretch(1);
    logBar->addWidget(m_follow);
    logBar->addWidget(m_reload);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addLayout(logBar);
    layout->addWidget(m_log, 1);
    connect(m_open, &QPushButton::clicked, this, &RunnerService::openInBrowser);
    connect(m_reload, &QPushButton::clicked, this, &RunnerService::reloadLogs);
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            reloadLogs();
        else
            stopLogs();
    });
    setRunner({}, {}, {}, false);
}

RunnerService::~RunnerService()
{
    stopLogs();
    if (m_workloadJob)
        m_workloadJob->cancel();
}

void RunnerService::setRunner(const QString &runnerId, const QString &workloadKey,
                              const QString &hostAddress, bool running)
{
    const bool sameRunner = runnerId == m_runnerId && workloadKey == m_workloadKey;
    if (sameRunner && hostAddress == m_hostAddress && running == m_running && !runnerId.isEmpty())
        return;
    const bool wasReachable = m_running && !m_hostAddress.isEmpty();
    m_hostAddress = hostAddress;
    m_running = running;
    if (!sameRunner || runnerId.isEmpty()) {
        m_runnerId = runnerId;
        m_workloadKey = workloadKey;
        m_hasService = false;
        m_port = 0;
        stopLogs();
        m_log->clear();
        const QString none = QStringLiteral("\u2014");
        m_ttl->setText(none);
        m_port_->setText(none);
        if (!runnerId.isEmpty())
            loadWorkload();
    }
    updateUrl();
    const bool reachable = m_running && !m_hostAddress.isEmpty();
    if (reachable && m_hasService && (!sameRunner || !wasReachable))
        reloadLogs();
    else if (!reachable)
        stopLogs();
}

void RunnerService::loadWorkload()
{
    if (m_workloadJob)
        m_workloadJob->cancel();
    if (!m_connection || !m_connection->client() || m_workloadKey.isEmpty())
        return;
    m_ttl->setText(tr("loading\u2026"));
    const QString runner = m_runnerId;
    auto *job = m_connection->client()->workloads()->get(m_workloadKey);
    m_workloadJob = job;
    job->then(
        this,
        [this, runner](const ConfigDetail &detail) {
            if (runner != m_runnerId)
                return;
            const StoredConfig &c = detail.config;
            if (c.runnerTtlSeconds > 0)
                m_ttl->setText(c.autoPause ? tr("%n s idle, then paused (auto-pause on)", nullptr,
                                                int(c.runnerTtlSeconds))
                                           : tr("%n s (auto-pause off: the runner is not paused)",
                                                nullptr, int(c.runnerTtlSeconds)));
            else
                m_ttl->setText(c.autoPause ? tr("no TTL (auto-pause on, never idle long enough)")
                                           : tr("no TTL, auto-pause off"));
            m_hasService = !c.startCommand.isEmpty();
            if (m_hasService) {
                m_port = c.startCommand.value(QStringLiteral("port")).toInt();
                QStringList argv;
                for (const QJsonValue &v :
                     c.startCommand.value(QStringLiteral("command")).toArray())
                    argv << v.toString();
                // The host proxies to the start command's port, else to 10500 (contract 3.5).
                m_port_->setText(m_port > 0 ? tr("port %1: %2").arg(m_port).arg(argv.join(u' '))
                                            : tr("port 10500 (default): %1").arg(argv.join(u' ')));
            } else {
                m_port_->setText(tr("no start command"));
            }
            updateUrl();
            if (m_hasService && m_running && !m_hostAddress.isEmpty())
                reloadLogs();
        },
        [this, runner](const Error &error) {
            if (runner == m_runnerId && error.kind != ErrorKind::Cancelled)
                m_ttl->setText(tr("unknown (%1)").arg(error.toString()));
        });
}

void RunnerService::updateUrl()
{
    const bool reachable = m_running && !m_hostAddress.isEmpty() && m_hasService;
    m_url = reachable ? Http::hostUrl(m_hostAddress,
                                      QStringLiteral("/api/v1/runners/%1/proxy/").arg(m_runnerId))
                      : QUrl();
    if (m_url.isValid())
        m_urlLabel->setText(m_url.toString());
    else if (m_hasService)
        m_urlLabel->setText(tr("\u2014 (the runner is not running)"));
    else
        m_urlLabel->setText(QStringLiteral("\u2014"));
    m_open->setEnabled(m_url.isValid());
    m_reload->setEnabled(reachable);
    m_follow->setEnabled(reachable);
}

void RunnerService::openInBrowser()
{
    if (m_url.isValid())
        QDesktopServices::openUrl(m_url);
}

void RunnerService::stopLogs()
{
    if (m_logJob) {
        HttpJob *job = m_logJob;
        m_logJob = nullptr;
        job->disconnect(this);
        job->cancel();
        job->deleteLater();
    }
}

void RunnerService::reloadLogs()
{
    stopLogs();
    if (!m_connection || !m_connection->client() || m_runnerId.isEmpty() || !m_hasService)
        return;
    m_log->clear();
    Client *client = m_connection->client();
    QUrlQuery query;
    const bool follow = m_follow->isChecked();
    if (follow)
        query.addQueryItem(QStringLiteral("follow"), QStringLiteral("true"));
    HttpRequest req = client->hostResolver()->hostRequest(
        m_runnerId, QStringLiteral("/api/v1/runners/%1/service-logs").arg(m_runnerId), query);
    req.accept = "text/plain";
    req.stream = true;
    req.retry = RetryPolicy::HostRead;
    // A followed log is quiet for as long as the service is: no idle timeout then.
    req.timeout = follow ? TimeoutClass::None : TimeoutClass::Operation;
    req.timeoutOperation = QStringLiteral("stream");
    HttpJob *job = client->http()->send(req);
    m_logJob = job;
    connect(job, &HttpJob::chunk, this, [this](const QByteArray &data) {
        QScrollBar *bar = m_log->verticalScrollBar();
        const bool atEnd = bar->value() == bar->maximum();
        m_log->moveCursor(QTextCursor::End);
        m_log->insertPlainText(QString::fromUtf8(data));
        if (atEnd)
            bar->setValue(bar->maximum());
    });
    connect(job, &Job::finished, this, [this, job] {
        if (m_logJob == job)
            m_logJob = nullptr;
        job->deleteLater();
        if (!job->hasError())
            return;
        const Error &error = job->error();
        if (error.kind == ErrorKind::Cancelled)
            return;
        m_log->appendPlainText(
            error.kind == ErrorKind::NotFound
                ? tr("[no service logs yet: the start command has not written anything]")
                : tr("[service logs failed: %1 (request id %2)]")
                      .arg(error.toString(), error.requestId));
    });
}

QString RunnerService::field(const QString &name) const
{
    if (name == QLatin1String("ttl"))
        return m_ttl->text();
    if (name == QLatin1String("port"))
        return m_port_->text();
    if (name == QLatin1String("url"))
        return m_urlLabel->text();
    return {};
}

QString RunnerService::logText() const
{
    return m_log->toPlainText();
}

bool RunnerService::following() const
{
    return m_follow->isChecked();
}

void RunnerService::setFollow(bool on)
{
    m_follow->setChecked(on);
}

} // namespace capsule::app
