// An editor tab on one file of a runner: loads it (never a binary file as text), saves it back,
// and asks before overwriting a file that changed on the runner since it was opened.
#pragma once

#include <QByteArray>
#include <QPointer>
#include <QWidget>
#include <functional>

class QLabel;

namespace capsule {
class RunnerSession;
}

namespace capsule::app {

class CodeEditor;
class Highlighter;

class RemoteEditor : public QWidget
{
    Q_OBJECT
public:
    // What to do when the runner's file changed since it was opened.
    enum class ChangedChoice { Overwrite, Reload, Compare, Cancel };
    Q_ENUM(ChangedChoice)
    using ChangedSeam = std::function<ChangedChoice(const QByteArray &remoteNow)>;
    static constexpr qint64 kMaxBytes = 16LL * 1024 * 1024; // larger files are not edited here

    RemoteEditor(RunnerSession *session, const QString &path, QWidget *parent = nullptr);

    // A NUL byte in the first 8000 bytes (git's rule) or text that is not valid UTF-8.
    static bool looksBinary(const QByteArray &data);

    QString path() const { return m_path; }
    CodeEditor *editor() const { return m_editor; }
    Highlighter *highlighter() const { return m_highlighter; }
    bool isLoaded() const { return m_loaded; }
    bool isModified() const;
    QString title() const; // file name, "*" when modified
    // Test seam: answers the "changed on the runner" question instead of the dialog.
    void setChangedOverride(ChangedSeam answer) { m_changedOverride = std::move(answer); }

public slots:
    void load();
    void save();

signals:
    void loaded();
    void loadFailed(const QString &message);
    void saved();
    void saveFailed(const QString &message);
    void remoteChanged(); // Save found the runner's file changed; the question is being asked
    void titleChanged(const QString &title);

private:
    void loadContent(const QByteArray &data);
    void checkedRemote(const QByteArray &remoteNow);
    void answer(ChangedChoice choice, const QByteArray &remoteNow);
    void askChanged(const QByteArray &remoteNow);
    void compare(const QByteArray &remoteNow);
    void write();
    QByteArray currentBytes() const;
    void setStatus(const QString &text);

    QPointer<RunnerSession> m_session;
    QString m_path;
    QByteArray m_original; // the runner's content when opened or last saved
    bool m_crlf = false;   // the file used CRLF line ends: saved with CRLF again
    bool m_loaded = false;
    bool m_busy = false;
    CodeEditor *m_editor;
    Highlighter *m_highlighter = nullptr;
    QLabel *m_status;
    ChangedSeam m_changedOverride;
};

} // namespace capsule::app
