// WinSCP-like browser of one runner's files: path bar, breadcrumbs, folder ops, uploads, downloads.
#pragma once

#include "app/files/conflicts.h"
#include "core/files.h"

#include <QFileInfo>
#include <QPointer>
#include <QWidget>
#include <functional>

class QLabel;
class QLineEdit;
class QTabWidget;
class QToolBar;
class QToolButton;
class QTreeView;
class QHBoxLayout;

namespace capsule {
class RunnerSession;
class TransferQueue;
struct TransferOptions;
} // namespace capsule

namespace capsule::app {

class BookmarksButton;
class DragOut;
class ExternalOpen;
class FilePreview;
class LocalFilesView;
class PeerPane;
class RemoteEditor;
class RemoteFilesModel;

class FileBrowser : public QWidget
{
    Q_OBJECT
public:
    FileBrowser(TransferQueue *transfers, QWidget *parent = nullptr);

    void setSession(RunnerSession *session,
                    const QString &startPath = QStringLiteral("/workspace"));
    RunnerSession *session() const;
    // The workload of the session's runner: the path bar's bookmarks are kept per workload key
    // (call after setSession; until then they are kept per runner).
    void setWorkloadKey(const QString &key);
    BookmarksButton *bookmarksButton() const { return m_bookmarks; }
    RemoteFilesModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    // The local pane: remote rows dropped on one of its folders are downloaded there.
    LocalFilesView *localView() const { return m_local; }
    QString path() const;
    // The top folders the host lets the client reach (contract 3.3) and whether each exists in
    // this runner (known after setSession's stats; every root counts as present until then).
    QStringList roots() const;
    bool rootExists(const QString &root) const { return !m_missingRoots.contains(root); }
    // The allowed root `path` lies in ("" when outside every root).
    QString rootOf(const QString &path) const;
    // The hint shown instead of the runner's list while no runner is picked.
    QLabel *hint() const { return m_hint; }
    // From the app's settings: verify, and the runner's user owns uploads (Connection Settings).
    static TransferOptions transferOptions();

    // Test seams: answer questions and name pickers without dialogs.
    void setConfirmOverride(std::function<bool(const QString &)> answer);
    void
    setTextInputOverride(std::function<QString(const QString &label, const QString &text)> ask);
    // Opens `path` in an editor tab (or shows the tab that has it already).
    RemoteEditor *openEditor(const QString &path);
    QTabWidget *tabs() const { return m_tabs; }
    // Downloads `path` to a temporary folder, opens it with the system's application and offers
    // to upload it when it changes there.
    ExternalOpen *openExternally(const QString &path);
    FilePreview *preview() const { return m_preview; }
    // A second runner's files in place of the local pane (nullptr: this computer again); rows
    // dragged between the two runner lists are copied runner to runner through the queue.
    void setPeerSession(RunnerSession *peer, const QString &path = QStringLiteral("/workspace"));
    PeerPane *peerPane() const { return m_peer; }
    // Copies `paths` of runner `sourceRunnerId` (this browser's or the peer's) into `targetDir`
    // of `target`, streamed through the app.
    void relay(const QString &sourceRunnerId, const QStringList &paths, RunnerSession *target,
               const QString &targetDir);
    // Test seam: replaces QDesktopServices::openUrl for openExternally().
    void setExternalOpener(std::function<bool(const QString &)> opener)
    {
        m_externalOpener = std::move(opener);
    }
    // Answers the "already exists" questions of uploads and downloads instead of the dialog.
    void setConflictOverride(ConflictSeam answer);

public slots:
    void navigate(const QString &path);
    void goUp();
    void refresh();
    void makeFolder();
    void deleteSelected();
    void renameSelected();
    void uploadFiles();
    void uploadFolder();
    void downloadSelected();
    void editSelected();
    void openSelectedExternally();
    void togglePreview();
    void upload(const QStringList &localPaths, const QString &remoteDir);
    void download(const QStringList &remotePaths, const QString &localDir);

signals:
    void message(const QString &text);
    void editorOpened(capsule::app::RemoteEditor *editor);

private:
    void rebuildBreadcrumbs(const QString &path);
    void confirm(const QString &question, std::function<void()> onYes);
    void askText(const QString &label, const QString &text, std::function<void(QString)> onOk);
    QStringList selectedPaths(bool *anyDir = nullptr) const;
    void reportError(const QString &what, const QString &message);
    void closeEditor(int index);
    void updatePreview();
    void uploadBatch(RunnerSession *s, const QList<QFileInfo> &sources, const QString &remoteDir,
                     const QList<FileInfo> &existing);
    void resolveBatch(bool upload, RunnerSession *s, const QList<QPair<QString, QString>> &clear,
                      const QList<ConflictItem> &items, const QSet<QString> &taken);
    void enqueue(bool upload, RunnerSession *s, const QString &source, const QString &target,
                 bool overwrite);
    void downloadFrom(RunnerSession *s, const RemoteFilesModel *rows,
                      const QStringList &remotePaths, const QString &localDir);
    // The runner list (this browser's or the peer's) showing runner `runnerId`, or nullptr.
    const RemoteFilesModel *paneOf(const QString &runnerId) const;
    // Rows of either runner list dragged out to a file manager, which named `localDir`.
    void downloadDropped(const QString &runnerId, const QStringList &remotePaths,
                         const QString &localDir);

    TransferQueue *m_transfers;
    RemoteFilesModel *m_model;
    QTreeView *m_view;
    LocalFilesView *m_local;
    QLineEdit *m_pathEdit;
    QWidget *m_crumbs;
    QHBoxLayout *m_crumbsLayout;
    QLabel *m_info;
    QLabel *m_hint;
    QToolBar *m_toolBar;
    QToolButton *m_rootsButton;
    QTabWidget *m_tabs;
    FilePreview *m_preview;
    PeerPane *m_peer;
    QLineEdit *m_filterEdit;
    BookmarksButton *m_bookmarks;
    DragOut *m_dragOut;
    QWidget *m_localPane = nullptr;
    std::function<bool(const QString &)> m_externalOpener;
    QStringList m_missingRoots;
    std::function<bool(const QString &)> m_confirmOverride;
    std::function<QString(const QString &, const QString &)> m_textOverride;
    ConflictSeam m_conflictOverride;
};

} // namespace capsule::app
