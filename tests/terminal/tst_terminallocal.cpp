// A terminal tab against a real capsule-local: /bin/sh in a runner echoes a marker through the
// PTY, its exit code is shown, and Enter opens a fresh shell.
#include "core/blocking.h"
#include "core/client.h"
#include "core/runnerconfig.h"
#include "core/runnersession.h"
#include "support/localserver.h"
#include "terminal/terminalsession.h"
#include "terminal/terminalview.h"

#include <QtTest>

using namespace capsule;
using capsule::terminal::TerminalSession;
using capsule::terminal::TerminalView;

class TestTerminalLocal final : public QObject
{
    Q_OBJECT

private:
    test::LocalServer m_local;
    std::unique_ptr<Client> m_client;
    AllocateReply m_runner;

    template<class J>
    static bool finish(J *job)
    {
        return waitFor(job, 60000);
    }
    bool buildFinished(const QString &configId)
    {
        auto *get = m_client->configs()->get(configId);
        return finish(get) && !get->hasError() && get->result().buildFinished();
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_local.start({}, &error), qPrintable(error));
        Settings s = m_local.clientSettings();
        m_client = std::make_unique<Client>(s);
        auto *onboard =
            m_client->workloads()->onboard(RunnerConfig(QStringLiteral("terminal"))
                                               .withCommands(QStringList{QStringLiteral("true")}));
        QVERIFY(finish(onboard));
        QVERIFY2(!onboard->hasError(), qPrintable(onboard->error().toString()));
        const QString configId = onboard->result().configId;
        QTRY_VERIFY_WITH_TIMEOUT(buildFinished(configId), 60000);
        auto *allocated = m_client->runners()->allocateReady(QStringLiteral("terminal"), {});
        QVERIFY(finish(allocated));
        QVERIFY2(!allocated->hasError(), qPrintable(allocated->error().toString()));
        m_runner = allocated->result();
    }

    void shellEchoesExitsAndReconnects()
    {
        RunnerSession runner(m_client->hostResolver(), m_runner.runnerId, m_runner.sessionId, {},
                             m_runner.hostAddress);
        TerminalView view;
        view.resize(640, 360);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        PtyOptions options;
        options.cols = view.surface()->cols();
        options.rows = view.surface()->rows();
        options.command = QStringLiteral("/bin/sh");
        PtyChannel *channel = runner.shell(options, &view);
        TerminalSession session(channel, &view);
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), TerminalSession::State::Connected, 30000);

        // The typed command line shows "$((40+2))"; only the shell's output says 42.
        view.setFocus();
        QTest::keyClicks(&view, QStringLiteral("echo MARK$((40+2))"));
        QTest::keyClick(&view, Qt::Key_Return);
        QTRY_VERIFY2_WITH_TIMEOUT(view.surface()->screenText().contains(QStringLiteral("MARK42")),
                                  qPrintable(view.surface()->screenText()), 20000);

        // The PTY has the view's size.
        QTest::keyClicks(&view, QStringLiteral("stty size"));
        QTest::keyClick(&view, Qt::Key_Return);
        const QString size =
            QStringLiteral("%1 %2").arg(view.surface()->rows()).arg(view.surface()->cols());
        QTRY_VERIFY2_WITH_TIMEOUT(view.surface()->screenText().contains(size),
                                  qPrintable(view.surface()->screenText()), 20000);

        QTest::keyClicks(&view, QStringLiteral("exit 3"));
        QTest::keyClick(&view, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), TerminalSession::State::Exited, 20000);
        QCOMPARE(session.exitCode(), std::optional<int>(3));
        QVERIFY(
            view.surface()->screenText().contains(QStringLiteral("[process exited with code 3]")));

        // Enter opens a fresh shell on the same runner.
        QTest::keyClick(&view, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), TerminalSession::State::Connected, 30000);
        QTest::keyClicks(&view, QStringLiteral("echo again$((1+1))"));
        QTest::keyClick(&view, Qt::Key_Return);
        QTRY_VERIFY2_WITH_TIMEOUT(view.surface()->screenText().contains(QStringLiteral("again2")),
                                  qPrintable(view.surface()->screenText()), 20000);
        channel->close();
    }

    void cleanupTestCase()
    {
        if (!m_client || m_runner.runnerId.isEmpty())
            return;
        auto *released = m_client->runners()->release(m_runner.runnerId);
        finish(released);
    }
};

QTEST_MAIN(TestTerminalLocal)
#include "tst_terminallocal.moc"
