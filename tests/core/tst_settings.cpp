// Settings resolution (contract 1.2, item 9.1): argument > environment > default.
#include "core/settings.h"

#include <QtTest>

using namespace capsule;

class TestSettings final : public QObject
{
    Q_OBJECT

private slots:
    void defaults()
    {
        const Settings s = Settings::resolve({}, QProcessEnvironment());
        QCOMPARE(s.baseUrl, QStringLiteral("http://localhost:8080"));
        QVERIFY(!s.token.has_value());
        QVERIFY(!s.hasToken());
        QCOMPARE(s.requestTimeout, 30.0);
        QCOMPARE(s.startupTimeout, 45.0);
        QCOMPARE(s.operationTimeout, 120.0);
        QVERIFY(Settings::userAgent().contains(QStringLiteral("capsule-sdk-python")));
    }

    void environmentIsUsedWithoutArguments()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CAPSULE_BASE_URL"), QStringLiteral("http://cp:9000//"));
        env.insert(QStringLiteral("CAPSULE_TOKEN"), QStringLiteral("envtok"));
        env.insert(QStringLiteral("CAPSULE_REQUEST_TIMEOUT"), QStringLiteral("2.5"));
        env.insert(QStringLiteral("CAPSULE_STARTUP_TIMEOUT"), QStringLiteral("7"));
        env.insert(QStringLiteral("CAPSULE_OPERATION_TIMEOUT"), QStringLiteral("not-a-number"));
        const Settings s = Settings::resolve({}, env);
        QCOMPARE(s.baseUrl, QStringLiteral("http://cp:9000"));
        QCOMPARE(*s.token, QStringLiteral("envtok"));
        QCOMPARE(s.requestTimeout, 2.5);
        QCOMPARE(s.startupTimeout, 7.0);
        QCOMPARE(s.operationTimeout, 120.0); // unparsable -> default
    }

    void argumentsWinOverEnvironment()
    {
        QProcessEnvironment env;
        env.insert(QStringLiteral("CAPSULE_BASE_URL"), QStringLiteral("http://env:1"));
        env.insert(QStringLiteral("CAPSULE_TOKEN"), QStringLiteral("envtok"));
        SettingsOverrides args;
        args.baseUrl = QStringLiteral("http://arg:2/prefix/");
        args.token = QString(); // explicit empty: given, env not read, no Authorization
        args.requestTimeout = 1;
        const Settings s = Settings::resolve(args, env);
        QCOMPARE(s.baseUrl, QStringLiteral("http://arg:2/prefix"));
        QVERIFY(s.token.has_value());
        QVERIFY(s.token->isEmpty());
        QVERIFY(!s.hasToken());
        QCOMPARE(s.requestTimeout, 1.0);
    }
};

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
