#pragma once

#include "ApiError.h"

#include <QJsonObject>

#include <memory>

class QHttpServerResponder;
class QHttpServerResponse;

namespace billing::server {

// The way back to one client, copyable so that an asynchronous route can keep
// it until its Stripe call finishes. Answers at most once, and not at all when
// the client has gone: QtHttpServer 6.4 crashes writing to a closed socket.
class HttpResponder final
{
public:
    explicit HttpResponder(QHttpServerResponder &&responder);

    using Headers = QList<QPair<QByteArray, QByteArray>>;

    void sendJson(int status, const QJsonObject &body, const Headers &headers = {});
    void sendText(int status, const QByteArray &body, const QByteArray &contentType);
    void sendError(const ApiError &error);
    void send(QHttpServerResponse &&response);

    // Closes the connection without an answer (the emulator's dropped-connection fault).
    void dropConnection();

    bool isConnected() const;

private:
    struct State;
    std::shared_ptr<State> m_state;
};

} // namespace billing::server
