// Connection settings: embedded or remote server, URL, token (to the keychain) and timeouts.
#include "app/connections/settingsdialog.h"

#include "app/connections/serverconnection.h"
#include "app/connections/tokenstore.h"

#include "ui_settingsdialog.h"

#include <QPointer>
#include <QPushButton>
#include <QUrl>

namespace capsule::app {

SettingsDialog::SettingsDialog(ServerConnection *connection, QWidget *parent)
    : QDialog(parent)
    , m_ui(new Ui::SettingsDialog)
    , m_connection(connection)
{
    m_ui->setupUi(this);
    const QString url = ServerConnection::savedUrl();
    m_ui->remoteRadio->setChecked(!url.isEmpty());
    m_ui->urlEdit->setText(url);
    m_ui->timeoutSpin->setValue(ServerConnection::savedRequestTimeout());
    m_ui->verifyCheck->setChecked(ServerConnection::savedVerifyTransfers());
    m_ui->ownerCheck->setChecked(ServerConnection::savedOwnedByRunner());
    m_ui->storageLabel->setText(
        TokenStore::keychainEnabled()
            ? tr("Tokens are kept in the system keychain when one is available.")
            : tr("No keychain support: tokens are kept in a file readable only by you."));
    if (qEnvironmentVariableIsSet("CAPSULE_BASE_URL"))
        m_ui->problemLabel->setText(
            tr("CAPSULE_BASE_URL is set in the environment and wins over these settings."));
    connect(m_ui->buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_ui->buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(m_ui->remoteRadio, &QRadioButton::toggled, this, &SettingsDialog::validate);
    connect(m_ui->urlEdit, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    validate();
}

SettingsDialog::~SettingsDialog()
{}

void SettingsDialog::validate()
{
    const bool remote = m_ui->remoteRadio->isChecked();
    m_ui->urlEdit->setEnabled(remote);
    m_ui->tokenEdit->setEnabled(remote);
    QString problem;
    if (remote) {
        const QUrl url(m_ui->urlEdit->text().trimmed(), QUrl::StrictMode);
        if (m_ui->urlEdit->text().trimmed().isEmpty())
            problem = tr("Enter the control plane URL.");
        else if (!url.isValid() ||
                 (url.scheme() != QLatin1String("http") &&
                  url.scheme() != QLatin1String("https")) ||
                 url.host().isEmpty())
            problem = tr("The URL must look like http://host:port or https://host.");
    }
    if (!qEnvironmentVariableIsSet("CAPSULE_BASE_URL") || !problem.isEmpty())
        m_ui->problemLabel->setText(problem);
    m_ui->buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

void SettingsDialog::accept()
{
    const bool remote = m_ui->remoteRadio->isChecked();
    const QString url = remote ? m_ui->urlEdit->text().trimmed() : QString();
    ServerConnection::saveUrl(url);
    ServerConnection::saveRequestTimeout(m_ui->timeoutSpin->value());
    ServerConnection::saveVerifyTransfers(m_ui->verifyCheck->isChecked());
    ServerConnection::saveOwnedByRunner(m_ui->ownerCheck->isChecked());
    const QString token = m_ui->tokenEdit->text();
    QPointer<ServerConnection> connection = m_connection;
    if (remote && !token.isEmpty()) {
        // Store first, then reconnect: start() reads the token back from the store.
        m_connection->tokenStore()->write(url, token, [connection](bool) {
            if (connection)
                connection->start();
        });
    } else {
        m_connection->start();
    }
    QDialog::accept();
}

} // namespace capsule::app
