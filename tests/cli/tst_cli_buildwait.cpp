// `capsule onboard --wait` / `capsule build --wait` follow the build with the core's
// BuildWatchJob: exit 0 with the log streamed (--log), exit 1 with the failed layer, its exit code
// and the server's log tail.
#include "cliharness.h"
#include "support/localserver.h"

#include <QTemporaryDir>
#include <QtTest>

using capsule::test::CliResult;
using capsule::test::LocalServer;
using capsule::test::runCli;

class TestCliBuildWait final : public QObject
{
    Q_OBJECT

private:
    LocalServer m_server;
    QTemporaryDir m_dir;

    QString writeYaml(const QString &name, const QString &command)
    {
        const QString path = m_dir.filePath(name + QStringLiteral(".yaml"));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(QStringLiteral(
                    "workload:\n  display_name: %1\n  layers:\n    - name: main\n"
                    "      init_commands:\n        - {type: shell, args: [bash, -lc, \"%2\"]}\n")
                    .arg(name, command)
                    .toUtf8());
        return path;
    }

    static QString describe(const CliResult &r)
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
            .arg(r.code)
            .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_server.start({}, &error), qPrintable(error));
    }

    void onboardWaitStreamsTheLog()
    {
        const QString file =
            writeYaml(QStringLiteral("wait-ok"), QStringLiteral("echo cli-wait-says-hi"));
        const CliResult r =
            runCli({"onboard", file, "--wait", "--log"}, m_server.baseUrl(), m_server.token());
        QVERIFY2(r.code == 0, qPrintable(describe(r)));
        QVERIFY2(r.out.contains("build of wait-ok finished: v"), qPrintable(describe(r)));
        QVERIFY2(r.err.contains("== layer main, build v"), qPrintable(describe(r)));
        QVERIFY2(r.err.contains("cli-wait-says-hi"), qPrintable(describe(r)));
    }

    void failedBuildExitsOneWithTheServerLog()
    {
        const QString file =
            writeYaml(QStringLiteral("wait-fail"), QStringLiteral("echo cli-breaks-here; exit 4"));
        const CliResult r =
            runCli({"onboard", file, "--wait"}, m_server.baseUrl(), m_server.token());
        QVERIFY2(r.code == 1, qPrintable(describe(r)));
        QVERIFY2(r.err.contains("(layer main) failed (exit 4)"), qPrintable(describe(r)));
        QVERIFY2(r.err.contains("cli-breaks-here"), qPrintable(describe(r)));
        // build --wait on the same workload says the same (a new build fails again).
        const CliResult again =
            runCli({"build", "wait-fail", "--wait"}, m_server.baseUrl(), m_server.token());
        QVERIFY2(again.code == 1, qPrintable(describe(again)));
        QVERIFY2(again.err.contains("failed (exit 4)"), qPrintable(describe(again)));
    }

    void waitNeedsABuild()
    {
        const QString file = writeYaml(QStringLiteral("wait-usage"), QStringLiteral("true"));
        const CliResult r =
            runCli({"onboard", file, "--no-build", "--wait"}, m_server.baseUrl(), m_server.token());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("--wait needs a build"), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestCliBuildWait)
#include "tst_cli_buildwait.moc"
