// See connectionsdialog.h.
#include "app/connections/connectionsdialog.h"

#include "app/connections/tokenstore.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace capsule::app {

namespace {
QDoubleSpinBox *timeoutBox(const char *name, QWidget *parent)
{
    auto *box = new QDoubleSpinBox(parent);
    box->setObjectName(QString::fromLatin1(name));
    box->setRange(1, 3600);
    box->setDecimals(0);
    box->setSuffix(QStringLiteral(" s"));
    return box;
}
} // namespace

ConnectionsDialog::ConnectionsDialog(TokenStore *tokens, const QString &currentId, QWidget *parent)
    : QDialog(parent)
    , m_tokens(tokens)
    , m_list(new QListWidget(this))
    , m_name(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_requestTimeout(timeoutBox("requestTimeout", this))
    , m_startupTimeout(timeoutBox("startupTimeout", this))
    , m_operationTimeout(timeoutBox("operationTimeout", this))
    , m_problem(new QLabel(this))
    , m_health(new QLabel(this))
    , m_remove(new QPushButton(tr("&Remove"), this))
    , m_save(new QPushButton(tr("&Save"), this))
{
    setObjectName(QStringLiteral("connectionsDialog"));
    setWindowTitle(tr("Connections"));
    m_list->setObjectName(QStringLiteral("profileList"));
    m_name->setObjectName(QStringLiteral("profileName"));
    m_url->setObjectName(QStringLiteral("profileUrl"));
    m_url->setPlaceholderText(QStringLiteral("https://capsule.example.com"));
    m_token->setObjectName(QStringLiteral("profileToken"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("unchanged (kept in the keychain)"));
    m_problem->setObjectName(QStringLiteral("profileProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #c01c28;"));
    m_problem->setWordWrap(true);
    m_problem->setVisible(false);
    m_health->setObjectName(QStringLiteral("profileHealth"));
    m_health->setWordWrap(true);
    m_health->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Server &URL:"), m_url);
    form->addRow(tr("&Token:"), m_token);
    form->addRow(tr("&Request timeout:"), m_requestTimeout);
    form->addRow(tr("S&tartup timeout:"), m_startupTimeout);
    form->addRow(tr("&Operation timeout:"), m_operationTimeout);
    form->addRow(QString(), m_problem);
    form->addRow(tr("Health:"), m_health);
    auto *add = new QPushButton(tr("&Add"), this);
    auto *check = new QPushButton(tr("&Check"), this);
    check->setObjectName(QStringLiteral("checkProfile"));
    auto *row = new QHBoxLayout;
    row->addWidget(add);
    row->addWidget(m_save);
    row->addWidget(m_remove);
    row->addStretch(1);
    row->addWidget(check);
    auto *right = new QVBoxLayout;
    right->addLayout(form);
    right->addLayout(row);
    right->addStretch(1);
    auto *top = new QHBoxLayout;
    top->addWidget(m_list, 1);
    top->addLayout(right, 2);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *connectButton = buttons->addButton(tr("C&onnect"), QDialogButtonBox::AcceptRole);
    connectButton->setObjectName(QStringLiteral("connectProfile"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addWidget(buttons);

    connect(m_list, &QListWidget::currentRowChanged, this, &ConnectionsDialog::showSelected);
    connect(add, &QPushButton::clicked, this, [this] { addProfile(); });
    connect(m_save, &QPushButton::clicked, this, [this] { saveSelected(); });
    connect(m_remove, &QPushButton::clicked, this, &ConnectionsDialog::removeSelected);
    connect(check, &QPushButton::clicked, this, &ConnectionsDialog::checkSelected);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!selectedId().isEmpty()) {
            emit connectRequested(selectedId());
            accept();
        }
    });
    reload(currentId.isEmpty() ? QString::fromLatin1(ProfileStore::kLocalId) : currentId);
}

void ConnectionsDialog::reload(const QString &selectId)
{
    m_profiles = ProfileStore::all();
    m_list->clear();
    int select = 0;
    for (int i = 0; i < m_profiles.size(); ++i) {
        m_list->addItem(m_profiles[i].name);
        if (m_profiles[i].id == selectId)
            select = i;
    }
    m_list->setCurrentRow(select);
}

void ConnectionsDialog::selectProfile(const QString &id)
{
    for (int i = 0; i < m_profiles.size(); ++i)
        if (m_profiles[i].id == id)
            m_list->setCurrentRow(i);
}

QString ConnectionsDialog::selectedId() const
{
    const int row = m_list->currentRow();
    return row >= 0 && row < m_profiles.size() ? m_profiles[row].id : QString();
}

void ConnectionsDialog::showSelected()
{
    const int row = m_list->currentRow();
    if (row < 0 || row >= m_profiles.size())
        return;
    const ConnectionProfile &p = m_profiles[row];
    const bool editable = !p.isBuiltIn();
    m_name->setText(p.name);
    m_url->setText(p.kind == ConnectionProfile::Kind::ThisComputer
                       ? tr("(the embedded capsule-local)")
                       : p.baseUrl);
    m_token->clear();
    for (QWidget *w :
         {static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_url),
          static_cast<QWidget *>(m_token), static_cast<QWidget *>(m_requestTimeout),
          static_cast<QWidget *>(m_startupTimeout), static_cast<QWidget *>(m_operationTimeout)})
        w->setEnabled(editable);
    m_requestTimeout->setValue(p.requestTimeout);
    m_startupTimeout->setValue(p.startupTimeout);
    m_operationTimeout->setValue(p.operationTimeout);
    m_remove->setEnabled(editable);
    m_save->setEnabled(editable);
    m_health->setText(p.kind == ConnectionProfile::Kind::ThisComputer
                          ? tr("Started by the app; always here.")
                          : tr("Not checked yet (Check)."));
    setProblem({});
}

void ConnectionsDialog::setFields(const QString &name, const QString &url, const QString &token,
                                  double requestTimeout, double startupTimeout,
                                  double operationTimeout)
{
    m_name->setText(name);
    m_url->setText(url);
    m_token->setText(token);
    m_requestTimeout->setValue(requestTimeout);
    m_startupTimeout->setValue(startupTimeout);
    m_operationTimeout->setValue(operationTimeout);
}

ConnectionProfile ConnectionsDialog::fromFields(const ConnectionProfile &base) const
{
    ConnectionProfile p = base;
    p.kind = ConnectionProfile::Kind::Saved;
    p.name = m_name->text().trimmed();
    p.baseUrl = m_url->text().trimmed();
    p.requestTimeout = m_requestTimeout->value();
    p.startupTimeout = m_startupTimeout->value();
    p.operationTimeout = m_operationTimeout->value();
    return p;
}

void ConnectionsDialog::setProblem(const QString &problem)
{
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
}

QString ConnectionsDialog::addProfile()
{
    if (!m_name->isEnabled()) {
        // A built-in profile is shown: start from an empty form.
        for (QWidget *w :
             {static_cast<QWidget *>(m_name), static_cast<QWidget *>(m_url),
              static_cast<QWidget *>(m_token), static_cast<QWidget *>(m_requestTimeout),
              static_cast<QWidget *>(m_startupTimeout), static_cast<QWidget *>(m_operationTimeout)})
            w->setEnabled(true);
        m_name->clear();
        m_url->clear();
        m_token->clear();
        m_name->setFocus();
        setProblem(tr("Fill in a name and a server URL, then Add again."));
        return {};
    }
    ConnectionProfile base;
    base.id = ProfileStore::newId();
    const ConnectionProfile p = fromFields(base);
    const QString problem = ProfileStore::validate(p);
    setProblem(problem);
    if (!problem.isEmpty())
        return {};
    QList<ConnectionProfile> saved = ProfileStore::saved();
    saved << p;
    ProfileStore::save(saved);
    if (!m_token->text().isEmpty())
        m_tokens->write(p.baseUrl, m_token->text());
    reload(p.id);
    emit profilesChanged();
    return p.id;
}

bool ConnectionsDialog::saveSelected()
{
    const QString id = selectedId();
    QList<ConnectionProfile> saved = ProfileStore::saved();
    for (ConnectionProfile &p : saved) {
        if (p.id != id)
            continue;
        const ConnectionProfile updated = fromFields(p);
        const QString problem = ProfileStore::validate(updated);
        setProblem(problem);
        if (!problem.isEmpty())
            return false;
        p = updated;
        ProfileStore::save(saved);
        if (!m_token->text().isEmpty())
            m_tokens->write(p.baseUrl, m_token->text());
        reload(id);
        emit profilesChanged();
        return true;
    }
    return false;
}

void ConnectionsDialog::removeSelected()
{
    const QString id = selectedId();
    QList<ConnectionProfile> saved = ProfileStore::saved();
    saved.removeIf([&id](const ConnectionProfile &p) { return p.id == id; });
    ProfileStore::save(saved);
    reload(QString::fromLatin1(ProfileStore::kLocalId));
    emit profilesChanged();
}

void ConnectionsDialog::checkSelected()
{
    const QString id = selectedId();
    const ConnectionProfile p = ProfileStore::find(id);
    if (p.id.isEmpty() || p.kind == ConnectionProfile::Kind::ThisComputer)
        return;
    if (m_check)
        m_check->deleteLater();
    m_health->setText(tr("Checking %1 ...").arg(p.baseUrl));
    auto run = [this, id, p](const QString &token) {
        auto *check = new HealthCheck(p.baseUrl, token, p.requestTimeout, this);
        m_check = check;
        connect(check, &HealthCheck::finished, this,
                [this, id, check](const HealthCheck::Result &result) {
                    if (selectedId() == id)
                        m_health->setText(result.text());
                    emit healthChecked(id, result.text());
                    check->deleteLater();
                });
        check->start();
    };
    if (p.kind == ConnectionProfile::Kind::Environment)
        run(qEnvironmentVariable("CAPSULE_TOKEN"));
    else if (!m_token->text().isEmpty())
        run(m_token->text());
    else
        m_tokens->read(p.baseUrl, run);
}

QString ConnectionsDialog::healthText() const
{
    return m_health->text();
}

QString ConnectionsDialog::problemText() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

} // namespace capsule::app
