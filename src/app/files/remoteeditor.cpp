// See remoteeditor.h.
#include "app/files/remoteeditor.h"

#include "app/files/codeeditor.h"
#include "app/files/highlighter.h"
#include "app/files/remotefilesmodel.h"
#include "core/runnersession.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStringDecoder>
#include <QVBoxLayout>

namespace capsule::app {

RemoteEditor::RemoteEditor(RunnerSession *session, const QString &path, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_path(path)
    , m_editor(new CodeEditor(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("remoteEditor"));
    m_status->setObjectName(QStringLiteral("editorStatus"));
    m_editor->setReadOnly(true); // until loaded
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_status);
    auto *saveAction = new QAction(tr("Save"), this);
    saveAction->setObjectName(QStringLiteral("actionEditorSave"));
    saveAction->setShortcut(QKeySequence::Save);
    saveAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(saveAction, &QAction::triggered, this, &RemoteEditor::save);
    addAction(saveAction);
    connect(m_editor->document(), &QTextDocument::modificationChanged, this,
            [this] { emit titleChanged(title()); });
    setStatus(tr("Loading %1...").arg(m_path));
}

bool RemoteEditor::looksBinary(const QByteArray &data)
{
    if (data.left(8000).contains('\0'))
        return true;
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = utf8.decode(data);
    return utf8.hasError();
}

bool RemoteEditor::isModified() const
{
    return m_editor->document()->isModified();
}

QString RemoteEditor::title() const
{
    const QString name = m_path.section(QLatin1Char('/'), -1);
    return isModified() ? name + QLatin1Char('*') : name;
}

void RemoteEditor::setStatus(const QString &text)
{
    m_status->setText(text);
}

void RemoteEditor::load()
{
    if (!m_session)
        return;
    m_session->stat(m_path)->then(
        this,
        [this](const FileInfo &info) {
            QString problem;
            if (!info.exists)
                problem = tr("%1 does not exist on the runner.").arg(m_path);
            else if (info.isDir)
                problem = tr("%1 is a folder.").arg(m_path);
            else if (info.size > kMaxBytes)
                problem = tr("%1 is %2; files over %3 are not opened in the editor (download it "
                             "or open it with a system application).")
                              .arg(m_path, RemoteFilesModel::sizeText(info.size),
                                   RemoteFilesModel::sizeText(kMaxBytes));
            if (!problem.isEmpty()) {
                setStatus(problem);
                emit loadFailed(problem);
                return;
            }
            m_session->download(m_path)->then(
                this, [this](const QByteArray &data) { loadContent(data); },
                [this](const Error &e) {
                    setStatus(e.message);
                    emit loadFailed(e.message);
                });
        },
        [this](const Error &e) {
            setStatus(e.message);
            emit loadFailed(e.message);
        });
}

void RemoteEditor::loadContent(const QByteArray &data)
{
    if (looksBinary(data)) {
        const QString problem =
            tr("%1 is a binary file; it is not opened as text (download it or open it with a "
               "system application).")
                .arg(m_path);
        setStatus(problem);
        emit loadFailed(problem);
        return;
    }
    m_original = data;
    m_crlf = data.contains("\r\n");
    QString text = QString::fromUtf8(data);
    if (m_crlf)
        text.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    if (!m_highlighter) {
        const QString name = m_path.section(QLatin1Char('/'), -1);
        m_highlighter =
            new Highlighter(Highlighter::languageFor(name, text.section(QLatin1Char('\n'), 0, 0)),
                            m_editor->document());
    }
    m_editor->setPlainText(text);
    m_editor->document()->setModified(false);
    m_editor->setReadOnly(false);
    m_loaded = true;
    setStatus(tr("%1 (%2)").arg(m_path, RemoteFilesModel::sizeText(data.size())));
    emit titleChanged(title());
    emit loaded();
}

QByteArray RemoteEditor::currentBytes() const
{
    QString text = m_editor->toPlainText();
    if (m_crlf)
        text.replace(QLatin1String("\n"), QLatin1String("\r\n"));
    return text.toUtf8();
}

void RemoteEditor::save()
{
    if (!m_session || !m_loaded || m_busy)
        return;
    m_busy = true;
    setStatus(tr("Checking %1 on the runner...").arg(m_path));
    // The runner's bytes now against those we opened (exact, unlike size and a 1 s mtime).
    m_session->download(m_path)->then(
        this, [this](const QByteArray &now) { checkedRemote(now); },
        [this](const Error &e) {
            if (e.kind == ErrorKind::NotFound) {
                checkedRemote(QByteArray()); // deleted meanwhile: ask as for a change
                return;
            }
            m_busy = false;
            setStatus(e.message);
            emit saveFailed(e.message);
        });
}

void RemoteEditor::checkedRemote(const QByteArray &remoteNow)
{
    if (remoteNow == m_original) {
        write();
        return;
    }
    emit remoteChanged();
    setStatus(tr("%1 changed on the runner since it was opened.").arg(m_path));
    if (m_changedOverride)
        answer(m_changedOverride(remoteNow), remoteNow);
    else
        askChanged(remoteNow);
}

void RemoteEditor::answer(ChangedChoice choice, const QByteArray &remoteNow)
{
    switch (choice) {
    case ChangedChoice::Overwrite:
        write();
        return;
    case ChangedChoice::Reload:
        m_busy = false;
        loadContent(remoteNow);
        return;
    case ChangedChoice::Compare:
        compare(remoteNow);
        return;
    case ChangedChoice::Cancel:
        m_busy = false;
        setStatus(tr("Not saved: %1 changed on the runner.").arg(m_path));
        return;
    }
}

void RemoteEditor::askChanged(const QByteArray &remoteNow)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("File changed on the runner"),
                                tr("%1 changed on the runner since you opened it.").arg(m_path),
                                QMessageBox::NoButton, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("Overwrite it with your version, reload the runner's version "
                               "(your changes are lost), or compare both?"));
    QPushButton *overwrite = box->addButton(tr("Overwrite"), QMessageBox::DestructiveRole);
    QPushButton *reload = box->addButton(tr("Reload"), QMessageBox::ResetRole);
    QPushButton *cmp = box->addButton(tr("Compare..."), QMessageBox::ActionRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(cmp);
    connect(box, &QMessageBox::finished, this, [this, box, overwrite, reload, cmp, remoteNow] {
        QAbstractButton *b = box->clickedButton();
        answer(b == overwrite ? ChangedChoice::Overwrite
               : b == reload  ? ChangedChoice::Reload
               : b == cmp     ? ChangedChoice::Compare
                              : ChangedChoice::Cancel,
               remoteNow);
    });
    box->open();
}

void RemoteEditor::compare(const QByteArray &remoteNow)
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("compareDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Compare %1").arg(m_path.section(QLatin1Char('/'), -1)));
    auto *split = new QSplitter(dialog);
    auto side = [split](const QString &label, const QString &text) {
        auto *box = new QWidget(split);
        auto *l = new QVBoxLayout(box);
        l->setContentsMargins(0, 0, 0, 0);
        l->addWidget(new QLabel(label, box));
        auto *view = new CodeEditor(box);
        view->setReadOnly(true);
        view->setPlainText(text);
        l->addWidget(view, 1);
    };
    side(tr("On the runner now"), QString::fromUtf8(remoteNow));
    side(tr("Yours"), m_editor->toPlainText());
    auto *buttons = new QDialogButtonBox(dialog);
    QPushButton *overwrite =
        buttons->addButton(tr("Overwrite with mine"), QDialogButtonBox::DestructiveRole);
    QPushButton *reload = buttons->addButton(tr("Reload theirs"), QDialogButtonBox::ResetRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    dialog->resize(900, 560);
    connect(overwrite, &QPushButton::clicked, dialog, [this, dialog, remoteNow] {
        dialog->accept();
        answer(ChangedChoice::Overwrite, remoteNow);
    });
    connect(reload, &QPushButton::clicked, dialog, [this, dialog, remoteNow] {
        dialog->accept();
        answer(ChangedChoice::Reload, remoteNow);
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    // Cancel and Esc alike: nothing is saved.
    connect(dialog, &QDialog::rejected, this,
            [this, remoteNow] { answer(ChangedChoice::Cancel, remoteNow); });
    dialog->open();
}

void RemoteEditor::write()
{
    const QByteArray bytes = currentBytes();
    setStatus(tr("Saving %1...").arg(m_path));
    // Overwrite keeps the file's owner and mode (the host truncates the existing file).
    m_session->upload(m_path, bytes, WriteMode::Overwrite)
        ->then(
            this,
            [this, bytes](const WriteResult &) {
                m_busy = false;
                m_original = bytes;
                m_editor->document()->setModified(false);
                setStatus(
                    tr("Saved %1 (%2)").arg(m_path, RemoteFilesModel::sizeText(bytes.size())));
                emit saved();
            },
            [this](const Error &e) {
                m_busy = false;
                setStatus(tr("Not saved: %1").arg(e.message));
                emit saveFailed(e.message);
            });
}

} // namespace capsule::app
