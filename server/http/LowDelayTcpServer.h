#pragma once

#include "ConnectionGuard.h"

#include <QSslConfiguration>
#include <QTcpServer>

#include <optional>

namespace billing::server {

// A QTcpServer whose connections send small writes at once (TCP_NODELAY).
// QtHttpServer writes a response's headers and body separately; with Nagle's
// algorithm the body then waits for the client's delayed ACK, 40 ms on Linux.
// With a TLS configuration each connection is a QSslSocket in server mode:
// QtHttpServer then reads and writes the decrypted stream. Each connection
// gets a ConnectionGuard, and beyond maxConnections new ones get a 503.
class LowDelayTcpServer final : public QTcpServer
{
    Q_OBJECT

public:
    using QTcpServer::QTcpServer;
    void setTls(const QSslConfiguration &configuration) { m_tls = configuration; }
    void setLimits(const ConnectionGuard::Limits &limits, int maxConnections)
    {
        m_limits = limits;
        m_maxConnections = maxConnections;
    }
    int openConnections() const { return m_openConnections; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    std::optional<QSslConfiguration> m_tls;
    ConnectionGuard::Limits m_limits;
    int m_maxConnections = 1024;
    int m_openConnections = 0;
};

} // namespace billing::server
