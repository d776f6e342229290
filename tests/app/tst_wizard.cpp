// The workload wizard driven page by page with QTest: live validation that blocks Next (name,
// CIDR, duration), every builder field -> golden onboard.yaml and the RunnerConfig body, import
// -> export -> import round trips (contract 5.4 examples, all fields, unknown keys), the review
// page's editable YAML flowing back into the pages, templates, the replace diff.
#include "app/wizard/basicpages.h"
#include "app/wizard/layerspage.h"
#include "app/wizard/networkpage.h"
#include "app/wizard/onboarddiff.h"
#include "app/wizard/reviewpage.h"
#include "app/wizard/startpage.h"
#include "app/wizard/wizardmodel.h"
#include "app/wizard/workloadwizard.h"

#include "core/onboard.h"
#include "core/runnerconfig.h"
#include "core/workloadkey.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace capsule;
using namespace capsule::app;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

// Goes from the templates page to `page` with Next, checking each page lets us pass.
void nextUntil(WorkloadWizard &wizard, int page)
{
    for (int i = 0; i < 10 && wizard.currentId() != page; ++i) {
        QVERIFY2(wizard.currentPage()->isComplete(),
                 qPrintable(QStringLiteral("page %1 blocks Next: %2")
                                .arg(wizard.currentId())
                                .arg(wizard.model()->problems().values().join('|'))));
        wizard.next();
    }
    QCOMPARE(wizard.currentId(), page);
}

void setCell(QTableWidget *table, int row, int column, const QString &text)
{
    if (row >= table->rowCount())
        table->setRowCount(row + 1);
    table->setItem(row, column, new QTableWidgetItem(text));
}

// The full example of contract 5.4.
const char *kFullExample =
    R"(platform: {gcp_project: acme-sandbox, region: europe-west4, environment: staging}
hosts: {machine_type: n2-standard-32, min_count: 1, max_count: 6}
workload:
  display_name: notebook-env
  base_image: python:3.12-slim
  layers:
    - name: deps
      init_commands:
        - {type: shell, args: ["pip", "install", "numpy"], run_as_root: true}
    - name: data
      refresh_interval: 12h
      init_commands:
        - {type: shell, args: ["bash", "-c", "mkdir -p /mnt/scratch/cache"]}
      drives:
        - {drive_id: scratch, label: SCRATCH, size_gb: 20, mount_path: /mnt/scratch}
  start_command: {command: ["python3", "-m", "http.server", "9000"], port: 9000, health_path: /}
  config: {tier: s, ttl: 900, auto_pause: true, auto_rollout: true, network_policy_preset: restricted-egress}
session: {enabled: true, ttl_seconds: 900, auto_pause: true}
credentials: {secrets: [], host_dirs: [], env: {}}
)";

const char *kMinimalExample = R"(workload:
  display_name: hello-sandbox
  layers:
    - name: main
      init_commands:
        - type: shell
          args: ["bash", "-lc", "echo ready > /workspace/ready.txt"]
)";

// Every builder field, and unknown keys at three levels.
const char *kEveryField = R"(platform: {gcp_project: acme}
workload:
  display_name: every-field
  base_image: debian:12
  future_top_key: {kept: true}
  layers:
    - name: base
      init_commands:
        - apt-get update
        - {type: shell, args: [make, install], run_as_root: true, timeout: 30}
      refresh_commands: [apt-get upgrade -y]
      refresh_interval: 1h30m
      future_layer_key: 7
      drives:
        - {drive_id: cache, label: CACHE, size_gb: 5, read_only: true, mount_path: /cache, commands: [{type: shell, args: [sync]}]}
    - name: app
      init_commands: ["echo app"]
  start_command:
    command: [python3, -m, http.server, "8080"]
    port: 8080
    health_path: /healthz
    env: {PORT: "8080", MODE: dev}
    run_as: runner
  config:
    tier: l
    ttl: 600
    auto_pause: true
    auto_rollout: false
    session_max_age_seconds: 86400
    rootfs_size_gb: 16
    workspace_size_gb: 80
    runner_user: dev
    network_policy:
      name: tight
      default_egress_action: deny
      allowed_egress:
        - {description: pypi, domains: [pypi.org], ports: [{start: 443}]}
      internal_access: {allow_metadata: false, allowed_internal_cidrs: [10.20.0.0/16]}
      rate_limit: {egress_bandwidth_mbps: 100}
    auth:
      providers:
        - {type: bearer-token, hosts: ["api.example.com"], config: {secret_ref: tok}}
      proxy: {listen_port: 3128, ssl_bump: true, allowed_hosts: [api.example.com]}
    tenant_gcp_project: acme-builds
    tenant_gcp_zone: europe-west4-a
    tenant_network: default
    tenant_subnet: builders
    tenant_service_account: builder@acme-builds.iam.gserviceaccount.com
    future_config_key: x
session: {enabled: true}
)";

} // namespace

class TestWizard final : public QObject
{
    Q_OBJECT
private slots:
    void nameIsValidatedLive_data();
    void nameIsValidatedLive();
    void fixingAnInvalidNameUnblocksNext();
    void commandsText_data();
    void commandsText();
    void layersAreAddedRenamedAndReordered();
    void badDurationBlocksNextUntilFixed();
    void badCidrBlocksNextUntilFixed();
    void goldenYamlForEveryField();
    void roundTrip_data();
    void roundTrip();
    void snapshotCommandsAreExplained();
    void reviewYamlEditsFlowBack();
    void templatesGiveValidConfigs();
    void tiersShowTheirSize();
    void editExistingShowsRejectedAndRebuilt();
    void describesWhatAReplaceChanges();
    void everyPageRenders();
};

void TestWizard::nameIsValidatedLive_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("slug") << "my-sandbox" << true;
    QTest::newRow("too short") << "ab" << false;
    QTest::newRow("spaces") << "My Sandbox" << false;
    QTest::newRow("upper") << "MyWorkload" << false;
    QTest::newRow("trailing dash") << "abc-" << false;
}

void TestWizard::nameIsValidatedLive()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    WorkloadWizard wizard;
    wizard.show();
    wizard.next(); // templates -> name
    QCOMPARE(wizard.currentId(), int(WorkloadWizard::NamePage));
    QTest::keyClicks(wizard.namePage()->nameEdit, name);
    QCOMPARE(wizard.currentPage()->isComplete(), valid);
    QCOMPARE(wizard.button(QWizard::NextButton)->isEnabled(), valid);
    auto *problem = wizard.namePage()->findChild<QLabel *>(QStringLiteral("basics.nameProblem"));
    QVERIFY(problem);
    QCOMPARE(problem->isVisible(), !valid);
    if (!valid) {
        // The rule in words, never a regular expression.
        const QString text = problem->text();
        QVERIFY2(text.contains(QStringLiteral("3 to 64 lowercase letters, digits and dashes")),
                 qPrintable(text));
        QVERIFY2(!text.contains(QLatin1Char('^')) && !text.contains(QStringLiteral("[a-z")),
                 qPrintable(text));
    }
}

void TestWizard::fixingAnInvalidNameUnblocksNext()
{
    WorkloadWizard wizard;
    wizard.show();
    wizard.next();
    QTest::keyClicks(wizard.namePage()->nameEdit, QStringLiteral("My App"));
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    wizard.namePage()->nameEdit->clear();
    QTest::keyClicks(wizard.namePage()->nameEdit, QStringLiteral("my-app"));
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    wizard.next();
    QCOMPARE(wizard.currentId(), int(WorkloadWizard::LayersPageId));
    // Back keeps what was entered.
    wizard.back();
    QCOMPARE(wizard.namePage()->nameEdit->text(), QStringLiteral("my-app"));
}

void TestWizard::commandsText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("problem");
    QTest::newRow("shell lines")
        << "apt-get update\n\n# comment\npip install -e ."
        << R"([{"type":"shell","args":["bash","-lc","apt-get update"]},{"type":"shell","args":["bash","-lc","pip install -e ."]}])"
        << "";
    QTest::newRow("argv and root")
        << "root: [\"pip\", \"install\", \"numpy\"]\nroot: make install"
        << R"([{"type":"shell","args":["pip","install","numpy"],"run_as_root":true},{"type":"shell","args":["bash","-lc","make install"],"run_as_root":true}])"
        << "";
    QTest::newRow("mapping keeps extra keys") << R"({"type":"shell","args":["make"],"timeout":5})"
                                              << R"([{"type":"shell","args":["make"],"timeout":5}])"
                                              << "";
    QTest::newRow("bad argv") << "echo ok\n[\"pip\", 3]"
                              << "[]"
                              << "Line 2: every argument must be a string.";
}

void TestWizard::commandsText()
{
    QFETCH(QString, text);
    QFETCH(QString, json);
    QFETCH(QString, problem);
    QString why;
    const QJsonArray commands = LayersPage::parseCommands(text, &why);
    QCOMPARE(why, problem);
    QCOMPARE(commands, QJsonDocument::fromJson(json.toUtf8()).array());
    if (why.isEmpty()) {
        // What the page shows for these commands parses back to the same commands.
        QString again;
        QCOMPARE(LayersPage::parseCommands(LayersPage::commandsText(commands), &again), commands);
        QVERIFY(again.isEmpty());
    }
}

void TestWizard::layersAreAddedRenamedAndReordered()
{
    WorkloadWizard wizard;
    wizard.show();
    wizard.next();
    QTest::keyClicks(wizard.namePage()->nameEdit, QStringLiteral("layered"));
    wizard.next();
    LayersPage *page = wizard.layersPage();
    QCOMPARE(page->layerList->count(), 1); // the blank template's "main"
    QVERIFY(!page->isComplete());          // ... which has no commands yet
    QTest::keyClicks(page->initEdit, QStringLiteral("echo one"));
    QVERIFY(page->isComplete());
    QTest::mouseClick(page->addButton, Qt::LeftButton);
    QCOMPARE(page->layerList->count(), 2);
    QCOMPARE(page->layerList->currentRow(), 1);
    QVERIFY(!page->isComplete());
    QTest::keyClicks(page->initEdit, QStringLiteral("root: [\"make\", \"install\"]"));
    page->layerList->item(1)->setText(QStringLiteral("build"));
    QTest::mouseClick(page->upButton, Qt::LeftButton);
    const QJsonArray layers = wizard.model()->body().value(QStringLiteral("layers")).toArray();
    QCOMPARE(layers.size(), 2);
    QCOMPARE(layers.at(0).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("build"));
    QCOMPARE(layers.at(0).toObject().value(QStringLiteral("init_commands")).toArray(),
             QJsonDocument::fromJson(
                 R"([{"type":"shell","args":["make","install"],"run_as_root":true}])")
                 .array());
    QCOMPARE(layers.at(1).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("main"));
    // A duplicate name blocks Next with a message; renaming fixes it.
    page->layerList->item(0)->setText(QStringLiteral("main"));
    QVERIFY(!page->isComplete());
    QVERIFY(
        wizard.model()->problem(QStringLiteral("layers.list")).contains(QStringLiteral("unique")));
    page->layerList->item(0)->setText(QStringLiteral("build"));
    QVERIFY(page->isComplete());
    QTest::mouseClick(page->removeButton, Qt::LeftButton);
    QCOMPARE(wizard.model()->body().value(QStringLiteral("layers")).toArray().size(), 1);
}

void TestWizard::badDurationBlocksNextUntilFixed()
{
    WorkloadWizard wizard;
    wizard.show();
    wizard.next();
    QTest::keyClicks(wizard.namePage()->nameEdit, QStringLiteral("refresher"));
    wizard.next();
    LayersPage *page = wizard.layersPage();
    QTest::keyClicks(page->initEdit, QStringLiteral("echo hi"));
    QTest::keyClicks(page->intervalEdit, QStringLiteral("daily"));
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    auto *problem = page->findChild<QLabel *>(QStringLiteral("layers.intervalProblem"));
    QVERIFY(problem && problem->isVisible());
    QVERIFY2(problem->text().contains(QStringLiteral("not a Go duration")),
             qPrintable(problem->text()));
    page->intervalEdit->clear();
    QTest::keyClicks(page->intervalEdit, QStringLiteral("6h"));
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    QVERIFY(!problem->isVisible());
    QCOMPARE(wizard.model()
                 ->body()
                 .value(QStringLiteral("layers"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("refresh_interval")),
             QJsonValue(QStringLiteral("6h")));
    // The runtime page's TTL takes seconds or a duration.
    wizard.next();
    QTest::keyClicks(wizard.runtimePage()->ttlEdit, QStringLiteral("15 minutes"));
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    wizard.runtimePage()->ttlEdit->clear();
    QTest::keyClicks(wizard.runtimePage()->ttlEdit, QStringLiteral("15m"));
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    QCOMPARE(wizard.model()->configValue(QStringLiteral("ttl")).toInt(), 900);
}

void TestWizard::badCidrBlocksNextUntilFixed()
{
    WorkloadWizard wizard;
    wizard.show();
    wizard.next();
    QTest::keyClicks(wizard.namePage()->nameEdit, QStringLiteral("netted"));
    wizard.next();
    QTest::keyClicks(wizard.layersPage()->initEdit, QStringLiteral("true"));
    nextUntil(wizard, WorkloadWizard::NetworkPageId);
    NetworkPage *net = wizard.networkPage();
    net->presetCombo->setCurrentIndex(net->presetCombo->findData(QStringLiteral("__custom__")));
    QVERIFY(net->customBox->isVisible());
    QTest::keyClicks(net->internalCidrsEdit, QStringLiteral("10.0.0.0/8"));
    QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    QVERIFY2(
        wizard.model()->problem(QStringLiteral("network.internal")).contains(QStringLiteral("/16")),
        qPrintable(wizard.model()->problem(QStringLiteral("network.internal"))));
    net->internalCidrsEdit->clear();
    QTest::keyClicks(net->internalCidrsEdit, QStringLiteral("10.20.0.0"));
    QVERIFY(wizard.model()
                ->problem(QStringLiteral("network.internal"))
                .contains(QStringLiteral("prefix")));
    QTest::keyClicks(net->internalCidrsEdit, QStringLiteral("/16"));
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    // Egress rules: a bad port, then a domain rule without "deny".
    setCell(net->allowedTable, 0, 3, QStringLiteral("70000"));
    QVERIFY(wizard.model()
                ->problem(QStringLiteral("network.allowed"))
                .contains(QStringLiteral("65535")));
    setCell(net->allowedTable, 0, 3, QStringLiteral("443"));
    setCell(net->allowedTable, 0, 1, QStringLiteral("pypi.org"));
    QVERIFY(wizard.model()
                ->problem(QStringLiteral("network.allowed"))
                .contains(QStringLiteral("deny")));
    net->defaultActionCombo->setCurrentIndex(1);
    QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    QCOMPARE(wizard.model()->configValue(QStringLiteral("network_policy")).toObject(),
             json(R"({"default_egress_action":"deny",
                      "allowed_egress":[{"domains":["pypi.org"],"ports":[{"start":443}]}],
                      "internal_access":{"allowed_internal_cidrs":["10.20.0.0/16"]}})"));
}

// Every field typed into the pages gives this onboard.yaml byte for byte, and the body equals
// the client library's RunnerConfig body for the same inputs.
void TestWizard::goldenYamlForEveryField()
{
    WorkloadWizard wizard;
    wizard.show();
    wizard.next();
    BasicsPage *basics = wizard.namePage();
    QTest::keyClicks(basics->nameEdit, QStringLiteral("golden"));
    basics->baseImageEdit->setCurrentText(QStringLiteral("ubuntu:24.04"));
    basics->tierCombo->setCurrentIndex(basics->tierCombo->findData(QStringLiteral("s")));
    wizard.next();
    LayersPage *layers = wizard.layersPage();
    QTest::keyClicks(layers->initEdit, QStringLiteral("apt-get update"));
    layers->initEdit->appendPlainText(QStringLiteral("root: [\"make\", \"install\"]"));
    layers->refreshEdit->setPlainText(QStringLiteral("apt-get upgrade -y"));
    QTest::keyClicks(layers->intervalEdit, QStringLiteral("6h"));
    QTest::mouseClick(layers->addDriveButton, Qt::LeftButton);
    setCell(layers->drivesTable, 0, 0, QStringLiteral("data"));
    setCell(layers->drivesTable, 0, 2, QStringLiteral("20"));
    wizard.next();
    RuntimePage *runtime = wizard.runtimePage();
    QTest::keyClicks(runtime->ttlEdit, QStringLiteral("1800"));
    runtime->autoPauseCheck->setChecked(true);
    runtime->autoRolloutCombo->setCurrentIndex(2); // explicit false
    QTest::keyClicks(runtime->sessionMaxAgeEdit, QStringLiteral("24h"));
    runtime->rootfsSpin->setValue(16);
    runtime->workspaceSpin->setValue(80);
    QTest::keyClicks(runtime->runnerUserEdit, QStringLiteral("dev"));
    wizard.next();
    NetworkPage *net = wizard.networkPage();
    net->presetCombo->setCurrentIndex(net->presetCombo->findData(QStringLiteral("agent-sandbox")));
    setCell(net->providersTable, 0, 0, QStringLiteral("bearer-token"));
    setCell(net->providersTable, 0, 1, QStringLiteral("api.example.com"));
    setCell(net->providersTable, 0, 2, QStringLiteral("secret_ref=tok"));
    net->proxyPortSpin->setValue(3128);
    wizard.next();
    StartPage *start = wizard.startPage();
    QTest::keyClicks(start->commandEdit, QStringLiteral("python3 -m http.server 9000"));
    start->portSpin->setValue(9000);
    QTest::keyClicks(start->healthEdit, QStringLiteral("/"));
    start->envEdit->setPlainText(QStringLiteral("MODE=dev"));
    QTest::keyClicks(start->runAsEdit, QStringLiteral("dev"));
    wizard.next();
    TenantPage *tenant = wizard.tenantPage();
    QTest::keyClicks(tenant->projectEdit, QStringLiteral("acme-builds"));
    QTest::keyClicks(tenant->zoneEdit, QStringLiteral("europe-west4-a"));
    QTest::keyClicks(tenant->networkEdit, QStringLiteral("default"));
    QTest::keyClicks(tenant->subnetEdit, QStringLiteral("builders"));
    QTest::keyClicks(tenant->serviceAccountEdit, QStringLiteral("b@acme.iam"));
    wizard.next();
    QCOMPARE(wizard.currentId(), int(WorkloadWizard::ReviewPageId));

    const QByteArray expected = R"(# Capsule workload definition (onboard.yaml); see docs/cli.md.
workload:
  base_image: "ubuntu:24.04"
  config:
    auth:
      providers:
        - config:
            secret_ref: tok
          hosts: [api.example.com]
          type: bearer-token
      proxy:
        listen_port: 3128
    auto_pause: true
    auto_rollout: false
    network_policy_preset: agent-sandbox
    rootfs_size_gb: 16
    runner_user: dev
    session_max_age_seconds: 86400
    tenant_gcp_project: acme-builds
    tenant_gcp_zone: europe-west4-a
    tenant_network: default
    tenant_service_account: "b@acme.iam"
    tenant_subnet: builders
    tier: s
    ttl: 1800
    workspace_size_gb: 80
  display_name: golden
  layers:
    - drives:
        - drive_id: data
          label: DATA
          mount_path: /mnt/data
          read_only: false
          size_gb: 20
      init_commands:
        - args: [bash, "-lc", "apt-get update"]
          type: shell
        - args: [make, install]
          run_as_root: true
          type: shell
      name: main
      refresh_commands:
        - args: [bash, "-lc", "apt-get upgrade -y"]
          type: shell
      refresh_interval: "6h"
  start_command:
    command: [python3, "-m", http.server, "9000"]
    env:
      MODE: dev
    health_path: /
    port: 9000
    run_as: dev
)";
    // On a difference the whole text is printed (QCOMPARE would cut it).
    QVERIFY2(wizard.yaml() == expected, wizard.yaml().constData());
    QCOMPARE(wizard.reviewPage()->yamlEdit->toPlainText().toUtf8(), expected);

    // The client library's builder for the same inputs gives the same create body.
    const RunnerConfig config =
        RunnerConfig(QStringLiteral("golden"))
            .withBaseImage(QStringLiteral("ubuntu:24.04"))
            .withTier(QStringLiteral("s"))
            .withLayers(QJsonArray{json(R"({"name":"main",
                "init_commands":["apt-get update",{"args":["make","install"],"run_as_root":true}],
                "refresh_commands":["apt-get upgrade -y"],"refresh_interval":"6h",
                "drives":[{"drive_id":"data","label":"DATA","size_gb":20,"read_only":false,
                           "mount_path":"/mnt/data"}]})")})
            .withTtl(1800)
            .withAutoPause(true)
            .withAutoRollout(false)
            .withSessionMaxAge(86400)
            .withRootfsSizeGb(16)
            .withWorkspaceSizeGb(80)
            .withRunnerUser(QStringLiteral("dev"))
            .withNetworkPolicyPreset(QStringLiteral("agent-sandbox"))
            .withAuth(json(R"({"providers":[{"type":"bearer-token","hosts":["api.example.com"],
                               "config":{"secret_ref":"tok"}}],"proxy":{"listen_port":3128}})"))
            .withStartCommand(json(R"({"command":["python3","-m","http.server","9000"],
                "port":9000,"health_path":"/","env":{"MODE":"dev"},"run_as":"dev"})"))
            .withTenantGceConfig(QStringLiteral("acme-builds"), QStringLiteral("europe-west4-a"),
                                 QStringLiteral("default"), QStringLiteral("builders"),
                                 QStringLiteral("b@acme.iam"));
    Error error;
    QCOMPARE(wizard.body(&error), config.toBody(&error));
    // The review page's key is the client-side leaf key.
    QVERIFY(wizard.reviewPage()->keyLabel->text().contains(config.workloadKey()));
    // Everything not at its default is listed.
    const QString differs = wizard.reviewPage()->defaultsLabel->text();
    for (const char *field : {"config.tier: s", "config.ttl: 1800", "config.runner_user: dev",
                              "config.tenant_gcp_project: acme-builds", "layer main: 1 drive(s)",
                              "base_image: ubuntu:24.04"})
        QVERIFY2(differs.contains(QLatin1String(field)), qPrintable(differs));
    QVERIFY(!differs.contains(QStringLiteral("rootfs_size_gb: 8")));

    // Create without a client hands the body to the main window.
    QSignalSpy requested(&wizard, &WorkloadWizard::onboardRequested);
    wizard.reviewPage()->buildCheck->setChecked(false);
    wizard.button(QWizard::FinishButton)->click();
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.first().at(0).toJsonObject(), config.toBody());
    QCOMPARE(requested.first().at(1).toBool(), false);
}

void TestWizard::roundTrip_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::newRow("5.4 minimal") << QString::fromUtf8(kMinimalExample);
    QTest::newRow("5.4 full") << QString::fromUtf8(kFullExample);
    QTest::newRow("every field, unknown keys") << QString::fromUtf8(kEveryField);
}

void TestWizard::roundTrip()
{
    QFETCH(QString, yaml);
    Error error;
    const QJsonObject body = parseOnboard(yaml, {}, &error);
    QVERIFY2(!body.isEmpty(), qPrintable(error.message));
    WorkloadWizard wizard;
    QString why;
    QVERIFY2(wizard.importOnboard(yaml, &why), qPrintable(why));
    // Walk every page (loading them must not change anything).
    wizard.show();
    nextUntil(wizard, WorkloadWizard::ReviewPageId);
    QCOMPARE(wizard.body(&error), body);
    const QByteArray exported = wizard.yaml();
    // The other sections are written back unchanged.
    QCOMPARE(onboardSections(exported), onboardSections(yaml.toUtf8()));
    QCOMPARE(parseOnboard(QString::fromUtf8(exported), {}, &error), body);
    // Import the export: the same body and the same text again.
    WorkloadWizard again;
    QVERIFY(again.importOnboard(QString::fromUtf8(exported), &why));
    QCOMPARE(again.body(&error), body);
    QCOMPARE(again.yaml(), exported);
    if (yaml.contains(QStringLiteral("future_top_key"))) {
        QVERIFY(exported.contains("future_top_key"));
        QVERIFY(exported.contains("future_layer_key: 7"));
        QVERIFY(exported.contains("future_config_key: x"));
        QVERIFY(exported.contains("rate_limit"));
        // The pages show what they know.
        QCOMPARE(wizard.runtimePage()->autoRolloutCombo->currentIndex(), 2);
        QCOMPARE(wizard.networkPage()->internalCidrsEdit->text(), QStringLiteral("10.20.0.0/16"));
        QCOMPARE(wizard.tenantPage()->zoneEdit->text(), QStringLiteral("europe-west4-a"));
        QCOMPARE(wizard.startPage()->envEdit->toPlainText(), QStringLiteral("MODE=dev\nPORT=8080"));
    }
}

void TestWizard::snapshotCommandsAreExplained()
{
    WorkloadWizard wizard;
    QString why;
    QVERIFY(wizard.importOnboard(QStringLiteral("platform: {gcp_project: acme-ci}\n"
                                                "workload:\n"
                                                "  display_name: legacy-ci\n"
                                                "  snapshot_commands:\n"
                                                "    - {type: shell, args: [git, clone, r]}\n"),
                                 &why));
    wizard.show();
    nextUntil(wizard, WorkloadWizard::LayersPageId);
    QVERIFY(!wizard.currentPage()->isComplete());
    QVERIFY2(wizard.model()
                 ->problem(QStringLiteral("layers.list"))
                 .contains(QStringLiteral("snapshot_commands")),
             qPrintable(wizard.model()->problem(QStringLiteral("layers.list"))));
    // Kept in the YAML, not silently dropped.
    QVERIFY(wizard.model()->body().contains(QStringLiteral("snapshot_commands")));
}

void TestWizard::reviewYamlEditsFlowBack()
{
    WorkloadWizard wizard;
    wizard.show();
    wizard.next();
    QTest::keyClicks(wizard.namePage()->nameEdit, QStringLiteral("flows-back"));
    wizard.next();
    QTest::keyClicks(wizard.layersPage()->initEdit, QStringLiteral("echo hi"));
    nextUntil(wizard, WorkloadWizard::ReviewPageId);
    ReviewPage *review = wizard.reviewPage();
    const QString keyBefore = review->keyLabel->text();
    // Edit the YAML: a tier and a TTL; the pages follow and the key is recomputed.
    QString text = review->yamlEdit->toPlainText();
    text.replace(QStringLiteral("  display_name: flows-back\n"),
                 QStringLiteral("  config: {tier: xl, ttl: 120}\n  display_name: flows-back\n"));
    review->yamlEdit->setPlainText(text);
    QTRY_COMPARE(wizard.namePage()->tierCombo->currentData().toString(), QStringLiteral("xl"));
    QCOMPARE(wizard.runtimePage()->ttlEdit->text(), QStringLiteral("120"));
    QVERIFY(review->keyLabel->text() != keyBefore);
    QVERIFY(review->keyLabel->text().contains(leafWorkloadKey(wizard.body())));
    // The edit stays as typed (not rewritten under the cursor).
    QCOMPARE(review->yamlEdit->toPlainText(), text);

    // A syntax error is shown at line:column; the pages keep their values; Create is blocked.
    QString broken = text;
    broken.replace(QStringLiteral("tier: xl"), QStringLiteral("tier: [xl"));
    review->yamlEdit->setPlainText(broken);
    review->parseNow();
    const QString problem = wizard.model()->problem(QStringLiteral("review.yaml"));
    QVERIFY2(problem.startsWith(QStringLiteral("Line ")) &&
                 problem.contains(QStringLiteral("column")),
             qPrintable(problem));
    QVERIFY(!review->isComplete());
    QCOMPARE(wizard.namePage()->tierCombo->currentData().toString(), QStringLiteral("xl"));
    QCOMPARE(review->yamlEdit->toPlainText(), broken); // the user's text is not thrown away
    review->yamlEdit->setPlainText(text);
    review->parseNow();
    QVERIFY(review->isComplete());
    // A schema error names the field.
    QString wrongType = text;
    wrongType.replace(QStringLiteral("ttl: 120"), QStringLiteral("ttl: soon"));
    review->yamlEdit->setPlainText(wrongType);
    review->parseNow();
    QVERIFY2(wizard.model()->problem(QStringLiteral("review.yaml")).contains(QStringLiteral("ttl")),
             qPrintable(wizard.model()->problem(QStringLiteral("review.yaml"))));
}

void TestWizard::templatesGiveValidConfigs()
{
    const auto templates = TemplatePage::templates();
    QCOMPARE(templates.size(), 4);
    for (int i = 0; i < templates.size(); ++i) {
        WorkloadWizard wizard;
        wizard.show();
        wizard.templatesPage()->list->setCurrentRow(i);
        wizard.next();
        if (wizard.namePage()->nameEdit->text().isEmpty())
            QTest::keyClicks(wizard.namePage()->nameEdit, QStringLiteral("from-blank"));
        if (i == 0) {
            wizard.next();
            QTest::keyClicks(wizard.layersPage()->initEdit, QStringLiteral("echo blank"));
        }
        nextUntil(wizard, WorkloadWizard::ReviewPageId);
        Error error;
        const QJsonObject body = wizard.body(&error);
        QVERIFY2(!body.isEmpty(), qPrintable(error.message));
        QCOMPARE(parseOnboard(QString::fromUtf8(wizard.yaml()), {}, &error), body);
        QVERIFY(!RunnerConfig::fromBody(body).toBody(&error).isEmpty());
    }
    // The service template runs something on a port.
    QCOMPARE(templates.at(3)
                 .body.value(QStringLiteral("start_command"))
                 .toObject()
                 .value(QStringLiteral("port"))
                 .toInt(),
             8080);
}

void TestWizard::tiersShowTheirSize()
{
    // Contract 6.2: every tier says its vCPUs and memory.
    WorkloadWizard wizard;
    QComboBox *tiers = wizard.namePage()->tierCombo;
    QCOMPARE(tiers->count(), 6);
    for (int i = 0; i < tiers->count(); ++i)
        QVERIFY2(tiers->itemText(i).contains(QStringLiteral("vCPU")) &&
                     (tiers->itemText(i).contains(QStringLiteral("MiB")) ||
                      tiers->itemText(i).contains(QStringLiteral("GiB"))),
                 qPrintable(tiers->itemText(i)));
    QVERIFY(tiers->itemText(tiers->findData(QStringLiteral("xs")))
                .contains(QStringLiteral("1 vCPU, 512 MiB")));
    QVERIFY(tiers->itemText(tiers->findData(QStringLiteral("xl")))
                .contains(QStringLiteral("16 vCPU, 16 GiB")));
}

void TestWizard::editExistingShowsRejectedAndRebuilt()
{
    // As GET layered-configs/{id} returns the definition: defaults spelt out.
    const QJsonObject stored = json(R"({"display_name":"stored","base_image":"",
        "layers":[{"name":"deps","init_commands":[{"type":"shell","args":["bash","-lc","echo a"],"run_as_root":false}],
                   "refresh_commands":[],"drives":[]},
                  {"name":"app","init_commands":[{"type":"shell","args":["bash","-lc","echo b"],"run_as_root":false}],
                   "refresh_commands":[],"drives":[]}],
        "config":{"tier":"s","ttl":0,"auto_pause":false}})");
    WorkloadWizard wizard;
    wizard.editExisting(stored);
    wizard.show();
    QCOMPARE(wizard.currentId(), int(WorkloadWizard::NamePage));
    QVERIFY(wizard.namePage()->nameEdit->isReadOnly());
    QCOMPARE(wizard.layersPage()->layerList->count(), 2);
    // A runtime change is allowed and rebuilds nothing.
    nextUntil(wizard, WorkloadWizard::RuntimePageId);
    QTest::keyClicks(wizard.runtimePage()->ttlEdit, QStringLiteral("600"));
    nextUntil(wizard, WorkloadWizard::ReviewPageId);
    ReviewPage *review = wizard.reviewPage();
    QVERIFY2(review->changesLabel->text().contains(QStringLiteral("config.ttl")),
             qPrintable(review->changesLabel->text()));
    QVERIFY(!review->changesLabel->text().contains(QStringLiteral("rebuild")));
    QVERIFY(review->isComplete());
    // Changing a layer's init commands is refused by the server: shown before sending, and
    // Create is blocked; the rebuilt layers are named.
    QString text = review->yamlEdit->toPlainText();
    text.replace(QStringLiteral("echo b"), QStringLiteral("echo c"));
    review->yamlEdit->setPlainText(text);
    review->parseNow();
    QVERIFY(wizard.model()
                ->problem(QStringLiteral("review.structure"))
                .contains(QStringLiteral("refuse")));
    QVERIFY(!review->isComplete());
    QVERIFY2(review->changesLabel->text().contains(QStringLiteral("Layers that will rebuild: app")),
             qPrintable(review->changesLabel->text()));
}

void TestWizard::describesWhatAReplaceChanges()
{
    const QJsonObject command{{QStringLiteral("type"), QStringLiteral("shell")},
                              {QStringLiteral("args"), QJsonArray{QStringLiteral("true")}},
                              {QStringLiteral("run_as_root"), false}};
    const QJsonObject stored{
        {QStringLiteral("display_name"), QStringLiteral("demo")},
        {QStringLiteral("base_image"), QString()},
        {QStringLiteral("layers"),
         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("main")},
                                {QStringLiteral("init_commands"), QJsonArray{command}},
                                {QStringLiteral("refresh_commands"), QJsonArray{}},
                                {QStringLiteral("drives"), QJsonArray{}}}}},
        {QStringLiteral("config"), QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")},
                                               {QStringLiteral("ttl"), 0},
                                               {QStringLiteral("auto_pause"), false}}}};
    QJsonObject same = json(R"({"display_name":"demo","layers":[{"name":"main",
        "init_commands":[{"type":"shell","args":["true"]}]}],"config":{"tier":"xs"}})");
    QCOMPARE(describeWorkloadChanges(stored, same), QStringList());
    QVERIFY(!workloadStructureChanges(stored, same));
    QCOMPARE(ReviewPage::rebuiltLayers(stored, same), QStringList());

    QJsonObject changed = same;
    changed.insert(QStringLiteral("base_image"), QStringLiteral("debian:12"));
    changed.insert(QStringLiteral("config"), json(R"({"tier":"xs","ttl":600,"auto_pause":true})"));
    const QStringList lines = describeWorkloadChanges(stored, changed);
    QVERIFY2(lines.contains(QStringLiteral("base image: (none) \u2192 debian:12")),
             qPrintable(lines.join('|')));
    QVERIFY(lines.contains(QStringLiteral("config.ttl: (none) \u2192 600")));
    QCOMPARE(lines.size(), 3);
    QVERIFY(!workloadStructureChanges(stored, changed));
    // A base image adds the platform layer below main: both rebuild.
    QCOMPARE(ReviewPage::rebuiltLayers(stored, changed),
             (QStringList{QStringLiteral("_platform"), QStringLiteral("main")}));

    QJsonObject twoLayers = same;
    QJsonArray layers = same.value(QStringLiteral("layers")).toArray();
    layers.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("extra")},
                              {QStringLiteral("init_commands"), QJsonArray{command}}});
    twoLayers.insert(QStringLiteral("layers"), layers);
    QVERIFY(describeWorkloadChanges(stored, twoLayers)
                .contains(QStringLiteral("layers: main \u2192 main, extra")));
    QVERIFY(workloadStructureChanges(stored, twoLayers));
}

// Each page is shown with the Python template (Advanced sections open) and renders; with
// CAPSULE_SCREENSHOT_DIR set, each is saved there as wizard-<n>-<page>.png (docs/screenshots/).
void TestWizard::everyPageRenders()
{
    const QString dir = qEnvironmentVariable("CAPSULE_SCREENSHOT_DIR");
    WorkloadWizard wizard;
    wizard.resize(820, 640);
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    wizard.templatesPage()->list->setCurrentRow(1);
    for (auto *toggle : wizard.findChildren<QAbstractButton *>(QStringLiteral("advancedToggle")))
        toggle->setChecked(true);
    const char *names[] = {"templates", "name",  "layers", "runtime",
                           "network",   "start", "tenant", "review"};
    for (int page = 0; page <= WorkloadWizard::ReviewPageId; ++page) {
        QCOMPARE(wizard.currentId(), page);
        if (page == WorkloadWizard::NetworkPageId) {
            NetworkPage *net = wizard.networkPage();
            net->presetCombo->setCurrentIndex(
                net->presetCombo->findData(QStringLiteral("__custom__")));
            net->defaultActionCombo->setCurrentIndex(1);
            setCell(net->allowedTable, 0, 0, QStringLiteral("PyPI"));
            setCell(net->allowedTable, 0, 1, QStringLiteral("pypi.org, files.pythonhosted.org"));
            setCell(net->allowedTable, 0, 3, QStringLiteral("443"));
            QTest::keyClicks(net->internalCidrsEdit, QStringLiteral("10.0.0.0/8"));
        }
        if (page == WorkloadWizard::LayersPageId)
            QTest::keyClicks(wizard.layersPage()->intervalEdit, QStringLiteral("daily"));
        QTest::qWait(50);
        const QPixmap shot = wizard.grab();
        QVERIFY(!shot.isNull());
        if (!dir.isEmpty())
            QVERIFY(shot.save(QStringLiteral("%1/wizard-%2-%3.png")
                                  .arg(dir)
                                  .arg(page)
                                  .arg(QLatin1String(names[page]))));
        // Fix what was typed wrong on purpose (it is in the screenshot), then go on.
        if (page == WorkloadWizard::LayersPageId) {
            wizard.layersPage()->intervalEdit->clear();
            QTest::keyClicks(wizard.layersPage()->intervalEdit, QStringLiteral("12h"));
        }
        if (page == WorkloadWizard::NetworkPageId) {
            wizard.networkPage()->internalCidrsEdit->clear();
            QTest::keyClicks(wizard.networkPage()->internalCidrsEdit,
                             QStringLiteral("10.20.0.0/16"));
        }
        if (page < WorkloadWizard::ReviewPageId) {
            QVERIFY2(wizard.currentPage()->isComplete(),
                     qPrintable(wizard.model()->problems().values().join('|')));
            wizard.next();
        }
    }
}

QTEST_MAIN(TestWizard)
#include "tst_wizard.moc"
