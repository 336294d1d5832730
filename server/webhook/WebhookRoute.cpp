#include "WebhookRoute.h"

#include "EventWorker.h"
#include "RefusedDeliveries.h"
#include "billing/EventProcessor.h"
#include "common/Logging.h"
#include "ops/Metrics.h"
#include "webhook/SignatureVerifier.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

// The event id of a body that could not be accepted, if it can be read at all.
QString readableEventId(const QByteArray &body)
{
    const QString id = QJsonDocument::fromJson(body).object().value(u"id"_s).toString();
    return id.startsWith(u"evt_") ? id.left(255) : QString();
}

} // namespace

WebhookRoute::WebhookRoute(Dependencies dependencies, QObject *parent)
    : QObject(parent)
    , m_deps(dependencies)
{}

void WebhookRoute::install(HttpService &service)
{
    service.addRoute("POST", u"/payments/stripe/webhook"_s,
                     [this](const HttpRequest &request, HttpResponder responder) {
                         receive(request, std::move(responder));
                     });
}

void WebhookRoute::refuse(const HttpRequest &request, HttpResponder &responder, int status,
                          const QString &reason)
{
    if (m_deps.metrics) {
        const QString kind = status == 413                       ? u"too_large"_s
                             : reason.startsWith(u"signature"_s) ? u"signature"_s
                                                                 : u"invalid"_s;
        m_deps.metrics->count(u"billing_webhook_refused_total"_s, {{u"reason"_s, kind}});
    }
    m_deps.refusals->note(request.remoteAddress.toString(), reason,
                          request.body.size() <= m_deps.maxBodyBytes ? readableEventId(request.body)
                                                                     : QString(),
                          request.body.size());
    responder.sendError(status == 413 ? ApiError::bodyTooLarge(m_deps.maxBodyBytes)
                                      : ApiError::invalidRequest(reason));
}

void WebhookRoute::receive(const HttpRequest &request, HttpResponder responder)
{
    if (request.body.size() > m_deps.maxBodyBytes) {
        refuse(request, responder, 413, u"the body is larger than %1 bytes"_s.arg(m_deps.maxBodyBytes));
        return;
    }
    if (request.headerCount("Stripe-Signature") > 1) {
        refuse(request, responder, 400, u"more than one Stripe-Signature header"_s);
        return;
    }
    const SignatureVerifier::Verdict verdict =
        m_deps.verifier->verify(request.header("Stripe-Signature"), request.body);
    if (!verdict.isValid()) {
        refuse(request, responder, 400, u"signature check failed: "_s + verdict.reason);
        return;
    }

    if (m_waiting >= kMaxPending) {
        if (m_deps.metrics)
            m_deps.metrics->count(u"billing_webhook_refused_total"_s, {{u"reason"_s, u"overloaded"_s}});
        // The database is behind: Stripe retries later, nothing is lost.
        responder.sendError(
            ApiError::unavailable(u"too many deliveries are waiting to be stored; retry later"_s, 5));
        return;
    }
    // Parsed here, so the worker's thread does only the database work.
    EventProcessor::Admitted admitted;
    if (std::optional<EventProcessor::Report> refused =
            m_deps.worker->admit({request.body, verdict.matchedSecretIndex}, &admitted)) {
        refuse(request, responder, 400, refused->message);
        return;
    }
    ++m_waiting;
    // The worker may outlive this route; a report for a route gone is dropped
    // (and the delivery goes unanswered, so Stripe retries).
    m_deps.worker->enqueue(std::move(admitted),
                           [route = QPointer(this), pending = Pending{request, std::move(responder)}](
                               const EventProcessor::Report &report) mutable {
                               if (!route)
                                   return;
                               --route->m_waiting;
                               route->answer(pending, report);
                           });
}

void WebhookRoute::answer(Pending &pending, const EventProcessor::Report &report)
{
    if (m_deps.metrics) {
        m_deps.metrics->count(u"billing_webhook_events_total"_s,
                              {{u"type"_s, report.type.left(100)},
                               {u"outcome"_s, EventProcessor::outcomeName(report.outcome)}});
    }
    switch (report.outcome) {
    case EventProcessor::Outcome::Processed:
    case EventProcessor::Outcome::Ignored:
    case EventProcessor::Outcome::Duplicate:
        pending.responder.sendJson(200, {{u"received"_s, true},
                                         {u"event"_s, report.eventId},
                                         {u"status"_s, EventProcessor::outcomeName(report.outcome)}});
        return;
    case EventProcessor::Outcome::Refused:
        refuse(pending.request, pending.responder, 400, report.message);
        return;
    case EventProcessor::Outcome::Failed: break;
    }
    // Not 2xx: Stripe delivers it again, and the stored failure can be replayed.
    qCWarning(lcStripe).noquote() << "event" << report.eventId << report.type << "failed:" << report.message;
    pending.responder.sendError(
        {500,
         u"api_error"_s,
         u"the event %1 could not be processed and was recorded as failed; it will be "
         "retried"_s.arg(report.eventId),
         {},
         {},
         {}});
}

} // namespace billing::server
