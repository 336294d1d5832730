#include "ApiClient.h"

#include "ApiReply.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace billing::ui {

ApiClient::ApiClient(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_network(network)
{}

void ApiClient::setServiceUrl(const QUrl &url)
{
    m_serviceUrl = url.adjusted(QUrl::StripTrailingSlash);
}

QString ApiClient::insecureTransportReason(const QUrl &url)
{
    if (url.scheme() != u"http")
        return {};
    const QString host = url.host();
    const QHostAddress address(host);
    if (host.compare(u"localhost"_s, Qt::CaseInsensitive) == 0 || address.isLoopback())
        return {};
    return tr("Plain http:// would send your staff token unencrypted to %1. Use https:// (the service's "
              "TLS certificate, or a reverse proxy such as the nginx example in the packages); plain "
              "http:// is only for a service on this machine.")
        .arg(host);
}

QUrl ApiClient::urlFor(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_serviceUrl;
    url.setPath(m_serviceUrl.path() + u"/admin/v1"_s + path);
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

ApiReply *ApiClient::get(const QString &path, const QUrlQuery &query, int timeoutMs)
{
    QNetworkRequest request(urlFor(path, query));
    attachToken(request);
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(timeoutMs > 0 ? timeoutMs : m_timeoutMs);
    return track(new ApiReply(m_network->get(request), m_serviceUrl.toDisplayString(), this), false);
}

ApiReply *ApiClient::post(const QString &path, const QJsonObject &body)
{
    QNetworkRequest request(urlFor(path));
    attachToken(request);
    request.setRawHeader("Accept", "application/json");
    request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    request.setTransferTimeout(m_timeoutMs);
    const QByteArray payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return track(new ApiReply(m_network->post(request, payload), m_serviceUrl.toDisplayString(), this), true);
}

void ApiClient::attachToken(QNetworkRequest &request) const
{
    // Never in clear across the network, whatever a caller forgot to check:
    // the service then answers 401, which says to sign in again.
    if (insecureTransportReason(m_serviceUrl).isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
}

ApiReply *ApiClient::track(ApiReply *reply, bool action)
{
    connect(reply, &ApiReply::finished, this, [this, reply, action] {
        if (reply->isOk())
            Q_EMIT requestSucceeded(action);
        else if (reply->error() != ApiReply::Error::Aborted)
            Q_EMIT requestFailed(reply->errorMessage(), action);
    });
    return reply;
}

} // namespace billing::ui
