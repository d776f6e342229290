// Syntax highlighting for the editor tab: YAML, JSON, shell, Python and Markdown, with rules of
// regular expressions (KSyntaxHighlighting has no Qt 6 build in Debian 12).
#pragma once

#include <QList>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace capsule::app {

class Highlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    enum class Language { None, Yaml, Json, Shell, Python, Markdown };
    Q_ENUM(Language)

    Highlighter(Language language, QTextDocument *document);

    // From the file name (and a "#!" first line for scripts without a suffix).
    static Language languageFor(const QString &fileName, const QString &firstLine = {});
    Language language() const { return m_language; }

protected:
    void highlightBlock(const QString &text) override;

private:
    struct Rule
    {
        QRegularExpression pattern;
        QTextCharFormat format;
        int group = 0; // which capture group gets the format
    };
    void add(const QString &pattern, const QTextCharFormat &format, int group = 0);
    void addRules();

    Language m_language;
    QTextCharFormat m_blockString; // fenced code / triple-quoted strings
    QList<Rule> m_rules;
};

} // namespace capsule::app
