#pragma once

#include <QJsonObject>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>

class QNetworkAccessManager;
class QNetworkRequest;

namespace billing::ui {

class ApiReply;

// The dashboard's only door to the service: the admin API under
// <serviceUrl>/admin/v1 with the staff member's bearer token. Async only.
class ApiClient final : public QObject
{
    Q_OBJECT

public:
    explicit ApiClient(QNetworkAccessManager *network, QObject *parent = nullptr);

    QUrl serviceUrl() const { return m_serviceUrl; }
    void setServiceUrl(const QUrl &url);
    void setToken(const QString &token) { m_token = token; }

    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    // The reply is parented to the client and deletes itself after finished().
    ApiReply *get(const QString &path, const QUrlQuery &query = {}, int timeoutMs = 0);
    ApiReply *post(const QString &path, const QJsonObject &body = {});

    QUrl urlFor(const QString &path, const QUrlQuery &query = {}) const;

    // Why url must not carry a staff token (plain http:// to another
    // machine: the token would cross the network readable), or empty.
    static QString insecureTransportReason(const QUrl &url);

Q_SIGNALS:
    // Every finished request reports here; the main window's error banner listens.
    // action: a POST (a staff action) rather than a read.
    void requestSucceeded(bool action);
    void requestFailed(const QString &message, bool action);

private:
    ApiReply *track(ApiReply *reply, bool action);
    void attachToken(QNetworkRequest &request) const;

    QNetworkAccessManager *m_network;
    QUrl m_serviceUrl;
    QString m_token;
    int m_timeoutMs = 30000;
};

} // namespace billing::ui
