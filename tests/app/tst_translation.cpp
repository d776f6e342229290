// Translations (issue 17): the German .ts is complete and keeps every placeholder, the embedded
// .qm loads for ui/language=de and the real MainWindow, connected to a real capsule-local, shows
// German actions, tabs, status text and numbers; ui/language=en overrides a German locale.
#include "app/connections/serverconnection.h"
#include "app/i18n/language.h"
#include "app/mainwindow.h"

#include "support/localserver.h"
#include "support/screenshot.h"

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QXmlStreamReader>

using namespace capsule;
using namespace capsule::app;

namespace {

// How often each placeholder (%1..%9, %L1.., %n) appears in a text.
QMap<QString, int> placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(L?[1-9]|n)"));
    QMap<QString, int> counts;
    for (auto it = re.globalMatch(text); it.hasNext();)
        ++counts[it.next().captured(1).remove(QLatin1Char('L'))];
    return counts;
}

int accelerators(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("&(?![a-z]+;|&)"));
    return int(text.count(re));
}

QString actionText(const MainWindow &window, const char *name)
{
    auto *action = window.findChild<QAction *>(QLatin1String(name));
    return action ? action->text() : QStringLiteral("<no action %1>").arg(QLatin1String(name));
}

} // namespace

class TestTranslation final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void germanTranslationIsComplete();
    void germanMainWindow();
    void englishOverridesTheLocale();

private:
    test::LocalServer m_server;
};

void TestTranslation::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv("CAPSULE_DESKTOP_NO_KEYCHAIN", "1");
    qunsetenv("CAPSULE_BASE_URL");
    QString error;
    QVERIFY2(m_server.start({}, &error), qPrintable(error));
}

void TestTranslation::cleanup()
{
    QSettings().remove(QLatin1String(kLanguageSettingKey));
    QLocale::setDefault(QLocale::c());
}

// Every message of translations/capsule-desktop_de.ts is translated (no "unfinished", no empty
// text, two plural forms with %n) and keeps the placeholders and the accelerator of its source.
void TestTranslation::germanTranslationIsComplete()
{
    const QString path = qEnvironmentVariable("CAPSULE_SOURCE_DIR") +
                         QStringLiteral("/translations/capsule-desktop_de.ts");
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
    QXmlStreamReader xml(&file);
    int messages = 0;
    QString context, source;
    QStringList forms;
    bool numerus = false;
    QStringList problems;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.isStartElement() && xml.name() == QLatin1String("message")) {
            numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            forms.clear();
        } else if (xml.isStartElement() && xml.name() == QLatin1String("source")) {
            source = xml.readElementText();
        } else if (xml.isStartElement() && xml.name() == QLatin1String("translation")) {
            const QString type = xml.attributes().value(QLatin1String("type")).toString();
            if (!type.isEmpty())
                problems << QStringLiteral("%1: \"%2\" is %3").arg(context, source, type);
            if (!numerus)
                forms << xml.readElementText();
        } else if (xml.isStartElement() && xml.name() == QLatin1String("numerusform")) {
            forms << xml.readElementText();
        } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            ++messages;
            const QString where = QStringLiteral("%1: \"%2\"").arg(context, source);
            if (numerus && forms.size() != 2)
                problems << where +
                                QStringLiteral(": %1 plural forms, German has 2").arg(forms.size());
            for (const QString &form : std::as_const(forms)) {
                if (form.trimmed().isEmpty())
                    problems << where + QStringLiteral(": empty translation");
                else if (placeholders(form) != placeholders(source))
                    problems << where + QStringLiteral(": placeholders differ in \"%1\"").arg(form);
                else if (accelerators(form) != accelerators(source))
                    problems << where + QStringLiteral(": accelerator lost in \"%1\"").arg(form);
            }
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY2(messages > 500, qPrintable(QString::number(messages)));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestTranslation::germanMainWindow()
{
    QVERIFY(QFile::exists(QStringLiteral(":/i18n/capsule-desktop_de.qm")));
    QSettings().setValue(QLatin1String(kLanguageSettingKey), QStringLiteral("de"));
    const QLocale locale = applyLanguageSetting();
    QCOMPARE(locale.language(), QLocale::German);
    QCOMPARE(QLocale().language(), QLocale::German);
    // Numbers and sizes through QLocale() follow the language.
    QCOMPARE(QLocale().toString(1234.5, 'f', 1), QStringLiteral("1.234,5"));
    QCOMPARE(QLocale().formattedDataSize(1536, 1, QLocale::DataSizeIecFormat),
             QStringLiteral("1,5 KiB"));

    ServerConnection connection;
    MainWindow window(&connection);
    window.show();
    QCOMPARE(actionText(window, "actionAbout"), QStringLiteral("Ü&ber Capsule Desktop"));
    auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("mainTabs"));
    QVERIFY(tabs);
    QStringList titles;
    for (int i = 0; i < tabs->count(); ++i)
        titles << tabs->tabText(i);
    QVERIFY2(titles.contains(QStringLiteral("&Dateien")), qPrintable(titles.join(u',')));

    connection.connectTo(m_server.baseUrl(), m_server.token());
    QTRY_COMPARE_WITH_TIMEOUT(connection.state(), ServerConnection::State::Connected, 15000);
    auto *status = window.findChild<QLabel *>(QStringLiteral("connectionStatus"));
    QVERIFY(status);
    QTRY_VERIFY2_WITH_TIMEOUT(status->text().startsWith(QStringLiteral("Verbunden mit ")),
                              qPrintable(status->text()), 15000);
    test::snapshot(&window, QStringLiteral("main-window-de"));
}

void TestTranslation::englishOverridesTheLocale()
{
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    QSettings().setValue(QLatin1String(kLanguageSettingKey), QStringLiteral("en"));
    QCOMPARE(applyLanguageSetting().language(), QLocale::English);
    ServerConnection connection;
    MainWindow window(&connection);
    QCOMPARE(actionText(window, "actionAbout"), QStringLiteral("&About Capsule Desktop"));
    QCOMPARE(QLocale().toString(1234.5, 'f', 1), QStringLiteral("1,234.5"));
}

QTEST_MAIN(TestTranslation)
#include "tst_translation.moc"
