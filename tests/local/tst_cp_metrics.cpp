// GET /metrics of capsule-local: scraped without a token and parsed by a strict parser of the
// Prometheus text exposition format (0.0.4); the values follow what the test did to the server.
#include "tst_cp_util.h"

#include <QRegularExpression>
#include <QtTest>

#include <cmath>

using namespace capsule::test;

namespace {

struct Sample
{
    QString name;
    QMap<QString, QString> labels;
    double value = 0;
};

struct Exposition
{
    QMap<QString, QString> types; // family -> type
    QMap<QString, QString> help;
    QList<Sample> samples;

    double value(const QString &name, const QMap<QString, QString> &labels = {}) const
    {
        for (const Sample &s : samples)
            if (s.name == name && s.labels == labels)
                return s.value;
        return std::nan("");
    }
};

// The family a sample belongs to: histogram and summary samples carry suffixes.
QString familyOf(const QString &name, const QMap<QString, QString> &types)
{
    for (const char *suffix : {"_bucket", "_sum", "_count"}) {
        if (!name.endsWith(QLatin1String(suffix)))
            continue;
        const QString base = name.chopped(int(strlen(suffix)));
        const QString type = types.value(base);
        if (type == QLatin1String("histogram") ||
            (type == QLatin1String("summary") && strcmp(suffix, "_bucket") != 0))
            return base;
    }
    return name;
}

bool parseValue(const QString &text, double *out)
{
    if (text == QLatin1String("+Inf")) {
        *out = INFINITY;
        return true;
    }
    if (text == QLatin1String("-Inf")) {
        *out = -INFINITY;
        return true;
    }
    if (text == QLatin1String("NaN")) {
        *out = NAN;
        return true;
    }
    static const QRegularExpression re(
        QStringLiteral("^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?$"));
    if (!re.match(text).hasMatch())
        return false;
    bool ok = false;
    *out = text.toDouble(&ok);
    return ok;
}

// Strict: HELP/TYPE syntax, one TYPE per family and before its samples, a family's samples
// contiguous, metric and label name syntax, label value escaping (\\, \", \n only), no duplicate
// label names or series, float values, histogram buckets cumulative with le="+Inf" == _count.
bool parseExposition(const QByteArray &text, Exposition *out, QString *error)
{
    static const QRegularExpression metricName(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*$"));
    static const QRegularExpression labelName(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*$"));
    static const QStringList knownTypes{QStringLiteral("counter"), QStringLiteral("gauge"),
                                        QStringLiteral("histogram"), QStringLiteral("summary"),
                                        QStringLiteral("untyped")};
    if (!text.endsWith('\n')) {
        *error = QStringLiteral("the last line has no newline");
        return false;
    }
    QSet<QString> finished; // families whose samples ended
    QString current;
    QSet<QString> series;
    int lineNo = 0;
    auto fail = [&](const QString &why) {
        *error = QStringLiteral("line %1: %2").arg(lineNo).arg(why);
        return false;
    };
    const QList<QByteArray> lines = text.chopped(1).split('\n');
    for (const QByteArray &raw : lines) {
        ++lineNo;
        const QString line = QString::fromUtf8(raw);
        if (line.toUtf8() != raw)
            return fail(QStringLiteral("invalid UTF-8"));
        if (line.isEmpty())
            continue;
        if (line.startsWith(QLatin1Char('#'))) {
            const QStringList parts = line.split(QLatin1Char(' '));
            if (parts.size() < 3 || parts.at(0) != QLatin1String("#"))
                continue; // a comment
            const QString kind = parts.at(1), family = parts.at(2);
            if (kind != QLatin1String("HELP") && kind != QLatin1String("TYPE"))
                continue;
            if (!metricName.match(family).hasMatch())
                return fail(QStringLiteral("bad metric name %1").arg(family));
            if (kind == QLatin1String("TYPE")) {
                if (parts.size() != 4 || !knownTypes.contains(parts.at(3)))
                    return fail(QStringLiteral("bad TYPE line"));
                if (out->types.contains(family))
                    return fail(QStringLiteral("second TYPE for %1").arg(family));
                if (finished.contains(family) || current == family)
                    return fail(QStringLiteral("TYPE after samples of %1").arg(family));
                out->types.insert(family, parts.at(3));
            } else {
                if (out->help.contains(family))
                    return fail(QStringLiteral("second HELP for %1").arg(family));
                const QString help = line.section(QLatin1Char(' '), 3);
                static const QRegularExpression badEscape(QStringLiteral("\\\\[^\\\\n]"));
                if (badEscape.match(help).hasMatch() || help.endsWith(QLatin1Char('\\')))
                    return fail(QStringLiteral("bad escape in HELP"));
                out->help.insert(family, help);
            }
            continue;
        }
        // name{labels} value [timestamp]
        Sample s;
        qsizetype i = 0;
        while (i < line.size() && line.at(i) != QLatin1Char('{') && line.at(i) != QLatin1Char(' '))
            ++i;
        s.name = line.left(i);
        if (!metricName.match(s.name).hasMatch())
            return fail(QStringLiteral("bad metric name %1").arg(s.name));
        if (i < line.size() && line.at(i) == QLatin1Char('{')) {
            ++i;
            while (true) {
                if (i < line.size() && line.at(i) == QLatin1Char('}')) {
                    ++i;
                    break;
                }
                qsizetype eq = line.indexOf(QLatin1Char('='), i);
                if (eq < 0)
                    return fail(QStringLiteral("label without ="));
                const QString name = line.mid(i, eq - i);
                if (!labelName.match(name).hasMatch() || name.startsWith(QLatin1String("__")))
                    return fail(QStringLiteral("bad label name %1").arg(name));
                if (s.labels.contains(name))
                    return fail(QStringLiteral("duplicate label %1").arg(name));
                i = eq + 1;
                if (i >= line.size() || line.at(i) != QLatin1Char('"'))
                    return fail(QStringLiteral("label value not quoted"));
                ++i;
                QString value;
                bool closed = false;
                while (i < line.size()) {
                    const QChar c = line.at(i++);
                    if (c == QLatin1Char('"')) {
                        closed = true;
                        break;
                    }
                    if (c != QLatin1Char('\\')) {
                        value += c;
                        continue;
                    }
                    if (i >= line.size())
                        return fail(QStringLiteral("dangling escape"));
                    const QChar e = line.at(i++);
                    if (e == QLatin1Char('\\') || e == QLatin1Char('"'))
                        value += e;
                    else if (e == QLatin1Char('n'))
                        value += QLatin1Char('\n');
                    else
                        return fail(QStringLiteral("bad escape \\%1").arg(e));
                }
                if (!closed)
                    return fail(QStringLiteral("unterminated label value"));
                s.labels.insert(name, value);
                if (i < line.size() && line.at(i) == QLatin1Char(','))
                    ++i;
                else if (i >= line.size() || line.at(i) != QLatin1Char('}'))
                    return fail(QStringLiteral("expected , or }"));
            }
        }
        if (i >= line.size() || line.at(i) != QLatin1Char(' '))
            return fail(QStringLiteral("no value"));
        const QStringList rest = line.mid(i + 1).split(QLatin1Char(' '));
        if (rest.isEmpty() || rest.size() > 2 || !parseValue(rest.at(0), &s.value))
            return fail(QStringLiteral("bad value %1").arg(line.mid(i + 1)));
        if (rest.size() == 2) {
            bool ok = false;
            rest.at(1).toLongLong(&ok);
            if (!ok)
                return fail(QStringLiteral("bad timestamp"));
        }
        const QString family = familyOf(s.name, out->types);
        if (!out->types.contains(family))
            return fail(QStringLiteral("sample of %1 before its TYPE").arg(family));
        if (family != current) {
            if (finished.contains(family))
                return fail(QStringLiteral("samples of %1 are not contiguous").arg(family));
            if (!current.isEmpty())
                finished.insert(current);
            current = family;
        }
        const QString type = out->types.value(family);
        if (type == QLatin1String("histogram") && s.name == family)
            return fail(QStringLiteral("histogram sample without suffix"));
        if (s.name.endsWith(QLatin1String("_bucket")) && !s.labels.contains(QStringLiteral("le")))
            return fail(QStringLiteral("bucket without le"));
        if (type == QLatin1String("counter") && !(s.value >= 0))
            return fail(QStringLiteral("negative counter"));
        QStringList key{s.name};
        for (auto it = s.labels.cbegin(); it != s.labels.cend(); ++it)
            key << it.key() + QLatin1Char('=') + it.value();
        if (series.contains(key.join(QLatin1Char('\x1f'))))
            return fail(QStringLiteral("duplicate series %1").arg(key.join(u' ')));
        series.insert(key.join(QLatin1Char('\x1f')));
        out->samples.append(s);
    }
    // Histograms: cumulative buckets ending at +Inf == _count.
    for (auto it = out->types.cbegin(); it != out->types.cend(); ++it) {
        if (it.value() != QLatin1String("histogram"))
            continue;
        QMap<QString, QList<QPair<double, double>>> buckets; // other labels -> (le, count)
        for (const Sample &s : std::as_const(out->samples)) {
            if (s.name != it.key() + QLatin1String("_bucket"))
                continue;
            QMap<QString, QString> other = s.labels;
            double le = 0;
            if (!parseValue(other.take(QStringLiteral("le")), &le))
                return fail(QStringLiteral("bad le"));
            QStringList k;
            for (auto o = other.cbegin(); o != other.cend(); ++o)
                k << o.key() + QLatin1Char('=') + o.value();
            buckets[k.join(u',')].append({le, s.value});
        }
        for (auto b = buckets.begin(); b != buckets.end(); ++b) {
            for (int i = 1; i < b->size(); ++i)
                if (b->at(i).first <= b->at(i - 1).first || b->at(i).second < b->at(i - 1).second)
                    return fail(QStringLiteral("%1 buckets not cumulative").arg(it.key()));
            if (b->isEmpty() || !std::isinf(b->last().first))
                return fail(QStringLiteral("%1 has no +Inf bucket").arg(it.key()));
        }
    }
    return true;
}

} // namespace

class TestCpMetrics final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void parserRejectsBadExpositions_data();
    void parserRejectsBadExpositions();
    void scrapeWithoutTokenFollowsTheServer();

private:
    Exposition scrape();
    LocalServer m_server;
    QString m_key;
};

void TestCpMetrics::initTestCase()
{
    QString error;
    // One host with room for one runner, so a second allocate fails for capacity.
    QVERIFY2(
        m_server.start({QStringLiteral("--max-runners-per-host"), QStringLiteral("1")}, &error),
        qPrintable(error));
    m_key = m_server.createAndBuild(
        oneLayerConfig(QStringLiteral("metrics-base"), QStringLiteral("sleep 0.3")), &error);
    QVERIFY2(!m_key.isEmpty(), qPrintable(error + m_server.stderrText()));
}

Exposition TestCpMetrics::scrape()
{
    const HttpReply r = m_server.request("GET", QStringLiteral("/metrics"), {}, false);
    Exposition e;
    QString error;
    if (r.status != 200 || !r.headers.value("content-type").startsWith("text/plain") ||
        !parseExposition(r.body, &e, &error))
        qWarning().noquote() << "scrape:" << r.status << error << "\n" << r.body;
    return e;
}

void TestCpMetrics::parserRejectsBadExpositions_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("problem");
    QTest::newRow("two TYPEs") << QByteArray("# TYPE a counter\n# TYPE a gauge\na 1\n")
                               << QStringLiteral("second TYPE");
    QTest::newRow("no TYPE") << QByteArray("a 1\n") << QStringLiteral("before its TYPE");
    QTest::newRow("bad name") << QByteArray("# TYPE 1a counter\n")
                              << QStringLiteral("bad metric name");
    QTest::newRow("bad label") << QByteArray("# TYPE a counter\na{1x=\"v\"} 1\n")
                               << QStringLiteral("bad label name");
    QTest::newRow("bad escape") << QByteArray("# TYPE a counter\na{x=\"\\t\"} 1\n")
                                << QStringLiteral("bad escape");
    QTest::newRow("bad value") << QByteArray("# TYPE a gauge\na one\n")
                               << QStringLiteral("bad value");
    QTest::newRow("split family") << QByteArray(
                                         "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"y\"} 2\n")
                                  << QStringLiteral("not contiguous");
    QTest::newRow("duplicate series") << QByteArray("# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n")
                                      << QStringLiteral("duplicate series");
    QTest::newRow("histogram without +Inf")
        << QByteArray("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n")
        << QStringLiteral("no +Inf bucket");
    QTest::newRow("no final newline")
        << QByteArray("# TYPE a gauge\na 1") << QStringLiteral("no newline");
}

void TestCpMetrics::parserRejectsBadExpositions()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, problem);
    Exposition e;
    QString error;
    QVERIFY(!parseExposition(text, &e, &error));
    QVERIFY2(error.contains(problem), qPrintable(error));
}

void TestCpMetrics::scrapeWithoutTokenFollowsTheServer()
{
    Exposition e = scrape();
    QVERIFY(!e.samples.isEmpty());
    for (const char *family :
         {"capsule_hosts", "capsule_runners", "capsule_runner_operations_total",
          "capsule_runner_operation_failures_total", "capsule_build_duration_seconds",
          "capsule_canary_reports_total", "capsule_http_requests_total"})
        QVERIFY2(e.types.contains(QLatin1String(family)) && e.help.contains(QLatin1String(family)),
                 family);
    QCOMPARE(e.types.value(QStringLiteral("capsule_build_duration_seconds")),
             QStringLiteral("histogram"));
    QCOMPARE(e.value(QStringLiteral("capsule_hosts"),
                     {{QStringLiteral("state"), QStringLiteral("ready")}}),
             1.0);
    // The build of initTestCase ran `sleep 0.3`: one succeeded build of at least 0.3 s.
    const QMap<QString, QString> ok{{QStringLiteral("result"), QStringLiteral("succeeded")}};
    QCOMPARE(e.value(QStringLiteral("capsule_build_duration_seconds_count"), ok), 1.0);
    QVERIFY(e.value(QStringLiteral("capsule_build_duration_seconds_sum"), ok) >= 0.3);
    QCOMPARE(e.value(QStringLiteral("capsule_build_duration_seconds_bucket"),
                     {{QStringLiteral("result"), QStringLiteral("succeeded")},
                      {QStringLiteral("le"), QStringLiteral("+Inf")}}),
             1.0);

    auto op = [&](const char *family, const char *operation) {
        return e.value(QString::fromLatin1(family),
                       {{QStringLiteral("operation"), QString::fromLatin1(operation)}});
    };
    QCOMPARE(op("capsule_runner_operations_total", "allocate"), 0.0);

    // allocate, a second allocate over capacity (429), pause, resume, release, canary reports.
    HttpReply r = m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(m_key));
    QCOMPARE(r.status, 200);
    const QString id = r.json().value(QStringLiteral("runner_id")).toString();
    const QString session = r.json().value(QStringLiteral("session_id")).toString();
    e = scrape();
    QCOMPARE(e.value(QStringLiteral("capsule_runners"),
                     {{QStringLiteral("status"), QStringLiteral("busy")}}),
             1.0);
    QCOMPARE(m_server.post(QStringLiteral("/api/v1/runners/allocate"), allocateBody(m_key)).status,
             429);
    QCOMPARE(
        m_server.post(QStringLiteral("/api/v1/runners/pause"), {{QStringLiteral("runner_id"), id}})
            .status,
        200);
    e = scrape();
    QCOMPARE(e.value(QStringLiteral("capsule_runners"),
                     {{QStringLiteral("status"), QStringLiteral("suspended")}}),
             1.0);
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/runners/allocate"),
                       allocateBody(m_key, {{QStringLiteral("session_id"), session}}))
                 .status,
             200);
    QCOMPARE(
        m_server
            .post(QStringLiteral("/api/v1/runners/release"), {{QStringLiteral("runner_id"), id}})
            .status,
        200);
    QCOMPARE(m_server
                 .post(QStringLiteral("/api/v1/runners/allocate"),
                       allocateBody(QStringLiteral("0123456789abcdef")))
                 .status,
             404);
    for (const char *status : {"success", "success", "failure"})
        QCOMPARE(m_server
                     .post(QStringLiteral("/api/v1/canary/report"),
                           {{QStringLiteral("status"), QString::fromLatin1(status)},
                            {QStringLiteral("runner"), id}})
                     .status,
                 200);
    // A raw id in a path must not become a label value.
    QCOMPARE(m_server.get(QStringLiteral("/api/v1/layered-configs/some-raw-id-42")).status, 404);

    e = scrape();
    QCOMPARE(op("capsule_runner_operations_total", "allocate"), 2.0); // one ok, one over capacity
    QCOMPARE(op("capsule_runner_operation_failures_total", "allocate"), 1.0);
    QCOMPARE(op("capsule_runner_operations_total", "pause"), 1.0);
    QCOMPARE(op("capsule_runner_operations_total", "resume"), 1.0);
    QCOMPARE(op("capsule_runner_operations_total", "release"), 1.0);
    QCOMPARE(op("capsule_runner_operation_failures_total", "pause"), 0.0);
    QCOMPARE(e.value(QStringLiteral("capsule_canary_reports_total"),
                     {{QStringLiteral("status"), QStringLiteral("success")}}),
             2.0);
    QCOMPARE(e.value(QStringLiteral("capsule_canary_reports_total"),
                     {{QStringLiteral("status"), QStringLiteral("failure")}}),
             1.0);
    auto requests = [&](const QString &route, const QString &method, int status) {
        return e.value(QStringLiteral("capsule_http_requests_total"),
                       {{QStringLiteral("route"), route},
                        {QStringLiteral("method"), method},
                        {QStringLiteral("status"), QString::number(status)}});
    };
    QCOMPARE(requests(QStringLiteral("/api/v1/runners/allocate"), QStringLiteral("POST"), 200),
             2.0);
    QCOMPARE(requests(QStringLiteral("/api/v1/runners/allocate"), QStringLiteral("POST"), 429),
             1.0);
    QCOMPARE(requests(QStringLiteral("/api/v1/runners/allocate"), QStringLiteral("POST"), 404),
             1.0);
    QCOMPARE(requests(QStringLiteral("/api/v1/canary/report"), QStringLiteral("POST"), 200), 3.0);
    QCOMPARE(requests(QStringLiteral("/api/v1/layered-configs/{id}"), QStringLiteral("GET"), 404),
             1.0);
    // Earlier scrapes are counted too (the current one is not finished while it renders).
    QVERIFY(requests(QStringLiteral("/metrics"), QStringLiteral("GET"), 200) >= 3.0);
    for (const Sample &s : std::as_const(e.samples))
        QVERIFY2(!s.labels.value(QStringLiteral("route")).contains(QLatin1String("some-raw-id")),
                 qPrintable(s.labels.value(QStringLiteral("route"))));

    // Unauthenticated requests are counted under their template as well.
    QCOMPARE(m_server.request("GET", QStringLiteral("/api/v1/runners"), {}, false).status, 401);
    e = scrape();
    QCOMPARE(requests(QStringLiteral("/api/v1/runners"), QStringLiteral("GET"), 401), 1.0);
}

QTEST_GUILESS_MAIN(TestCpMetrics)
#include "tst_cp_metrics.moc"
