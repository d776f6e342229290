// The workload wizard: live name validation, layers text, the create body and onboard.yaml it
// writes.
#include "app/wizard/onboarddiff.h"
#include "app/wizard/workloadwizard.h"

#include "core/onboard.h"

#include "ui_wizardlayerspage.h"
#include "ui_wizardnamepage.h"
#include "ui_wizardreviewpage.h"
#include "ui_wizardruntimepage.h"

#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace capsule;
using namespace capsule::app;

class TestWizard final : public QObject
{
    Q_OBJECT
private slots:
    void nameIsValidatedLive_data();
    void nameIsValidatedLive();
    void layersText_data();
    void layersText();
    void producesBodyAndYaml();
    void roundTripsAnOnboardFile();
    void tiersShowTheirSize();
    void describesWhatAReplaceChanges();
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
    QTest::keyClicks(wizard.namePage()->nameEdit, name);
    QCOMPARE(wizard.currentPage()->isComplete(), valid);
    QCOMPARE(wizard.namePage()->nameProblem->text().isEmpty(), valid);
    if (!valid) {
        // The rule in words, never a regular expression.
        const QString problem = wizard.namePage()->nameProblem->text();
        QVERIFY2(problem.contains(QStringLiteral("3 to 64 lowercase letters, digits and dashes")),
                 qPrintable(problem));
        QVERIFY2(!problem.contains(QLatin1Char('^')) && !problem.contains(QStringLiteral("[a-z")),
                 qPrintable(problem));
    }
}

void TestWizard::layersText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("problem");
    QTest::newRow("plain lines")
        << "apt-get update\n\n# comment\npip install -e ."
        << R"([{"name":"main","init_commands":[{"type":"shell","args":["bash","-lc","apt-get update"]},{"type":"shell","args":["bash","-lc","pip install -e ."]}]}])"
        << "";
    QTest::newRow("two layers")
        << "[deps]\necho a\n[app]\n{\"args\":[\"make\"],\"run_as_root\":true}"
        << R"([{"name":"deps","init_commands":[{"type":"shell","args":["bash","-lc","echo a"]}]},{"name":"app","init_commands":[{"type":"shell","args":["make"],"run_as_root":true}]}])"
        << "";
    QTest::newRow("empty layer") << "[deps]\n[app]\necho"
                                 << "[]"
                                 << "Layer \"deps\" has no commands.";
    QTest::newRow("duplicate") << "[a1]\necho\n[a1]\necho"
                               << "[]"
                               << "Line 3: the layer \"a1\" appears twice.";
    QTest::newRow("reserved") << "[_platform]\necho"
                              << "[]"
                              << "Line 1: \"[_platform]\" is not a valid layer name.";
    QTest::newRow("bad json") << "{nope"
                              << "[]"
                              << "";
}

void TestWizard::layersText()
{
    QFETCH(QString, text);
    QFETCH(QString, json);
    QFETCH(QString, problem);
    QString why;
    const QJsonArray layers = WorkloadWizard::parseLayers(text, &why);
    QCOMPARE(layers, QJsonDocument::fromJson(json.toUtf8()).array());
    if (QByteArray(QTest::currentDataTag()) == "bad json")
        QVERIFY(why.startsWith(QStringLiteral("Line 1: not a JSON command mapping")));
    else
        QCOMPARE(why, problem);
    if (why.isEmpty()) {
        // What the page shows for these layers parses back to the same layers.
        QString again;
        QCOMPARE(WorkloadWizard::parseLayers(WorkloadWizard::layersText(layers), &again), layers);
        QVERIFY(again.isEmpty());
    }
}

void TestWizard::producesBodyAndYaml()
{
    WorkloadWizard wizard;
    QSignalSpy requested(&wizard, &WorkloadWizard::onboardRequested);
    wizard.show();
    QTest::keyClicks(wizard.namePage()->nameEdit, QStringLiteral("sandbox"));
    wizard.namePage()->baseImageEdit->setCurrentText(QStringLiteral("ubuntu:22.04"));
    wizard.next();
    QCOMPARE(wizard.currentId(), int(WorkloadWizard::LayersPage));
    wizard.layersPage()->commandsEdit->setPlainText(QStringLiteral("echo hi"));
    QVERIFY(wizard.currentPage()->isComplete());
    wizard.next();
    auto *runtime = wizard.runtimePage();
    runtime->tierCombo->setCurrentIndex(runtime->tierCombo->findData(QStringLiteral("s")));
    runtime->ttlSpin->setValue(1800);
    runtime->autoPauseCheck->setChecked(true);
    runtime->networkCombo->setCurrentIndex(
        runtime->networkCombo->findData(QStringLiteral("restricted-egress")));
    runtime->startCommandEdit->setText(QStringLiteral("python3 -m http.server 9000"));
    runtime->portSpin->setValue(9000);
    wizard.next();
    QCOMPARE(wizard.currentId(), int(WorkloadWizard::ReviewPage));

    // Contract 9.21 plus the runtime page's fields.
    const QJsonObject expected = QJsonDocument::fromJson(R"({
        "display_name":"sandbox","base_image":"ubuntu:22.04",
        "layers":[{"name":"main","init_commands":[{"type":"shell","args":["bash","-lc","echo hi"]}]}],
        "config":{"tier":"s","ttl":1800,"auto_pause":true,"network_policy_preset":"restricted-egress"},
        "start_command":{"command":["python3","-m","http.server","9000"],"port":9000}})")
                                     .object();
    Error error;
    QCOMPARE(wizard.body(&error), expected);
    // The review page shows the onboard.yaml and the key computed client-side.
    const QString yaml = wizard.reviewPage()->yamlView->toPlainText();
    QVERIFY(yaml.contains(QStringLiteral("workload:")));
    QCOMPARE(parseOnboard(yaml, {}, &error), expected);
    QVERIFY(wizard.reviewPage()->keyLabel->text().contains(
        RunnerConfig::fromBody(expected).workloadKey()));

    QTemporaryDir dir;
    QString why;
    QVERIFY2(wizard.saveTo(dir.filePath(QStringLiteral("onboard.yaml")), &why), qPrintable(why));
    QCOMPARE(parseOnboard(dir.filePath(QStringLiteral("onboard.yaml")), {}, &error), expected);

    wizard.reviewPage()->buildCheck->setChecked(false);
    wizard.button(QWizard::FinishButton)->click();
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.first().at(0).toJsonObject(), expected);
    QCOMPARE(requested.first().at(1).toBool(), false);
}

void TestWizard::roundTripsAnOnboardFile()
{
    const QString yaml = QStringLiteral(
        "platform: {gcp_project: acme}\n"
        "workload:\n"
        "  display_name: py-dev\n"
        "  base_image: python:3.12\n"
        "  layers:\n"
        "    - name: deps\n"
        "      init_commands:\n"
        "        - {type: shell, args: [\"pip\", \"install\", \"ruff\"], run_as_root: true}\n"
        "      drives:\n"
        "        - {drive_id: scratch, label: SCRATCH, size_gb: 20, mount_path: /mnt/scratch}\n"
        "  config: {tier: l, runner_user: dev}\n");
    Error error;
    const QJsonObject body = parseOnboard(yaml, {}, &error);
    QVERIFY2(!body.isEmpty(), qPrintable(error.message));
    WorkloadWizard wizard;
    wizard.setBody(body);
    QCOMPARE(wizard.namePage()->nameEdit->text(), QStringLiteral("py-dev"));
    QCOMPARE(wizard.runtimePage()->tierCombo->currentData().toString(), QStringLiteral("l"));
    // Fields the pages do not show (drives, runner_user) survive the wizard.
    QCOMPARE(wizard.body(&error), body);

    // A syntax error names file:line:column.
    QTemporaryDir dir;
    QFile bad(dir.filePath(QStringLiteral("bad.yaml")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("workload:\n  display_name: [unclosed\n");
    bad.close();
    QVERIFY(parseOnboard(bad.fileName(), {}, &error).isEmpty());
    QVERIFY2(error.message.contains(QStringLiteral("bad.yaml:")), qPrintable(error.message));
}

void TestWizard::tiersShowTheirSize()
{
    // Contract 6.2: every tier says its vCPUs and memory.
    WorkloadWizard wizard;
    QComboBox *tiers = wizard.runtimePage()->tierCombo;
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

void TestWizard::describesWhatAReplaceChanges()
{
    const QJsonObject command{{QStringLiteral("type"), QStringLiteral("shell")},
                              {QStringLiteral("args"), QJsonArray{QStringLiteral("true")}},
                              {QStringLiteral("run_as_root"), false}};
    // As the server stores it: defaults spelt out.
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
    QJsonObject same{
        {QStringLiteral("display_name"), QStringLiteral("demo")},
        {QStringLiteral("layers"),
         QJsonArray{
             QJsonObject{{QStringLiteral("name"), QStringLiteral("main")},
                         {QStringLiteral("init_commands"),
                          QJsonArray{QJsonObject{
                              {QStringLiteral("type"), QStringLiteral("shell")},
                              {QStringLiteral("args"), QJsonArray{QStringLiteral("true")}}}}}}}},
        {QStringLiteral("config"), QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")}}}};
    QCOMPARE(describeWorkloadChanges(stored, same), QStringList());
    QVERIFY(!workloadStructureChanges(stored, same));

    QJsonObject changed = same;
    changed.insert(QStringLiteral("base_image"), QStringLiteral("debian:12"));
    changed.insert(QStringLiteral("config"),
                   QJsonObject{{QStringLiteral("tier"), QStringLiteral("xs")},
                               {QStringLiteral("ttl"), 600},
                               {QStringLiteral("auto_pause"), true}});
    const QStringList lines = describeWorkloadChanges(stored, changed);
    QVERIFY2(lines.contains(QStringLiteral("base image: (none) \u2192 debian:12")),
             qPrintable(lines.join('|')));
    QVERIFY(lines.contains(QStringLiteral("config.ttl: (none) \u2192 600")));
    QVERIFY(lines.contains(QStringLiteral("config.auto_pause: (none) \u2192 true")));
    QCOMPARE(lines.size(), 3);
    QVERIFY(!workloadStructureChanges(stored, changed));

    QJsonObject twoLayers = same;
    QJsonArray layers = same.value(QStringLiteral("layers")).toArray();
    layers.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("extra")},
                              {QStringLiteral("init_commands"), QJsonArray{command}}});
    twoLayers.insert(QStringLiteral("layers"), layers);
    QVERIFY(describeWorkloadChanges(stored, twoLayers)
                .contains(QStringLiteral("layers: main \u2192 main, extra")));
    QVERIFY(workloadStructureChanges(stored, twoLayers));
}

QTEST_MAIN(TestWizard)
#include "tst_wizard.moc"
