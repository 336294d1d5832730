#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QUrl>

namespace billing::test {

// A small HTTP client for tests: sends a request and waits for the answer
// while the event loop keeps running (servers under test share the thread).
class HttpTestClient final
{
public:
    struct Reply
    {
        int status = 0;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        QString networkError;

        QJsonObject json() const;
        QByteArray header(const QByteArray &name) const;
    };

    HttpTestClient();

    Reply send(const QByteArray &method, const QUrl &url, const QByteArray &body = {},
               const QList<QPair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = 15000);
    Reply get(const QUrl &url, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    Reply postJson(const QUrl &url, const QJsonObject &body,
                   const QList<QPair<QByteArray, QByteArray>> &headers = {});

private:
    QNetworkAccessManager m_network;
};

} // namespace billing::test
