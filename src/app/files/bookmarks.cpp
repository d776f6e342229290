#include "app/files/bookmarks.h"

#include <QMenu>
#include <QSettings>
#include <QUrl>

namespace capsule::app {

BookmarksButton::BookmarksButton(QWidget *parent)
    : QToolButton(parent)
{
    setObjectName(QStringLiteral("bookmarksButton"));
    setText(tr("Bookmarks"));
    setToolTip(tr("Folders bookmarked for this workload"));
    setPopupMode(QToolButton::InstantPopup);
    setMenu(new QMenu(this));
    menu()->setObjectName(QStringLiteral("bookmarksMenu"));
    // Built when shown, so it always reflects the current folder and what other windows saved.
    connect(menu(), &QMenu::aboutToShow, this, &BookmarksButton::rebuildMenu);
    setEnabled(false);
}

void BookmarksButton::setScope(const QString &scope)
{
    m_scope = scope;
    setEnabled(!scope.isEmpty());
}

void BookmarksButton::setCurrentPath(const QString &path)
{
    m_path = path;
}

QString BookmarksButton::settingsKey() const
{
    // Percent-encoded: a '/' in the key must not open a QSettings subgroup.
    return QStringLiteral("files/bookmarks/") +
           QString::fromLatin1(QUrl::toPercentEncoding(m_scope));
}

QStringList BookmarksButton::bookmarks() const
{
    if (m_scope.isEmpty())
        return {};
    return QSettings().value(settingsKey()).toStringList();
}

void BookmarksButton::store(const QStringList &list)
{
    QSettings settings;
    if (list.isEmpty())
        settings.remove(settingsKey());
    else
        settings.setValue(settingsKey(), list);
}

bool BookmarksButton::add(const QString &path)
{
    QStringList list = bookmarks();
    if (m_scope.isEmpty() || path.isEmpty() || list.contains(path))
        return false;
    list << path;
    store(list);
    return true;
}

bool BookmarksButton::remove(const QString &path)
{
    QStringList list = bookmarks();
    if (!list.removeOne(path))
        return false;
    store(list);
    return true;
}

void BookmarksButton::rebuildMenu()
{
    QMenu *m = menu();
    m->clear();
    const QStringList list = bookmarks();
    const QString path = m_path;
    if (list.contains(path)) {
        QAction *a = m->addAction(tr("Remove Bookmark for %1").arg(path), this,
                                  [this, path] { remove(path); });
        a->setObjectName(QStringLiteral("removeBookmark"));
    } else {
        QAction *a = m->addAction(tr("Bookmark %1").arg(path), this, [this, path] { add(path); });
        a->setObjectName(QStringLiteral("addBookmark"));
        a->setEnabled(!path.isEmpty());
    }
    if (!list.isEmpty())
        m->addSeparator();
    for (const QString &b : list) {
        QAction *a = m->addAction(b, this, [this, b] { emit goTo(b); });
        a->setData(b);
    }
}

} // namespace capsule::app
