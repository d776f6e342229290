// See highlighter.h. Rules are applied in order; later rules paint over earlier ones, so strings
// and comments come last.
#include "app/files/highlighter.h"

#include "app/widgets/syntaxcolors.h"

#include <QFileInfo>
#include <QFont>

namespace capsule::app {

namespace {

QTextCharFormat charFormat(const QColor &color, bool bold = false, bool italic = false)
{
    QTextCharFormat f;
    f.setForeground(color);
    if (bold)
        f.setFontWeight(QFont::Bold);
    f.setFontItalic(italic);
    return f;
}

QTextCharFormat boldOnly()
{
    QTextCharFormat f;
    f.setFontWeight(QFont::Bold);
    return f;
}

QTextCharFormat italicOnly()
{
    QTextCharFormat f;
    f.setFontItalic(true);
    return f;
}

} // namespace

Highlighter::Highlighter(Language language, QTextDocument *document)
    : QSyntaxHighlighter(document)
    , m_language(language)
{
    addRules();
}

Highlighter::Language Highlighter::languageFor(const QString &fileName, const QString &firstLine)
{
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix == QLatin1String("yaml") || suffix == QLatin1String("yml"))
        return Language::Yaml;
    if (suffix == QLatin1String("json"))
        return Language::Json;
    if (suffix == QLatin1String("sh") || suffix == QLatin1String("bash") ||
        fileName.endsWith(QLatin1String("rc")) || fileName == QLatin1String(".profile"))
        return Language::Shell;
    if (suffix == QLatin1String("py"))
        return Language::Python;
    if (suffix == QLatin1String("md") || suffix == QLatin1String("markdown"))
        return Language::Markdown;
    if (firstLine.startsWith(QLatin1String("#!"))) {
        if (firstLine.contains(QLatin1String("python")))
            return Language::Python;
        if (firstLine.contains(QLatin1String("sh")))
            return Language::Shell;
    }
    return Language::None;
}

void Highlighter::add(const QString &pattern, const QTextCharFormat &f, int group)
{
    m_rules << Rule{QRegularExpression(pattern), f, group};
}

void Highlighter::addRules()
{
    const SyntaxColors c = SyntaxColors::forPalette(); // the theme's, when the editor opens
    m_blockString = charFormat(c.string);
    const QString dq = QStringLiteral(R"("(?:[^"\\]|\\.)*")");
    const QString sq = QStringLiteral(R"('(?:[^'\\]|\\.)*')");
    const QString number = QStringLiteral(R"(\b-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)");
    switch (m_language) {
    case Language::Yaml:
        add(number, charFormat(c.number));
        add(QStringLiteral(R"(\b(?:true|false|null|yes|no|on|off)\b)"), charFormat(c.keyword));
        add(QStringLiteral(R"(^\s*(?:-\s+)?([^\s#:][^#:]*?)\s*:(?:\s|$))"), charFormat(c.key, true),
            1);
        add(QStringLiteral(R"(^\s*-(?=\s))"), charFormat(c.keyword, true));
        add(dq + QLatin1Char('|') + sq, charFormat(c.string));
        add(QStringLiteral(R"((?:^|\s)#.*$)"), charFormat(c.comment, false, true));
        break;
    case Language::Json:
        add(number, charFormat(c.number));
        add(QStringLiteral(R"(\b(?:true|false|null)\b)"), charFormat(c.keyword));
        add(dq, charFormat(c.string));
        add(QStringLiteral(R"(("(?:[^"\\]|\\.)*")\s*:)"), charFormat(c.key, true), 1);
        break;
    case Language::Shell:
        add(QStringLiteral(R"(\b(?:if|then|else|elif|fi|for|while|until|do|done|case|esac|in|)"
                           R"(function|return|exit|local|export|set|unset|shift|readonly)\b)"),
            charFormat(c.keyword, true));
        add(QStringLiteral(R"(\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@#?*$!-])"),
            charFormat(c.key));
        add(dq + QLatin1Char('|') + QStringLiteral("'[^']*'"), charFormat(c.string));
        add(QStringLiteral(R"((?:^|\s)#.*$)"), charFormat(c.comment, false, true));
        break;
    case Language::Python:
        add(number, charFormat(c.number));
        add(QStringLiteral(
                R"(\b(?:and|as|assert|async|await|break|class|continue|def|del|elif|)"
                R"(else|except|finally|for|from|global|if|import|in|is|lambda|None|)"
                R"(nonlocal|not|or|pass|raise|return|True|False|try|while|with|yield)\b)"),
            charFormat(c.keyword, true));
        add(QStringLiteral(R"(\bdef\s+(\w+)|\bclass\s+(\w+))"), charFormat(c.key, true), 1);
        add(QStringLiteral(R"(^\s*@[\w.]+)"), charFormat(c.key));
        add(dq + QLatin1Char('|') + sq, charFormat(c.string));
        add(QStringLiteral(R"(#.*$)"), charFormat(c.comment, false, true));
        break;
    case Language::Markdown:
        add(QStringLiteral(R"(^#{1,6}\s.*$)"), charFormat(c.key, true));
        add(QStringLiteral(R"(\*\*[^*]+\*\*|__[^_]+__)"), boldOnly());
        add(QStringLiteral(R"((?<![*\w])\*[^*\s][^*]*\*(?!\*)|(?<!\w)_[^_\s][^_]*_(?!\w))"),
            italicOnly());
        add(QStringLiteral(R"(`[^`]+`)"), charFormat(c.string));
        add(QStringLiteral(R"(\[[^\]]*\]\([^)]*\))"), charFormat(c.keyword));
        add(QStringLiteral(R"(^\s*(?:[-*+]|\d+\.)\s)"), charFormat(c.number, true));
        add(QStringLiteral(R"(^>.*$)"), charFormat(c.comment, false, true));
        break;
    case Language::None:
        break;
    }
}

void Highlighter::highlightBlock(const QString &text)
{
    // Markdown code fences and Python triple-quoted strings span lines: state 1 = inside.
    if (m_language == Language::Markdown || m_language == Language::Python) {
        const QString fence =
            m_language == Language::Markdown ? QStringLiteral("```") : QStringLiteral("\"\"\"");
        const bool inside = previousBlockState() == 1;
        const int count = int(text.count(fence));
        if (inside || count > 0) {
            setFormat(0, int(text.size()), m_blockString);
            setCurrentBlockState(inside != (count % 2 == 1) ? 1 : 0);
            return;
        }
        setCurrentBlockState(0);
    }
    for (const Rule &rule : std::as_const(m_rules)) {
        auto it = rule.pattern.globalMatch(text);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            const int group = m.capturedStart(rule.group) >= 0 ? rule.group : 0;
            setFormat(int(m.capturedStart(group)), int(m.capturedLength(group)), rule.format);
        }
    }
}

} // namespace capsule::app
