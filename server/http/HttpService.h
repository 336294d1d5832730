#pragma once

#include "ConnectionGuard.h"
#include "HttpRequest.h"
#include "HttpResponder.h"
#include "common/Result.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

#include <functional>
#include <optional>
#include <vector>

class QHttpServer;
class QHttpServerRequest;
class QTcpServer;

namespace billing::server {

// The service's HTTP front: owns QHttpServer and the QTcpServer it listens on,
// and routes requests itself. QHttpServer is a preview API in Qt 6.4 whose
// router answers a wrong method with 404 and whose listen() binds every
// interface; all QHttpServer calls stay in this file and HttpResponder so the
// 6.8 API change, and the 6.4 defects we work around, touch two files.
class HttpService final : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(const HttpRequest &request, HttpResponder responder)>;

    explicit HttpService(QObject *parent = nullptr);
    ~HttpService() override;

    // pattern: "/payments/stripe/subscription/{id}/cancel"; {name} matches one
    // non-empty path segment, available as request.pathArgs["name"].
    void addRoute(const QByteArray &method, const QString &pattern, Handler handler);

    // Binds address:port (port 0 picks a free one) and returns the bound port.
    // With a TLS configuration (certificate and key set) it serves HTTPS.
    Result<quint16> listen(const QHostAddress &address, quint16 port,
                           const std::optional<QSslConfiguration> &tls = std::nullopt);
    // The server side of a TLS configuration from PEM files.
    static Result<QSslConfiguration> tlsConfiguration(const QString &certificateFile, const QString &keyFile);
    quint16 serverPort() const;

    // Per-connection limits (header size, body size, slow clients) and the
    // most connections open at once; for listen() calls after this one.
    void setConnectionLimits(const ConnectionGuard::Limits &limits, int maxConnections);

private:
    struct Route
    {
        QByteArray method;
        QStringList segments;
        Handler handler;
    };
    void dispatch(const QHttpServerRequest &request, HttpResponder responder);

    QHttpServer *m_http = nullptr;
    QPointer<QTcpServer> m_tcpServer;
    std::vector<Route> m_routes;
    ConnectionGuard::Limits m_limits;
    int m_maxConnections = 1024;
};

} // namespace billing::server
