// The workload wizard against a real capsule-local: onboarding from the pages with progress until
// the build is active, a failing build's message from the server, and editing the stored
// workload (its definition from GET layered-configs/{id}).
#include "app/wizard/basicpages.h"
#include "app/wizard/layerspage.h"
#include "app/wizard/progresspage.h"
#include "app/wizard/reviewpage.h"
#include "app/wizard/wizardmodel.h"
#include "app/wizard/workloadwizard.h"

#include "core/blocking.h"
#include "core/client.h"
#include "support/localserver.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace capsule;
using namespace capsule::app;
using capsule::test::LocalServer;

class TestWizardOnboard final : public QObject
{
    Q_OBJECT

private:
    LocalServer m_local;
    std::unique_ptr<Client> m_client;

    // Types a name and one layer's commands, then goes to the review page.
    static void fill(WorkloadWizard &wizard, const QString &name, const QString &commands)
    {
        wizard.next();
        QTest::keyClicks(wizard.namePage()->nameEdit, name);
        wizard.next();
        QTest::keyClicks(wizard.layersPage()->initEdit, commands);
        for (int i = 0; i < 8 && wizard.currentId() != WorkloadWizard::ReviewPageId; ++i)
            wizard.next();
    }

private slots:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_local.start({}, &error), qPrintable(error));
        m_client = std::make_unique<Client>(m_local.clientSettings());
    }

    void onboardsUntilTheBuildIsActive()
    {
        WorkloadWizard wizard;
        wizard.setClient(m_client.get());
        QSignalSpy start(&wizard, &WorkloadWizard::startRunnerRequested);
        wizard.show();
        fill(wizard, QStringLiteral("wizard-onboard"), QStringLiteral("echo built-by-the-wizard"));
        QCOMPARE(wizard.currentId(), int(WorkloadWizard::ReviewPageId));
        // Create (the commit button) moves to the progress page, which creates and builds.
        wizard.next();
        QCOMPARE(wizard.currentId(), int(WorkloadWizard::ProgressPageId));
        ProgressPage *progress = wizard.progressPage();
        progress->startCheck->setChecked(true);
        QTRY_VERIFY_WITH_TIMEOUT(progress->isComplete(), 150000);
        QVERIFY2(progress->succeeded(), qPrintable(progress->errorText()));
        QCOMPARE(progress->configId(), QStringLiteral("wizard-onboard"));
        QVERIFY2(progress->logView->toPlainText().contains(QStringLiteral("built-by-the-wizard")),
                 qPrintable(progress->logView->toPlainText()));
        QCOMPARE(progress->progressBar->value(), progress->progressBar->maximum());
        // The server agrees: the leaf is active.
        auto *get = m_client->configs()->get(QStringLiteral("wizard-onboard"));
        QVERIFY(waitFor(get, 30000));
        QVERIFY(get->result().buildFinished());
        get->deleteLater();
        // Finish with "Start a runner" asks the app to start one and open its terminal.
        wizard.button(QWizard::FinishButton)->click();
        QCOMPARE(start.size(), 1);
        QCOMPARE(start.first().at(0).toString(), QStringLiteral("wizard-onboard"));
        QCOMPARE(start.first().at(1).toBool(), false);
    }

    void failingBuildShowsTheServersMessage()
    {
        WorkloadWizard wizard;
        wizard.setClient(m_client.get());
        wizard.show();
        fill(wizard, QStringLiteral("wizard-fails"),
             QStringLiteral("echo wizard-build-breaks >&2; exit 3"));
        wizard.next();
        ProgressPage *progress = wizard.progressPage();
        QTRY_VERIFY_WITH_TIMEOUT(progress->isComplete(), 150000);
        QVERIFY(!progress->succeeded());
        QVERIFY2(progress->errorText().contains(QStringLiteral("failed (exit 3)")) &&
                     progress->errorText().contains(QStringLiteral("wizard-build-breaks")),
                 qPrintable(progress->errorText()));
        QVERIFY(progress->stepLabel->text().contains(QStringLiteral("Failed")));
    }

    void editsTheStoredWorkload()
    {
        auto *get = m_client->configs()->get(QStringLiteral("wizard-onboard"));
        QVERIFY(waitFor(get, 30000));
        QVERIFY2(!get->hasError(), qPrintable(get->error().toString()));
        const QJsonObject definition = get->result().definition;
        get->deleteLater();
        WorkloadWizard wizard;
        wizard.setClient(m_client.get());
        wizard.editExisting(definition);
        wizard.show();
        QCOMPARE(wizard.namePage()->nameEdit->text(), QStringLiteral("wizard-onboard"));
        QCOMPARE(wizard.layersPage()->initEdit->toPlainText(),
                 QStringLiteral("echo built-by-the-wizard"));
        // Unchanged, the body re-sends the server's definition.
        QCOMPARE(wizard.body(), definition);
        for (int i = 0; i < 8 && wizard.currentId() != WorkloadWizard::RuntimePageId; ++i)
            wizard.next();
        QTest::keyClicks(wizard.runtimePage()->ttlEdit, QStringLiteral("10m"));
        for (int i = 0; i < 8 && wizard.currentId() != WorkloadWizard::ReviewPageId; ++i)
            wizard.next();
        ReviewPage *review = wizard.reviewPage();
        QVERIFY2(review->changesLabel->text().contains(QStringLiteral("config.ttl")),
                 qPrintable(review->changesLabel->text()));
        QVERIFY(review->isComplete());
        // The update goes through (create is an upsert) and nothing needs building.
        wizard.next();
        QTRY_VERIFY_WITH_TIMEOUT(wizard.progressPage()->isComplete(), 150000);
        QVERIFY2(wizard.progressPage()->succeeded(),
                 qPrintable(wizard.progressPage()->errorText()));
        auto *after = m_client->configs()->get(QStringLiteral("wizard-onboard"));
        QVERIFY(waitFor(after, 30000));
        QCOMPARE(after->result().config.runnerTtlSeconds, qint64(600));
        after->deleteLater();

        // A layer change is refused by the server for an existing name: blocked before sending.
        WorkloadWizard refused;
        refused.editExisting(definition);
        refused.show();
        refused.next();
        refused.layersPage()->initEdit->setPlainText(QStringLiteral("echo something else"));
        for (int i = 0; i < 8 && refused.currentId() != WorkloadWizard::ReviewPageId; ++i)
            refused.next();
        QVERIFY(!refused.reviewPage()->isComplete());
        QVERIFY(refused.model()
                    ->problem(QStringLiteral("review.structure"))
                    .contains(QStringLiteral("refuse")));
        QVERIFY(refused.reviewPage()->changesLabel->text().contains(
            QStringLiteral("Layers that will rebuild: main")));
    }
};

QTEST_MAIN(TestWizardOnboard)
#include "tst_wizard_onboard.moc"
