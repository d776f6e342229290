// Every message box of the app goes through here: never exec() (no nested event loop), and one
// test seam (as KeePassXC's MessageBox) that answers instead of showing, without changing what
// production code does when no seam is set.
#pragma once

#include <QString>
#include <QStringList>
#include <functional>

class QWidget;

namespace capsule {
class Error;
}

namespace capsule::app {

class MessageBox
{
public:
    // Asks `question` (Yes / Cancel, Cancel default); `onYes` runs only on Yes.
    static void question(QWidget *parent, const QString &question, std::function<void()> onYes);
    // "WHAT failed." with the message; `details` (e.g. the server's message and its request id)
    // go into the box's details expander, selectable and copyable.
    static void error(QWidget *parent, const QString &what, const QString &message,
                      const QString &details = {});
    // The details text for a core error: message, kind, HTTP status, request id.
    static QString detailsOf(const Error &error);

    // Test seam: while set, questions are answered by `answer` and no box appears; errors are
    // recorded in shownErrors() instead of shown. Reset with nullptr.
    static void setAnswerer(std::function<bool(const QString &question)> answer);
    static bool hasAnswerer();
    // "WHAT failed.\nMESSAGE\nDETAILS" of every error while the seam is set (oldest first).
    static QStringList shownErrors();
    static void clearShownErrors();
};

} // namespace capsule::app
