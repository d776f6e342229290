// Help > About: the app's version, the Qt, libvterm and yaml-cpp versions it was built with
// (core/version.h, the same text as --version) and the connected server's address and version
// (GET /health's Server header), as selectable text with a Copy button for bug reports.
#pragma once

#include <QDialog>

class QPlainTextEdit;

namespace capsule::app {

class ServerConnection;

class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AboutDialog(ServerConnection *connection, QWidget *parent = nullptr);

    // Everything the dialog shows as plain text (what Copy puts on the clipboard).
    QString versionsText() const;

private:
    void askServer();
    void setServerLines(const QStringList &lines);

    ServerConnection *m_connection;
    QPlainTextEdit *m_text;
    QString m_clientText;
};

} // namespace capsule::app
