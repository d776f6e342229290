// A plain-text editor with a line-number margin and a monospace font (the editor tab's body).
#pragma once

#include <QPlainTextEdit>

namespace capsule::app {

class CodeEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit CodeEditor(QWidget *parent = nullptr);

    int lineNumberAreaWidth() const;
    void paintLineNumbers(QPaintEvent *event);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateMargin();
    void updateLineNumberArea(const QRect &rect, int dy);

    QWidget *m_lineNumbers;
};

} // namespace capsule::app
