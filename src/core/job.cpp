// The Job base: finished exactly once, cancellation, child jobs.
#include "core/job.h"

#include <QCoreApplication>

namespace capsule {

Job::Job(QObject *parent)
    : QObject(parent)
{}

const Error &Job::error() const
{
    static const Error none;
    return m_error ? *m_error : none;
}

void Job::cancel()
{
    if (m_finished)
        return;
    cancelChildren();
    onCancel();
    // Spelled out: lupdate misreads this file's class as ::Job (the ResultJob forward declaration).
    fail(Error(ErrorKind::Cancelled, QCoreApplication::translate("capsule::Job", "Cancelled")));
}

void Job::adopt(Job *child)
{
    m_children.removeAll(nullptr);
    m_children.append(child);
}

void Job::forwardProgress(Job *child)
{
    connect(child, &Job::progress, this, &Job::progress);
}

void Job::cancelChildren()
{
    m_stopping = true;
    const QList<QPointer<Job>> children = std::exchange(m_children, {});
    for (const QPointer<Job> &child : children) {
        if (child && !child->isFinished())
            child->cancel();
    }
}

void Job::succeed()
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished();
}

void Job::fail(Error error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_error = std::move(error);
    emit finished();
}

} // namespace capsule
