#pragma once

#include "billing/EventProcessor.h"
#include "http/HttpService.h"

#include <QObject>

namespace billing {
class DeliveryFailureLog;
class SignatureVerifier;
} // namespace billing

namespace billing::server {
class EventWorker;
class Metrics;

// POST /payments/stripe/webhook: the raw body is verified against
// Stripe-Signature, then stored and applied by the EventProcessor; 2xx goes
// out only after the event's transaction has committed. Refused deliveries
// are logged (time, address, reason, event id when readable).
//
// Group commit: verified deliveries are handed to the EventWorker in batches
// committed together (one fsync for all of them), then answered. One batch is
// in flight at a time; what arrives meanwhile forms the next one. Under load
// many arrive per batch; alone, one waits for nothing.
class WebhookRoute final : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        const SignatureVerifier *verifier = nullptr;
        EventWorker *worker = nullptr;
        DeliveryFailureLog *failures = nullptr;
        Metrics *metrics = nullptr; // optional
        qsizetype maxBodyBytes = 1024 * 1024;
    };

    explicit WebhookRoute(Dependencies dependencies, QObject *parent = nullptr);

    void install(HttpService &service);

    static constexpr qsizetype kMaxBatch = 256;
    // Verified deliveries waiting for the batch in flight; beyond, 503.
    static constexpr qsizetype kMaxPending = 4096;

private:
    struct Pending
    {
        HttpRequest request;
        HttpResponder responder;
        EventProcessor::Admitted event;
    };
    void receive(const HttpRequest &request, HttpResponder responder);
    void flush();
    void finish(QList<Pending> &batch, const QList<EventProcessor::Report> &reports);
    void answer(Pending &pending, const EventProcessor::Report &report);
    void refuse(const HttpRequest &request, HttpResponder &responder, int status, const QString &reason);

    Dependencies m_deps;
    QList<Pending> m_pending;
    bool m_flushScheduled = false;
    bool m_batchInFlight = false;
};

} // namespace billing::server
