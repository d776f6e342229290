// YAML 1.1 as PyYAML's safe_load reads it, over yaml-cpp's event parser.
#include "core/yaml11.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace capsule::yaml11 {

namespace {

// ---- scalar resolution (PyYAML resolver.py / constructor.py) ---------------------------------

const QRegularExpression &re(int which)
{
    // The implicit resolvers of PyYAML's Resolver, in its order.
    static const QRegularExpression patterns[] = {
        QRegularExpression(QStringLiteral(
            "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")),
        QRegularExpression(QStringLiteral("^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
                                          "|\\.[0-9_]+(?:[eE][-+][0-9]+)?"
                                          "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
                                          "|[-+]?\\.(?:inf|Inf|INF)"
                                          "|\\.(?:nan|NaN|NAN))$")),
        QRegularExpression(QStringLiteral("^(?:[-+]?0b[0-1_]+"
                                          "|[-+]?0[0-7_]+"
                                          "|[-+]?(?:0|[1-9][0-9_]*)"
                                          "|[-+]?0x[0-9a-fA-F_]+"
                                          "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")),
        QRegularExpression(QStringLiteral("^(?:<<)$")),
        QRegularExpression(QStringLiteral("^(?:~|null|Null|NULL|)$")),
        QRegularExpression(QStringLiteral("^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
                                          "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
                                          "(?:[Tt]|[ \\t]+)[0-9][0-9]?"
                                          ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
                                          "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$")),
        QRegularExpression(QStringLiteral("^(?:=)$")),
    };
    return patterns[which];
}

// construct_yaml_int: nullopt when the text is not an integer (only for explicit !!int).
std::optional<QJsonValue> constructInt(QString v)
{
    v.remove(QLatin1Char('_'));
    if (v.isEmpty())
        return std::nullopt;
    bool negative = false;
    if (v.at(0) == QLatin1Char('-') || v.at(0) == QLatin1Char('+')) {
        negative = v.at(0) == QLatin1Char('-');
        v.remove(0, 1);
    }
    bool ok = false;
    qint64 n = 0;
    if (v == QLatin1String("0")) {
        ok = true;
    } else if (v.startsWith(QLatin1String("0b"))) {
        n = v.mid(2).toLongLong(&ok, 2);
    } else if (v.startsWith(QLatin1String("0x"))) {
        n = v.mid(2).toLongLong(&ok, 16);
    } else if (v.startsWith(QLatin1Char('0'))) {
        n = v.toLongLong(&ok, 8);
    } else if (v.contains(QLatin1Char(':'))) {
        ok = true;
        for (const QString &part : v.split(QLatin1Char(':'))) {
            bool partOk = false;
            n = n * 60 + part.toLongLong(&partOk);
            ok = ok && partOk;
        }
    } else {
        n = v.toLongLong(&ok, 10);
        if (!ok) {
            // Beyond 64 bits: Python keeps it exact; JSON here gets the nearest double.
            const double d = v.toDouble(&ok);
            if (ok && !v.contains(QLatin1Char('.')) && !v.contains(QLatin1Char('e')))
                return QJsonValue(negative ? -d : d);
            return std::nullopt;
        }
    }
    if (!ok)
        return std::nullopt;
    return QJsonValue(negative ? -n : n);
}

// construct_yaml_float: nullopt when not a number; infinities and NaN come back as such.
std::optional<double> constructFloat(QString v)
{
    v = v.remove(QLatin1Char('_')).toLower();
    if (v.isEmpty())
        return std::nullopt;
    double sign = 1;
    if (v.at(0) == QLatin1Char('-') || v.at(0) == QLatin1Char('+')) {
        sign = v.at(0) == QLatin1Char('-') ? -1 : 1;
        v.remove(0, 1);
    }
    if (v == QLatin1String(".inf"))
        return sign * INFINITY;
    if (v == QLatin1String(".nan"))
        return NAN;
    bool ok = true;
    double value = 0;
    auto number = [&ok](QString part) {
        // Python's float() takes "1." and "1.e+3"; QString::toDouble wants a digit after the dot.
        const qsizetype dot = part.indexOf(QLatin1Char('.'));
        if (dot >= 0 && (dot + 1 == part.size() || !part.at(dot + 1).isDigit()))
            part.insert(dot + 1, QLatin1Char('0'));
        bool partOk = false;
        const double d = part.toDouble(&partOk);
        ok = ok && partOk;
        return d;
    };
    if (v.contains(QLatin1Char(':'))) {
        for (const QString &part : v.split(QLatin1Char(':')))
            value = value * 60 + number(part);
    } else {
        value = number(v);
    }
    if (!ok)
        return std::nullopt;
    return sign * value;
}

// repr() of a Python float, as json.dumps writes a float mapping key.
QString pyFloatRepr(double d)
{
    if (d == std::trunc(d) && std::fabs(d) < 1e16)
        return QString::number(qint64(d)) + QStringLiteral(".0");
    return QString::number(d, 'g', QLocale::FloatingPointShortest);
}

// ---- the node graph yaml-cpp's events describe ------------------------------------------------

struct Node
{
    enum Type { Scalar, Null, Sequence, Mapping } type = Null;
    std::string tag;
    QString value;
    Mark mark;
    std::vector<Node *> items; // sequence items; mapping: key, value, key, value, ...
};

Mark markOf(const YAML::Mark &m)
{
    // yaml-cpp marks are 0-based (-1 = none); editors count from 1.
    return {m.line < 0 ? 0 : m.line + 1, m.column < 0 ? 0 : m.column + 1};
}

class Builder : public YAML::EventHandler
{
public:
    std::deque<Node> nodes; // stable addresses
    Node *root = nullptr;
    int documents = 0;
    Mark secondDocument;

    void OnDocumentStart(const YAML::Mark &mark) override
    {
        if (++documents == 2)
            secondDocument = markOf(mark);
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        add(make(Node::Null, "?", mark, anchor));
    }
    void OnAlias(const YAML::Mark &, YAML::anchor_t anchor) override
    {
        const auto it = m_anchors.find(anchor);
        if (it != m_anchors.end())
            add(it->second);
    }
    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        Node *n = make(Node::Scalar, tag, mark, anchor);
        n->value = QString::fromStdString(value);
        add(n);
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        Node *n = make(Node::Sequence, tag, mark, anchor);
        add(n);
        m_open.push_back(n);
    }
    void OnSequenceEnd() override { m_open.pop_back(); }
    void OnMapStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        Node *n = make(Node::Mapping, tag, mark, anchor);
        add(n);
        m_open.push_back(n);
    }
    void OnMapEnd() override { m_open.pop_back(); }

private:
    Node *make(Node::Type type, const std::string &tag, const YAML::Mark &mark,
               YAML::anchor_t anchor)
    {
        nodes.push_back(Node{type, tag, QString(), markOf(mark), {}});
        Node *n = &nodes.back();
        if (anchor != YAML::NullAnchor)
            m_anchors[anchor] = n;
        return n;
    }
    void add(Node *n)
    {
        if (documents > 1)
            return; // only counted: a second document is an error
        if (m_open.empty())
            root = n;
        else
            m_open.back()->items.push_back(n);
    }

    std::map<YAML::anchor_t, Node *> m_anchors;
    std::vector<Node *> m_open;
};

// ---- construction (PyYAML SafeConstructor, then json.dumps) ------------------------------------

const std::string kCore = "tag:yaml.org,2002:";

QString childPath(const QString &parent, const QString &key)
{
    return parent.isEmpty() ? key : parent + QLatin1Char('.') + key;
}

class Constructor
{
public:
    explicit Constructor(Document *doc)
        : m_doc(doc)
    {}

    LoadError error;

    std::optional<QJsonValue> value(Node *n, const QString &path)
    {
        if (!enter(n))
            return std::nullopt;
        m_doc->marks.insert(path, n->mark);
        std::optional<QJsonValue> out;
        switch (n->type) {
        case Node::Null:
            out = QJsonValue(QJsonValue::Null);
            break;
        case Node::Scalar:
            out = scalar(n, path);
            break;
        case Node::Sequence:
            out = sequence(n, path);
            break;
        case Node::Mapping:
            out = mapping(n, path);
            break;
        }
        leave(n);
        return out;
    }

private:
    bool fail(const Node *n, const QString &message)
    {
        if (error.message.isEmpty()) {
            error.message = message;
            error.at = n->mark;
        }
        return false;
    }

    bool enter(Node *n)
    {
        if (++m_count > kMaxNodes)
            return fail(n, QStringLiteral("the document expands to more than %1 values (aliases "
                                          "repeated over and over?)")
                               .arg(kMaxNodes));
        if (m_open.size() >= size_t(kMaxDepth))
            return fail(
                n,
                QStringLiteral("the document is nested more than %1 levels deep").arg(kMaxDepth));
        if (n->type != Node::Scalar && n->type != Node::Null &&
            std::find(m_open.begin(), m_open.end(), n) != m_open.end())
            return fail(n, QStringLiteral("an alias refers to a value that contains it; JSON "
                                          "cannot hold a recursive value"));
        m_open.push_back(n);
        return true;
    }
    void leave(Node *) { m_open.pop_back(); }

    // The tag a scalar resolves to: "null", "bool", "int", "float", "timestamp", "merge",
    // "value", "str", or the unknown tag itself.
    static std::string scalarTag(const Node *n)
    {
        if (n->type == Node::Null)
            return "null";
        if (n->tag == "!")
            return "str"; // quoted or block scalar: never resolved
        if (n->tag == "?" || n->tag.empty()) {
            switch (resolvePlain(n->value)) {
            case Kind::Null:
                return "null";
            case Kind::Bool:
                return "bool";
            case Kind::Int:
                return "int";
            case Kind::Float:
                return "float";
            case Kind::Timestamp:
                return "timestamp";
            case Kind::Merge:
                return "merge";
            case Kind::Value:
                return "value";
            case Kind::String:
                return "str";
            }
        }
        if (n->tag.rfind(kCore, 0) == 0)
            return n->tag.substr(kCore.size());
        return n->tag;
    }

    static QString shown(const Node *n) { return QStringLiteral("\"%1\"").arg(n->value); }

    std::optional<QJsonValue> scalar(Node *n, const QString &path)
    {
        const std::string tag = scalarTag(n);
        if (tag == "str")
            return QJsonValue(n->value);
        if (tag == "null")
            return QJsonValue(QJsonValue::Null);
        if (tag == "bool") {
            const QString v = n->value.toLower();
            if (v == QLatin1String("yes") || v == QLatin1String("true") || v == QLatin1String("on"))
                return QJsonValue(true);
            if (v == QLatin1String("no") || v == QLatin1String("false") ||
                v == QLatin1String("off"))
                return QJsonValue(false);
            fail(n, QStringLiteral("%1 is not a YAML 1.1 boolean").arg(shown(n)));
            return std::nullopt;
        }
        if (tag == "int") {
            if (auto v = constructInt(n->value))
                return v;
            fail(n, QStringLiteral("%1 is not an integer").arg(shown(n)));
            return std::nullopt;
        }
        if (tag == "float") {
            const std::optional<double> d = constructFloat(n->value);
            if (!d) {
                fail(n, QStringLiteral("%1 is not a number").arg(shown(n)));
                return std::nullopt;
            }
            if (!std::isfinite(*d)) {
                fail(n, QStringLiteral("%1 is %2 in YAML 1.1, which JSON cannot carry; quote it to "
                                       "send the text")
                            .arg(shown(n), std::isnan(*d) ? QStringLiteral("NaN")
                                                          : QStringLiteral("an infinity")));
                return std::nullopt;
            }
            m_doc->floats.insert(path);
            return QJsonValue(*d);
        }
        if (tag == "timestamp") {
            fail(n, QStringLiteral("%1 is a date in YAML 1.1 (the SDK's PyYAML reads it as one), "
                                   "which the SDK cannot send as JSON; quote it to send the text")
                        .arg(shown(n)));
            return std::nullopt;
        }
        if (tag == "merge" || tag == "value") {
            fail(n, QStringLiteral("%1 is the YAML 1.1 %2 key and cannot be a value; quote it to "
                                   "send the text")
                        .arg(shown(n), QString::fromStdString(tag)));
            return std::nullopt;
        }
        if (tag == "binary") {
            fail(n, QStringLiteral("!!binary data cannot be sent as JSON"));
            return std::nullopt;
        }
        fail(n, QStringLiteral("unknown tag %1 (PyYAML's safe_load accepts only the standard "
                               "YAML 1.1 tags)")
                    .arg(QString::fromStdString(n->tag)));
        return std::nullopt;
    }

    bool collectionTagOk(const Node *n, const char *expected)
    {
        if (n->tag == "?" || n->tag == "!" || n->tag.empty() || n->tag == kCore + expected)
            return true;
        if (n->tag == kCore + "set")
            return fail(n, QStringLiteral("!!set cannot be sent as JSON (PyYAML makes a Python "
                                          "set); use a list"));
        return fail(n, QStringLiteral("unsupported tag %1 here (PyYAML's safe_load or JSON cannot "
                                      "take it)")
                           .arg(QString::fromStdString(n->tag)));
    }

    std::optional<QJsonValue> sequence(Node *n, const QString &path)
    {
        if (!collectionTagOk(n, "seq"))
            return std::nullopt;
        QJsonArray a;
        for (size_t i = 0; i < n->items.size(); ++i) {
            const auto v = value(n->items[i], QStringLiteral("%1[%2]").arg(path).arg(i));
            if (!v)
                return std::nullopt;
            a.append(*v);
        }
        return QJsonValue(a);
    }

    static bool isMergeKey(const Node *k)
    {
        return k->type == Node::Scalar && scalarTag(k) == "merge";
    }

    // SafeConstructor.flatten_mapping: merged pairs first (a list's earlier mappings last, so
    // they win), then the mapping's own pairs; later pairs overwrite earlier ones.
    bool flatten(Node *n, std::vector<std::pair<Node *, Node *>> *out)
    {
        if (!enter(n))
            return false;
        std::vector<std::pair<Node *, Node *>> merged;
        std::vector<std::pair<Node *, Node *>> own;
        for (size_t i = 0; i + 1 < n->items.size(); i += 2) {
            Node *k = n->items[i];
            Node *v = n->items[i + 1];
            if (!isMergeKey(k)) {
                own.emplace_back(k, v);
                continue;
            }
            if (v->type == Node::Mapping) {
                if (!flatten(v, &merged))
                    return false;
            } else if (v->type == Node::Sequence) {
                std::vector<std::vector<std::pair<Node *, Node *>>> parts;
                for (Node *s : v->items) {
                    if (s->type != Node::Mapping)
                        return fail(s, QStringLiteral("a merge key (<<) takes mappings, but this "
                                                      "list holds %1")
                                           .arg(s->type == Node::Sequence
                                                    ? QStringLiteral("a list")
                                                    : QStringLiteral("a scalar")));
                    parts.emplace_back();
                    if (!flatten(s, &parts.back()))
                        return false;
                }
                for (auto it = parts.rbegin(); it != parts.rend(); ++it)
                    merged.insert(merged.end(), it->begin(), it->end());
            } else {
                return fail(v, QStringLiteral("a merge key (<<) takes a mapping or a list of "
                                              "mappings, not a scalar"));
            }
        }
        out->insert(out->end(), merged.begin(), merged.end());
        out->insert(out->end(), own.begin(), own.end());
        leave(n);
        return true;
    }

    // The JSON text of a key (json.dumps rules) and its identity as a Python dict key
    // (True == 1 == 1.0).
    bool key(Node *k, QString *text, QString *identity)
    {
        if (k->type == Node::Sequence || k->type == Node::Mapping)
            return fail(k, QStringLiteral("a %1 cannot be a mapping key (PyYAML: unhashable key; "
                                          "JSON keys are strings)")
                               .arg(k->type == Node::Sequence ? QStringLiteral("list")
                                                              : QStringLiteral("mapping")));
        const std::string tag = scalarTag(k);
        if (tag == "value" || tag == "str") {
            *text = k->value;
            *identity = QStringLiteral("s:") + k->value;
            return true;
        }
        if (tag == "timestamp")
            return fail(k, QStringLiteral("%1 is a date in YAML 1.1 and cannot be a JSON key; "
                                          "quote it")
                               .arg(shown(k)));
        const std::optional<QJsonValue> v = scalar(k, QString());
        m_doc->floats.remove(QString());
        if (!v)
            return false;
        if (v->isNull()) {
            *text = QStringLiteral("null");
            *identity = QStringLiteral("none");
        } else if (v->isBool()) {
            *text = v->toBool() ? QStringLiteral("true") : QStringLiteral("false");
            *identity = v->toBool() ? QStringLiteral("n:1") : QStringLiteral("n:0");
        } else if (tag == "float") {
            *text = pyFloatRepr(v->toDouble());
            const double d = v->toDouble();
            *identity = QStringLiteral("n:") + (d == std::trunc(d) && std::fabs(d) < 9e18
                                                    ? QString::number(qint64(d))
                                                    : pyFloatRepr(d));
        } else {
            *text = v->toVariant().toString();
            if (v->toVariant().typeId() == QMetaType::Double)
                *text = QString::number(v->toDouble(), 'f', 0);
            *identity = QStringLiteral("n:") + *text;
        }
        return true;
    }

    std::optional<QJsonValue> mapping(Node *n, const QString &path)
    {
        if (!collectionTagOk(n, "map"))
            return std::nullopt;
        std::vector<std::pair<Node *, Node *>> pairs;
        m_open.pop_back(); // flatten() enters `n` itself
        const bool flat = flatten(n, &pairs);
        m_open.push_back(n);
        if (!flat)
            return std::nullopt;
        // A Python dict: the first spelling of a key stays, the last value wins.
        QList<QString> order;
        QHash<QString, QString> texts;
        QHash<QString, QJsonValue> values;
        for (const auto &[k, v] : pairs) {
            QString text;
            QString identity;
            if (!key(k, &text, &identity))
                return std::nullopt;
            if (!texts.contains(identity)) {
                order.append(identity);
                texts.insert(identity, text);
            }
            const QString child = childPath(path, texts.value(identity));
            const auto value = this->value(v, child);
            if (!value)
                return std::nullopt;
            if (v->type == Node::Null)
                m_doc->marks.insert(child, k->mark); // point at the key of an empty value
            values.insert(identity, *value);
        }
        QJsonObject o;
        for (const QString &identity : order)
            o.insert(texts.value(identity), values.value(identity));
        return QJsonValue(o);
    }

    Document *m_doc;
    int m_count = 0;
    std::vector<Node *> m_open;
};

} // namespace

Kind resolvePlain(const QString &text)
{
    static const Kind kinds[] = {Kind::Bool, Kind::Float,     Kind::Int,  Kind::Merge,
                                 Kind::Null, Kind::Timestamp, Kind::Value};
    for (int i = 0; i < 7; ++i) {
        if (re(i).match(text).hasMatch())
            return kinds[i];
    }
    return Kind::String;
}

bool load(const QByteArray &text, Document *doc, LoadError *error)
{
    *doc = Document();
    Builder builder;
    try {
        std::stringstream in(text.toStdString());
        YAML::Parser parser(in);
        if (parser.HandleNextDocument(builder) && parser.HandleNextDocument(builder)) {
            *error = LoadError{QStringLiteral("expected a single document, but found another "
                                              "one (PyYAML's safe_load reads one)"),
                               builder.secondDocument, false};
            return false;
        }
    } catch (const YAML::Exception &e) {
        // A syntax error in a second document still means "more than one document" to PyYAML,
        // but the syntax error is the more useful message.
        *error = LoadError{QString::fromStdString(e.msg), markOf(e.mark), true};
        return false;
    }
    if (!builder.root) {
        doc->root = QJsonValue(QJsonValue::Null);
        return true;
    }
    Constructor constructor(doc);
    const std::optional<QJsonValue> root = constructor.value(builder.root, QString());
    if (!root) {
        *error = constructor.error;
        return false;
    }
    doc->root = *root;
    return true;
}

} // namespace capsule::yaml11
