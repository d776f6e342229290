// WinSCP-like browser of one runner's files: path bar, breadcrumbs, folder ops, uploads, downloads.
#include "app/files/filebrowser.h"
#include "app/connections/serverconnection.h"
#include "app/widgets/confirm.h"

#include "app/files/bookmarks.h"
#include "app/files/dragout/dragout.h"
#include "app/files/externalopen.h"
#include "app/files/filepreview.h"
#include "app/files/localfilesview.h"
#include "app/files/peerpane.h"
#include "app/files/remoteeditor.h"
#include "app/files/remotefilesmodel.h"

#include "core/runnersession.h"
#include "core/transfer.h"

#include <QAction>
#include <QCompleter>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemModel>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPointer>
#include <QSplitter>
#include <QStandardPaths>
#include <QStringListModel>
#include <QTabBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>
#include <memory>

namespace capsule::app {

FileBrowser::FileBrowser(TransferQueue *transfers, QWidget *parent)
    : QWidget(parent)
    , m_transfers(transfers)
    , m_model(new RemoteFilesModel(this))
    , m_view(new QTreeView(this))
    , m_local(new LocalFilesView(this))
    , m_pathEdit(new QLineEdit(this))
    , m_crumbs(new QWidget(this))
    , m_crumbsLayout(new QHBoxLayout(m_crumbs))
    , m_info(new QLabel(this))
    , m_hint(new QLabel(this))
    , m_toolBar(nullptr)
    , m_rootsButton(new QToolButton(this))
    , m_tabs(new QTabWidget(this))
    , m_preview(new FilePreview(this))
    , m_peer(new PeerPane(this))
    , m_filterEdit(new QLineEdit(this))
    , m_bookmarks(new BookmarksButton(this))
    , m_dragOut(new DragOut(this))
{
    setObjectName(QStringLiteral("fileBrowser"));
    m_view->setObjectName(QStringLiteral("filesView"));
    // Rows dragged to a file manager are downloaded into the folder it names (dragout/).
    m_model->setDragOut(m_dragOut);
    m_peer->model()->setDragOut(m_dragOut);
    connect(m_dragOut, &DragOut::downloadRequested, this, &FileBrowser::downloadDropped);
    connect(m_dragOut, &DragOut::failed, this,
            [this](const QString &message) { reportError(tr("Drag out"), message); });
    m_pathEdit->setObjectName(QStringLiteral("pathEdit"));
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true); // lets the view skip measuring every row of big folders
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    // Drops from the desktop upload; drags onto the local pane download (never a move).
    m_view->setDragDropMode(QAbstractItemView::DragDrop);
    m_view->setDragEnabled(true);
    m_view->setDefaultDropAction(Qt::CopyAction);
    m_view->setAcceptDrops(true);
    m_view->viewport()->setAcceptDrops(true);
    m_view->setDropIndicatorShown(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->header()->resizeSection(RemoteFilesModel::NameColumn, 320);
    m_view->header()->resizeSection(RemoteFilesModel::SizeColumn, 90);
    m_view->header()->resizeSection(RemoteFilesModel::ModifiedColumn, 150);

    auto *toolBar = new QToolBar(this);
    m_toolBar = toolBar;
    toolBar->setIconSize(QSize(18, 18));
    auto add = [this, toolBar](const char *name, const QString &icon, const QString &text,
                               const QKeySequence &key, void (FileBrowser::*slot)(),
                               bool onToolbar = true, bool inMenu = true) {
        auto *action = new QAction(icon.isEmpty() ? QIcon() : QIcon(icon), text, this);
        action->setObjectName(QString::fromLatin1(name));
        action->setShortcut(key);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        if (onToolbar)
            toolBar->addAction(action);
        if (inMenu)
            m_view->addAction(action);
        return action;
    };
    add("actionFilesUp", QStringLiteral(":/icons/up.svg"), tr("Up"),
        QKeySequence(Qt::ALT | Qt::Key_Up), &FileBrowser::goUp, true, false);
    add("actionFilesRefresh", QStringLiteral(":/icons/refresh.svg"), tr("Refresh"),
        QKeySequence(Qt::Key_F5), &FileBrowser::refresh, true, false);
    toolBar->addSeparator();
    add("actionFilesMkdir", QStringLiteral(":/icons/mkdir.svg"), tr("New Folder..."),
        QKeySequence(Qt::Key_F7), &FileBrowser::makeFolder);
    add("actionFilesEdit", {}, tr("Edit"), QKeySequence(Qt::Key_F4), &FileBrowser::editSelected,
        false);
    add("actionFilesOpenExternal", {}, tr("Open with System Application"),
        QKeySequence(Qt::SHIFT | Qt::Key_F4), &FileBrowser::openSelectedExternally, false);
    QAction *preview = add("actionFilesPreview", {}, tr("Preview"), QKeySequence(Qt::Key_F3),
                           &FileBrowser::togglePreview, true, false);
    preview->setCheckable(true);
    add("actionFilesRename", {}, tr("Rename..."), QKeySequence(Qt::Key_F2),
        &FileBrowser::renameSelected, false);
    add("actionFilesDelete", QStringLiteral(":/icons/delete.svg"), tr("Delete..."),
        QKeySequence::Delete, &FileBrowser::deleteSelected);
    toolBar->addSeparator();
    add("actionFilesUpload", QStringLiteral(":/icons/upload.svg"), tr("Upload Files..."),
        QKeySequence(Qt::CTRL | Qt::Key_U), &FileBrowser::uploadFiles);
    add("actionFilesUploadFolder", {}, tr("Upload Folder..."), {}, &FileBrowser::uploadFolder,
        false);
    add("actionFilesDownload", QStringLiteral(":/icons/download.svg"), tr("Download..."),
        QKeySequence(Qt::CTRL | Qt::Key_D), &FileBrowser::downloadSelected);

    m_crumbsLayout->setContentsMargins(0, 0, 0, 0);
    m_crumbsLayout->setSpacing(0);
    m_pathEdit->setPlaceholderText(tr("Path in the runner, e.g. /workspace"));
    m_pathEdit->setClearButtonEnabled(true);
    connect(m_pathEdit, &QLineEdit::returnPressed, this,
            [this] { navigate(m_pathEdit->text().trimmed()); });

    // Breadcrumbs start at the allowed roots (contract 3.3): "/" itself is refused by the host.
    m_rootsButton->setObjectName(QStringLiteral("rootsButton"));
    m_rootsButton->setText(tr("Roots"));
    m_rootsButton->setToolTip(tr("The folders of the runner you can open"));
    m_rootsButton->setPopupMode(QToolButton::InstantPopup);
    m_rootsButton->setMenu(new QMenu(m_rootsButton));
    m_rootsButton->setAutoRaise(true);

    m_hint->setObjectName(QStringLiteral("filesHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::RichText);
    m_hint->setText(tr("<b>No runner picked.</b> The Files tab shows a runner's files (its "
                       "/workspace, /tmp and home folder). Select a running runner on the "
                       "Runners tab and choose <i>Browse Files</i>. Then drag files between "
                       "this computer (left) and the runner (right)."));
    m_hint->setStyleSheet(QStringLiteral(
        "QLabel { background: palette(alternate-base); border: 1px solid palette(mid); "
        "border-radius: 3px; padding: 8px; }"));

    // Listing: filter as you type, hidden files on/off, sort by a header click, completion of
    // typed paths from the folders listed so far.
    m_filterEdit->setObjectName(QStringLiteral("filesFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setMaximumWidth(180);
    connect(m_filterEdit, &QLineEdit::textChanged, m_model, &RemoteFilesModel::setFilter);
    auto *hidden = new QAction(tr("Show Hidden Files"), this);
    hidden->setObjectName(QStringLiteral("actionFilesShowHidden"));
    hidden->setCheckable(true);
    hidden->setChecked(m_model->showHidden());
    hidden->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    hidden->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(hidden, &QAction::toggled, m_model, &RemoteFilesModel::setShowHidden);
    addAction(hidden);
    toolBar->addAction(hidden);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RemoteFilesModel::NameColumn, Qt::AscendingOrder);
    auto *completions = new QStringListModel(this);
    auto *completer = new QCompleter(completions, this);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_pathEdit->setCompleter(completer);
    connect(m_model, &RemoteFilesModel::listed, completions, [this, completions] {
        QStringList known = completions->stringList() + m_model->folderPaths() + roots();
        known.removeDuplicates();
        known.sort();
        completions->setStringList(known);
    });

    auto *top = new QHBoxLayout;
    top->addWidget(toolBar);
    top->addWidget(m_rootsButton);
    top->addWidget(m_crumbs);
    top->addWidget(m_pathEdit, 1);
    top->addWidget(m_bookmarks);
    top->addWidget(m_filterEdit);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_hint);
    layout->addLayout(top);
    // The local pane says which folder it shows, like WinSCP's left panel: Up, the path, and a
    // folder chooser (opened with open(), never exec()). Double-clicking a folder enters it.
    auto *localPane = new QWidget(this);
    auto *localTop = new QHBoxLayout;
    localTop->setContentsMargins(0, 0, 0, 0);
    auto *localUp = new QToolButton(localPane);
    localUp->setObjectName(QStringLiteral("localUpButton"));
    localUp->setIcon(QIcon(QStringLiteral(":/icons/up.svg")));
    localUp->setToolTip(tr("Parent folder on this computer"));
    localUp->setAutoRaise(true);
    auto *localPath = new QLabel(localPane);
    localPath->setObjectName(QStringLiteral("localPathLabel"));
    localPath->setTextFormat(Qt::PlainText);
    localPath->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *localChoose = new QToolButton(localPane);
    localChoose->setObjectName(QStringLiteral("localChooseButton"));
    localChoose->setText(tr("Choose..."));
    localChoose->setToolTip(tr("Show another folder of this computer"));
    localTop->addWidget(localUp);
    localTop->addWidget(localPath, 1);
    localTop->addWidget(localChoose);
    auto *localLayout = new QVBoxLayout(localPane);
    localLayout->setContentsMargins(0, 0, 0, 0);
    localLayout->addLayout(localTop);
    localLayout->addWidget(m_local, 1);
    auto showLocalPath = [localPath](const QString &path) {
        localPath->setText(QDir::toNativeSeparators(path));
        localPath->setToolTip(QDir::toNativeSeparators(path));
    };
    showLocalPath(m_local->rootFolder());
    connect(m_local, &LocalFilesView::rootFolderChanged, localPath, showLocalPath);
    connect(localUp, &QToolButton::clicked, this, [this] {
        QDir dir(m_local->rootFolder());
        if (dir.cdUp())
            m_local->setRootFolder(dir.absolutePath());
    });
    connect(localChoose, &QToolButton::clicked, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Local folder"), m_local->rootFolder());
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::Directory);
        dialog->setOption(QFileDialog::ShowDirsOnly);
        connect(dialog, &QFileDialog::fileSelected, m_local, &LocalFilesView::setRootFolder);
        dialog->open();
    });
    connect(m_local, &QTreeView::doubleClicked, this, [this](const QModelIndex &index) {
        const QFileInfo info = m_local->fileModel()->fileInfo(index);
        if (info.isDir())
            m_local->setRootFolder(info.absoluteFilePath());
    });

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("filesSplitter"));
    splitter->addWidget(localPane);
    splitter->addWidget(m_peer);
    m_peer->hide();
    m_localPane = localPane;
    splitter->addWidget(m_view);
    splitter->addWidget(m_preview);
    m_preview->hide();
    // This computer (or the second runner) and the runner's list share the width equally, as in
    // WinSCP's commander view; the preview, when shown, takes a share too.
    for (int i = 0; i < splitter->count(); ++i)
        splitter->setStretchFactor(i, 1);
    // The browser is the first tab; files opened for editing get a tab each next to it.
    m_tabs->setObjectName(QStringLiteral("filesTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->addTab(splitter, tr("Browse"));
    m_tabs->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    m_tabs->tabBar()->setTabButton(0, QTabBar::LeftSide, nullptr);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &FileBrowser::closeEditor);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_info);

    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString path = index.data(RemoteFilesModel::PathRole).toString();
        if (index.data(RemoteFilesModel::IsDirRole).toBool())
            navigate(path);
        else
            openEditor(path);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &FileBrowser::updatePreview);
    connect(m_model, &RemoteFilesModel::pathChanged, this, [this](const QString &path) {
        m_pathEdit->setText(path);
        m_bookmarks->setCurrentPath(path);
        rebuildBreadcrumbs(path);
    });
    connect(m_bookmarks, &BookmarksButton::goTo, this, &FileBrowser::navigate);
    connect(m_model, &RemoteFilesModel::loadingChanged, this, [this](bool loading) {
        if (loading)
            m_info->setText(tr("Listing %1...").arg(m_model->path()));
    });
    connect(m_model, &RemoteFilesModel::listed, this,
            [this] { m_info->setText(tr("%n item(s)", nullptr, m_model->totalEntries())); });
    connect(m_model, &RemoteFilesModel::listFailed, this,
            [this](const QString &path, const QString &message) {
                m_info->setText(tr("Cannot list %1: %2").arg(path, message));
            });
    connect(m_model, &RemoteFilesModel::uploadRequested, this, &FileBrowser::upload);
    // Rows dragged between the two runner panes are copied runner to runner.
    connect(m_model, &RemoteFilesModel::relayRequested, this,
            [this](const QString &from, const QStringList &paths, const QString &dir) {
                relay(from, paths, session(), dir);
            });
    connect(m_peer->model(), &RemoteFilesModel::relayRequested, this,
            [this](const QString &from, const QStringList &paths, const QString &dir) {
                relay(from, paths, m_peer->session(), dir);
            });
    connect(m_peer, &PeerPane::closeRequested, this, [this] { setPeerSession(nullptr); });
    connect(m_local, &LocalFilesView::downloadRequested, this, &FileBrowser::download);
    if (m_transfers) {
        // Refresh when an upload into the folder on screen completes.
        connect(m_transfers, &TransferQueue::finished, this, [this](int id) {
            const auto item = m_transfers->item(id);
            if (item && item->direction == TransferDirection::Upload &&
                RemoteFilesModel::parentPath(item->remotePath) == m_model->path())
                refresh();
        });
    }
    setSession(nullptr);
}

QStringList FileBrowser::roots() const
{
    QStringList roots{QStringLiteral("/workspace"), QStringLiteral("/tmp"),
                      QStringLiteral("/var/tmp"), QStringLiteral("/home/runner")};
    const RunnerSession *s = session();
    const QString user = s ? s->runnerUser() : QString();
    if (!user.isEmpty() && user != QLatin1String("runner") && user != QLatin1String("root"))
        roots << QStringLiteral("/home/") + user;
    return roots;
}

QString FileBrowser::rootOf(const QString &path) const
{
    for (const QString &root : roots()) {
        if (path == root || path.startsWith(root + QLatin1Char('/')))
            return root;
    }
    return {};
}

void FileBrowser::setWorkloadKey(const QString &key)
{
    if (session() && !key.isEmpty())
        m_bookmarks->setScope(key);
}

void FileBrowser::setSession(RunnerSession *session, const QString &startPath)
{
    m_model->setSession(session);
    // The local pane stays usable; the runner's half waits for a runner.
    for (QWidget *w :
         {static_cast<QWidget *>(m_view), static_cast<QWidget *>(m_toolBar),
          static_cast<QWidget *>(m_pathEdit), m_crumbs, static_cast<QWidget *>(m_rootsButton)})
        w->setEnabled(session != nullptr);
    m_hint->setVisible(session == nullptr);
    // Until setWorkloadKey names the workload, bookmarks belong to this runner alone.
    m_bookmarks->setScope(session ? QStringLiteral("runner:") + session->runnerId() : QString());
    m_missingRoots.clear();
    QMenu *menu = m_rootsButton->menu();
    menu->clear();
    if (!session) {
        m_pathEdit->clear();
        rebuildBreadcrumbs({});
        m_info->clear();
        return;
    }
    // Which roots exist in this runner (one stat each); missing ones stay in the menu, greyed.
    for (const QString &root : roots()) {
        QAction *action = menu->addAction(root, this, [this, root] { navigate(root); });
        QPointer<QAction> guard(action);
        session->stat(root)->then(
            this,
            [this, guard, root](const FileInfo &info) {
                if (info.exists && info.isDir)
                    return;
                m_missingRoots << root;
                if (guard) {
                    guard->setEnabled(false);
                    guard->setText(tr("%1 (does not exist in this runner)").arg(root));
                }
            },
            [](const Error &) {});
    }
    navigate(startPath);
}

RunnerSession *FileBrowser::session() const
{
    return m_model->session();
}

QString FileBrowser::path() const
{
    return m_model->path();
}

void FileBrowser::setConfirmOverride(std::function<bool(const QString &)> answer)
{
    m_confirmOverride = std::move(answer);
}

void FileBrowser::setTextInputOverride(std::function<QString(const QString &, const QString &)> ask)
{
    m_textOverride = std::move(ask);
}

void FileBrowser::navigate(const QString &path)
{
    if (path.isEmpty())
        return;
    if (!path.startsWith(QLatin1Char('/'))) {
        m_info->setText(tr("The path must be absolute (start with /)."));
        return;
    }
    const QString clean = QDir::cleanPath(path);
    if (rootOf(clean).isEmpty()) {
        m_info->setText(tr("%1 is outside the folders a runner shares: open one of %2.")
                            .arg(clean, roots().join(QStringLiteral(", "))));
        return;
    }
    m_model->setPath(clean);
}

void FileBrowser::goUp()
{
    const QString path = m_model->path();
    if (!rootOf(path).isEmpty() && rootOf(path) == path) {
        m_info->setText(tr("%1 is a top folder; the Roots menu lists the others.").arg(path));
        return;
    }
    navigate(RemoteFilesModel::parentPath(path));
}

void FileBrowser::refresh()
{
    m_model->refresh();
}

void FileBrowser::rebuildBreadcrumbs(const QString &path)
{
    while (std::unique_ptr<QLayoutItem> item{m_crumbsLayout->takeAt(0)}) {
        if (QWidget *crumb = item->widget()) {
            crumb->hide();
            crumb->deleteLater();
        }
    }
    const QString root = rootOf(path);
    if (path.isEmpty() || root.isEmpty())
        return;
    QString sofar = root;
    const QStringList parts = path.mid(root.size()).split(QLatin1Char('/'), Qt::SkipEmptyParts);
    auto addCrumb = [this](const QString &text, const QString &target) {
        auto *button = new QToolButton(m_crumbs);
        button->setText(text);
        button->setAutoRaise(true);
        button->setToolTip(target);
        connect(button, &QToolButton::clicked, this, [this, target] { navigate(target); });
        m_crumbsLayout->addWidget(button);
    };
    addCrumb(root + QStringLiteral(" \u203a"), root);
    for (const QString &part : parts) {
        sofar += QLatin1Char('/') + part;
        addCrumb(part + QStringLiteral(" \u203a"), sofar);
    }
}

void FileBrowser::confirm(const QString &question, std::function<void()> onYes)
{
    confirmAsync(this, question, m_confirmOverride, std::move(onYes));
}

void FileBrowser::askText(const QString &label, const QString &text,
                          std::function<void(QString)> onOk)
{
    if (m_textOverride) {
        const QString answer = m_textOverride(label, text);
        if (!answer.isEmpty())
            onOk(answer);
        return;
    }
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setLabelText(label);
    dialog->setTextValue(text);
    connect(dialog, &QInputDialog::textValueSelected, this, [onOk](const QString &value) {
        if (!value.trimmed().isEmpty())
            onOk(value.trimmed());
    });
    dialog->open();
}

QStringList FileBrowser::selectedPaths(bool *anyDir) const
{
    QStringList paths;
    if (anyDir)
        *anyDir = false;
    for (const QModelIndex &index : m_view->selectionModel()->selectedRows()) {
        paths << index.data(RemoteFilesModel::PathRole).toString();
        if (anyDir && index.data(RemoteFilesModel::IsDirRole).toBool())
            *anyDir = true;
    }
    return paths;
}

void FileBrowser::reportError(const QString &what, const QString &message)
{
    m_info->setText(tr("%1 failed: %2").arg(what, message));
    emit this->message(m_info->text());
}

void FileBrowser::makeFolder()
{
    RunnerSession *s = session();
    if (!s)
        return;
    askText(tr("Name of the new folder:"), {}, [this](const QString &name) {
        RunnerSession *s = session();
        if (!s)
            return;
        if (name.contains(QLatin1Char('/'))) {
            reportError(tr("New folder"), tr("A folder name cannot contain '/'."));
            return;
        }
        const QString target = RemoteFilesModel::joinPath(m_model->path(), name);
        auto hostMkdir = [this, target] {
            RunnerSession *s = session();
            if (!s)
                return;
            s->mkdir(target)->then(
                this, [this](const Done &) { refresh(); },
                [this](const Error &e) { reportError(tr("New folder"), e.toString()); });
        };
        if (!transferOptions().ownedByRunner) {
            hostMkdir();
            return;
        }
        // Made by the runner's user (exec), so that it can write there; the host would make it
        // root's. When the user may not (a root-owned parent), the host makes it after all.
        s->createOwned({target})->then(
            this, [this](const Done &) { refresh(); },
            [this, hostMkdir](const Error &e) {
                emit message(tr("The folder belongs to root: %1").arg(e.message));
                hostMkdir();
            });
    });
}

void FileBrowser::deleteSelected()
{
    bool anyDir = false;
    const QStringList paths = selectedPaths(&anyDir);
    if (paths.isEmpty() || !session())
        return;
    const QString question =
        paths.size() == 1
            ? tr("Delete %1%2?")
                  .arg(paths.first(), anyDir ? tr(" and everything in it") : QString())
            : tr("Delete %n item(s)%1?", nullptr, int(paths.size()))
                  .arg(anyDir ? tr(" including folders and their contents") : QString());
    confirm(question, [this, paths] {
        auto remaining = std::make_shared<int>(int(paths.size()));
        for (const QString &path : paths) {
            RunnerSession *s = session();
            if (!s)
                return;
            auto done = [this, remaining] {
                if (--*remaining == 0)
                    refresh();
            };
            s->remove(path, true)
                ->then(
                    this, [done](bool) { done(); },
                    [this, path, done](const Error &e) {
                        reportError(tr("Deleting %1").arg(path), e.toString());
                        done();
                    });
        }
    });
}

void FileBrowser::renameSelected()
{
    const QStringList paths = selectedPaths();
    if (paths.size() != 1 || !session())
        return;
    const QString from = paths.first();
    const QString oldName = from.section(QLatin1Char('/'), -1);
    askText(tr("New name for %1:").arg(oldName), oldName, [this, from](const QString &name) {
        RunnerSession *s = session();
        if (!s)
            return;
        if (name.contains(QLatin1Char('/'))) {
            reportError(tr("Renaming %1").arg(from), tr("A name cannot contain '/'."));
            return;
        }
        const QString to = RemoteFilesModel::joinPath(RemoteFilesModel::parentPath(from), name);
        if (to == from)
            return;
        // The host has no rename operation: mv in the runner does it. `mv -n` silently keeps an
        // existing target, so the script refuses one first (exit 17) and says so.
        static const QString script =
            QStringLiteral("if [ -e \"$2\" ] || [ -L \"$2\" ]; then exit 17; fi; "
                           "exec mv -n -- \"$1\" \"$2\"");
        s->execCollect(
             {QStringLiteral("sh"), QStringLiteral("-c"), script, QStringLiteral("sh"), from, to})
            ->then(
                this,
                [this, from, to, name](const ExecResult &result) {
                    if (result.code == 17)
                        reportError(tr("Renaming %1").arg(from),
                                    tr("%1 already exists in %2; nothing was renamed. Choose "
                                       "another name, or delete %1 first.")
                                        .arg(name, RemoteFilesModel::parentPath(to)));
                    else if (result.code != 0)
                        reportError(tr("Renaming %1").arg(from), result.stderrText.trimmed());
                    refresh();
                },
                [this](const Error &e) { reportError(tr("Rename"), e.toString()); });
    });
}

void FileBrowser::editSelected()
{
    const QModelIndex index = m_view->currentIndex();
    if (index.isValid() && !index.data(RemoteFilesModel::IsDirRole).toBool())
        openEditor(index.data(RemoteFilesModel::PathRole).toString());
}

RemoteEditor *FileBrowser::openEditor(const QString &path)
{
    RunnerSession *s = session();
    if (!s)
        return nullptr;
    for (int i = 1; i < m_tabs->count(); ++i) {
        auto *open = qobject_cast<RemoteEditor *>(m_tabs->widget(i));
        if (open && open->path() == path) {
            m_tabs->setCurrentIndex(i);
            return open;
        }
    }
    auto *editor = new RemoteEditor(s, path, m_tabs);
    const int index = m_tabs->addTab(editor, path.section(QLatin1Char('/'), -1));
    m_tabs->setTabToolTip(index, path);
    m_tabs->setCurrentIndex(index);
    connect(editor, &RemoteEditor::titleChanged, this, [this, editor](const QString &title) {
        const int at = m_tabs->indexOf(editor);
        if (at > 0)
            m_tabs->setTabText(at, title);
    });
    connect(editor, &RemoteEditor::saved, this, [this, path] {
        if (RemoteFilesModel::parentPath(path) == m_model->path())
            refresh();
    });
    editor->load();
    emit editorOpened(editor);
    return editor;
}

void FileBrowser::togglePreview()
{
    m_preview->setHidden(!m_preview->isHidden());
    updatePreview();
}

void FileBrowser::updatePreview()
{
    if (m_preview->isHidden()) // not isVisible(): the tab itself may be hidden
        return;
    const QModelIndex index = m_view->currentIndex();
    if (!index.isValid() || index.row() >= m_model->totalEntries()) {
        m_preview->clear();
        return;
    }
    m_preview->show(session(), m_model->entry(index.row()));
}

void FileBrowser::openSelectedExternally()
{
    const QModelIndex index = m_view->currentIndex();
    if (index.isValid() && !index.data(RemoteFilesModel::IsDirRole).toBool())
        openExternally(index.data(RemoteFilesModel::PathRole).toString());
}

ExternalOpen *FileBrowser::openExternally(const QString &path)
{
    RunnerSession *s = session();
    if (!s || !m_transfers)
        return nullptr;
    // Kept while the browser lives: the temporary copy stays watched for later saves.
    auto *open = new ExternalOpen(s, m_transfers, path, this);
    if (m_externalOpener)
        open->setOpener(m_externalOpener);
    if (m_confirmOverride)
        open->setAsk(m_confirmOverride);
    connect(open, &ExternalOpen::failed, this,
            [this](const QString &message) { reportError(tr("Open"), message); });
    connect(open, &ExternalOpen::opened, this, [this, path] {
        emit message(tr("Opened %1; saving it there offers to upload it back.").arg(path));
    });
    open->start();
    return open;
}

void FileBrowser::closeEditor(int index)
{
    auto *editor = qobject_cast<RemoteEditor *>(m_tabs->widget(index));
    if (!editor)
        return;
    auto close = [this, editor] {
        m_tabs->removeTab(m_tabs->indexOf(editor));
        editor->deleteLater();
    };
    if (!editor->isModified()) {
        close();
        return;
    }
    confirm(tr("%1 has unsaved changes. Close it and lose them?").arg(editor->path()), close);
}

void FileBrowser::uploadFiles()
{
    auto *dialog = new QFileDialog(this, tr("Upload Files"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFiles);
    const QString target = m_model->path();
    connect(dialog, &QFileDialog::filesSelected, this,
            [this, target](const QStringList &files) { upload(files, target); });
    dialog->open();
}

void FileBrowser::uploadFolder()
{
    auto *dialog = new QFileDialog(this, tr("Upload Folder"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    const QString target = m_model->path();
    connect(dialog, &QFileDialog::filesSelected, this,
            [this, target](const QStringList &dirs) { upload(dirs, target); });
    dialog->open();
}

void FileBrowser::downloadSelected()
{
    const QStringList paths = selectedPaths();
    if (paths.isEmpty() || !session() || !m_transfers)
        return;
    auto *dialog =
        new QFileDialog(this, tr("Download to Folder"),
                        QStandardPaths::writableLocation(QStandardPaths::DownloadLocation));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::filesSelected, this, [this, paths](const QStringList &dirs) {
        RunnerSession *s = session();
        if (!s || dirs.isEmpty())
            return;
        download(paths, dirs.first());
    });
    dialog->open();
}

} // namespace capsule::app
