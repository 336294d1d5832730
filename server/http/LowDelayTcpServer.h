#pragma once

#include <QTcpServer>

namespace billing::server {

// A QTcpServer whose connections send small writes at once (TCP_NODELAY).
// QtHttpServer writes a response's headers and body separately; with Nagle's
// algorithm the body then waits for the client's delayed ACK, 40 ms on Linux.
class LowDelayTcpServer final : public QTcpServer
{
    Q_OBJECT

public:
    using QTcpServer::QTcpServer;

protected:
    void incomingConnection(qintptr socketDescriptor) override;
};

} // namespace billing::server
