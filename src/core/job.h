// The one async idiom of the client library: every operation returns a Job that finishes once.
#pragma once

#include "core/error.h"

#include <QObject>
#include <QPointer>
#include <optional>

namespace capsule {

// A Job is one asynchronous operation. It emits finished() exactly once, on success or failure
// (check hasError()); progress() may be emitted before that. The caller owns the job (it is
// parented to the object that created it as a safety net); then() deletes it after its callbacks
// ran. Jobs never block and never spin an event loop; see core/blocking.h for the CLI and tests.
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

signals:
    void finished();
    // done/total are in the job's unit (bytes for transfers); total < 0 when unknown.
    void progress(qint64 done, qint64 total);

protected:
    void succeed();
    void fail(Error error);
    // Subclasses stop their work here (abort replies, kill timers). fail(Cancelled) follows.
    virtual void onCancel() {}

private:
    bool m_finished = false;
    std::optional<Error> m_error;
};

// A Job with a typed result. Not a Q_OBJECT itself: it only adds storage and then().
template <class T>
class ResultJob : public Job
{
public:
    explicit ResultJob(QObject *parent = nullptr)
        : Job(parent)
    {
    }

    const T &result() const { return m_result; }

    void succeedWith(T value)
    {
        m_result = std::move(value);
        succeed();
    }
    void failWith(Error error) { fail(std::move(error)); }

    // Calls onOk(result) or onError(error) in context's thread when the job finishes, unless
    // context died first; the job is deleted afterwards.
    template <class OnOk, class OnErr>
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

// For jobs whose only result is success.
struct Done {};
using VoidJob = ResultJob<Done>;

} // namespace capsule
