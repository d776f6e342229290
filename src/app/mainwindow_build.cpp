// The main window's Build log: follows a build's log streams (contract section 10) or polls layers.
#include "app/mainwindow.h"

#include "app/connections/serverconnection.h"
#include "app/workloads/workloadsmodel.h"

#include "core/client.h"

#include <QDockWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QStatusBar>
#include <QTimer>

namespace capsule::app {

void MainWindow::followBuild(const QString &configId, std::function<void(const QString &)> done)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    client->configs()->builds(configId)->then(
        this,
        [this, configId, done](const BuildList &list) {
            if (!list.offered || list.builds.isEmpty()) {
                watchBuild(configId, done);
                return;
            }
            // One build per layer, oldest first: follow every one still in flight, root to leaf,
            // so a parent's failure shows its own log.
            QList<BuildInfo> builds;
            for (const BuildInfo &b : list.builds) {
                if (b.status == QLatin1String("queued") || b.status == QLatin1String("running") ||
                    b.status == QLatin1String("waiting_parent"))
                    builds.append(b);
            }
            if (builds.isEmpty())
                builds.append(list.builds.last());
            m_buildDock->setWindowTitle(tr("Build log - %1").arg(configId));
            m_buildLog->clear();
            m_buildDock->show();
            m_buildDock->raise();
            followBuildLogs(configId, builds, 0, done);
        },
        [this, configId, done](const Error &) { watchBuild(configId, done); });
}

void MainWindow::followBuildLogs(const QString &configId, const QList<BuildInfo> &builds, int at,
                                 std::function<void(const QString &)> done)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    if (at >= builds.size()) {
        // Every followed build ended well; the layers poll confirms the leaf is active.
        watchBuild(configId, done);
        return;
    }
    const BuildInfo &build = builds.at(at);
    m_buildLog->appendPlainText(tr("== layer %1, build %2 ==").arg(build.layerName, build.version));
    HttpJob *follow = client->configs()->followBuildLog(configId, build.version);
    QPointer<QPlainTextEdit> log = m_buildLog;
    connect(follow, &HttpJob::chunk, this, [log](const QByteArray &data) {
        if (!log)
            return;
        log->moveCursor(QTextCursor::End);
        log->insertPlainText(QString::fromUtf8(data));
        log->moveCursor(QTextCursor::End);
    });
    connect(follow, &Job::finished, this, [this, follow, configId, builds, at, done] {
        follow->deleteLater();
        if (follow->hasError() && follow->error().kind == ErrorKind::NotFound) {
            watchBuild(configId, done); // not offered after all
            return;
        }
        finishFollowedBuild(configId, builds, at, done);
    });
}

void MainWindow::finishFollowedBuild(const QString &configId, const QList<BuildInfo> &builds,
                                     int at, std::function<void(const QString &)> done)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    const QString version = builds.at(at).version;
    // The log stream ends with the build; the build list says how it ended.
    client->configs()->builds(configId)->then(
        this,
        [this, configId, builds, at, version, done](const BuildList &list) {
            for (const BuildInfo &b : list.builds) {
                if (b.version != version)
                    continue;
                const bool failed =
                    b.status == QLatin1String("failed") || (b.exitCode && *b.exitCode != 0);
                if (failed) {
                    QStringList lines = m_buildLog->toPlainText().split(QLatin1Char('\n'));
                    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
                        lines.removeLast();
                    const QString tail =
                        lines.mid(qMax(0, int(lines.size()) - 10)).join(QLatin1Char('\n'));
                    done(tr("The build %1 of %2 (layer %3) failed (exit %4):\n%5")
                             .arg(version, configId, b.layerName)
                             .arg(b.exitCode.value_or(-1))
                             .arg(tail));
                    return;
                }
            }
            followBuildLogs(configId, builds, at + 1, done);
        },
        [this, configId, done](const Error &) { watchBuild(configId, done); });
}

void MainWindow::watchBuild(const QString &configId, std::function<void(const QString &)> done,
                            int quietPolls, int polls)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    // Polls the layers (2.1): finished = leaf active with a version; a failed build only shows
    // as layers left pending with no build in flight, so a few quiet polls in a row mean failure.
    client->configs()->get(configId)->then(
        this,
        [this, configId, done, quietPolls, polls](const ConfigDetail &detail) {
            const WorkloadRow row = WorkloadsModel::rowFrom(detail.config, detail.layers, true);
            statusBar()->showMessage(tr("Building %1: %2").arg(configId, row.status), 3000);
            if ((detail.buildFinished() && !row.building) || detail.layers.isEmpty()) {
                done({});
                return;
            }
            const int quiet = row.building ? 0 : quietPolls + 1;
            if (quiet >= 3) {
                done(tr("The build of %1 did not finish: %2").arg(configId, row.layersText));
                return;
            }
            QTimer::singleShot(1000, this, [this, configId, done, quiet, polls] {
                watchBuild(configId, done, quiet, polls + 1);
            });
        },
        [done](const Error &error) { done(error.toString()); });
}

} // namespace capsule::app
