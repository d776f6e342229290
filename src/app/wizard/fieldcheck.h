// Checks of the wizard's fields with messages in words (no GUI): names, Go durations, CIDRs,
// port ranges, sizes, environment names. Each returns an empty string when the input is fine.
#pragma once

#include <QJsonArray>
#include <QString>

namespace capsule::app::fieldcheck {

// Workload name (contract 2.1 config_id rule), as a sentence plus the rule.
QString workloadName(const QString &id);
// A layer name: non-empty, unique (checked by the caller), not "_platform".
QString layerName(const QString &name);
// Go's time.ParseDuration syntax ("90s", "1h30m", "6h"); `what` names the field.
QString goDuration(const QString &text, const QString &what);
// A Go duration or a plain number of seconds; *seconds receives the value (rounded down).
QString secondsOrDuration(const QString &text, const QString &what, qint64 *seconds);
// Go duration text -> seconds (text must pass goDuration()).
double goDurationSeconds(const QString &text);
// "10.0.0.0/8"; maxWidth > 0 refuses prefixes broader than /maxWidth.
QString cidr(const QString &text, int maxWidth = 0);
// Comma/space separated CIDRs -> list; *problem set on the first bad one.
QJsonArray cidrList(const QString &text, QString *problem, int maxWidth = 0);
// "443, 8000-8080" -> [{"start":443},{"start":8000,"end":8080}] (contract 6.3).
QJsonArray portRanges(const QString &text, QString *problem);
QString portRangesText(const QJsonArray &ports);
// Comma/space separated words -> list (domains, hosts, protocols).
QJsonArray words(const QString &text);
QString wordsText(const QJsonArray &list);
// KEY=VALUE lines -> object; *problem names the bad line.
QJsonObject keyValues(const QString &text, QString *problem, bool envNames);
QString keyValuesText(const QJsonObject &object);
// An integer size in GiB within [min, max].
QString sizeGb(qint64 value, qint64 min, qint64 max, const QString &what);

} // namespace capsule::app::fieldcheck
