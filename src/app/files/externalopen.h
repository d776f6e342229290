// "Open with System Application": a runner's file downloaded to a temporary folder, opened with
// the desktop's default application, watched, and uploaded back when saved there (as WinSCP
// does), after asking.
#pragma once

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QObject>
#include <QPointer>
#include <QTemporaryDir>
#include <QTimer>
#include <functional>

class QWidget;

namespace capsule {
class RunnerSession;
class TransferQueue;
} // namespace capsule

namespace capsule::app {

class ExternalOpen : public QObject
{
    Q_OBJECT
public:
    // Test seams: `opener` replaces QDesktopServices::openUrl, `ask` the upload question.
    using Opener = std::function<bool(const QString &localPath)>;
    using Ask = std::function<bool(const QString &question)>;

    ExternalOpen(RunnerSession *session, TransferQueue *queue, const QString &remotePath,
                 QWidget *parent);

    void setOpener(Opener opener) { m_opener = std::move(opener); }
    void setAsk(Ask ask) { m_ask = std::move(ask); }
    void start();

    QString remotePath() const { return m_remotePath; }
    QString localPath() const { return m_localPath; }

signals:
    void opened(const QString &localPath);
    void failed(const QString &message);
    void uploadStarted(int transferId);

private:
    void downloaded();
    void localChanged();
    QByteArray localHash() const;

    QPointer<RunnerSession> m_session;
    QPointer<TransferQueue> m_queue;
    QWidget *m_parentWidget;
    QString m_remotePath;
    QTemporaryDir m_dir;
    QString m_localPath;
    QByteArray m_lastHash; // of the content the runner has (downloaded or last uploaded)
    QFileSystemWatcher m_watcher;
    QTimer m_settle; // editors write in several steps: wait until the file is quiet
    bool m_asking = false;
    Opener m_opener;
    Ask m_ask;
};

} // namespace capsule::app
