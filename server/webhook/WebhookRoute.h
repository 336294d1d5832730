#pragma once

#include "billing/EventProcessor.h"
#include "http/HttpService.h"

#include <QObject>

namespace billing {
class SignatureVerifier;
} // namespace billing

namespace billing::server {
class EventWorker;
class Metrics;
class RefusedDeliveries;

// POST /payments/stripe/webhook: the raw body is verified against
// Stripe-Signature, then stored and applied by the EventProcessor; 2xx goes
// out only after the event's transaction has committed. Refused deliveries
// are counted by RefusedDeliveries (address, reason, event id when readable).
//
// Group commit: verified deliveries are queued on the EventWorker, which
// commits whatever is queued together (one fsync for all of them); each is
// answered when its batch has committed. Under load many share a batch; alone,
// one waits for nothing.
class WebhookRoute final : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        const SignatureVerifier *verifier = nullptr;
        EventWorker *worker = nullptr;
        RefusedDeliveries *refusals = nullptr;
        Metrics *metrics = nullptr; // optional
        qsizetype maxBodyBytes = 1024 * 1024;
    };

    explicit WebhookRoute(Dependencies dependencies, QObject *parent = nullptr);

    void install(HttpService &service);

    // Verified deliveries queued or being stored; beyond, 503.
    static constexpr qsizetype kMaxPending = 4096;

private:
    struct Pending
    {
        HttpRequest request;
        HttpResponder responder;
    };
    void receive(const HttpRequest &request, HttpResponder responder);
    void answer(Pending &pending, const EventProcessor::Report &report);
    void refuse(const HttpRequest &request, HttpResponder &responder, int status, const QString &reason);

    Dependencies m_deps;
    qsizetype m_waiting = 0; // enqueued, not yet answered
};

} // namespace billing::server
