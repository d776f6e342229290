// The search bar of a terminal view (Ctrl+Shift+F).
#include "terminal/terminalsearchbar.h"

#include "terminal/terminalview.h"

#include <QCheckBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

namespace capsule::terminal {

TerminalSearchBar::TerminalSearchBar(TerminalView *view)
    : QWidget(view)
    , m_view(view)
    , m_edit(new QLineEdit(this))
    , m_case(new QCheckBox(tr("Match case"), this))
    , m_status(new QLabel(this))
{
    setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    m_edit->setPlaceholderText(tr("Find in terminal"));
    m_edit->setClearButtonEnabled(true);
    auto *previous = new QToolButton(this);
    previous->setText(QStringLiteral("\u2191"));
    previous->setToolTip(tr("Previous match (Shift+Enter)"));
    auto *next = new QToolButton(this);
    next->setText(QStringLiteral("\u2193"));
    next->setToolTip(tr("Next match (Enter)"));
    auto *closeButton = new QToolButton(this);
    closeButton->setText(QStringLiteral("\u00d7"));
    closeButton->setToolTip(tr("Close (Escape)"));
    layout->addWidget(m_edit);
    layout->addWidget(m_case);
    layout->addWidget(m_status);
    layout->addWidget(previous);
    layout->addWidget(next);
    layout->addWidget(closeButton);
    connect(m_edit, &QLineEdit::textChanged, this, &TerminalSearchBar::research);
    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        if (QGuiApplication::keyboardModifiers() & Qt::ShiftModifier)
            m_view->findPrevious();
        else
            m_view->findNext();
    });
    connect(m_case, &QCheckBox::toggled, this, &TerminalSearchBar::research);
    connect(previous, &QToolButton::clicked, m_view, &TerminalView::findPrevious);
    connect(next, &QToolButton::clicked, m_view, &TerminalView::findNext);
    connect(closeButton, &QToolButton::clicked, this, &TerminalSearchBar::close);
    hide();
}

QString TerminalSearchBar::status() const
{
    return m_status->text();
}

void TerminalSearchBar::activate()
{
    adjustSize();
    move(std::max(0, m_view->viewport()->width() - width() - 4), 4);
    show();
    raise();
    m_edit->setFocus();
    m_edit->selectAll();
}

void TerminalSearchBar::research()
{
    const int count = m_view->search(m_edit->text(),
                                     m_case->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive);
    m_status->setText(m_edit->text().isEmpty() ? QString()
                      : count == 0             ? tr("no match")
                                               : tr("%n match(es)", nullptr, count));
}

void TerminalSearchBar::close()
{
    hide();
    m_view->clearSearch();
    m_view->setFocus();
}

void TerminalSearchBar::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Escape:
        close();
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

} // namespace capsule::terminal
