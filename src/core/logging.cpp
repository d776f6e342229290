#include "core/logging.h"

namespace capsule {

Q_LOGGING_CATEGORY(lcUpload, "capsule.core.upload", QtWarningMsg)

} // namespace capsule
