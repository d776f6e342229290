// A greyed sentence in the middle of an empty list: what the list is for and what to do.
#include "app/widgets/emptyhint.h"

#include <QAbstractItemView>
#include <QEvent>

namespace capsule::app {

EmptyHint::EmptyHint(QAbstractItemView *view, const QString &richText)
    : QLabel(view->viewport())
    , m_view(view)
{
    setObjectName(view->objectName() + QStringLiteral("Hint"));
    m_normal = richText;
    setText(richText);
    setTextFormat(Qt::RichText);
    setWordWrap(true);
    setAlignment(Qt::AlignCenter);
    setAttribute(Qt::WA_TransparentForMouseEvents); // drops and clicks reach the view
    QPalette p = palette();
    p.setColor(QPalette::WindowText, p.color(QPalette::Disabled, QPalette::WindowText));
    setPalette(p);
    view->viewport()->installEventFilter(this);
    QAbstractItemModel *model = view->model();
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(model, signal, this, &EmptyHint::refreshHint);
    connect(model, &QAbstractItemModel::modelReset, this, &EmptyHint::refreshHint);
    connect(model, &QAbstractItemModel::layoutChanged, this, &EmptyHint::refreshHint);
    refreshHint();
}

bool EmptyHint::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize)
        refreshHint();
    return QLabel::eventFilter(watched, event);
}

void EmptyHint::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    // Rich text takes its link colour when parsed: parse again under a new theme.
    // (QLabel::setText ignores the same text.)
    if (event->type() == QEvent::PaletteChange) {
        const QString current = text();
        setText(QString());
        setText(current);
    }
}

void EmptyHint::refreshHint()
{
    if (!m_view || !m_view->model())
        return;
    const QRect area = m_view->viewport()->rect().adjusted(24, 24, -24, -24);
    setGeometry(area);
    setVisible(m_overridden || m_view->model()->rowCount() == 0);
}

void EmptyHint::setLinksEnabled(bool on)
{
    setAttribute(Qt::WA_TransparentForMouseEvents, !on);
    setTextInteractionFlags(on ? Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard
                               : Qt::NoTextInteraction);
    setOpenExternalLinks(false);
}

void EmptyHint::setOverride(const QString &richText)
{
    m_overridden = !richText.isEmpty();
    setText(m_overridden ? richText : m_normal);
    // An error replaces the list: solid background so stale rows do not show through.
    setAutoFillBackground(m_overridden);
    refreshHint();
}

} // namespace capsule::app
