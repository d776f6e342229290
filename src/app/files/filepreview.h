// The preview pane of the Files tab: the selected image or small text file of the runner.
#pragma once

#include <QPointer>
#include <QStackedWidget>

class QLabel;
class QPlainTextEdit;

namespace capsule {
class RunnerSession;
struct FileInfo;
} // namespace capsule

namespace capsule::app {

class FilePreview : public QStackedWidget
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxTextBytes = 256 * 1024;
    static constexpr qint64 kMaxImageBytes = 8LL * 1024 * 1024;

    explicit FilePreview(QWidget *parent = nullptr);

    static bool isImageName(const QString &name);
    // Shows `file` of `session` (downloads it when small enough); anything else gets a line
    // saying why there is no preview. A newer call wins over one still downloading.
    void show(RunnerSession *session, const FileInfo &file);
    void clear();
    // What is shown: "image", "text" or "message".
    QString shownKind() const;
    QPlainTextEdit *textView() const { return m_text; }
    QLabel *imageView() const { return m_image; }
    QLabel *messageView() const { return m_message; }

signals:
    void shown(); // the download of a preview arrived (or failed)

private:
    void showMessage(const QString &text);
    void showData(const QString &name, const QByteArray &data);

    QLabel *m_image;
    QPlainTextEdit *m_text;
    QLabel *m_message;
    int m_generation = 0;
};

} // namespace capsule::app
