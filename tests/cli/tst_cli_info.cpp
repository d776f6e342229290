// `capsule version`, `capsule completion` and `capsule help --man` against a real capsule-local.
#include "cliharness.h"
#include "support/localserver.h"

#include "core/version.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QtTest>

using namespace capsule;
using namespace capsule::test;

class TestCliInfo final : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start({}, &error), qPrintable(error));
    }

    void versionNamesClientAndServer()
    {
        const CliResult r =
            runCli({QStringLiteral("version")}, m_server.baseUrl(), m_server.token());
        QCOMPARE(r.code, 0);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.startsWith(QStringLiteral("capsule %1\n").arg(appVersion())), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("software: capsule-local/%1").arg(appVersion())),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("health: OK")), qPrintable(out));

        const CliResult j =
            runCli({QStringLiteral("version"), QStringLiteral("--output"), QStringLiteral("json")},
                   m_server.baseUrl(), m_server.token());
        QCOMPARE(j.code, 0);
        const QJsonObject o = QJsonDocument::fromJson(j.out).object();
        QCOMPARE(o.value(QStringLiteral("client")).toString(), appVersion());
        QCOMPARE(o.value(QStringLiteral("server")).toObject().value(QStringLiteral("software")),
                 QJsonValue(QStringLiteral("capsule-local/%1").arg(appVersion())));
    }

    void versionWithUnreachableServer()
    {
        // A port nobody listens on: the client's versions still print, the exit code says why.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        const CliResult r = runCli({QStringLiteral("version")},
                                   QStringLiteral("http://127.0.0.1:%1").arg(port), {}, {}, 60000);
        QCOMPARE(r.code, 8); // ExitConnection
        QVERIFY(r.out.startsWith("capsule " + appVersion().toUtf8() + '\n'));
        QVERIFY2(r.out.contains("not reachable"), r.out.constData());
    }

    void completionScripts()
    {
        const CliResult bash = runCli({QStringLiteral("completion"), QStringLiteral("bash")});
        QCOMPARE(bash.code, 0);
        QVERIFY(bash.out.contains("complete -F _capsule capsule"));
        QVERIFY(bash.out.contains(" exec) opts=\"--env"));
        const CliResult zsh = runCli({QStringLiteral("completion"), QStringLiteral("zsh")});
        QCOMPARE(zsh.code, 0);
        QVERIFY(zsh.out.startsWith("#compdef capsule\n"));
        const CliResult fish = runCli({QStringLiteral("completion"), QStringLiteral("fish")});
        QCOMPARE(fish.code, 2);
        QVERIFY2(fish.err.contains("unknown shell \"fish\""), fish.err.constData());
    }

    void manualPageListsEveryCommand()
    {
        const CliResult man = runCli({QStringLiteral("help"), QStringLiteral("--man")});
        QCOMPARE(man.code, 0);
        QVERIFY(man.out.startsWith(".TH CAPSULE 1"));
        const CliResult help = runCli({QStringLiteral("--help")});
        // Every command of `capsule --help` has its section in the manual.
        int commands = 0;
        bool inCommands = false;
        for (const QByteArray &line : help.out.split('\n')) {
            if (line == "Commands:") {
                inCommands = true;
                continue;
            }
            if (inCommands && line.isEmpty())
                break;
            if (inCommands) {
                const QByteArray name = line.trimmed().split(' ').value(0);
                QByteArray roffName = name;
                roffName.replace("-", "\\-");
                QVERIFY2(man.out.contains(".SS \"" + roffName + ' '), name.constData());
                ++commands;
            }
        }
        QVERIFY2(commands >= 15, qPrintable(QString::number(commands)));
    }

private:
    LocalServer m_server;
};

QTEST_GUILESS_MAIN(TestCliInfo)
#include "tst_cli_info.moc"
