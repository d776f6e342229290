// The main window's Build log: a BuildWatchJob (core/buildwatch.h) streams the build's log into
// the dock and says how the build ended, by the same rules as `capsule build --wait`.
#include "app/mainwindow.h"
#include "app/widgets/statetext.h"

#include "app/connections/serverconnection.h"
#include "app/widgets/notifier.h"
#include "app/workloads/workloadsmodel.h"

#include "core/buildwatch.h"
#include "core/client.h"

#include <QDockWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QStatusBar>

namespace capsule::app {

namespace {

// Appends text at the end of the log, keeping the view at the end.
void appendRaw(QPlainTextEdit *log, const QString &text)
{
    log->moveCursor(QTextCursor::End);
    log->insertPlainText(text);
    log->moveCursor(QTextCursor::End);
}

} // namespace

void MainWindow::followBuild(const QString &configId, std::function<void(const QString &)> done)
{
    Client *client = m_connection->client();
    if (!client) {
        done(tr("Disconnected while building."));
        return;
    }
    m_buildDock->setWindowTitle(tr("Build log - %1").arg(configId));
    m_buildLog->clear();
    m_buildDock->show();
    m_buildDock->raise();
    auto *watch = new BuildWatchJob(client->configs(), configId, {}, this);
    QPointer<QPlainTextEdit> log = m_buildLog;
    connect(watch, &BuildWatchJob::logStarted, this,
            [log](const QString &layer, const QString &version) {
                if (!log)
                    return;
                // The header is a line of its own: the previous log may end without a newline.
                const QString text = log->toPlainText();
                const QString lead = text.isEmpty() || text.endsWith(QLatin1Char('\n'))
                                         ? QString()
                                         : QStringLiteral("\n");
                appendRaw(log, lead + tr("== layer %1, build %2 ==").arg(layer, version) +
                                   QLatin1Char('\n'));
            });
    connect(watch, &BuildWatchJob::logText, this, [log](const QByteArray &data) {
        if (log)
            appendRaw(log, QString::fromUtf8(data));
    });
    connect(watch, &BuildWatchJob::layersChanged, this,
            [this, configId](const QList<LayerStatus> &layers) {
                QStringList parts;
                for (const LayerStatus &l : layers)
                    parts << QStringLiteral("%1 %2").arg(l.name, layerStateText(l));
                statusBar()->showMessage(
                    tr("Building %1: %2").arg(configId, parts.join(QStringLiteral(", "))), 3000);
            });
    connect(watch, &Job::finished, this, [this, watch, done, configId] {
        watch->deleteLater();
        const QString error = watch->hasError() ? watch->error().message : QString();
        if (!watch->hasError() || watch->error().kind != ErrorKind::Cancelled)
            m_notifier->notify(error.isEmpty() ? tr("Build finished") : tr("Build failed"),
                               error.isEmpty() ? tr("%1 is built.").arg(configId)
                                               : tr("%1: %2").arg(configId, error),
                               !error.isEmpty());
        done(error);
    });
}

} // namespace capsule::app
