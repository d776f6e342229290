#include "core/logging.h"

namespace capsule {

Q_LOGGING_CATEGORY(lcHttp, "capsule.core.http", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUpload, "capsule.core.upload", QtWarningMsg)
Q_LOGGING_CATEGORY(lcPty, "capsule.core.pty", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTransfer, "capsule.core.transfer", QtWarningMsg)

} // namespace capsule
