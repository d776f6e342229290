// Glue of the resources: a typed job made of steps (Job::await forwards cancel()).
#pragma once

#include "core/http.h"
#include "core/models.h"

#include <QPointer>
#include <functional>
#include <optional>
#include <type_traits>

namespace capsule {

// A ResultJob made of one or more steps (HTTP calls, nested jobs), each run with runStep()
// (Job::await): cancel() cancels the current step; a step that finishes after the job did is
// ignored.
template<class T>
class ApiJob : public ResultJob<T>
{
public:
    using ResultJob<T>::ResultJob;

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
};

// Runs `step` (any Job) as the current step of `job`: onDone(step) runs when it finishes unless
// the job already finished; the step is deleted afterwards.
template<class T, class S, class OnDone>
void runStep(ApiJob<T> *job, S *step, OnDone onDone)
{
    job->await(step, onDone);
}

// One HTTP call parsed into T: fails with the call's error, else succeeds with parse(response).
// A parse taking (const HttpResponse &, const QJsonObject &body, ReplyCheck *) decodes strictly:
// the body must be a JSON object and the check must pass, else the job fails with
// Error::unexpectedReply (issue 8).
template<class T, class Parse>
ApiJob<T> *httpCall(Http *http, HttpRequest request, QObject *parent, Parse parse)
{
    auto *job = new ApiJob<T>(parent);
    runStep(job, http->send(std::move(request)), [job, parse](HttpJob *h) {
        if (h->hasError()) {
            job->failWith(h->error());
            return;
        }
        const HttpResponse &r = h->response();
        if constexpr (std::is_invocable_v<Parse, const HttpResponse &, const QJsonObject &,
                                          ReplyCheck *>) {
            ReplyCheck check;
            const QJsonObject body = check.object(r.body, r.requestId);
            T value = check.ok() ? parse(r, body, &check) : T();
            if (!check.ok())
                job->failWith(Error::unexpectedReply(check.problem(), r.requestId));
            else
                job->succeedWith(std::move(value));
        } else {
            job->succeedWith(parse(r));
        }
    });
    return job;
}

// Decodes `r` strictly into T with T::fromJson(body, check); nullopt and *error on a problem.
template<class T>
std::optional<T> decodeReply(const HttpResponse &r, Error *error)
{
    ReplyCheck check;
    const QJsonObject body = check.object(r.body, r.requestId);
    std::optional<T> value;
    if (check.ok())
        value = T::fromJson(body, &check);
    if (check.ok())
        return value;
    *error = Error::unexpectedReply(check.problem(), r.requestId);
    return std::nullopt;
}

// The path segment `s` percent-encoded (ids come from users and lists).
inline QString pathSegment(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

} // namespace capsule
