#pragma once

#include "http/HttpService.h"

#include <QObject>

namespace billing {
class DeliveryFailureLog;
class EventProcessor;
class SignatureVerifier;
} // namespace billing

namespace billing::server {

// POST /payments/stripe/webhook: the raw body is verified against
// Stripe-Signature, then stored and applied by the EventProcessor; 2xx goes
// out only after the event's transaction has committed. Refused deliveries
// are logged (time, address, reason, event id when readable).
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

private:
    void receive(const HttpRequest &request, HttpResponder responder);
    void refuse(const HttpRequest &request, HttpResponder &responder, int status, const QString &reason);

    Dependencies m_deps;
};

} // namespace billing::server
