#pragma once

#include <QByteArray>
#include <QObject>
#include <QTimer>

#include <chrono>

class QTcpSocket;

namespace billing::server {

// Limits QtHttpServer 6.4 does not have, enforced on the byte stream of one
// connection before QtHttpServer reads it: header size, declared body size
// (refused before the body is buffered), chunked bodies (411: Stripe and our
// clients send Content-Length), time to send the headers (slowloris) and idle
// time. Answers "Expect: 100-continue". A refusal is a JSON error written
// straight to the socket, which is then closed.
class ConnectionGuard final : public QObject
{
    Q_OBJECT

public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 16 * 1024;
        qint64 maxBodyBytes = 2 * 1024 * 1024;
        std::chrono::milliseconds headerTimeout{10000};
        std::chrono::milliseconds idleTimeout{120000};
    };

    // Watches `socket`; must be created before QtHttpServer connects to it, so
    // that it sees each chunk first.
    ConnectionGuard(QTcpSocket *socket, const Limits &limits);

    // Writes the error and closes; the bytes QtHttpServer has not read are dropped.
    static void refuse(QTcpSocket *socket, int status, const QByteArray &reason, const QString &message);

private:
    void onReadyRead();
    // Consumes `data` (new bytes) through the request framing; false once refused.
    bool consume(QByteArrayView data);
    bool headersComplete();

    QTcpSocket *m_socket;
    Limits m_limits;
    enum class State { Headers, Body, Refused } m_state = State::Headers;
    QByteArray m_header;
    qint64 m_bodyRemaining = 0;
    QTimer m_headerTimer;
    QTimer m_idleTimer;
};

} // namespace billing::server
