#include "FakeAdminApi.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace billing::test {

QJsonObject FakeRequest::json() const
{
    return QJsonDocument::fromJson(body).object();
}

FakeAdminApi::FakeAdminApi(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeAdminApi::onNewConnection);
    setResponse("GET", u"/admin/v1/session"_s, 200,
                {{u"staff"_s, u"alice"_s}, {u"mode"_s, u"test"_s}, {u"version"_s, u"0.1.0"_s}});
}

FakeAdminApi::~FakeAdminApi()
{
    // The sockets die with m_server, after the members their slots use.
    const auto sockets = m_server.findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets)
        socket->disconnect(this);
}

bool FakeAdminApi::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FakeAdminApi::url() const
{
    return QUrl(u"http://127.0.0.1:"_s + QString::number(m_server.serverPort()));
}

QUrl FakeAdminApi::unreachableUrl()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return QUrl(u"http://127.0.0.1:"_s + QString::number(port));
}

void FakeAdminApi::setResponse(const QByteArray &method, const QString &path, int status,
                               const QJsonObject &body)
{
    setHandler(method, path, [status, body](const FakeRequest &) { return FakeResponse{status, body}; });
}

void FakeAdminApi::setHandler(const QByteArray &method, const QString &path, Handler handler)
{
    m_handlers.insert(method + ' ' + path.toUtf8(), std::move(handler));
}

QJsonObject FakeAdminApi::page(const QList<QJsonObject> &rows, const QString &nextCursor)
{
    QJsonArray data;
    for (const QJsonObject &row : rows)
        data.append(row);
    return {{u"data"_s, data},
            {u"next_cursor"_s, nextCursor.isEmpty() ? QJsonValue() : QJsonValue(nextCursor)}};
}

QJsonObject FakeAdminApi::error(const QString &message, const QString &type)
{
    return {
        {u"error"_s, QJsonObject{{u"type"_s, type}, {u"message"_s, message}, {u"param"_s, QJsonValue()}}}};
}

QList<FakeRequest> FakeAdminApi::requestsTo(const QByteArray &method, const QString &path) const
{
    QList<FakeRequest> matching;
    for (const FakeRequest &request : m_requests) {
        if (request.method == method && request.path == path)
            matching.append(request);
    }
    return matching;
}

int FakeAdminApi::heldChanges() const
{
    int count = 0;
    for (const auto &socket : m_heldChanges)
        count += socket ? 1 : 0;
    return count;
}

void FakeAdminApi::answerChanges(const QStringList &changed)
{
    ++m_cursor;
    const QList<QPointer<QTcpSocket>> held = std::exchange(m_heldChanges, {});
    for (const auto &socket : held) {
        if (socket)
            respond(socket, 200,
                    {{u"cursor"_s, QString(u"c"_s + QString::number(m_cursor))},
                     {u"changed"_s, QJsonArray::fromStringList(changed)}});
    }
}

void FakeAdminApi::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void FakeAdminApi::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    FakeRequest request;
    request.method = requestLine.value(0);
    const QUrl target(QString::fromLatin1(requestLine.value(1)));
    request.path = target.path();
    request.query = QUrlQuery(target);
    qsizetype contentLength = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length")
            contentLength = value.toLongLong();
        else if (name == "authorization")
            request.authorization = value;
    }
    if (buffer.size() < headerEnd + 4 + contentLength)
        return;
    request.body = buffer.mid(headerEnd + 4, contentLength);
    buffer.clear();
    m_requests.append(request);
    Q_EMIT requestReceived();

    if (request.method == "GET" && request.path == "/admin/v1/changes"_L1) {
        if (!m_refusedCursor.isEmpty() && request.query.queryItemValue(u"cursor"_s) == m_refusedCursor) {
            m_refusedCursor.clear();
            respond(socket, 400, error(u"cursor is not one this service gave"_s, u"invalid_request_error"_s));
        } else if (request.query.hasQueryItem(u"cursor"_s))
            m_heldChanges.append(socket);
        else
            respond(
                socket, 200,
                {{u"cursor"_s, QString(u"c"_s + QString::number(m_cursor))}, {u"changed"_s, QJsonArray()}});
        return;
    }
    const auto handler = m_handlers.constFind(request.method + ' ' + request.path.toUtf8());
    if (handler == m_handlers.cend()) {
        respond(socket, 404, error(u"No such route: "_s + request.path, u"invalid_request_error"_s));
        return;
    }
    const FakeResponse response = (*handler)(request);
    respond(socket, response.status, response.body);
}

void FakeAdminApi::respond(QTcpSocket *socket, int status, const QJsonObject &body)
{
    const QByteArray payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + " Fake\r\n";
    response += "Content-Type: application/json\r\n";
    response += "Content-Length: " + QByteArray::number(payload.size()) + "\r\n";
    response += "Connection: close\r\n\r\n";
    response += payload;
    socket->write(response);
    socket->disconnectFromHost();
}

} // namespace billing::test
