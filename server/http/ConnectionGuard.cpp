#include "ConnectionGuard.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace billing::server {

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const Limits &limits)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
{
    m_headerTimer.setSingleShot(true);
    m_headerTimer.setInterval(limits.headerTimeout);
    connect(&m_headerTimer, &QTimer::timeout, this, [this] {
        m_state = State::Refused;
        refuse(
            m_socket, 408, "Request Timeout",
            u"the request headers did not arrive within %1 s"_s.arg(m_limits.headerTimeout.count() / 1000));
    });
    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(limits.idleTimeout);
    connect(&m_idleTimer, &QTimer::timeout, m_socket, &QTcpSocket::disconnectFromHost);
    connect(m_socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, &m_idleTimer, qOverload<>(&QTimer::start));
    m_idleTimer.start();
}

void ConnectionGuard::refuse(QTcpSocket *socket, int status, const QByteArray &reason, const QString &message)
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{u"error"_s, QJsonObject{{u"type"_s, u"invalid_request_error"_s},
                                                           {u"message"_s, message},
                                                           {u"param"_s, QJsonValue::Null}}}})
            .toJson(QJsonDocument::Compact);
    socket->readAll(); // nothing of this connection reaches QtHttpServer any more
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                  "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
                  "\r\nConnection: close\r\n\r\n" + body);
    socket->disconnectFromHost();
}

void ConnectionGuard::onReadyRead()
{
    m_idleTimer.start();
    if (m_state == State::Refused) {
        m_socket->readAll();
        return;
    }
    // QtHttpServer reads everything on each readyRead, after this slot: what
    // is available now is what just arrived.
    const QByteArray data = m_socket->peek(m_socket->bytesAvailable());
    if (!consume(data))
        m_state = State::Refused;
}

bool ConnectionGuard::consume(QByteArrayView data)
{
    while (!data.isEmpty()) {
        if (m_state == State::Body) {
            const qint64 taken = std::min<qint64>(m_bodyRemaining, data.size());
            m_bodyRemaining -= taken;
            data = data.sliced(taken);
            if (m_bodyRemaining == 0)
                m_state = State::Headers; // a pipelined request may follow
            continue;
        }
        // Headers: gather until the blank line, within the limit.
        const qsizetype before = m_header.size();
        if (before == 0)
            m_headerTimer.start(); // a request has begun: its headers must follow in time
        m_header.append(data.first(std::min<qsizetype>(data.size(), m_limits.maxHeaderBytes + 4 - before)));
        const qsizetype end = m_header.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_header.size() > m_limits.maxHeaderBytes) {
                refuse(m_socket, 431, "Request Header Fields Too Large",
                       u"the request headers are larger than %1 bytes"_s.arg(m_limits.maxHeaderBytes));
                return false;
            }
            return true;
        }
        data = data.sliced(end + 4 - before);
        m_header.truncate(end + 4);
        if (!headersComplete())
            return false;
        m_header.clear();
    }
    return true;
}

bool ConnectionGuard::headersComplete()
{
    m_headerTimer.stop();
    qint64 length = 0;
    bool expectContinue = false;
    for (const QByteArray &line : m_header.split('\n')) {
        const QByteArray lower = line.trimmed().toLower();
        if (lower.startsWith("content-length:")) {
            bool ok = false;
            length = lower.mid(15).trimmed().toLongLong(&ok);
            if (!ok || length < 0) {
                refuse(m_socket, 400, "Bad Request", u"the Content-Length header is not a number"_s);
                return false;
            }
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
            refuse(m_socket, 411, "Length Required", u"send the body with a Content-Length, not chunked"_s);
            return false;
        } else if (lower.startsWith("expect:") && lower.contains("100-continue")) {
            expectContinue = true;
        }
    }
    if (length > m_limits.maxBodyBytes) {
        refuse(m_socket, 413, "Payload Too Large",
               u"the body is larger than %1 bytes"_s.arg(m_limits.maxBodyBytes));
        return false;
    }
    if (expectContinue && length > 0)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    m_bodyRemaining = length;
    m_state = length > 0 ? State::Body : State::Headers;
    return true;
}

} // namespace billing::server
