// Watching a layered config's build to its end (see buildwatch.h for the rules).
#include "core/buildwatch.h"

#include "core/layeredconfigs.h"

#include <QHash>
#include <QTimer>

namespace capsule {

namespace {

bool failed(const BuildInfo &b)
{
    return isFailure(b.state()) || (!isInFlight(b.state()) && b.exitCode && *b.exitCode != 0);
}

// The last `lines` non-empty-trailing lines of a log.
QString tail(const QByteArray &log, int lines)
{
    QStringList all = QString::fromUtf8(log).split(QLatin1Char('\n'));
    while (!all.isEmpty() && all.last().trimmed().isEmpty())
        all.removeLast();
    return all.mid(qMax(0, int(all.size()) - lines)).join(QLatin1Char('\n'));
}

} // namespace

BuildWatchJob::BuildWatchJob(LayeredConfigs *configs, QString configId, BuildWatchOptions options,
                             QObject *parent)
    : Job(parent)
    , m_configs(configs)
    , m_configId(std::move(configId))
    , m_options(options)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &BuildWatchJob::poll);
    m_clock.start();
    // Builds that ended since shortly before the watch began count as this watch's builds.
    m_since = QDateTime::currentDateTimeUtc().addSecs(-5);
    m_timer->start(0);
}

BuildWatchJob::~BuildWatchJob()
{
    // Steps are parented to the resource object; stop and drop any still running.
    for (Job *job : {m_step.data(), static_cast<Job *>(m_follow.data())}) {
        if (!job)
            continue;
        if (!job->isFinished())
            job->cancel();
        job->deleteLater();
    }
}

void BuildWatchJob::onCancel()
{
    m_timer->stop();
    if (m_step)
        m_step->cancel();
    if (m_follow)
        m_follow->cancel();
}

void BuildWatchJob::schedule()
{
    if (isFinished())
        return;
    if (m_options.timeoutMs > 0 && m_clock.elapsed() >= m_options.timeoutMs) {
        onCancel();
        fail(Error(ErrorKind::OperationTimeout, tr("The build of %1 did not finish within %2 s.")
                                                    .arg(m_configId)
                                                    .arg(m_options.timeoutMs / 1000)));
        return;
    }
    m_timer->start(m_options.intervalMs);
}

void BuildWatchJob::poll()
{
    if (isFinished())
        return;
    auto *job = m_configs->get(m_configId);
    m_step = job;
    job->then(
        this, [this](const ConfigDetail &detail) { onDetail(detail); },
        [this](const Error &error) {
            if (!isFinished())
                fail(error);
        });
}

void BuildWatchJob::onDetail(const ConfigDetail &detail)
{
    if (isFinished())
        return;
    m_detail = detail;
    int active = 0;
    for (const LayerStatus &l : detail.layers)
        active += l.state() == LayerState::Active && l.buildState() == BuildState::None ? 1 : 0;
    emit layersChanged(detail.layers);
    emit progress(active, detail.layers.size());
    // Rule 1 (contract 2.1: built = leaf active with a current version).
    if ((detail.buildFinished() && !detail.buildInFlight()) || detail.layers.isEmpty()) {
        m_done = true;
        if (!m_routesOffered) {
            succeedWhenLogsEnded();
            return;
        }
        // One more look at the build list: a forced rebuild may have failed, a fast build may
        // have run between two polls.
    }
    if (!m_routesOffered) {
        // Rule 3 without build routes.
        m_quiet = detail.buildInFlight() ? 0 : m_quiet + 1;
        if (m_quiet >= m_options.quietPolls) {
            fail(Error(ErrorKind::Generic,
                       tr("The build of %1 failed or was never started: its leaf layer is %2 and "
                          "no build is in flight.")
                           .arg(m_configId, detail.layers.last().status)));
            return;
        }
        schedule();
        return;
    }
    auto *job = m_configs->builds(m_configId);
    m_step = job;
    job->then(
        this, [this](const BuildList &list) { onBuilds(list); },
        [this](const Error &error) {
            if (!isFinished())
                fail(error);
        });
}

void BuildWatchJob::onBuilds(const BuildList &list)
{
    if (isFinished())
        return;
    if (!list.offered) {
        m_routesOffered = false;
        if (m_done)
            succeedWhenLogsEnded();
        else
            onDetail(m_detail); // judge this poll by the layers alone
        return;
    }
    // The newest build of every layer of this config, root first (the list is oldest first).
    QHash<QString, BuildInfo> newest;
    for (const BuildInfo &b : list.builds)
        newest.insert(b.layerName, b);
    QList<BuildInfo> latest;
    bool anyInFlight = m_detail.buildInFlight();
    for (const LayerStatus &l : m_detail.layers) {
        const auto it = newest.constFind(l.name);
        if (it == newest.constEnd())
            continue;
        latest.append(*it);
        anyInFlight = anyInFlight || isInFlight(it->state());
    }
    if (m_options.followLogs)
        queueFollows(latest);
    if (!anyInFlight) {
        // Rule 2: the root-most failure is the cause (children fail with "parent not built").
        // When the leaf is active anyway (a forced rebuild failed), only a failure of this
        // watch's time counts.
        for (const BuildInfo &b : latest) {
            if (failed(b) && (!m_done || (b.finishedAt.isValid() && b.finishedAt >= m_since))) {
                failBuild(b);
                return;
            }
        }
    }
    if (m_done) {
        succeedWhenLogsEnded();
        return;
    }
    if (anyInFlight) {
        m_quiet = 0;
    } else if (++m_quiet >= m_options.quietPolls) {
        // Rule 3.
        fail(Error(ErrorKind::Generic,
                   tr("%1 is not built and no build is in flight (its leaf layer is %2).")
                       .arg(m_configId, m_detail.layers.last().status)));
        return;
    }
    schedule();
}

void BuildWatchJob::failBuild(const BuildInfo &build)
{
    const QString head = build.state() == BuildState::Cancelled
                             ? tr("The build %1 of %2 (layer %3) was cancelled.")
                                   .arg(build.version, m_configId, build.layerName)
                             : tr("The build %1 of %2 (layer %3) failed (exit %4).")
                                   .arg(build.version, m_configId, build.layerName)
                                   .arg(build.exitCode.value_or(-1));
    // The message comes from the server's own log of that build, not from what we streamed.
    auto *job = m_configs->buildLog(m_configId, build.version);
    m_step = job;
    job->then(
        this,
        [this, head](const BuildLog &log) {
            if (isFinished())
                return;
            const QString text = tail(log.text, kFailureLogLines);
            onCancel(); // stop a stream still open
            fail(
                Error(ErrorKind::Generic, text.isEmpty() ? head : head + QLatin1Char('\n') + text));
        },
        [this, head](const Error &) {
            if (isFinished())
                return;
            onCancel();
            fail(Error(ErrorKind::Generic, head));
        });
}

void BuildWatchJob::queueFollows(const QList<BuildInfo> &latest)
{
    for (const BuildInfo &b : latest) {
        // Builds in flight now, and ones that ended since the watch began (a fast layer may
        // start and end between two polls) are streamed; older finished builds are not.
        const bool recent =
            isInFlight(b.state()) || (b.finishedAt.isValid() && b.finishedAt >= m_since);
        if (!recent || m_followed.contains(b.version))
            continue;
        m_followed.insert(b.version);
        m_followQueue.append(b.layerName + QLatin1Char('\n') + b.version);
    }
    if (!m_follow)
        followNext();
}

void BuildWatchJob::followNext()
{
    if (isFinished() || m_follow)
        return;
    if (m_followQueue.isEmpty()) {
        if (m_done)
            succeed();
        return;
    }
    const QStringList parts = m_followQueue.takeFirst().split(QLatin1Char('\n'));
    emit logStarted(parts.at(0), parts.at(1));
    HttpJob *follow = m_configs->followBuildLog(m_configId, parts.at(1));
    m_follow = follow;
    connect(follow, &HttpJob::chunk, this, &BuildWatchJob::logText);
    connect(follow, &Job::finished, this, [this, follow] {
        follow->deleteLater();
        if (follow->hasError() && follow->error().kind == ErrorKind::NotFound)
            m_followQueue.clear(); // the log routes are not offered
        followNext();
    });
}

void BuildWatchJob::succeedWhenLogsEnded()
{
    if (isFinished())
        return;
    if (m_follow || !m_followQueue.isEmpty()) {
        if (!m_follow)
            followNext();
        // followNext() succeeds when the last stream ends; a stream the server keeps open after
        // the build ended must not hold the result back: give the logs a grace period.
        QTimer::singleShot(kLogGraceMs, this, [this] {
            if (isFinished())
                return;
            m_followQueue.clear();
            if (m_follow)
                m_follow->cancel();
            if (!isFinished())
                succeed();
        });
        return;
    }
    succeed();
}

} // namespace capsule
