// The Connections dialog: every server profile (This computer, Environment, saved ones) with its
// name, base URL, token (kept in the TokenStore), the three timeouts and a health check.
#pragma once

#include "app/connections/profiles.h"

#include <QDialog>
#include <QPointer>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace capsule::app {

class TokenStore;

class ConnectionsDialog : public QDialog
{
    Q_OBJECT
public:
    ConnectionsDialog(TokenStore *tokens, const QString &currentId, QWidget *parent = nullptr);

    // Field access for tests.
    void selectProfile(const QString &id);
    QString selectedId() const;
    void setFields(const QString &name, const QString &url, const QString &token,
                   double requestTimeout = 30, double startupTimeout = 45,
                   double operationTimeout = 120);
    // Adds a new profile from the fields; returns its id ("" and the problem shown when invalid).
    QString addProfile();
    // Saves the fields into the selected saved profile; false (problem shown) when invalid.
    bool saveSelected();
    void removeSelected();
    void checkSelected();
    QString healthText() const;
    QString problemText() const;

signals:
    void connectRequested(const QString &profileId);
    void healthChecked(const QString &profileId, const QString &text);
    void profilesChanged();

private:
    void reload(const QString &selectId);
    void showSelected();
    ConnectionProfile fromFields(const ConnectionProfile &base) const;
    void setProblem(const QString &problem);

    TokenStore *m_tokens;
    QList<ConnectionProfile> m_profiles;
    QListWidget *m_list;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QDoubleSpinBox *m_requestTimeout;
    QDoubleSpinBox *m_startupTimeout;
    QDoubleSpinBox *m_operationTimeout;
    QLabel *m_problem;
    QLabel *m_health;
    QPushButton *m_remove;
    QPushButton *m_save;
    QPointer<HealthCheck> m_check;
};

} // namespace capsule::app
