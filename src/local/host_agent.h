// Host agent of capsule-local (contract section 3): exec, files, PTY, proxy, logs for runners.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

namespace capsule::local {

class RunnerAccess;

struct HostAgentOptions
{
    QString hostId;        // the host this agent serves; passed to RunnerAccess for every request
    QString token;         // required as "Authorization: Bearer <token>" unless openHost
    bool openHost = false; // no authentication, like upstream hosts
};

// One host's HTTP + WebSocket listener on 127.0.0.1. Runners are looked up through `access` on
// every request (contract 3.1); the agent never owns runners or sandboxes.
class HostAgent : public QObject
{
    Q_OBJECT
public:
    HostAgent(RunnerAccess *access, HostAgentOptions options, QObject *parent = nullptr);
    ~HostAgent() override; // closes the listener, ends PTY sessions and streams it still serves

    // Listens on 127.0.0.1:`port` (0 = a free port). Returns the port, or 0 on failure.
    quint16 listen(quint16 port = 0);
    quint16 port() const;
    QString address() const; // "127.0.0.1:<port>", the runner's host_address

    const HostAgentOptions &options() const { return m_options; }

    // Ends every PTY session and exec stream of runner `id` (call before stopping its sandbox).
    void closeRunnerSessions(const QString &id);

private:
    HostAgentOptions m_options;
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace capsule::local
