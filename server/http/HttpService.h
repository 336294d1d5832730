#pragma once

#include "common/Result.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>

class QHttpServer;
class QTcpServer;

namespace billing::server {

// The service's HTTP front: owns QHttpServer and the QTcpServer it listens on.
// QHttpServer is a preview API in Qt 6.4 whose listen() binds every interface
// by default; all QHttpServer calls stay in this class so that the 6.8 API
// change, and the 6.4 defects we work around, touch one file.
class HttpService final : public QObject
{
    Q_OBJECT

public:
    explicit HttpService(QObject *parent = nullptr);
    ~HttpService() override;

    // Binds address:port (port 0 picks a free one) and returns the bound port.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 serverPort() const;

private:
    void installRoutes();

    QHttpServer *m_http = nullptr;
    QPointer<QTcpServer> m_tcpServer;
};

} // namespace billing::server
