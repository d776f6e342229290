// Watching a layered config's build to its end: the one set of rules the app's Build log dock,
// the wizard and `capsule build --wait` / `capsule onboard --wait` share (issue 13).
#pragma once

#include "core/job.h"
#include "core/models.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QPointer>
#include <QSet>
#include <QStringList>

class QTimer;

namespace capsule {

class HttpJob;
class LayeredConfigs;

struct BuildWatchOptions
{
    // Time between two polls of the config's layers (and its build list).
    int intervalMs = 1000;
    // The whole watch gives up after this long (the Go onboard tool waits 45 minutes); <= 0 =
    // never.
    qint64 timeoutMs = 45LL * 60 * 1000;
    // Without the section-10 build routes a failure is invisible (contract 2.1: a failed build
    // leaves its layer pending without build_status), so this many polls in a row with nothing in
    // flight and the leaf not active count as a failure.
    int quietPolls = 3;
    // Stream the log of every build in flight (section 10 ?follow=true), root layer first.
    bool followLogs = true;
};

// Polls GET layered-configs/{id} every intervalMs and, where the server offers it, the build
// list. Rules, in this order, on each poll:
//  1. the leaf layer is active with a version and no build is in flight -> success (after the
//     log being streamed, if any, has ended);
//  2. nothing is in flight and the newest build of some layer failed or was cancelled -> failure
//     naming the root-most such layer, its version and exit code, with the last lines of that
//     build's log as the server stores it (GET .../builds/{version}/log);
//  3. nothing is in flight and no build failed (or the build routes are absent) for quietPolls
//     polls in a row -> failure "not built and no build in flight";
//  4. the time budget is spent -> ErrorKind::OperationTimeout.
// A failed poll (e.g. the config was deleted: NotFound) fails the job with that error.
// progress(active layers, all layers) follows the layers; cancel() stops polling and streaming.
class BuildWatchJob : public Job
{
    Q_OBJECT
public:
    BuildWatchJob(LayeredConfigs *configs, QString configId, BuildWatchOptions options = {},
                  QObject *parent = nullptr);
    ~BuildWatchJob() override;

    // Starts on the next event-loop turn, so signals can be connected first.
    QString configId() const { return m_configId; }
    // The last polled state (empty before the first poll).
    const ConfigDetail &detail() const { return m_detail; }
    // How many lines of the failed build's log the failure message carries.
    static constexpr int kFailureLogLines = 12;
    // After the build ended, how long the log streams still open may take to end.
    static constexpr int kLogGraceMs = 3000;

signals:
    // After every poll: the layers root first (LayerStatus::status/buildStatus per layer).
    void layersChanged(const QList<capsule::LayerStatus> &layers);
    // The log of a build starts streaming; logText() follows with its bytes.
    void logStarted(const QString &layerName, const QString &version);
    void logText(const QByteArray &text);

protected:
    void onCancel() override;

private:
    void poll();
    void onDetail(const ConfigDetail &detail);
    void onBuilds(const BuildList &list);
    void failBuild(const BuildInfo &build);
    void queueFollows(const QList<BuildInfo> &latest);
    void followNext();
    void schedule();
    void succeedWhenLogsEnded();

    LayeredConfigs *m_configs;
    QString m_configId;
    BuildWatchOptions m_options;
    QTimer *m_timer;
    QElapsedTimer m_clock;
    QDateTime m_since;
    ConfigDetail m_detail;
    int m_quiet = 0;
    bool m_routesOffered = true;
    bool m_done = false; // the build ended well; succeed once the log stream ended
    QPointer<Job> m_step;
    QPointer<HttpJob> m_follow;
    QStringList m_followQueue; // "layer\nversion", root first
    QSet<QString> m_followed;
};

} // namespace capsule
