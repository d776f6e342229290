// Terminal appearance settings of the app: colour scheme, font, scrollback size.
#include "app/terminals/terminalprefs.h"

#include "terminal/terminalview.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QPointer>
#include <QSettings>
#include <QSpinBox>

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

TerminalPreferencesDialog::TerminalPreferencesDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Terminal Appearance"));
    TerminalPreferences *prefs = TerminalPreferences::instance();
    auto *scheme = new QComboBox(this);
    scheme->setObjectName(QStringLiteral("scheme"));
    for (const terminal::TerminalColorScheme &s : terminal::TerminalColorScheme::all())
        scheme->addItem(s.name);
    scheme->setCurrentText(prefs->scheme());
    auto *font = new QFontComboBox(this);
    font->setObjectName(QStringLiteral("font"));
    font->setFontFilters(QFontComboBox::MonospacedFonts);
    font->setCurrentFont(prefs->font());
    auto *size = new QSpinBox(this);
    size->setObjectName(QStringLiteral("fontSize"));
    size->setRange(5, 72);
    size->setValue(int(prefs->font().pointSizeF() > 0 ? prefs->font().pointSizeF() : 10));
    auto *scrollback = new QSpinBox(this);
    scrollback->setObjectName(QStringLiteral("scrollback"));
    scrollback->setRange(TerminalPreferences::MinScrollback, TerminalPreferences::MaxScrollback);
    scrollback->setSingleStep(1000);
    scrollback->setSuffix(tr(" lines"));
    scrollback->setValue(prefs->scrollback());
    auto *form = new QFormLayout(this);
    form->addRow(tr("Colour scheme:"), scheme);
    form->addRow(tr("Font:"), font);
    form->addRow(tr("Size:"), size);
    form->addRow(tr("Scrollback:"), scrollback);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(scheme, &QComboBox::currentTextChanged, prefs, &TerminalPreferences::setScheme);
    auto applyFont = [font, size, prefs] {
        QFont f = font->currentFont();
        f.setPointSize(size->value());
        prefs->setFont(f);
    };
    connect(font, &QFontComboBox::currentFontChanged, this, applyFont);
    connect(size, &QSpinBox::valueChanged, this, applyFont);
    connect(scrollback, &QSpinBox::valueChanged, prefs, &TerminalPreferences::setScrollback);
}

} // namespace capsule::app
