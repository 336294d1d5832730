#pragma once

#include "ApplyContext.h"

#include "common/JsonView.h"

namespace billing {

// The one place where a Stripe invoice changes local state: the cached
// invoice, the payment of a paid one (one per invoice), and, for an event:
// the subscription's status moved by what happened (paid: past_due/unpaid →
// active; failed: active/trialing → past_due, unless a newer state is stored),
// its licence brought in line (a paid invoice entitles at least to the end of
// the period it paid for), and one dunning notice per failed attempt (never
// for an invoice already paid). A snapshot only mirrors: its subscription's
// state comes from the subscription's own object, and an old failure queues
// no notice. Invoices of no tenant of this service are skipped.
class InvoiceApplier final
{
public:
    // What the event that brought the invoice says happened; a snapshot says Nothing.
    enum class Happened { Nothing, Paid, PaymentFailed };

    explicit InvoiceApplier(ApplyContext &context)
        : m_context(context)
    {}

    Result<ApplyOutcome> apply(const JsonView &invoice, const ApplySource &source,
                               Happened happened = Happened::Nothing);

private:
    Result<void> queueDunningNotice(const JsonView &invoice, const QString &tenantId,
                                    const QString &subscriptionId);

    ApplyContext &m_context;
};

} // namespace billing
