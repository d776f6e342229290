// Bookmarks of runner folders, per workload: a path-bar button whose menu adds or removes the
// current folder and goes to a saved one. Stored in QSettings under files/bookmarks/<scope>, the
// scope being the workload key (folders are the same in every runner of a workload).
#pragma once

#include <QStringList>
#include <QToolButton>

namespace capsule::app {

class BookmarksButton : public QToolButton
{
    Q_OBJECT
public:
    explicit BookmarksButton(QWidget *parent = nullptr);

    // The workload key the bookmarks belong to ("" disables the button).
    void setScope(const QString &scope);
    QString scope() const { return m_scope; }
    // The folder the browser shows (what "Add" saves).
    void setCurrentPath(const QString &path);

    QStringList bookmarks() const;
    bool add(const QString &path);    // false when already there or no scope
    bool remove(const QString &path); // false when not there

signals:
    void goTo(const QString &path);

private:
    void rebuildMenu();
    void store(const QStringList &list);
    QString settingsKey() const;

    QString m_scope;
    QString m_path;
};

} // namespace capsule::app
