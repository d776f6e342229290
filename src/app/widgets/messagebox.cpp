// See messagebox.h.
#include "app/widgets/messagebox.h"

#include "core/error.h"

#include <QAbstractButton>
#include <QCoreApplication>
#include <QMessageBox>

namespace capsule::app {

namespace {
std::function<bool(const QString &)> &answerer()
{
    static std::function<bool(const QString &)> answer;
    return answer;
}

QStringList &recorded()
{
    static QStringList errors;
    return errors;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("capsule::app::MessageBox", text);
}
} // namespace

void MessageBox::question(QWidget *parent, const QString &question, std::function<void()> onYes)
{
    if (answerer()) {
        if (answerer()(question))
            onYes();
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Question, tr("Capsule Desktop"), question,
                                QMessageBox::Yes | QMessageBox::Cancel, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    QObject::connect(box, &QMessageBox::finished, box, [box, onYes = std::move(onYes)](int) {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            onYes();
    });
    box->open();
}

void MessageBox::error(QWidget *parent, const QString &what, const QString &message,
                       const QString &details)
{
    if (answerer()) {
        QString text = tr("%1 failed.").arg(what) + QLatin1Char('\n') + message;
        if (!details.isEmpty())
            text += QLatin1Char('\n') + details;
        recorded().append(text);
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Capsule Desktop"),
                                tr("%1 failed.").arg(what), QMessageBox::Ok, parent);
    box->setInformativeText(message);
    // The details expander is a read-only text edit: the request id can be selected and copied.
    if (!details.isEmpty())
        box->setDetailedText(details);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

QString MessageBox::detailsOf(const Error &error)
{
    QStringList lines;
    lines << tr("Message: %1").arg(error.message);
    lines << tr("Kind: %1").arg(Error::kindName(error.kind));
    if (error.status > 0)
        lines << tr("HTTP status: %1").arg(error.status);
    if (!error.requestId.isEmpty())
        lines << tr("Request id: %1").arg(error.requestId);
    if (!error.runnerId.isEmpty())
        lines << tr("Runner: %1 (%2)").arg(error.runnerId, error.runnerStatus);
    if (!error.workloadKey.isEmpty())
        lines << tr("Workload key: %1").arg(error.workloadKey);
    return lines.join(QLatin1Char('\n'));
}

void MessageBox::setAnswerer(std::function<bool(const QString &)> answer)
{
    answerer() = std::move(answer);
}

bool MessageBox::hasAnswerer()
{
    return bool(answerer());
}

QStringList MessageBox::shownErrors()
{
    return recorded();
}

void MessageBox::clearShownErrors()
{
    recorded().clear();
}

} // namespace capsule::app
