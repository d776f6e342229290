// The search bar of a terminal view (Ctrl+Shift+F): text, case option, previous/next, close.
#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace capsule::terminal {

class TerminalView;

class TerminalSearchBar : public QWidget
{
    Q_OBJECT
public:
    explicit TerminalSearchBar(TerminalView *view);

    QLineEdit *lineEdit() const { return m_edit; }
    QCheckBox *caseBox() const { return m_case; }
    QString status() const;
    void activate(); // shows, focuses and selects the text

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void research();
    void close();

    TerminalView *m_view;
    QLineEdit *m_edit;
    QCheckBox *m_case;
    QLabel *m_status;
};

} // namespace capsule::terminal
