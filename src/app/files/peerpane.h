// The second runner pane of the Files tab: another runner's files next to the first one's, so
// rows dragged between the two are copied runner to runner (RelayJob through the queue).
#pragma once

#include <QWidget>

class QLabel;
class QTreeView;

namespace capsule {
class RunnerSession;
}

namespace capsule::app {

class RemoteFilesModel;

class PeerPane : public QWidget
{
    Q_OBJECT
public:
    explicit PeerPane(QWidget *parent = nullptr);

    void setSession(RunnerSession *session, const QString &path);
    RunnerSession *session() const;
    RemoteFilesModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }

signals:
    void closeRequested();

private:
    RemoteFilesModel *m_model;
    QTreeView *m_view;
    QLabel *m_title;
};

} // namespace capsule::app
