#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QTcpSocket;

namespace billing::test {

// One request as the fake admin API saw it.
struct FakeRequest
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QByteArray body;
    QByteArray authorization;

    QJsonObject json() const;
};

struct FakeResponse
{
    int status = 200;
    QJsonObject body;
};

// A tiny HTTP/1.1 server on 127.0.0.1:0 that answers the dashboard's admin API
// with canned JSON and records every request. GET /admin/v1/changes with a
// cursor is held open until answerChanges().
class FakeAdminApi final : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<FakeResponse(const FakeRequest &)>;

    explicit FakeAdminApi(QObject *parent = nullptr);
    ~FakeAdminApi() override;

    bool listen();
    QUrl url() const;
    // A URL where nothing listens.
    static QUrl unreachableUrl();

    void setResponse(const QByteArray &method, const QString &path, int status, const QJsonObject &body);
    void setHandler(const QByteArray &method, const QString &path, Handler handler);
    // Helper for list endpoints: {"data": rows, "next_cursor": next or null}.
    static QJsonObject page(const QList<QJsonObject> &rows, const QString &nextCursor = {});
    static QJsonObject error(const QString &message, const QString &type = QStringLiteral("api_error"));

    QList<FakeRequest> requests() const { return m_requests; }
    QList<FakeRequest> requestsTo(const QByteArray &method, const QString &path) const;
    void clearRequests() { m_requests.clear(); }

    int heldChanges() const;
    void answerChanges(const QStringList &changed);
    // The next GET /changes with this cursor is answered 400, as a service
    // answers a cursor it never gave.
    void refuseChangeCursorOnce(const QString &cursor) { m_refusedCursor = cursor; }

Q_SIGNALS:
    void requestReceived();

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, int status, const QJsonObject &body);

    QTcpServer m_server;
    QHash<QByteArray, Handler> m_handlers; // "GET /admin/v1/session"
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QPointer<QTcpSocket>> m_heldChanges;
    QList<FakeRequest> m_requests;
    int m_cursor = 0;
    QString m_refusedCursor;
};

} // namespace billing::test
