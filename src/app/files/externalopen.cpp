// See externalopen.h.
#include "app/files/externalopen.h"

#include "app/widgets/confirm.h"
#include "core/runnersession.h"
#include "core/sha256.h"
#include "core/transfer.h"

#include <QDesktopServices>
#include <QFile>
#include <QFileInfo>
#include <QUrl>
#include <QWidget>

namespace capsule::app {

ExternalOpen::ExternalOpen(RunnerSession *session, TransferQueue *queue, const QString &remotePath,
                           QWidget *parent)
    : QObject(parent)
    , m_session(session)
    , m_queue(queue)
    , m_parentWidget(parent)
    , m_remotePath(remotePath)
{
    m_localPath = m_dir.filePath(remotePath.section(QLatin1Char('/'), -1));
    m_settle.setSingleShot(true);
    m_settle.setInterval(500);
    connect(&m_settle, &QTimer::timeout, this, &ExternalOpen::localChanged);
    // Many editors save by writing a new file and renaming it over the old one, which ends a
    // watch on the file: the folder is watched too, and the file is watched again each time.
    auto touched = [this] {
        if (QFileInfo::exists(m_localPath) && !m_watcher.files().contains(m_localPath))
            m_watcher.addPath(m_localPath);
        m_settle.start();
    };
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, touched);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, touched);
}

void ExternalOpen::start()
{
    if (!m_session || !m_queue || !m_dir.isValid()) {
        emit failed(tr("Cannot open %1: no temporary folder or runner.").arg(m_remotePath));
        return;
    }
    // Through the queue, so a large file shows its progress with the other transfers.
    const int id = m_queue->enqueueDownload(m_session, m_remotePath, m_localPath);
    connect(m_queue, &TransferQueue::finished, this, [this, id](int done) {
        if (done == id)
            downloaded();
    });
    connect(m_queue, &TransferQueue::failed, this, [this, id](int done, const Error &e) {
        if (done == id)
            emit failed(e.message);
    });
}

QByteArray ExternalOpen::localHash() const
{
    QFile f(m_localPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    Sha256 hash;
    while (!f.atEnd())
        hash.addData(f.read(1 << 20));
    return hash.hexResult();
}

void ExternalOpen::downloaded()
{
    m_lastHash = localHash();
    m_watcher.addPath(m_localPath);
    m_watcher.addPath(m_dir.path());
    const bool ok = m_opener ? m_opener(m_localPath)
                             : QDesktopServices::openUrl(QUrl::fromLocalFile(m_localPath));
    if (!ok) {
        emit failed(tr("No application opens %1 on this computer.").arg(m_localPath));
        return;
    }
    emit opened(m_localPath);
}

void ExternalOpen::localChanged()
{
    if (m_asking || !QFileInfo::exists(m_localPath))
        return;
    const QByteArray now = localHash();
    if (now.isEmpty() || now == m_lastHash)
        return; // touched, not changed (or our own download)
    m_asking = true;
    const QString question = tr("%1 was changed in another application. Upload it to the runner "
                                "as %2?")
                                 .arg(QFileInfo(m_localPath).fileName(), m_remotePath);
    confirmAsync(m_parentWidget, question, m_ask, [this, now] {
        if (!m_session || !m_queue)
            return;
        m_lastHash = now;
        emit uploadStarted(m_queue->enqueueUpload(m_session, m_localPath, m_remotePath));
    });
    // The question is open (or answered): a later save asks again.
    QTimer::singleShot(0, this, [this] { m_asking = false; });
}

} // namespace capsule::app
