// The review page: the complete onboard.yaml, syntax-highlighted and editable (edits parse back
// into the pages, errors at line:column), the workload key computed live, what differs from the
// defaults, and when editing an existing workload what the server will refuse or rebuild.
#pragma once

#include "app/wizard/wizardpage.h"

#include <QSyntaxHighlighter>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace capsule::app {

// Keys, comments, strings, numbers/booleans and list dashes of YAML, line by line.
class YamlHighlighter : public QSyntaxHighlighter
{
public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override;
};

class ReviewPage : public WizardPage
{
    Q_OBJECT
public:
    explicit ReviewPage(WizardModel *model, QWidget *parent = nullptr);
    void load() override;
    // Create needs every page's fields to be valid, not only this page's.
    bool isComplete() const override { return model()->problems().isEmpty(); }

    // Editing an existing workload: `definition` is the server's (GET layered-configs/{id}).
    void setOriginal(const QJsonObject &definition) { m_original = definition; }
    // The YAML text was edited: parse it now instead of after the typing pause.
    void parseNow();

    // Fields of `body` whose value is not the default, as "config.ttl: 900".
    static QStringList differencesFromDefaults(const QJsonObject &body);
    // Layers whose hash changes between `before` and `after` (they and their descendants
    // rebuild), by name.
    static QStringList rebuiltLayers(const QJsonObject &before, const QJsonObject &after);

    QLabel *keyLabel;
    QPlainTextEdit *yamlEdit;
    QLabel *defaultsLabel;
    QLabel *changesLabel;
    QLabel *blockingLabel; // the first problem of another page, while there is one
    QCheckBox *buildCheck;
    QPushButton *copyButton;
    QPushButton *saveButton;

signals:
    void saveRequested();

private:
    void refresh(); // the model changed: rewrite the YAML unless it came from there
    void yamlEdited();

    QTimer *m_parseTimer;
    QJsonObject m_original;
    bool m_fromYaml = false;
    bool m_writing = false;
};

} // namespace capsule::app
