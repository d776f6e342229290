// Glue of the resources: a typed job that forwards cancel() to the step running now.
#pragma once

#include "core/http.h"

#include <QPointer>
#include <functional>

namespace capsule {

// A ResultJob made of one or more steps (HTTP calls, nested jobs). cancel() cancels the current
// step; a step that finishes after the job did is ignored.
template<class T>
class ApiJob : public ResultJob<T>
{
public:
    using ResultJob<T>::ResultJob;

    void setStep(Job *step) { m_step = step; }

    // Fails the job on the next event-loop turn (validation errors) so then() can be attached.
    void failLater(Error error)
    {
        QPointer<ApiJob> self(this);
        QMetaObject::invokeMethod(
            this,
            [self, error] {
                if (self)
                    self->failWith(error);
            },
            Qt::QueuedConnection);
    }
    void succeedLater(T value)
    {
        QPointer<ApiJob> self(this);
        QMetaObject::invokeMethod(
            this,
            [self, value] {
                if (self)
                    self->succeedWith(value);
            },
            Qt::QueuedConnection);
    }

protected:
    void onCancel() override
    {
        if (m_step && !m_step->isFinished())
            m_step->cancel();
    }

private:
    QPointer<Job> m_step;
};

// Runs `step` (any Job) as the current step of `job`: onDone(step) runs when it finishes unless
// the job already finished; the step is deleted afterwards.
template<class T, class S, class OnDone>
void runStep(ApiJob<T> *job, S *step, OnDone onDone)
{
    job->setStep(step);
    auto handler = [job, step, onDone] {
        step->deleteLater();
        if (job->isFinished())
            return;
        onDone(step);
    };
    if (step->isFinished())
        QMetaObject::invokeMethod(job, handler, Qt::QueuedConnection);
    else
        QObject::connect(step, &Job::finished, job, handler);
}

// One HTTP call parsed into T: fails with the call's error, else succeeds with parse(response).
template<class T, class Parse>
ApiJob<T> *httpCall(Http *http, HttpRequest request, QObject *parent, Parse parse)
{
    auto *job = new ApiJob<T>(parent);
    runStep(job, http->send(std::move(request)), [job, parse](HttpJob *h) {
        if (h->hasError())
            job->failWith(h->error());
        else
            job->succeedWith(parse(h->response()));
    });
    return job;
}

// The path segment `s` percent-encoded (ids come from users and lists).
inline QString pathSegment(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

} // namespace capsule
