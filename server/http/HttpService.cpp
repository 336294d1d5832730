#include "HttpService.h"

#include "JsonError.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpServer>

using namespace Qt::StringLiterals;

namespace billing::server {

HttpService::HttpService(QObject *parent)
    : QObject(parent)
    , m_http(new QHttpServer(this))
{
    installRoutes();
}

HttpService::~HttpService() = default;

void HttpService::installRoutes()
{
    m_http->setMissingHandler([](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        jsonError(QHttpServerResponse::StatusCode::NotFound, u"invalid_request_error"_s,
                  u"no route for %1"_s.arg(request.url().path()))
            .write(std::move(responder));
    });
}

Result<quint16> HttpService::listen(const QHostAddress &address, quint16 port)
{
    auto *tcpServer = new QTcpServer(m_http);
    if (!tcpServer->listen(address, port)) {
        const QString reason = tcpServer->errorString();
        delete tcpServer;
        return Error{ErrorCode::Io,
                     u"cannot listen on %1 port %2: %3"_s.arg(address.toString()).arg(port).arg(reason)};
    }
    m_http->bind(tcpServer);
    m_tcpServer = tcpServer;
    return tcpServer->serverPort();
}

quint16 HttpService::serverPort() const
{
    return m_tcpServer ? m_tcpServer->serverPort() : 0;
}

} // namespace billing::server
