// WinSCP-like browser of one runner's files: path bar, breadcrumbs, folder ops, uploads, downloads.
#pragma once

#include <QPointer>
#include <QWidget>
#include <functional>

class QLabel;
class QLineEdit;
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

class LocalFilesView;
class RemoteFilesModel;

class FileBrowser : public QWidget
{
    Q_OBJECT
public:
    FileBrowser(TransferQueue *transfers, QWidget *parent = nullptr);

    void setSession(RunnerSession *session,
                    const QString &startPath = QStringLiteral("/workspace"));
    RunnerSession *session() const;
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
    void upload(const QStringList &localPaths, const QString &remoteDir);
    void download(const QStringList &remotePaths, const QString &localDir);

signals:
    void message(const QString &text);

private:
    void rebuildBreadcrumbs(const QString &path);
    void confirm(const QString &question, std::function<void()> onYes);
    void askText(const QString &label, const QString &text, std::function<void(QString)> onOk);
    QStringList selectedPaths(bool *anyDir = nullptr) const;
    void reportError(const QString &what, const QString &message);

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
    QStringList m_missingRoots;
    std::function<bool(const QString &)> m_confirmOverride;
    std::function<QString(const QString &, const QString &)> m_textOverride;
};

} // namespace capsule::app
