// Turns SIGTERM, SIGINT and SIGHUP into a Qt signal so the app can shut down in order.
#pragma once

#include <memory>

#include <QObject>

class QSocketNotifier;

namespace capsule::app {

// A self-pipe: the async-signal-safe handler writes the signal number into a socket, a
// QSocketNotifier reads it on the GUI thread and emits received(). One instance per process.
class UnixSignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

    // Installs the handlers for `signals` (e.g. {SIGTERM, SIGINT, SIGHUP}); false on failure.
    bool watch(const QList<int> &signalNumbers);

signals:
    void received(int signalNumber);

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace capsule::app
