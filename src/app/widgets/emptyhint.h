// A greyed sentence in the middle of an empty list: what the list is for and what to do.
#pragma once

#include <QLabel>
#include <QPointer>

class QAbstractItemView;

namespace capsule::app {

// Lives on the view's viewport and shows itself while the view's model has no rows.
class EmptyHint : public QLabel
{
    Q_OBJECT
public:
    EmptyHint(QAbstractItemView *view, const QString &richText);
    // Links in the text (<a href="...">) become clickable (linkActivated); without links the
    // hint lets clicks and drops through to the view.
    void setLinksEnabled(bool on);
    // Shown even while the model has rows (e.g. the server does not answer); "" = normal hint.
    void setOverride(const QString &richText);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void refreshHint();

    QPointer<QAbstractItemView> m_view;
    QString m_normal;
    bool m_overridden = false;
};

} // namespace capsule::app
