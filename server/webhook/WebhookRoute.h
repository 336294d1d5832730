#pragma once

#include "billing/EventProcessor.h"
#include "http/HttpService.h"

#include <QObject>

namespace billing {
class DeliveryFailureLog;
class SignatureVerifier;
} // namespace billing

namespace billing::server {

// POST /payments/stripe/webhook: the raw body is verified against
// Stripe-Signature, then stored and applied by the EventProcessor; 2xx goes
// out only after the event's transaction has committed. Refused deliveries
// are logged (time, address, reason, event id when readable).
//
// Group commit: verified deliveries wait for the end of the current event-loop
// pass and are committed together (one fsync for all of them), then answered.
// Under load many arrive per pass; alone, one waits for nothing.
class WebhookRoute final : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        const SignatureVerifier *verifier = nullptr;
        EventProcessor *processor = nullptr;
        DeliveryFailureLog *failures = nullptr;
        qsizetype maxBodyBytes = 1024 * 1024;
    };

    explicit WebhookRoute(Dependencies dependencies, QObject *parent = nullptr);

    void install(HttpService &service);

    static constexpr qsizetype kMaxBatch = 256;

private:
    struct Pending
    {
        HttpRequest request;
        HttpResponder responder;
        int signingSecretIndex;
    };
    void receive(const HttpRequest &request, HttpResponder responder);
    void flush();
    void answer(Pending &pending, const EventProcessor::Report &report);
    void refuse(const HttpRequest &request, HttpResponder &responder, int status, const QString &reason);

    Dependencies m_deps;
    QList<Pending> m_pending;
    bool m_flushScheduled = false;
};

} // namespace billing::server
