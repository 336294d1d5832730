#pragma once

#include <QObject>

class QSocketNotifier;

namespace billing::server {

// Turns SIGTERM and SIGINT into a Qt signal, so that `serve` stops through its
// event loop (closing the listener and the database) instead of dying mid-write.
// A signal handler may only write to a pipe; the notifier reads it in the loop.
class ShutdownSignals final : public QObject
{
    Q_OBJECT

public:
    explicit ShutdownSignals(QObject *parent = nullptr);
    ~ShutdownSignals() override;

Q_SIGNALS:
    void shutdownRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace billing::server
