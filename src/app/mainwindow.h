// The main window: workloads, runners, files and terminals of the connected Capsule server.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <functional>

class QDockWidget;
class QLabel;
class QPlainTextEdit;
class QToolButton;
class QProgressBar;
class QSortFilterProxyModel;
class QTableView;

namespace Ui {
class MainWindow;
}

namespace capsule {
class Client;
class Error;
class RunnerSession;
class Job;
class TransferQueue;
} // namespace capsule

namespace capsule::app {

class FileBrowser;
class RunnersModel;
class ServerConnection;
class TerminalTabs;
class WorkloadsModel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    // The window does not own `connection` when given; call connection->start()/connectTo().
    explicit MainWindow(ServerConnection *connection, QWidget *parent = nullptr);
    ~MainWindow() override;

    ServerConnection *connection() const { return m_connection; }
    WorkloadsModel *workloadsModel() const { return m_workloads; }
    RunnersModel *runnersModel() const { return m_runners; }
    FileBrowser *fileBrowser() const { return m_files; }
    TransferQueue *transfers() const { return m_transfers; }
    // The Build log dock's text (the followed build's log; tests read it).
    QPlainTextEdit *buildLog() const { return m_buildLog; }
    TerminalTabs *terminalTabs() const { return m_terminals; }

    // Test seam: answers confirmation questions instead of showing a dialog.
    void setConfirmOverride(std::function<bool(const QString &question)> answer);

    QString selectedConfigId() const;
    QString selectedRunnerId() const;
    // Number of operations (allocate, build, pause...) still running.
    int busyCount() const { return m_busy; }

public slots:
    void refreshAll();
    void startRunner();
    void buildWorkload();
    void deleteWorkload();
    void pauseRunner();
    void copyRunnerId();
    void resumeRunner();
    void releaseRunner();
    void quarantineRunner();
    void showSettings();
    void showAbout();
    void newWorkload();
    void openOnboard();
    void openOnboardFile(const QString &path);
    void openTerminal();
    void closeTerminal();
    void browseFiles();
    // Ends the app the orderly way (also the close button and SIGTERM): saves the window state,
    // stops the embedded server, then emits shutdownFinished().
    void quit();
    // Creates the workload on the server, then builds it (when `build`) and follows the build.
    // When a workload of that name exists, asks first and names what would change.
    void onboard(const QJsonObject &body, bool build);
    // Uploads local files or folders into the runner's /workspace (drops on the runners list).
    void uploadToRunner(const QString &runnerId, const QStringList &localPaths);

signals:
    // Emitted after an operation finished; `error` is empty on success (tests and status bar).
    void operationFinished(const QString &what, const QString &error);
    // The window closed for good and the embedded server is stopped: the app may exit.
    void shutdownFinished();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void updateStatus();
    void updateActions();
    void onServerChanged();
    void confirm(const QString &question, std::function<void()> onYes);
    void createWorkload(const QJsonObject &body, bool build);
    void selectWorkload(const QString &configId);
    // The runner is gone (released): its terminal tabs stop and the Files tab lets go of it.
    void forgetRunner(const QString &runnerId, const QString &why);
    void finishShutdown();
    void showBuildLog();
    // The session of the selected runner unless it is suspended (or nothing is selected).
    RunnerSession *selectedRunningSession() const;
    void confirmWithClient(const QString &question, std::function<void(Client *)> action);
    void showError(const QString &what, const QString &message);
    // Tracks a running operation in the status bar; returns the callback that ends it.
    std::function<void(const QString &error)> beginOperation(const QString &what);
    QString runnerIdAt(int proxyRow) const;
    // Shows the build's log in the Build log dock (a BuildWatchJob) and ends `done` with its
    // failure message (the server's log tail), or an empty string when the build finished.
    void followBuild(const QString &configId, std::function<void(const QString &)> done);
    void cancelStart();

    Ui::MainWindow *m_ui;
    ServerConnection *m_connection;
    WorkloadsModel *m_workloads;
    RunnersModel *m_runners;
    QSortFilterProxyModel *m_workloadsProxy;
    QSortFilterProxyModel *m_runnersProxy;
    TransferQueue *m_transfers;
    FileBrowser *m_files;
    QLabel *m_statusLabel;
    QLabel *m_operationLabel;
    QProgressBar *m_progress;
    QToolButton *m_cancelButton;
    QPointer<Job> m_startJob;
    QDockWidget *m_buildDock;
    QPlainTextEdit *m_buildLog;
    TerminalTabs *m_terminals;
    QLabel *m_staleLabel;
    std::function<bool(const QString &)> m_confirmOverride;
    QString m_startStopReason;    // why a start in flight was cancelled by the app (server down)
    QString m_notice;             // the last connection notice (e.g. restarted), shown a while
    QString m_selectAfterRefresh; // a workload just created, selected once listed
    int m_busy = 0;
    bool m_quitting = false;
    bool m_shutDown = false;
};

} // namespace capsule::app
