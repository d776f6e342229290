// Connection settings: embedded or remote server, URL, token (to the keychain) and timeouts.
#pragma once

#include <memory>

#include <QDialog>

namespace Ui {
class SettingsDialog;
}

namespace capsule::app {

class ServerConnection;

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(ServerConnection *connection, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    void accept() override;

private:
    void validate();

    std::unique_ptr<Ui::SettingsDialog> m_ui;
    ServerConnection *m_connection;
};

} // namespace capsule::app
