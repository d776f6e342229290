// A strict decoder for tst_wire_types: its own JSON parser (keeps integer vs float literals and
// rejects duplicate keys, which QJsonDocument hides) and a per-reply schema table check.
#pragma once

#include <QHash>
#include <QList>
#include <QMap>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <memory>

namespace capsule::test::strict {

struct Node
{
    enum Kind { Null, Bool, Int, Float, String, Array, Object } kind = Null;
    bool boolean = false;
    QString text; // strings; numbers keep their literal
    QList<Node> items;
    QList<QPair<QString, Node>> members; // in order
    const Node *member(const QString &key) const
    {
        for (const auto &m : members)
            if (m.first == key)
                return &m.second;
        return nullptr;
    }
};

inline const char *kindName(Node::Kind k)
{
    static const char *names[] = {"null", "bool", "int", "float", "string", "array", "object"};
    return names[k];
}

// RFC 8259 parser; returns false with an error naming the offset.
class Parser
{
public:
    explicit Parser(const QByteArray &text)
        : m_text(text)
    {}
    bool parse(Node *out, QString *error)
    {
        skip();
        if (!value(out, 0)) {
            *error = QStringLiteral("%1 at byte %2").arg(m_error).arg(m_pos);
            return false;
        }
        skip();
        if (m_pos != m_text.size()) {
            *error = QStringLiteral("trailing data at byte %1").arg(m_pos);
            return false;
        }
        return true;
    }

private:
    bool fail(const char *why)
    {
        m_error = QString::fromLatin1(why);
        return false;
    }
    char peek() const { return m_pos < m_text.size() ? m_text.at(m_pos) : '\0'; }
    void skip()
    {
        while (m_pos < m_text.size() && m_text.at(m_pos) != '\0' &&
               strchr(" \t\r\n", m_text.at(m_pos)))
            ++m_pos;
    }
    bool literal(const char *word)
    {
        const qsizetype n = qsizetype(strlen(word));
        if (m_text.mid(m_pos, n) != word)
            return fail("bad literal");
        m_pos += n;
        return true;
    }
    bool value(Node *out, int depth)
    {
        if (depth > 64)
            return fail("nesting too deep");
        const char c = peek();
        if (c == '{')
            return object(out, depth);
        if (c == '[')
            return array(out, depth);
        if (c == '"') {
            out->kind = Node::String;
            return string(&out->text);
        }
        if (c == 't' || c == 'f') {
            out->kind = Node::Bool;
            out->boolean = c == 't';
            return literal(c == 't' ? "true" : "false");
        }
        if (c == 'n') {
            out->kind = Node::Null;
            return literal("null");
        }
        return number(out);
    }
    bool number(Node *out)
    {
        static const QRegularExpression re(
            QStringLiteral("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?"));
        const auto m = re.match(QString::fromLatin1(m_text.mid(m_pos, 64)));
        if (!m.hasMatch() || m.capturedLength() == 0)
            return fail("unexpected character");
        out->text = m.captured(0);
        out->kind = m.capturedLength(2) || m.capturedLength(3) ? Node::Float : Node::Int;
        m_pos += m.capturedLength(0);
        return true;
    }
    bool string(QString *out)
    {
        ++m_pos; // opening quote
        QByteArray raw;
        while (true) {
            if (m_pos >= m_text.size())
                return fail("unterminated string");
            const char c = m_text.at(m_pos++);
            if (c == '"')
                break;
            if (uchar(c) < 0x20)
                return fail("control character in string");
            if (c != '\\') {
                raw += c;
                continue;
            }
            const char e = peek();
            ++m_pos;
            switch (e) {
            case '"':
                raw += '"';
                break;
            case '\\':
                raw += '\\';
                break;
            case '/':
                raw += '/';
                break;
            case 'b':
                raw += '\b';
                break;
            case 'f':
                raw += '\f';
                break;
            case 'n':
                raw += '\n';
                break;
            case 'r':
                raw += '\r';
                break;
            case 't':
                raw += '\t';
                break;
            case 'u': {
                bool ok = false;
                const uint code = m_text.mid(m_pos, 4).toUInt(&ok, 16);
                if (!ok || m_text.mid(m_pos, 4).size() != 4)
                    return fail("bad \\u escape");
                m_pos += 4;
                raw += QString(QChar(char16_t(code))).toUtf8();
                break;
            }
            default:
                return fail("bad escape");
            }
        }
        *out = QString::fromUtf8(raw);
        if (out->toUtf8() != raw)
            return fail("invalid UTF-8 in string");
        return true;
    }
    bool array(Node *out, int depth)
    {
        out->kind = Node::Array;
        ++m_pos;
        skip();
        if (peek() == ']') {
            ++m_pos;
            return true;
        }
        while (true) {
            skip();
            Node item;
            if (!value(&item, depth + 1))
                return false;
            out->items.append(item);
            skip();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == ']') {
                ++m_pos;
                return true;
            }
            return fail("expected , or ]");
        }
    }
    bool object(Node *out, int depth)
    {
        out->kind = Node::Object;
        ++m_pos;
        skip();
        if (peek() == '}') {
            ++m_pos;
            return true;
        }
        while (true) {
            skip();
            if (peek() != '"')
                return fail("expected a key");
            QString key;
            if (!string(&key))
                return false;
            if (out->member(key))
                return fail("duplicate key");
            skip();
            if (peek() != ':')
                return fail("expected :");
            ++m_pos;
            skip();
            Node v;
            if (!value(&v, depth + 1))
                return false;
            out->members.append({key, v});
            skip();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == '}') {
                ++m_pos;
                return true;
            }
            return fail("expected , or }");
        }
    }

    QByteArray m_text;
    qsizetype m_pos = 0;
    QString m_error;
};

// A schema: field -> type spec. Spec grammar: [?|+]alt(|alt)* where
//   ?  optional in the contract (may be missing), + a documented local extension (may be missing),
//   alt = string | int | number (int or float) | bool | null | time (RFC 3339 string) | object
//         (any object) | map<string> | obj:<schema> | arr:<schema> | arr<string>.
// A field present but not in the table is an error, so every extension must be declared here.
using Schema = QList<QPair<QString, QString>>;
using SchemaTable = QHash<QString, Schema>;

class Checker
{
public:
    explicit Checker(const SchemaTable &table)
        : m_table(table)
    {}

    // Problems of `node` against schema `name` ("" when none).
    QStringList check(const Node &node, const QString &name, const QString &where = QString()) const
    {
        QStringList problems;
        checkObject(node, name, where.isEmpty() ? name : where, &problems);
        return problems;
    }

    static bool isTime(const QString &t)
    {
        static const QRegularExpression re(QStringLiteral(
            "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$"));
        return re.match(t).hasMatch();
    }

private:
    void checkObject(const Node &node, const QString &name, const QString &where,
                     QStringList *problems) const
    {
        if (!m_table.contains(name)) {
            problems->append(QStringLiteral("%1: no schema named %2").arg(where, name));
            return;
        }
        if (node.kind != Node::Object) {
            problems->append(
                QStringLiteral("%1: expected an object, got %2").arg(where, kindName(node.kind)));
            return;
        }
        const Schema &schema = m_table.value(name);
        QStringList declared;
        for (const auto &[field, spec] : schema) {
            declared << field;
            const Node *v = node.member(field);
            const bool optional =
                spec.startsWith(QLatin1Char('?')) || spec.startsWith(QLatin1Char('+'));
            if (!v) {
                if (!optional)
                    problems->append(
                        QStringLiteral("%1.%2: required field missing").arg(where, field));
                continue;
            }
            const QString alts = optional ? spec.mid(1) : spec;
            QStringList sub;
            bool matched = false;
            for (const QString &alt : alts.split(QLatin1Char('|'))) {
                QStringList p;
                if (matches(*v, alt, where + QLatin1Char('.') + field, &p)) {
                    matched = true;
                    break;
                }
                sub << p;
            }
            if (!matched)
                problems->append(QStringLiteral("%1.%2: expected %3, got %4%5")
                                     .arg(where, field, alts, kindName(v->kind),
                                          sub.isEmpty() ? QString()
                                                        : QStringLiteral(" (") +
                                                              sub.join(QStringLiteral("; ")) +
                                                              QLatin1Char(')')));
        }
        for (const auto &m : node.members)
            if (!declared.contains(m.first))
                problems->append(QStringLiteral("%1.%2: unexpected field (%3)")
                                     .arg(where, m.first, kindName(m.second.kind)));
    }

    bool matches(const Node &v, const QString &alt, const QString &where,
                 QStringList *problems) const
    {
        if (alt == QLatin1String("string"))
            return v.kind == Node::String;
        if (alt == QLatin1String("int"))
            return v.kind == Node::Int;
        if (alt == QLatin1String("number"))
            return v.kind == Node::Int || v.kind == Node::Float;
        if (alt == QLatin1String("bool"))
            return v.kind == Node::Bool;
        if (alt == QLatin1String("null"))
            return v.kind == Node::Null;
        if (alt == QLatin1String("object"))
            return v.kind == Node::Object;
        if (alt == QLatin1String("time")) {
            if (v.kind == Node::String && !isTime(v.text))
                problems->append(QStringLiteral("%1: \"%2\" is not RFC 3339").arg(where, v.text));
            return v.kind == Node::String && isTime(v.text);
        }
        if (alt == QLatin1String("map<string>")) {
            if (v.kind != Node::Object)
                return false;
            for (const auto &m : v.members)
                if (m.second.kind != Node::String)
                    return false;
            return true;
        }
        if (alt == QLatin1String("arr<string>")) {
            if (v.kind != Node::Array)
                return false;
            for (const Node &i : v.items)
                if (i.kind != Node::String)
                    return false;
            return true;
        }
        if (alt.startsWith(QLatin1String("obj:"))) {
            if (v.kind != Node::Object)
                return false;
            const qsizetype before = problems->size();
            checkObject(v, alt.mid(4), where, problems);
            return problems->size() == before;
        }
        if (alt.startsWith(QLatin1String("arr:"))) {
            if (v.kind != Node::Array)
                return false;
            const qsizetype before = problems->size();
            for (int i = 0; i < v.items.size(); ++i)
                checkObject(v.items.at(i), alt.mid(4), QStringLiteral("%1[%2]").arg(where).arg(i),
                            problems);
            return problems->size() == before;
        }
        problems->append(QStringLiteral("%1: unknown type spec %2").arg(where, alt));
        return false;
    }

    SchemaTable m_table;
};

} // namespace capsule::test::strict
