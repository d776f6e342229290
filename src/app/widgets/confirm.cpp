// See confirm.h.
#include "app/widgets/confirm.h"

#include <QAbstractButton>
#include <QCoreApplication>
#include <QMessageBox>

namespace capsule::app {

void confirmAsync(QWidget *parent, const QString &question,
                  const std::function<bool(const QString &)> &answer, std::function<void()> onYes)
{
    if (answer) {
        if (answer(question))
            onYes();
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Question,
                                QCoreApplication::translate("capsule::app", "Capsule Desktop"),
                                question, QMessageBox::Yes | QMessageBox::Cancel, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    QObject::connect(box, &QMessageBox::finished, box, [box, onYes = std::move(onYes)](int) {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            onYes();
    });
    box->open();
}

} // namespace capsule::app
