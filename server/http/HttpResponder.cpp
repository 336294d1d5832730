#include "HttpResponder.h"

#include "JsonError.h"

#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QPointer>
#include <QTcpSocket>

namespace billing::server {

struct HttpResponder::State
{
    explicit State(QHttpServerResponder &&r)
        : responder(std::move(r))
        , socket(responder.socket())
    {}
    QHttpServerResponder responder;
    QPointer<QTcpSocket> socket;
    bool answered = false;
};

HttpResponder::HttpResponder(QHttpServerResponder &&responder)
    : m_state(std::make_shared<State>(std::move(responder)))
{}

bool HttpResponder::isConnected() const
{
    return m_state->socket && m_state->socket->state() == QAbstractSocket::ConnectedState;
}

bool HttpResponder::hasAnswered() const
{
    return m_state->answered;
}

void HttpResponder::send(QHttpServerResponse &&response)
{
    if (m_state->answered)
        return;
    m_state->answered = true;
    if (!isConnected())
        return;
    response.write(std::move(m_state->responder));
}

void HttpResponder::sendJson(int status, const QJsonObject &body, const Headers &headers)
{
    QHttpServerResponse response(body, static_cast<QHttpServerResponse::StatusCode>(status));
    for (const auto &[name, value] : headers)
        response.addHeader(name, value);
    send(std::move(response));
}

void HttpResponder::sendText(int status, const QByteArray &body, const QByteArray &contentType)
{
    send(QHttpServerResponse(contentType, body, static_cast<QHttpServerResponse::StatusCode>(status)));
}

void HttpResponder::dropConnection()
{
    if (m_state->answered)
        return;
    m_state->answered = true;
    if (m_state->socket)
        m_state->socket->abort();
}

void HttpResponder::sendError(const ApiError &error)
{
    send(jsonError(error));
}

} // namespace billing::server
