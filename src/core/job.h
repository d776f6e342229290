// The one async idiom of the client library: every operation returns a Job that finishes once.
#pragma once

#include "core/error.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <optional>

namespace capsule {

template<class T>
class ResultJob;

// A Job is one asynchronous operation. It emits finished() exactly once, on success or failure
// (check hasError()); progress() may be emitted before that. The caller owns the job (it is
// parented to the object that created it as a safety net); then() deletes it after its callbacks
// ran. Jobs never block and never spin an event loop; see core/blocking.h for the CLI and tests.
//
// Child jobs: a job made of other jobs (HTTP calls, execs, nested operations) runs each of them
// with await() (or registers it with adopt()). That is the one way cancellation reaches nested
// work: cancel() cancels every child still running, and the callbacks of children that finish
// after this job finished (or while it is being cancelled) never run. Multi-step flows are
// written as a sequence of member functions, each awaiting the next step.
class Job : public QObject
{
    Q_OBJECT
public:
    explicit Job(QObject *parent = nullptr);

    bool isFinished() const { return m_finished; }
    bool hasError() const { return m_error.has_value(); }
    const Error &error() const;

    // Requests cancellation; the job finishes with ErrorKind::Cancelled unless it already finished.
    void cancel();

    // Makes `child` part of this job: cancel() cancels it while it runs.
    void adopt(Job *child);
    // adopt(child), then onDone(child) once it finished, unless this job finished or is stopping
    // first. The child is deleted afterwards. A child that already finished is handled from the
    // event loop, so onDone never runs inside the call.
    template<class J, class OnDone>
    J *await(J *child, OnDone onDone);
    // The same for a ResultJob: onOk(result) or onError(error).
    template<class T, class OnOk, class OnErr>
    void await(ResultJob<T> *child, OnOk onOk, OnErr onError);
    // Re-emits the child's progress() as this job's.
    void forwardProgress(Job *child);

signals:
    void finished();
    // done/total are in the job's unit (bytes for transfers); total < 0 when unknown.
    void progress(qint64 done, qint64 total);

protected:
    void succeed();
    void fail(Error error);
    // Subclasses stop their work here (abort replies, kill timers). fail(Cancelled) follows.
    // Children were cancelled just before.
    virtual void onCancel() {}
    // Cancels the children still running; their callbacks no longer run (a job that fails on its
    // own calls this before failing, so a child's "Cancelled" never replaces the real error).
    void cancelChildren();
    bool isStopping() const { return m_finished || m_stopping; }

private:
    bool m_finished = false;
    bool m_stopping = false;
    std::optional<Error> m_error;
    QList<QPointer<Job>> m_children;
};

// A Job with a typed result. Not a Q_OBJECT itself: it only adds storage and then().
template<class T>
class ResultJob : public Job
{
public:
    explicit ResultJob(QObject *parent = nullptr)
        : Job(parent)
    {}

    const T &result() const { return m_result; }

    void succeedWith(T value)
    {
        m_result = std::move(value);
        succeed();
    }
    void failWith(Error error) { fail(std::move(error)); }

    // Finishes this job as `child` finishes (its result or its error); cancel() reaches it.
    void finishWith(ResultJob<T> *child)
    {
        await(
            child, [this](const T &value) { succeedWith(value); },
            [this](const Error &e) { failWith(e); });
    }

    // Calls onOk(result) or onError(error) in context's thread when the job finishes, unless
    // context died first; the job is deleted afterwards.
    template<class OnOk, class OnErr>
    ResultJob *then(QObject *context, OnOk onOk, OnErr onError)
    {
        QPointer<QObject> guard(context);
        QObject::connect(this, &Job::finished, context, [this, guard, onOk, onError]() {
            if (guard) {
                if (hasError())
                    onError(error());
                else
                    onOk(m_result);
            }
            deleteLater();
        });
        return this;
    }

private:
    T m_result{};
};

template<class J, class OnDone>
J *Job::await(J *child, OnDone onDone)
{
    adopt(child);
    auto handler = [this, child, onDone] {
        child->deleteLater();
        if (isStopping())
            return;
        onDone(child);
    };
    if (child->isFinished())
        QMetaObject::invokeMethod(this, handler, Qt::QueuedConnection);
    else
        QObject::connect(child, &Job::finished, this, handler);
    return child;
}

template<class T, class OnOk, class OnErr>
void Job::await(ResultJob<T> *child, OnOk onOk, OnErr onError)
{
    await(child, [onOk, onError](ResultJob<T> *c) {
        if (c->hasError())
            onError(c->error());
        else
            onOk(c->result());
    });
}

// For jobs whose only result is success.
struct Done
{};
using VoidJob = ResultJob<Done>;

} // namespace capsule
