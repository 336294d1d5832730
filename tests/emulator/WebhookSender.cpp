#include "WebhookSender.h"

#include "webhook/WebhookSigner.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>

using namespace Qt::StringLiterals;

namespace billing::emulator {

WebhookSender::WebhookSender(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_clock([] { return QDateTime::currentSecsSinceEpoch(); })
{}

void WebhookSender::deliver(const QList<QJsonObject> &events, const Options &options)
{
    if (!m_url.isValid() || m_url.isEmpty())
        return;
    QList<QJsonObject> batch;
    for (const QJsonObject &event : events) {
        for (int copy = 0; copy < std::max(1, options.copies); ++copy)
            batch.append(event);
    }
    if (options.reverse)
        std::reverse(batch.begin(), batch.end());
    m_queue.append(batch);
    if (!m_busy)
        sendNext();
}

void WebhookSender::sendNext()
{
    if (m_queue.isEmpty()) {
        m_busy = false;
        Q_EMIT idle();
        return;
    }
    m_busy = true;
    const QJsonObject event = m_queue.takeFirst();
    const QByteArray payload = QJsonDocument(event).toJson(QJsonDocument::Indented);
    const qint64 timestamp = m_clock();

    QNetworkRequest request(m_url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json; charset=utf-8"_ba);
    request.setRawHeader("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)");
    request.setRawHeader("Stripe-Signature", billing::WebhookSigner::header(m_secrets, timestamp, payload));
    request.setTransferTimeout(30000);
    QNetworkReply *reply = m_network->post(request, payload);
    const QString eventId = event.value(u"id"_s).toString();
    const QString type = event.value(u"type"_s).toString();
    connect(reply, &QNetworkReply::finished, this, [this, reply, eventId, type] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_deliveries.append(QJsonObject{
            {u"event"_s, eventId},
            {u"type"_s, type},
            {u"status"_s, status},
            {u"error"_s, reply->error() == QNetworkReply::NoError ? QString() : reply->errorString()},
        });
        Q_EMIT delivered(eventId, status);
        sendNext();
    });
}

} // namespace billing::emulator
