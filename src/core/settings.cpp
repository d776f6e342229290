// Connection settings resolution.
#include "core/settings.h"

namespace capsule {

namespace {

double timeoutFrom(const std::optional<double> &arg, const QProcessEnvironment &env,
                   const QString &name, double fallback)
{
    if (arg)
        return *arg;
    if (env.contains(name)) {
        bool ok = false;
        const double v = env.value(name).trimmed().toDouble(&ok);
        if (ok)
            return v;
    }
    return fallback;
}

} // namespace

Settings Settings::resolve(const SettingsOverrides &args, const QProcessEnvironment &env)
{
    Settings s;
    if (args.baseUrl)
        s.baseUrl = *args.baseUrl;
    else if (env.contains(QStringLiteral("CAPSULE_BASE_URL")) &&
             !env.value(QStringLiteral("CAPSULE_BASE_URL")).isEmpty())
        s.baseUrl = env.value(QStringLiteral("CAPSULE_BASE_URL"));
    while (s.baseUrl.endsWith(QLatin1Char('/')))
        s.baseUrl.chop(1);

    if (args.token)
        s.token = *args.token;
    else if (env.contains(QStringLiteral("CAPSULE_TOKEN")))
        s.token = env.value(QStringLiteral("CAPSULE_TOKEN"));

    s.requestTimeout = timeoutFrom(args.requestTimeout, env, QStringLiteral("CAPSULE_REQUEST_TIMEOUT"),
                                   s.requestTimeout);
    s.startupTimeout = timeoutFrom(args.startupTimeout, env, QStringLiteral("CAPSULE_STARTUP_TIMEOUT"),
                                   s.startupTimeout);
    s.operationTimeout = timeoutFrom(args.operationTimeout, env,
                                     QStringLiteral("CAPSULE_OPERATION_TIMEOUT"), s.operationTimeout);
    return s;
}

QString Settings::userAgent()
{
    // Contains "capsule-sdk-python" like the SDK (servers and the SDK tests key on it) and names us.
    return QStringLiteral("capsule-sdk-python/%1 (compatible; capsule-desktop-qt)")
        .arg(QLatin1String(kSdkVersion));
}

} // namespace capsule
