// The words the views show for the client's typed states (see statetext.h).
#include "app/widgets/statetext.h"

#include <QCoreApplication>

namespace capsule::app {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("StateText", text);
}

} // namespace

QString buildStateText(BuildState state, const QString &raw)
{
    switch (state) {
    case BuildState::Queued:
        return tr("queued");
    case BuildState::WaitingParent:
        return tr("waiting for its parent layer");
    case BuildState::Running:
        return tr("building");
    case BuildState::Succeeded:
        return tr("built");
    case BuildState::Failed:
        return tr("failed");
    case BuildState::Cancelled:
        return tr("cancelled");
    case BuildState::None:
    case BuildState::Unknown:
        break;
    }
    return raw;
}

QString layerStateText(const LayerStatus &layer)
{
    if (layer.buildState() != BuildState::None)
        return buildStateText(layer.buildState(), layer.buildStatus);
    switch (layer.state()) {
    case LayerState::Pending:
        return tr("not built");
    case LayerState::Active:
        return tr("built");
    case LayerState::Inactive:
        return tr("inactive");
    case LayerState::Unknown:
        break;
    }
    return layer.status;
}

} // namespace capsule::app
