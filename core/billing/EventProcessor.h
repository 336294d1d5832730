#pragma once

#include "PlanCatalog.h"
#include "StripeEvent.h"
#include "common/Clock.h"
#include "config/Settings.h"
#include "db/Database.h"

#include <chrono>
#include <optional>

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

    // Group commit: many deliveries in one transaction, each in a savepoint of
    // its own (a failing event rolls back alone and is recorded as failed), so
    // one fsync makes them all durable. Reports come back in the same order;
    // none is Processed unless the shared commit succeeded.
    struct Delivery
    {
        QByteArray payload;
        int signingSecretIndex = -1;
    };
    QList<Report> processBatch(const QList<Delivery> &deliveries, const QString &source = u"webhook"_qs);
    // Applies a stored event again (events replay): processed ones are left alone.
    Report replay(const QString &eventId);

    static QString outcomeName(Outcome outcome);

private:
    struct Parsed
    {
        StripeEvent event;
        QByteArray payload;
        int signingSecretIndex = -1;
    };
    // Parses and checks one delivery; a report when it is refused before storage.
    std::optional<Report> admit(const QByteArray &payload, StripeEvent *event) const;
    QList<Report> applyAll(const QList<Parsed> &items, const QString &source);
    Report applyOne(QSqlDatabase &db, const Parsed &item, const QString &source, qint64 now);

    Database &m_database;
    const LicenseSigner &m_signer;
    PlanCatalog m_plans;
    Options m_options;
    const Clock &m_clock;
};

} // namespace billing
