#include "app/widgets/aboutdialog.h"

#include "app/connections/serverconnection.h"
#include "core/client.h"
#include "core/hosts.h"
#include "core/version.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace capsule::app {

AboutDialog::AboutDialog(ServerConnection *connection, QWidget *parent)
    : QDialog(parent)
    , m_connection(connection)
    , m_text(new QPlainTextEdit(this))
    , m_clientText(versionText(QStringLiteral("capsule-desktop")).trimmed())
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Capsule Desktop"));

    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/capsule.svg")).pixmap(64, 64));
    auto *title = new QLabel(tr("<h3>Capsule Desktop %1</h3>"
                                "<p>A desktop client for Capsule sandboxes: workloads, runners, "
                                "files and terminals.</p>")
                                 .arg(appVersion().toHtmlEscaped()),
                             this);
    title->setWordWrap(true);
    auto *header = new QHBoxLayout;
    header->addWidget(icon, 0, Qt::AlignTop);
    header->addWidget(title, 1);

    m_text->setObjectName(QStringLiteral("aboutVersions"));
    m_text->setReadOnly(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setMinimumSize(460, 170);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copy->setObjectName(QStringLiteral("aboutCopy"));
    copy->setToolTip(tr("Copy the versions to the clipboard (for a bug report)"));
    connect(copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(versionsText()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_text, 1);
    layout->addWidget(buttons);
    askServer();
}

QString AboutDialog::versionsText() const
{
    return m_text->toPlainText();
}

void AboutDialog::setServerLines(const QStringList &lines)
{
    m_text->setPlainText(m_clientText + QLatin1Char('\n') + lines.join(QLatin1Char('\n')));
}

// The server's version comes from GET /health (its Server header); asked once when the dialog
// opens, without blocking: the dialog shows "asking..." until the answer arrives.
void AboutDialog::askServer()
{
    Client *client = m_connection ? m_connection->client() : nullptr;
    if (!client || m_connection->state() != ServerConnection::State::Connected) {
        setServerLines({tr("Server: not connected")});
        return;
    }
    const QString server = tr("Server: %1 (%2)")
                               .arg(m_connection->baseUrl(),
                                    m_connection->isEmbedded() ? tr("embedded") : tr("remote"));
    setServerLines({server, tr("Server version: asking...")});
    QPointer<AboutDialog> self(this);
    client->hosts()->serverInfo()->then(
        this,
        [self, server](const ServerInfo &info) {
            if (!self)
                return;
            self->setServerLines(
                {server, info.software.isEmpty()
                             ? tr("Server version: not reported (an upstream Capsule server)")
                             : tr("Server version: %1").arg(info.software)});
        },
        [self, server](const Error &error) {
            if (self)
                self->setServerLines({server, tr("Server not reachable: %1").arg(error.message)});
        });
}

} // namespace capsule::app
