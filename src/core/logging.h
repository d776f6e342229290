// Logging categories of the client library (capsule.core.*). Enable with QT_LOGGING_RULES, e.g.
// "capsule.core.upload.debug=true". Messages never contain a token.
#pragma once

#include <QLoggingCategory>

namespace capsule {

Q_DECLARE_LOGGING_CATEGORY(lcHttp)     // capsule.core.http: requests, retries, failures
Q_DECLARE_LOGGING_CATEGORY(lcUpload)   // capsule.core.upload: streamed uploads (StreamUploadJob)
Q_DECLARE_LOGGING_CATEGORY(lcPty)      // capsule.core.pty: PTY channel states
Q_DECLARE_LOGGING_CATEGORY(lcTransfer) // capsule.core.transfer: transfers that end or fail

} // namespace capsule
