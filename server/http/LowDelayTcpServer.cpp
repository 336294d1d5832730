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
    if (auto *tlsSocket = qobject_cast<QSslSocket *>(socket))
        tlsSocket->startServerEncryption();
    addPendingConnection(socket);
}

} // namespace billing::server
