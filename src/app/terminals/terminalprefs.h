// Terminal appearance settings of the app: colour scheme, font, scrollback size. Stored with
// QSettings (group "terminal") and applied to every open terminal view when they change. Edited
// on the Appearance and Terminal pages of the Preferences dialog (app/settings).
#pragma once

#include <QFont>
#include <QObject>
#include <QString>

namespace capsule::terminal {
class TerminalView;
}

namespace capsule::app {

class TerminalPreferences : public QObject
{
    Q_OBJECT
public:
    static constexpr int MinScrollback = 0;
    static constexpr int MaxScrollback = 1'000'000;

    static TerminalPreferences *instance();

    QString scheme() const { return m_scheme; }
    QFont font() const { return m_font; }
    int scrollback() const { return m_scrollback; }
    void setScheme(const QString &scheme);
    void setFont(const QFont &font);
    void setScrollback(int lines);

    // Applies the settings to the view now and whenever they change (until the view is gone).
    void track(terminal::TerminalView *view);
    void apply(terminal::TerminalView *view) const;

signals:
    void changed();

private:
    TerminalPreferences();
    void save();

    QString m_scheme;
    QFont m_font;
    int m_scrollback;
};

} // namespace capsule::app
