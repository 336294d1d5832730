#include "CustomerApplier.h"

#include "StripeEvent.h"

using namespace Qt::StringLiterals;

namespace billing {

Result<ApplyOutcome> CustomerApplier::apply(const JsonView &customer, const ApplySource &source)
{
    const QString customerId = customer.value("id").toString();
    if (customerId.isEmpty())
        return Error{ErrorCode::InvalidInput, u"the customer has no id"_s};
    QString tenantId = customer.value("metadata").value("tenant_id").toString();
    if (tenantId.isEmpty()) {
        Result<QString> known = m_context.tenants.tenantForCustomer(customerId);
        if (!known)
            return known.error();
        tenantId = known.value();
    }
    if (tenantId.isEmpty())
        return ApplyOutcome::Skipped;
    if (Result<void> done =
            m_context.tenants.upsertCustomer(customerId, tenantId, customer.value("email").toString(),
                                             source.time, customer.value("livemode").toBool(), m_context.now);
        !done) {
        return done.error();
    }
    return ApplyOutcome::Applied;
}

Result<void> CustomerApplier::applyStoredUpdate(const QString &customerId)
{
    Result<QByteArray> payload = m_context.events.newestPayloadAbout(customerId, u"customer.updated"_s);
    if (!payload)
        return payload.error();
    if (payload->isEmpty())
        return {};
    Result<StripeEvent> event = StripeEvent::parse(payload.value());
    JsonDocument document;
    Result<JsonView> customer =
        event ? StripeEvent::dataObject(payload.value(), document) : Result<JsonView>(event.error());
    if (!customer)
        return {}; // stored events were parsed once; one that no longer parses changes nothing
    Result<ApplyOutcome> applied = apply(customer.value(), ApplySource::fromEvent(event.value()));
    return applied ? Result<void>() : Result<void>(applied.error());
}

} // namespace billing
