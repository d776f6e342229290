// The Job base: finished exactly once, cancellation.
#include "core/job.h"

namespace capsule {

Job::Job(QObject *parent)
    : QObject(parent)
{
}

const Error &Job::error() const
{
    static const Error none;
    return m_error ? *m_error : none;
}

void Job::cancel()
{
    if (m_finished)
        return;
    onCancel();
    fail(Error(ErrorKind::Cancelled, tr("Cancelled")));
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
