#include "LowDelayTcpServer.h"

#include <QSslSocket>
#include <QTcpSocket>

namespace billing::server {

void LowDelayTcpServer::incomingConnection(qintptr socketDescriptor)
{
    QTcpSocket *socket = nullptr;
    if (m_tls) {
        auto *tlsSocket = new QSslSocket(this);
        tlsSocket->setSslConfiguration(*m_tls);
        // A handshake that fails (a plain-HTTP client, a bad certificate) closes the connection.
        connect(tlsSocket, &QSslSocket::sslErrors, tlsSocket, &QSslSocket::abort);
        socket = tlsSocket;
    } else {
        socket = new QTcpSocket(this);
    }
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_openConnections >= m_maxConnections) {
        ConnectionGuard::refuse(socket, 503, "Service Unavailable",
                                QStringLiteral("too many connections are open; retry later"));
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        return;
    }
    ++m_openConnections;
    connect(socket, &QObject::destroyed, this, [this] { --m_openConnections; });
    new ConnectionGuard(socket, m_limits);
    if (auto *tlsSocket = qobject_cast<QSslSocket *>(socket))
        tlsSocket->startServerEncryption();
    addPendingConnection(socket);
}

} // namespace billing::server
