#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace billing::emulator {

// Delivers events to the webhook endpoint as Stripe does: a JSON body, a
// Stripe-Signature header (t=…,v1=… for each secret), one delivery at a time.
// Tests can ask for duplicates and for a batch in reverse order.
class WebhookSender final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int copies = 1;       // each event delivered this many times
        bool reverse = false; // a batch delivered newest first
    };

    WebhookSender(QNetworkAccessManager *network, QObject *parent = nullptr);

    void setTarget(const QUrl &url) { m_url = url; }
    void setSecrets(const QStringList &secrets) { m_secrets = secrets; }
    // The Unix time written into signatures; the wall clock unless set.
    void setClock(std::function<qint64()> clock) { m_clock = std::move(clock); }

    void deliver(const QList<QJsonObject> &events, const Options &options);

    // What was sent and how the endpoint answered, oldest first.
    QJsonArray deliveries() const { return m_deliveries; }
    bool isIdle() const { return m_queue.isEmpty() && !m_busy; }

Q_SIGNALS:
    void idle();
    // One delivery answered: the endpoint's HTTP status, 0 when it was not reached.
    void delivered(const QString &eventId, int status);

private:
    void sendNext();

    QNetworkAccessManager *m_network;
    QUrl m_url;
    QStringList m_secrets;
    std::function<qint64()> m_clock;
    QList<QJsonObject> m_queue;
    QJsonArray m_deliveries;
    bool m_busy = false;
};

} // namespace billing::emulator
