// Terminal appearance settings of the app: colour scheme, font, scrollback size.
#include "app/terminals/terminalprefs.h"

#include "terminal/terminalview.h"

#include <QFontDatabase>
#include <QPointer>
#include <QSettings>

#include <algorithm>

namespace capsule::app {

TerminalPreferences *TerminalPreferences::instance()
{
    static auto *prefs = new TerminalPreferences;
    return prefs;
}

TerminalPreferences::TerminalPreferences()
{
    QSettings s;
    s.beginGroup(QStringLiteral("terminal"));
    m_scheme = s.value(QStringLiteral("scheme"), QStringLiteral("Dark")).toString();
    QFont fallback = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_font.fromString(s.value(QStringLiteral("font"), fallback.toString()).toString());
    m_scrollback = std::clamp(s.value(QStringLiteral("scrollback"), 10000).toInt(), MinScrollback,
                              MaxScrollback);
}

void TerminalPreferences::save()
{
    QSettings s;
    s.beginGroup(QStringLiteral("terminal"));
    s.setValue(QStringLiteral("scheme"), m_scheme);
    s.setValue(QStringLiteral("font"), m_font.toString());
    s.setValue(QStringLiteral("scrollback"), m_scrollback);
    emit changed();
}

void TerminalPreferences::setScheme(const QString &scheme)
{
    m_scheme = scheme;
    save();
}

void TerminalPreferences::setFont(const QFont &font)
{
    m_font = font;
    save();
}

void TerminalPreferences::setScrollback(int lines)
{
    m_scrollback = std::clamp(lines, MinScrollback, MaxScrollback);
    save();
}

void TerminalPreferences::apply(terminal::TerminalView *view) const
{
    view->setColorScheme(m_scheme);
    view->setTerminalFont(m_font);
    view->surface()->setScrollbackLimit(m_scrollback);
}

void TerminalPreferences::track(terminal::TerminalView *view)
{
    apply(view);
    connect(this, &TerminalPreferences::changed, view, [this, view] { apply(view); });
}

} // namespace capsule::app
