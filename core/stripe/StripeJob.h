#pragma once

#include "RetryPolicy.h"
#include "StripeRequest.h"

#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace billing {

// One Stripe call, retries included. It owns its QNetworkReply, enforces the
// transfer timeout and the response-size cap, waits between tries on a timer
// (never blocking), and emits finished() exactly once, then deletes itself.
class StripeJob final : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        QUrl apiBase;
        QByteArray authorization; // "Bearer sk_…"
        QByteArray apiVersion;
        QByteArray userAgent;
        RetryPolicy retry;
        std::chrono::milliseconds timeout{30000};
        qint64 maxResponseBytes = 8 * 1024 * 1024;
    };

    StripeJob(QNetworkAccessManager *network, const Settings &settings, StripeRequest request,
              QObject *parent = nullptr);
    ~StripeJob() override;

    const StripeRequest &request() const { return m_request; }
    int attempts() const { return m_attempts; }

    void start();
    // Stops the call; finished() is not emitted.
    void abort();

Q_SIGNALS:
    void finished(const billing::StripeResult &result);

private:
    void sendAttempt();
    void onReplyFinished();
    void finish(StripeResult result);
    QNetworkRequest buildRequest() const;

    QNetworkAccessManager *m_network;
    Settings m_settings;
    StripeRequest m_request;
    QPointer<QNetworkReply> m_reply;
    int m_attempts = 0;
    bool m_tooLarge = false;
    bool m_finished = false;
};

} // namespace billing
