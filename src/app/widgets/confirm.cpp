// See confirm.h.
#include "app/widgets/confirm.h"
#include "app/widgets/messagebox.h"

namespace capsule::app {

void confirmAsync(QWidget *parent, const QString &question,
                  const std::function<bool(const QString &)> &answer, std::function<void()> onYes)
{
    if (answer) {
        if (answer(question))
            onYes();
        return;
    }
    MessageBox::question(parent, question, std::move(onYes));
}

} // namespace capsule::app
