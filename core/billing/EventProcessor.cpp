#include "EventProcessor.h"

#include "EventHandlers.h"
#include "common/Logging.h"
#include "db/EventStore.h"

using namespace Qt::StringLiterals;

namespace billing {

EventProcessor::EventProcessor(Database &database, const LicenseSigner &signer, PlanCatalog plans,
                               Options options, const Clock &clock)
    : m_database(database)
    , m_signer(signer)
    , m_plans(std::move(plans))
    , m_options(std::move(options))
    , m_clock(clock)
{}

QString EventProcessor::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Processed: return u"processed"_s;
    case Outcome::Ignored: return u"ignored"_s;
    case Outcome::Duplicate: return u"duplicate"_s;
    case Outcome::Refused: return u"refused"_s;
    case Outcome::Failed: break;
    }
    return u"failed"_s;
}

EventProcessor::Report EventProcessor::process(const QByteArray &payload, int signingSecretIndex,
                                               const QString &source)
{
    Result<StripeEvent> event = StripeEvent::parse(payload);
    if (!event)
        return {Outcome::Refused, {}, {}, event.error().message};

    const bool liveEvent = event->livemode;
    if ((m_options.mode == StripeMode::Live && !liveEvent) ||
        (m_options.mode == StripeMode::Test && liveEvent)) {
        return {
            Outcome::Refused, event->id, event->type,
            u"a %1-mode event reached a %2-mode installation (check the webhook endpoint and the keys)"_s.arg(
                liveEvent ? u"live"_s : u"test"_s, stripeModeName(m_options.mode))};
    }
    return apply(event.value(), payload, signingSecretIndex, source);
}

EventProcessor::Report EventProcessor::replay(const QString &eventId)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return {Outcome::Failed, eventId, {}, db.error().message};
    Result<QByteArray> payload = EventStore(db.value()).payload(eventId);
    if (!payload)
        return {Outcome::Refused, eventId, {}, payload.error().message};
    Result<StripeEvent> event = StripeEvent::parse(payload.value());
    if (!event)
        return {Outcome::Refused, eventId, {}, event.error().message};
    return apply(event.value(), payload.value(), -1, u"replay"_s);
}

EventProcessor::Report EventProcessor::apply(const StripeEvent &event, const QByteArray &payload,
                                             int signingSecretIndex, const QString &source)
{
    Report report{Outcome::Failed, event.id, event.type, {}};
    Result<QSqlDatabase> connection = m_database.connection();
    if (!connection) {
        report.message = connection.error().message;
        return report;
    }
    QSqlDatabase db = connection.value();
    const qint64 now = m_clock.nowSecondsSinceEpoch();

    EventStore::Delivery delivery;
    delivery.payload = payload;
    delivery.source = source;
    delivery.secretIndex = signingSecretIndex;
    if (!m_options.pinnedApiVersion.isEmpty() && !event.apiVersion.isEmpty() &&
        event.apiVersion != m_options.pinnedApiVersion) {
        delivery.warning = u"rendered at API version %1, not the pinned %2"_s.arg(event.apiVersion,
                                                                                  m_options.pinnedApiVersion);
    }

    // SQLite: take the write lock up front, so two deliveries queue instead of
    // one failing to upgrade its read lock. PostgreSQL serialises them on the
    // event id's unique index.
    const bool sqlite = m_database.dialect() == SqlDialect::Sqlite;
    auto fail = [&](const QString &message) {
        if (Result<void> rolledBack = execSql(db, u"ROLLBACK"_s); !rolledBack)
            qCWarning(lcDatabase) << "rollback failed:" << rolledBack.error().message;
        report.outcome = Outcome::Failed;
        report.message = message;
        // Recorded apart, so the failure survives the rollback of the work.
        Result<void> begun = execSql(db, sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s);
        Result<void> recorded = begun ? EventStore(db).recordFailure(event, delivery, message, now) : begun;
        if (recorded)
            recorded = execSql(db, u"COMMIT"_s);
        if (!recorded) {
            qCWarning(lcDatabase).noquote()
                << "could not record the failure of" << event.id << ":" << recorded.error().message;
            [[maybe_unused]] const Result<void> ignored = execSql(db, u"ROLLBACK"_s);
        }
        return report;
    };

    if (Result<void> begun = execSql(db, sqlite ? u"BEGIN IMMEDIATE"_s : u"BEGIN"_s); !begun) {
        report.message = u"cannot start a transaction: "_s + begun.error().message;
        return report;
    }
    EventStore events(db);
    Result<EventStore::Received> received = events.insertIfNew(event, delivery, now);
    if (!received)
        return fail(received.error().message);
    if (!received->isNew && (received->status == u"processed" || received->status == u"ignored")) {
        if (Result<void> committed = execSql(db, u"COMMIT"_s); !committed)
            return fail(committed.error().message);
        report.outcome = Outcome::Duplicate;
        return report;
    }

    bool handled = false;
    if (EventHandlers::isSupported(event.type)) {
        EventHandlers handlers(db, m_signer, m_plans, m_options.pastDueGrace.count(), now);
        Result<bool> applied = handlers.handle(event);
        if (!applied)
            return fail(applied.error().message);
        handled = applied.value();
    }
    const QString status = handled ? u"processed"_s : u"ignored"_s;
    if (Result<void> finished = events.finish(event.id, status, received->attempts + 1, now); !finished)
        return fail(finished.error().message);
    if (Result<void> committed = execSql(db, u"COMMIT"_s); !committed)
        return fail(u"cannot commit: "_s + committed.error().message);
    report.outcome = handled ? Outcome::Processed : Outcome::Ignored;
    return report;
}

} // namespace billing
