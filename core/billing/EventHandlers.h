#pragma once

#include "ApplyContext.h"
#include "StripeEvent.h"

namespace billing {

// Maps each event type this service acts on to its applier and what the
// event says happened, inside the transaction that stores the event. Returns
// whether it acted (false: not ours, ignored). Nothing fails because related
// objects have not arrived yet: a missing subscription or customer is
// recorded as far as it is known and linked up when its own events come.
class EventHandlers final
{
public:
    EventHandlers(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans, qint64 graceSeconds,
                  qint64 now);

    Result<bool> handle(const StripeEvent &event, const JsonView &object);

    static bool isSupported(const QString &type);

private:
    ApplyContext m_context;
};

} // namespace billing
