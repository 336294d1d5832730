#include "HttpResponder.h"

#include "JsonError.h"

#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QPointer>
#include <QTcpSocket>
#include <QThread>

#include <functional>
#include <map>

namespace billing::server {

namespace {

// Answers leave a connection in the order its requests came (HTTP/1.1
// pipelining). QtHttpServer 6.4 writes a deferred answer whenever it is
// ready, so one that is ready early waits here for those before it.
class AnswerOrder final : public QObject
{
public:
    explicit AnswerOrder(QTcpSocket *socket)
        : QObject(socket)
    {
        setObjectName(name());
    }

    // Lives as long as the connection, made by its first request.
    static AnswerOrder *of(QTcpSocket *socket)
    {
        if (!socket)
            return nullptr;
        // Found by name: without Q_OBJECT, findChild<AnswerOrder *> would match any child.
        if (QObject *order = socket->findChild<QObject *>(name(), Qt::FindDirectChildrenOnly))
            return static_cast<AnswerOrder *>(order);
        return new AnswerOrder(socket);
    }
    static QString name() { return QStringLiteral("billing-answer-order"); }

    quint64 takeTicket() { return m_nextTicket++; }

    // The answer for ticket is ready; write (empty: nothing to write) runs
    // once every earlier ticket's answer has been written.
    void ready(quint64 ticket, std::function<void()> write)
    {
        m_waiting.emplace(ticket, std::move(write));
        for (auto next = m_waiting.find(m_nextToWrite); next != m_waiting.end();
             next = m_waiting.find(m_nextToWrite)) {
            const std::function<void()> writeNext = std::move(next->second);
            m_waiting.erase(next);
            ++m_nextToWrite;
            if (writeNext)
                writeNext();
        }
    }

private:
    quint64 m_nextTicket = 0;
    quint64 m_nextToWrite = 0;
    std::map<quint64, std::function<void()>> m_waiting;
};

} // namespace

struct HttpResponder::State
{
    explicit State(QHttpServerResponder &&r)
        : responder(std::move(r))
        , socket(responder.socket())
        , order(AnswerOrder::of(socket))
        , ticket(order ? order->takeTicket() : 0)
    {}
    ~State()
    {
        // Never answered (the route dropped it): the answers after it must not wait forever.
        if (!answered)
            release({});
    }

    // Hands the answer to the connection's order, on the connection's
    // thread: the last copy of a responder may go away on another one.
    void release(std::function<void()> write)
    {
        if (!order) {
            if (write)
                write();
            return;
        }
        if (order->thread() == QThread::currentThread()) {
            order->ready(ticket, std::move(write));
            return;
        }
        QMetaObject::invokeMethod(
            order.data(),
            [order = order, ticket = ticket, write = std::move(write)]() mutable {
                if (order)
                    order->ready(ticket, std::move(write));
            },
            Qt::QueuedConnection);
    }
    State(const State &) = delete;
    State &operator=(const State &) = delete;

    QHttpServerResponder responder;
    QPointer<QTcpSocket> socket;
    QPointer<AnswerOrder> order;
    quint64 ticket;
    bool answered = false;
};

HttpResponder::HttpResponder(QHttpServerResponder &&responder)
    : m_state(std::make_shared<State>(std::move(responder)))
{}

bool HttpResponder::isConnected() const
{
    return m_state->socket && m_state->socket->state() == QAbstractSocket::ConnectedState;
}

void HttpResponder::send(QHttpServerResponse &&response)
{
    if (m_state->answered)
        return;
    m_state->answered = true;
    auto write = [state = m_state, answer = std::make_shared<QHttpServerResponse>(std::move(response))] {
        // Checked when it is written: the client may have gone while it waited.
        if (state->socket && state->socket->state() == QAbstractSocket::ConnectedState)
            answer->write(std::move(state->responder));
    };
    m_state->release(std::move(write));
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
