// Blocking wait for a Job: for the `capsule` command and tests only, never for the GUI.
#pragma once

#include "core/job.h"

#include <QEventLoop>
#include <QTimer>

namespace capsule {

// Spins a local event loop until `job` finishes or `timeoutMs` passes (-1 = no limit).
// Returns true when the job finished. The GUI must not use this (no nested event loops there).
inline bool waitFor(Job *job, int timeoutMs = -1)
{
    if (job->isFinished())
        return true;
    QEventLoop loop;
    QObject::connect(job, &Job::finished, &loop, &QEventLoop::quit);
    if (timeoutMs >= 0)
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return job->isFinished();
}

} // namespace capsule
