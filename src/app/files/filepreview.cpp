// See filepreview.h.
#include "app/files/filepreview.h"

#include "app/files/remoteeditor.h"
#include "app/files/remotefilesmodel.h"
#include "core/runnersession.h"

#include <QFileInfo>
#include <QFontDatabase>
#include <QImage>
#include <QLabel>
#include <QPixmap>
#include <QPlainTextEdit>

namespace capsule::app {

FilePreview::FilePreview(QWidget *parent)
    : QStackedWidget(parent)
    , m_image(new QLabel(this))
    , m_text(new QPlainTextEdit(this))
    , m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("filePreview"));
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setMinimumSize(64, 64);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    addWidget(m_image);
    addWidget(m_text);
    addWidget(m_message);
    clear();
}

bool FilePreview::isImageName(const QString &name)
{
    static const QStringList suffixes{QStringLiteral("png"),  QStringLiteral("jpg"),
                                      QStringLiteral("jpeg"), QStringLiteral("gif"),
                                      QStringLiteral("bmp"),  QStringLiteral("svg"),
                                      QStringLiteral("webp"), QStringLiteral("ico")};
    return suffixes.contains(QFileInfo(name).suffix().toLower());
}

QString FilePreview::shownKind() const
{
    if (currentWidget() == m_image)
        return QStringLiteral("image");
    if (currentWidget() == m_text)
        return QStringLiteral("text");
    return QStringLiteral("message");
}

void FilePreview::clear()
{
    ++m_generation;
    showMessage(tr("Select a file to preview it."));
}

void FilePreview::showMessage(const QString &text)
{
    m_message->setText(text);
    setCurrentWidget(m_message);
}

void FilePreview::show(RunnerSession *session, const FileInfo &file)
{
    const int generation = ++m_generation;
    if (!session || file.isDir) {
        showMessage(file.isDir ? tr("%1 is a folder.").arg(file.name) : QString());
        return;
    }
    const bool image = isImageName(file.name);
    const qint64 limit = image ? kMaxImageBytes : kMaxTextBytes;
    if (file.size > limit) {
        showMessage(tr("%1 is %2: no preview above %3.")
                        .arg(file.name, RemoteFilesModel::sizeText(file.size),
                             RemoteFilesModel::sizeText(limit)));
        return;
    }
    showMessage(tr("Loading %1...").arg(file.name));
    const QString name = file.name;
    session->download(file.path)->then(
        this,
        [this, generation, name](const QByteArray &data) {
            if (generation != m_generation)
                return; // another file was selected meanwhile
            showData(name, data);
            emit shown();
        },
        [this, generation](const Error &e) {
            if (generation != m_generation)
                return;
            showMessage(e.message);
            emit shown();
        });
}

void FilePreview::showData(const QString &name, const QByteArray &data)
{
    if (isImageName(name)) {
        const QImage img = QImage::fromData(data);
        if (img.isNull()) {
            showMessage(tr("%1 is not an image Qt can read.").arg(name));
            return;
        }
        const QSize room = size().boundedTo(img.size()).expandedTo(QSize(64, 64));
        m_image->setPixmap(
            QPixmap::fromImage(img).scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation));
        m_image->setToolTip(tr("%1: %2 x %3").arg(name).arg(img.width()).arg(img.height()));
        setCurrentWidget(m_image);
        return;
    }
    if (RemoteEditor::looksBinary(data)) {
        showMessage(tr("%1 is a binary file: no preview.").arg(name));
        return;
    }
    m_text->setPlainText(QString::fromUtf8(data));
    setCurrentWidget(m_text);
}

} // namespace capsule::app
