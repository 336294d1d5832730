#include "HttpTestClient.h"

#include <QJsonDocument>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QSignalSpy>

using namespace Qt::StringLiterals;

namespace billing::test {

QJsonObject HttpTestClient::Reply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QByteArray HttpTestClient::Reply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpTestClient::HttpTestClient()
{
    QNetworkProxyFactory::setUseSystemConfiguration(false);
    m_network.setProxy(QNetworkProxy::NoProxy);
}

HttpTestClient::Reply HttpTestClient::send(const QByteArray &method, const QUrl &url, const QByteArray &body,
                                           const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs)
{
    QNetworkRequest request(url);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    Reply result;
    if (!reply->isFinished() && !finished.wait(timeoutMs)) {
        result.networkError = u"timed out"_s;
        reply->abort();
        reply->deleteLater();
        return result;
    }
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    if (reply->error() != QNetworkReply::NoError && result.status == 0)
        result.networkError = reply->errorString();
    reply->deleteLater();
    return result;
}

HttpTestClient::Reply HttpTestClient::get(const QUrl &url,
                                          const QList<QPair<QByteArray, QByteArray>> &headers)
{
    return send("GET", url, {}, headers);
}

HttpTestClient::Reply HttpTestClient::postJson(const QUrl &url, const QJsonObject &body,
                                               const QList<QPair<QByteArray, QByteArray>> &headers)
{
    auto allHeaders = headers;
    allHeaders.append({"Content-Type"_ba, "application/json"_ba});
    return send("POST", url, QJsonDocument(body).toJson(QJsonDocument::Compact), allHeaders);
}

} // namespace billing::test
