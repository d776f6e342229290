// A yes/no question that never blocks: QMessageBox::open(), not exec(), so no nested event loop.
#pragma once

#include <QString>
#include <functional>

class QWidget;

namespace capsule::app {

// Shows `question` over `parent`; `onYes` runs only when the user picks Yes. When `answer` is
// set (a test seam), it is asked instead and no dialog appears.
void confirmAsync(QWidget *parent, const QString &question,
                  const std::function<bool(const QString &)> &answer, std::function<void()> onYes);

} // namespace capsule::app
