// The main window: workloads, runners, files and terminals of the connected Capsule server.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <functional>
#include <memory>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QToolBar;
class QPlainTextEdit;
class QToolButton;
class QProgressBar;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;

namespace Ui {
class MainWindow;
}

namespace capsule {
class Client;
class Error;
class RunnerSession;
class Job;
struct BuildInfo;
struct AllocateOptions;
struct WorkloadSummary;
class TransferQueue;
} // namespace capsule

namespace capsule::app {

class ConnectionsDialog;
class EmptyHint;
class ExecConsoles;
class HostsView;
class TransfersPanel;
class Notifier;
class RunnerDetails;
class SnapshotsView;
class WorkloadWizard;
class StartRunnerDialog;
class FileBrowser;
class RunnersModel;
class ServerConnection;
class TerminalTabs;
class WorkloadsModel;

// Every action of the window, typed (no lookup by object name). The object names stay for
// QSettings-free diagnostics and for the tests that predate this struct.
struct AppActions
{
    // File
    QAction *newWorkload = nullptr;
    QAction *openOnboard = nullptr;
    QAction *settings = nullptr;
    QAction *preferences = nullptr;
    QAction *connections = nullptr;
    QAction *quit = nullptr;
    // Workload
    QAction *startRunner = nullptr;
    QAction *startRunnerWithOptions = nullptr;
    QAction *buildWorkload = nullptr;
    QAction *deleteWorkload = nullptr;
    QAction *rebuildWorkload = nullptr;
    QAction *cleanRebuildWorkload = nullptr;
    QAction *editWorkload = nullptr;
    QAction *duplicateWorkload = nullptr;
    QAction *exportOnboard = nullptr;
    // Runner
    QAction *openTerminal = nullptr;
    QAction *browseFiles = nullptr;
    QAction *runCommand = nullptr;
    QAction *runUname = nullptr;
    QAction *copyRunnerId = nullptr;
    QAction *pauseRunner = nullptr;
    QAction *resumeRunner = nullptr;
    QAction *quarantineRunner = nullptr;
    QAction *releaseRunner = nullptr;
    // View
    QAction *refresh = nullptr;
    QAction *closeTerminal = nullptr;
    QAction *terminalAppearance = nullptr;
    QAction *showTransfers = nullptr;
    QAction *showBuildLog = nullptr;
    QAction *showToolBar = nullptr;
    // Help
    QAction *about = nullptr;
};

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    static QJsonObject exampleWorkload();
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
    ExecConsoles *execConsoles() const { return m_consoles; }
    RunnerDetails *runnerDetails() const { return m_details; }
    SnapshotsView *snapshotsView() const { return m_snapshots; }
    QLineEdit *workloadsFilter() const { return m_workloadsFilter; }
    StartRunnerDialog *startRunnerDialog() const; // the last one opened (tests fill it in)
    ConnectionsDialog *connectionsDialog() const;
    QComboBox *profileSwitcher() const { return m_profileSwitcher; }
    const AppActions &actions() const { return m_actions; }
    QMenu *viewMenu() const { return m_viewMenu; }

    // Test seam: answers confirmation questions instead of showing a dialog.
    void setConfirmOverride(std::function<bool(const QString &question)> answer);

    QString selectedConfigId() const;
    QString selectedRunnerId() const;
    // Number of operations (allocate, build, pause...) still running.
    int busyCount() const { return m_busy; }

public slots:
    void refreshAll();
    void startRunner();
    // The Start Runner dialog with every allocation field (labels, session, policy...).
    void startRunnerWithOptions();
    void buildWorkload();
    // Build with force (and clean: drop cached layer results), like `capsule build --force`.
    void rebuildWorkload();
    void cleanRebuildWorkload();
    // Opens the wizard on the selected workload's stored definition (Edit) or on a copy named
    // NAME-copy (Duplicate).
    void editWorkload();
    void duplicateWorkload();
    // Save dialog, then exportOnboardTo(): the stored definition as onboard.yaml.
    void exportOnboard();
    void exportOnboardTo(const QString &path);
    void deleteWorkload();
    void pauseRunner();
    void copyRunnerId();
    void resumeRunner();
    void releaseRunner();
    void quarantineRunner();
    void showSettings();
    void showPreferences(int page = 0); // PreferencesDialog::Page
    void applyPreferences();            // theme and refresh interval, now
    // "Try an example": creates and builds a ready-made workload (exampleWorkload()).
    void tryExample();
    // The Connections dialog (profiles, health check, connect).
    void showConnections();
    // Switches the window to another connection profile; asks first when terminals, running
    // commands or transfers of the current server would end.
    void switchProfile(const QString &profileId);
    void showAbout();
    void newWorkload();
    void openOnboard();
    void openOnboardFile(const QString &path);
    void openTerminal();
    void closeTerminal();
    void browseFiles();
    // A new exec console on the selected runner (Run tab); runs `command` at once when given.
    void runCommand(const QString &command = {});
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
    void buildSelected(bool force, bool clean);
    void withSelectedDefinition(const QString &what,
                                std::function<void(const QString &id, const QJsonObject &)> use);
    // Every wizard the window opens: bound to the current server (it creates, builds and follows
    // the build itself), and "Start a runner when ready" starts one here.
    WorkloadWizard *createWizard(const QString &title);
    void openWizardWith(const QJsonObject &body, const QString &title);
    // Starts a runner of `configId` with its defaults and opens its terminal (or its files).
    void startRunnerForConfig(const QString &configId, bool openFiles);
    void hintLinkActivated(const QString &link);
    void createProfileSwitcher();
    void reloadProfiles();
    void syncProfileSwitcher();
    // "2 terminal(s) will be closed, ..." for what a switch would end; "" when nothing.
    QString serverWorkSummary() const;
    void saveProfileState();
    void restoreProfileState();
    void showBuildLog();
    // The session of the selected runner unless it is suspended (or nothing is selected).
    RunnerSession *selectedRunningSession() const;
    void confirmWithClient(const QString &question, std::function<void(Client *)> action);
    void showError(const QString &what, const QString &message);
    // Tracks a running operation in the status bar; returns the callback that ends it (with an
    // error text, or the core Error whose server message and request id the error box details).
    class OperationEnd
    {
    public:
        explicit OperationEnd(std::function<void(const QString &, const QString &)> end)
            : m_end(std::move(end))
        {}
        void operator()(const QString &error) const { m_end(error, {}); }
        void operator()(const Error &error) const;

    private:
        std::function<void(const QString &, const QString &)> m_end;
    };
    OperationEnd beginOperation(const QString &what);
    void showError(const QString &what, const QString &message, const QString &details);
    QString runnerIdAt(int proxyRow) const;
    // Shows the build's log in the Build log dock (a BuildWatchJob) and ends `done` with its
    // failure message (the server's log tail), or an empty string when the build finished.
    void followBuild(const QString &configId, std::function<void(const QString &)> done);
    void cancelStart();
    WorkloadSummary selectedWorkloadSummary() const;
    void launchRunner(const WorkloadSummary &summary, const AllocateOptions &options,
                      bool openTerminalWhenReady, bool openFilesWhenReady);
    void watchBuild(const QString &configId, std::function<void(const QString &)> done,
                    int quietPolls = 0, int polls = 0);

    AppActions m_actions;
    QMenu *m_viewMenu = nullptr;
    QToolBar *m_toolBar = nullptr;
    ExecConsoles *m_consoles = nullptr;
    RunnerDetails *m_details = nullptr;
    Notifier *m_notifier = nullptr; // desktop notifications when inactive
    TransfersPanel *m_transfersPanel = nullptr;
    HostsView *m_hostsView = nullptr;
    SnapshotsView *m_snapshots = nullptr;
    QLineEdit *m_workloadsFilter = nullptr;
    QSplitter *m_runnersSplitter = nullptr;
    QComboBox *m_profileSwitcher = nullptr;
    EmptyHint *m_workloadsHint = nullptr;
    EmptyHint *m_runnersHint = nullptr;
    QPointer<ConnectionsDialog> m_connectionsDialog;
    QString m_selectRunnerAfterRefresh;
    bool m_restorePending = false;
    bool m_tokenInFile = false;                // the current server's token is in the 0600 file
    QPointer<StartRunnerDialog> m_startDialog; // the last one opened (tests fill it in)
    std::unique_ptr<Ui::MainWindow> m_ui;
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
    bool m_selectShowsTab = true; // selecting it shows the Workloads tab
    int m_busy = 0;
    bool m_quitting = false;
    bool m_shutDown = false;
};

} // namespace capsule::app
