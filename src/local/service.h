// How capsule-local's domain services (RunnerRegistry, ConfigService, FleetService) report an
// outcome without knowing HTTP: a typed error whose kind only the API layer (src/local/api/,
// api/status.h) turns into a status code, headers and a reply body.
#pragma once

#include <QString>

#include <functional>
#include <optional>
#include <utility>
#include <variant>

namespace capsule::local {

struct ServiceError
{
    enum class Kind {
        Invalid,     // the request cannot be served as given
        NotFound,    // what it names does not exist
        Conflict,    // it exists, but its state refuses the operation (quarantined, pausing)
        Failed,      // the operation was refused by a rule or failed while running
        Unavailable, // not now: still building, no sandbox tool, start failed; retry later
        NoCapacity,  // no host can take it now; retry after a short wait
    };
    Kind kind = Kind::Failed;
    QString message;

    static ServiceError invalid(QString m) { return {Kind::Invalid, std::move(m)}; }
    static ServiceError notFound(QString m) { return {Kind::NotFound, std::move(m)}; }
    static ServiceError conflict(QString m) { return {Kind::Conflict, std::move(m)}; }
    static ServiceError failed(QString m) { return {Kind::Failed, std::move(m)}; }
    static ServiceError unavailable(QString m) { return {Kind::Unavailable, std::move(m)}; }
    static ServiceError noCapacity(QString m) { return {Kind::NoCapacity, std::move(m)}; }
};

// A value or the error that prevented it.
template<typename T>
class Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    {}
    Result(ServiceError error)
        : m_value(std::move(error))
    {}

    bool ok() const { return m_value.index() == 0; }
    const T &value() const { return std::get<0>(m_value); }
    T &value() { return std::get<0>(m_value); }
    const ServiceError &error() const { return std::get<1>(m_value); }

private:
    std::variant<T, ServiceError> m_value;
};

// Success without a value, or the error.
template<>
class Result<void>
{
public:
    Result() = default;
    Result(ServiceError error)
        : m_error(std::move(error))
    {}

    bool ok() const { return !m_error.has_value(); }
    const ServiceError &error() const { return *m_error; }

private:
    std::optional<ServiceError> m_error;
};

// How an asynchronous operation reports (once). It may be called before the call that takes it
// returns (an immediate refusal) or later from the event loop.
template<typename T>
using ResultCallback = std::function<void(const Result<T> &)>;

} // namespace capsule::local
