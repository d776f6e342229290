// The stage names of a transfer.
#include "core/transfer/transfertypes.h"

namespace capsule {

QString transferStageName(TransferStage stage)
{
    switch (stage) {
    case TransferStage::Preparing:
        return QStringLiteral("preparing");
    case TransferStage::Transferring:
        return QStringLiteral("transferring");
    case TransferStage::Verifying:
        return QStringLiteral("verifying");
    case TransferStage::Comparing:
        return QStringLiteral("comparing");
    case TransferStage::Finishing:
        return QStringLiteral("finishing");
    case TransferStage::Done:
        return QStringLiteral("done");
    }
    return {};
}

} // namespace capsule
