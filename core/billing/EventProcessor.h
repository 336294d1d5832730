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

    struct Delivery
    {
        QByteArray payload;
        int signingSecretIndex = -1;
    };
    // A delivery that parsed and belongs to this installation's mode.
    struct Admitted
    {
        StripeEvent event;
        QByteArray payload;
        int signingSecretIndex = -1;
        QString source; // how it came (payment_events.source); empty: the batch's
    };
    // Parses and checks one delivery before anything is stored; no database,
    // so any thread may call it. Returns the report when it is refused.
    std::optional<Report> admit(const Delivery &delivery, Admitted *admitted) const;

    // Group commit: many events in one transaction, so one fsync makes them
    // all durable. A failing event rolls back alone and is recorded as failed
    // (the batch is then applied again, each event in a savepoint of its own).
    // Reports come back in the same order; none is Processed unless the shared
    // commit succeeded.
    QList<Report> apply(const QList<Admitted> &items, const QString &source = u"webhook"_qs);
    // admit, then apply what was admitted.
    QList<Report> processBatch(const QList<Delivery> &deliveries, const QString &source = u"webhook"_qs);
    // Applies a stored event again (events replay): processed ones are left alone.
    Report replay(const QString &eventId);

    static QString outcomeName(Outcome outcome);

private:
    // Whether an event's failure can be undone alone (its own savepoint) or
    // only with the whole batch's transaction.
    enum class Isolation { SharedWithBatch, OwnSavepoint };
    Report applyOne(QSqlDatabase &db, const Admitted &item, const QString &source, qint64 now,
                    Isolation isolation, JsonDocument &document);
    Result<void> savepoint(QSqlDatabase &db, const QString &sql) const;

    Database &m_database;
    const LicenseSigner &m_signer;
    PlanCatalog m_plans;
    Options m_options;
    const Clock &m_clock;
};

} // namespace billing
