#pragma once

#include "PlanCatalog.h"
#include "StripeEvent.h"
#include "common/Clock.h"
#include "config/Settings.h"
#include "db/Database.h"

#include <chrono>

namespace billing {

class LicenseSigner;

// Turns one verified delivery into local state, exactly once: the event is
// stored in payment_events and applied in the same transaction, and only a
// committed transaction counts as processed. A repeated event id is answered
// as a duplicate without being applied again; a failure rolls everything back
// and records the event as failed, so Stripe's retry (or `events replay`)
// applies it later.
class EventProcessor final
{
public:
    struct Options
    {
        StripeMode mode = StripeMode::Unknown; // events of the other mode are refused
        QString pinnedApiVersion;
        std::chrono::seconds pastDueGrace{7 * 24 * 3600};
    };

    enum class Outcome { Processed, Ignored, Duplicate, Refused, Failed };
    struct Report
    {
        Outcome outcome = Outcome::Failed;
        QString eventId;
        QString type;
        QString message; // why refused or failed; never a secret
    };

    EventProcessor(Database &database, const LicenseSigner &signer, PlanCatalog plans, Options options,
                   const Clock &clock = Clock::system());

    Report process(const QByteArray &payload, int signingSecretIndex = -1,
                   const QString &source = u"webhook"_qs);
    // Applies a stored event again (events replay): processed ones are left alone.
    Report replay(const QString &eventId);

    static QString outcomeName(Outcome outcome);

private:
    Report apply(const StripeEvent &event, const QByteArray &payload, int signingSecretIndex,
                 const QString &source);

    Database &m_database;
    const LicenseSigner &m_signer;
    PlanCatalog m_plans;
    Options m_options;
    const Clock &m_clock;
};

} // namespace billing
