// See peerpane.h.
#include "app/files/peerpane.h"

#include "app/files/remotefilesmodel.h"
#include "core/runnersession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace capsule::app {

PeerPane::PeerPane(QWidget *parent)
    : QWidget(parent)
    , m_model(new RemoteFilesModel(this))
    , m_view(new QTreeView(this))
    , m_title(new QLabel(this))
{
    setObjectName(QStringLiteral("peerPane"));
    m_view->setObjectName(QStringLiteral("peerFilesView"));
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setDragDropMode(QAbstractItemView::DragDrop);
    m_view->setDefaultDropAction(Qt::CopyAction);
    m_view->setDropIndicatorShown(true);
    m_view->header()->resizeSection(RemoteFilesModel::NameColumn, 240);
    auto *up = new QToolButton(this);
    up->setIcon(QIcon(QStringLiteral(":/icons/up.svg")));
    up->setToolTip(tr("Parent folder"));
    up->setAutoRaise(true);
    auto *close = new QToolButton(this);
    close->setObjectName(QStringLiteral("peerCloseButton"));
    close->setText(tr("Show this computer"));
    close->setAutoRaise(true);
    m_title->setTextFormat(Qt::PlainText);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(up);
    top->addWidget(m_title, 1);
    top->addWidget(close);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    connect(up, &QToolButton::clicked, this, [this] {
        if (RemoteFilesModel::parentPath(m_model->path()) != m_model->path())
            m_model->setPath(RemoteFilesModel::parentPath(m_model->path()));
    });
    connect(close, &QToolButton::clicked, this, &PeerPane::closeRequested);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        if (index.data(RemoteFilesModel::IsDirRole).toBool())
            m_model->setPath(index.data(RemoteFilesModel::PathRole).toString());
    });
    connect(m_model, &RemoteFilesModel::pathChanged, this, [this](const QString &path) {
        const RunnerSession *s = m_model->session();
        m_title->setText(s ? tr("%1:%2").arg(s->runnerId().left(8), path) : path);
        m_title->setToolTip(s ? tr("Runner %1, %2").arg(s->runnerId(), path) : path);
    });
}

void PeerPane::setSession(RunnerSession *session, const QString &path)
{
    m_model->setSession(session);
    if (session)
        m_model->setPath(path);
}

RunnerSession *PeerPane::session() const
{
    return m_model->session();
}

} // namespace capsule::app
