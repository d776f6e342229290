// File > Preferences: the app's settings in pages (a list on the left, like Konsole's and
// KeePassXC's): General (language, refresh interval), Appearance (theme, terminal colours and
// font), Terminal (scrollback) and Transfers (concurrency, verification, ownership). Changes
// apply at once and are stored; the language takes effect at the next start.
// Connection settings (server, token, timeouts) stay in their own dialog.
#pragma once

#include <QDialog>

class QComboBox;
class QListWidget;
class QStackedWidget;

namespace capsule::app {

class PreferencesDialog : public QDialog
{
    Q_OBJECT
public:
    enum Page { GeneralPage, AppearancePage, TerminalPage, TransfersPage };

    // `concurrency`: the transfer queue's current limit (the Transfers panel owns the queue).
    explicit PreferencesDialog(int concurrency, QWidget *parent = nullptr);

    void showPage(Page page);
    Page currentPage() const;

signals:
    // The Transfers page changed how many transfers run at once.
    void transferConcurrencyChanged(int n);

private:
    QWidget *generalPage();
    QWidget *appearancePage();
    QWidget *terminalPage();
    QWidget *transfersPage(int concurrency);
    void addPage(const QString &title, QWidget *page);

    QListWidget *m_pages;
    QStackedWidget *m_stack;
};

} // namespace capsule::app
