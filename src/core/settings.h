// Connection settings: argument > environment > default (contract 1.2).
#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <optional>

namespace capsule {

inline constexpr auto kSdkVersion = "0.4.0";

// What a caller passes explicitly; unset fields fall back to the environment, then defaults.
struct SettingsOverrides
{
    std::optional<QString> baseUrl;
    std::optional<QString> token; // an explicit empty token counts as given: no Authorization sent
    std::optional<double> requestTimeout;
    std::optional<double> startupTimeout;
    std::optional<double> operationTimeout;
};

struct Settings
{
    QString baseUrl = QStringLiteral("http://localhost:8080");
    std::optional<QString> token;
    double requestTimeout = 30;    // seconds, idle timeout of control-plane calls
    double startupTimeout = 45;    // seconds, budget of allocate + wait-ready
    double operationTimeout = 120; // seconds, idle timeout of host calls and CP pause

    // Not configurable by env: the SDK's constants, shortened by tests.
    double backoffBase = 0.5;       // retry backoff 0.5*2^n ...
    double backoffJitter = 0.5;     // ... + U(0, 0.5)
    double retryPollInterval = 1.0; // allocate outer loop base delay
    double pollInterval = 2.0;      // wait_ready poll interval

    // Environment: CAPSULE_BASE_URL, CAPSULE_TOKEN, CAPSULE_REQUEST_TIMEOUT,
    // CAPSULE_STARTUP_TIMEOUT, CAPSULE_OPERATION_TIMEOUT (floats). Trailing '/' stripped.
    static Settings
    resolve(const SettingsOverrides &args = {},
            const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

    bool hasToken() const { return token.has_value() && !token->isEmpty(); }
    static QString userAgent();
};

} // namespace capsule
