// See preferencesdialog.h.
#include "app/settings/preferencesdialog.h"

#include "app/connections/serverconnection.h"
#include "app/i18n/language.h"
#include "app/settings/uipreferences.h"
#include "app/terminals/terminalprefs.h"

#include "terminal/terminalview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace capsule::app {

namespace {
// The page's form, with a little room around it.
QFormLayout *formOn(QWidget *page)
{
    auto *form = new QFormLayout(page);
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    return form;
}

QLabel *note(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    QFont small = label->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    label->setFont(small);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}
} // namespace

PreferencesDialog::PreferencesDialog(int concurrency, QWidget *parent)
    : QDialog(parent)
    , m_pages(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
{
    setObjectName(QStringLiteral("preferencesDialog"));
    setWindowTitle(tr("Preferences"));
    m_pages->setObjectName(QStringLiteral("preferencesPages"));
    m_stack->setObjectName(QStringLiteral("preferencesStack"));
    addPage(tr("General"), generalPage());
    addPage(tr("Appearance"), appearancePage());
    addPage(tr("Terminal"), terminalPage());
    addPage(tr("Transfers"), transfersPage(concurrency));
    m_pages->setSpacing(3);
    m_pages->setFixedWidth(m_pages->sizeHintForColumn(0) + 2 * m_pages->frameWidth() + 32);
    connect(m_pages, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
    m_pages->setCurrentRow(0);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *row = new QHBoxLayout;
    row->addWidget(m_pages);
    row->addWidget(m_stack, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row, 1);
    layout->addWidget(buttons);
    resize(620, 380);
}

void PreferencesDialog::addPage(const QString &title, QWidget *page)
{
    m_pages->addItem(title);
    m_stack->addWidget(page);
}

void PreferencesDialog::showPage(Page page)
{
    m_pages->setCurrentRow(int(page));
}

PreferencesDialog::Page PreferencesDialog::currentPage() const
{
    return Page(m_stack->currentIndex());
}

QWidget *PreferencesDialog::generalPage()
{
    auto *page = new QWidget(this);
    QFormLayout *form = formOn(page);

    auto *language = new QComboBox(page);
    language->setObjectName(QStringLiteral("language"));
    language->addItem(
        tr("System default (%1)").arg(QLocale::languageToString(QLocale::system().language())),
        QString());
    language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    for (const QString &code : availableLanguages()) {
        const QLocale locale(code);
        QString name = locale.nativeLanguageName();
        if (!name.isEmpty())
            name[0] = name[0].toUpper();
        language->addItem(name, code);
    }
    const QString saved = QSettings().value(QLatin1String(kLanguageSettingKey)).toString();
    language->setCurrentIndex(std::max(0, language->findData(saved)));
    auto *restart = note(tr("The language changes when Capsule Desktop starts again."), page);
    restart->setObjectName(QStringLiteral("languageRestartNote"));
    restart->setVisible(false);
    connect(language, &QComboBox::currentIndexChanged, this, [language, restart] {
        QSettings().setValue(QLatin1String(kLanguageSettingKey), language->currentData());
        restart->setVisible(true);
    });
    form->addRow(tr("&Language:"), language);
    form->addRow(QString(), restart);

    auto *refresh = new QSpinBox(page);
    refresh->setObjectName(QStringLiteral("refreshSeconds"));
    refresh->setRange(UiPreferences::MinRefreshSeconds, UiPreferences::MaxRefreshSeconds);
    refresh->setSuffix(tr(" s"));
    refresh->setValue(UiPreferences::instance()->refreshSeconds());
    refresh->setToolTip(tr("How often the runners, workloads and hosts lists and the connection "
                           "state are refreshed"));
    connect(refresh, &QSpinBox::valueChanged, UiPreferences::instance(),
            &UiPreferences::setRefreshSeconds);
    form->addRow(tr("&Refresh every:"), refresh);
    return page;
}

QWidget *PreferencesDialog::appearancePage()
{
    auto *page = new QWidget(this);
    QFormLayout *form = formOn(page);
    UiPreferences *ui = UiPreferences::instance();

    auto *theme = new QComboBox(page);
    theme->setObjectName(QStringLiteral("theme"));
    theme->addItem(tr("Follow the system"), int(UiPreferences::Theme::System));
    theme->addItem(tr("Light"), int(UiPreferences::Theme::Light));
    theme->addItem(tr("Dark"), int(UiPreferences::Theme::Dark));
    theme->setCurrentIndex(theme->findData(int(ui->theme())));
    connect(theme, &QComboBox::currentIndexChanged, ui,
            [theme, ui] { ui->setTheme(UiPreferences::Theme(theme->currentData().toInt())); });
    form->addRow(tr("&Theme:"), theme);

    TerminalPreferences *prefs = TerminalPreferences::instance();
    auto *scheme = new QComboBox(page);
    scheme->setObjectName(QStringLiteral("scheme"));
    for (const terminal::TerminalColorScheme &s : terminal::TerminalColorScheme::all())
        scheme->addItem(s.name);
    scheme->setCurrentText(prefs->scheme());
    connect(scheme, &QComboBox::currentTextChanged, prefs, &TerminalPreferences::setScheme);
    form->addRow(tr("Terminal &colours:"), scheme);

    auto *font = new QFontComboBox(page);
    font->setObjectName(QStringLiteral("font"));
    font->setFontFilters(QFontComboBox::MonospacedFonts);
    font->setCurrentFont(prefs->font());
    auto *size = new QSpinBox(page);
    size->setObjectName(QStringLiteral("fontSize"));
    size->setRange(5, 72);
    size->setSuffix(tr(" pt"));
    size->setValue(int(prefs->font().pointSizeF() > 0 ? prefs->font().pointSizeF() : 10));
    auto applyFont = [font, size, prefs] {
        QFont f = font->currentFont();
        f.setPointSize(size->value());
        prefs->setFont(f);
    };
    connect(font, &QFontComboBox::currentFontChanged, this, applyFont);
    connect(size, &QSpinBox::valueChanged, this, applyFont);
    auto *fontRow = new QHBoxLayout;
    fontRow->addWidget(font, 1);
    fontRow->addWidget(size);
    auto *fontLabel = new QLabel(tr("Terminal &font:"), page);
    fontLabel->setBuddy(font);
    form->addRow(fontLabel, fontRow);
    return page;
}

QWidget *PreferencesDialog::terminalPage()
{
    auto *page = new QWidget(this);
    QFormLayout *form = formOn(page);
    TerminalPreferences *prefs = TerminalPreferences::instance();
    auto *scrollback = new QSpinBox(page);
    scrollback->setObjectName(QStringLiteral("scrollback"));
    scrollback->setRange(TerminalPreferences::MinScrollback, TerminalPreferences::MaxScrollback);
    scrollback->setSingleStep(1000);
    scrollback->setSuffix(tr(" lines"));
    scrollback->setValue(prefs->scrollback());
    connect(scrollback, &QSpinBox::valueChanged, prefs, &TerminalPreferences::setScrollback);
    form->addRow(tr("&Scrollback:"), scrollback);
    form->addRow(QString(), note(tr("Lines kept above the screen in each terminal; 0 keeps none. "
                                    "Open terminals change at once."),
                                 page));
    return page;
}

QWidget *PreferencesDialog::transfersPage(int concurrency)
{
    auto *page = new QWidget(this);
    QFormLayout *form = formOn(page);
    auto *atOnce = new QSpinBox(page);
    atOnce->setObjectName(QStringLiteral("transferConcurrency"));
    atOnce->setRange(1, 8);
    atOnce->setValue(concurrency);
    connect(atOnce, &QSpinBox::valueChanged, this, &PreferencesDialog::transferConcurrencyChanged);
    form->addRow(tr("Transfers at &once:"), atOnce);

    auto *verify = new QCheckBox(tr("&Verify content (SHA-256 here and in the runner)"), page);
    verify->setObjectName(QStringLiteral("verifyTransfers"));
    verify->setChecked(ServerConnection::savedVerifyTransfers());
    connect(verify, &QCheckBox::toggled, this, &ServerConnection::saveVerifyTransfers);
    form->addRow(verify);

    auto *owned = new QCheckBox(tr("Uploads and new folders belong to the runner's &user"), page);
    owned->setObjectName(QStringLiteral("ownedByRunner"));
    owned->setChecked(ServerConnection::savedOwnedByRunner());
    connect(owned, &QCheckBox::toggled, this, &ServerConnection::saveOwnedByRunner);
    form->addRow(owned);
    form->addRow(note(tr("Without it, what you upload belongs to root in the runner, and the "
                         "runner's own programs may not be able to change it."),
                      page));
    return page;
}

} // namespace capsule::app
