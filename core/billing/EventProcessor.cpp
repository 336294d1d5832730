#include "EventProcessor.h"

#include "EventHandlers.h"
#include "common/Logging.h"
#include "db/EventStore.h"
#include "db/WriteTransaction.h"

#include <QSqlError>

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

std::optional<EventProcessor::Report> EventProcessor::admit(const Delivery &delivery,
                                                            Admitted *admitted) const
{
    Result<StripeEvent> parsed = StripeEvent::parse(delivery.payload);
    if (!parsed)
        return Report{Outcome::Refused, {}, {}, parsed.error().message};
    const bool live = parsed->livemode;
    if ((m_options.mode == StripeMode::Live && !live) || (m_options.mode == StripeMode::Test && live)) {
        return Report{
            Outcome::Refused, parsed->id, parsed->type,
            u"a %1-mode event reached a %2-mode installation (check the webhook endpoint and the keys)"_s.arg(
                live ? u"live"_s : u"test"_s, stripeModeName(m_options.mode))};
    }
    admitted->event = std::move(parsed).value();
    admitted->payload = delivery.payload;
    admitted->signingSecretIndex = delivery.signingSecretIndex;
    return std::nullopt;
}

EventProcessor::Report EventProcessor::process(const QByteArray &payload, int signingSecretIndex,
                                               const QString &source)
{
    return processBatch({{payload, signingSecretIndex}}, source).constFirst();
}

QList<EventProcessor::Report> EventProcessor::processBatch(const QList<Delivery> &deliveries,
                                                           const QString &source)
{
    QList<Report> reports(deliveries.size());
    QList<Admitted> admitted;
    QList<qsizetype> positions;
    for (qsizetype i = 0; i < deliveries.size(); ++i) {
        Admitted item;
        if (std::optional<Report> refused = admit(deliveries[i], &item)) {
            reports[i] = *refused;
            continue;
        }
        admitted << item;
        positions << i;
    }
    const QList<Report> applied = apply(admitted, source);
    for (qsizetype i = 0; i < applied.size(); ++i)
        reports[positions[i]] = applied[i];
    return reports;
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
    return apply({{event.value(), payload.value(), -1, {}}}, u"replay"_s).constFirst();
}

QList<EventProcessor::Report> EventProcessor::apply(const QList<Admitted> &items, const QString &source)
{
    QList<Report> reports;
    if (items.isEmpty())
        return reports;
    auto failAll = [&](const QString &message) {
        reports.clear();
        for (const Admitted &item : items)
            reports.append({Outcome::Failed, item.event.id, item.event.type, message});
        return reports;
    };

    // PostgreSQL serialises deliveries of one event on its id's unique index.
    Result<WriteTransaction> transaction = WriteTransaction::begin(m_database);
    if (!transaction)
        return failAll(transaction.error().message);
    QSqlDatabase &db = transaction->db();

    const qint64 now = m_clock.nowSecondsSinceEpoch();
    JsonDocument document; // each event's JSON in turn, in the same memory
    // First without a savepoint per event (they cost a sixth of a batch's
    // work); nearly every batch passes. If one event fails, none of the batch
    // is kept: it runs again with savepoints, so that only the failing event
    // is undone and recorded as failed.
    for (const Admitted &item : items) {
        reports.append(applyOne(db, item, source, now, Isolation::SharedWithBatch, document));
        if (reports.constLast().outcome == Outcome::Failed)
            break;
    }
    if (!reports.isEmpty() && reports.constLast().outcome == Outcome::Failed) {
        reports.clear();
        if (Result<void> begun = transaction->restart(); !begun)
            return failAll(begun.error().message);
        for (const Admitted &item : items)
            reports.append(applyOne(db, item, source, now, Isolation::OwnSavepoint, document));
    }

    // Nothing is acknowledged unless this holds.
    if (Result<void> committed = transaction->commit(); !committed)
        return failAll(committed.error().message);
    return reports;
}

Result<void> EventProcessor::savepoint(QSqlDatabase &db, const QString &sql) const
{
    // Run several times per event: SQLite keeps them prepared (parsing them
    // each time cost 7 % of a batch); PostgreSQL cannot prepare them.
    if (m_database.dialect() != SqlDialect::Sqlite)
        return execSql(db, sql);
    Result<SqlRows> done = runQuery(db, u"savepoint"_s, sql, {});
    if (!done)
        return done.error();
    return {};
}

EventProcessor::Report EventProcessor::applyOne(QSqlDatabase &db, const Admitted &item, const QString &source,
                                                qint64 now, Isolation isolation, JsonDocument &document)
{
    const StripeEvent &event = item.event;
    Report report{Outcome::Failed, event.id, event.type, {}};

    EventStore::Delivery delivery;
    delivery.payload = item.payload;
    delivery.source = item.source.isEmpty() ? source : item.source;
    delivery.secretIndex = item.signingSecretIndex;
    if (!m_options.pinnedApiVersion.isEmpty() && !event.apiVersion.isEmpty() &&
        event.apiVersion != m_options.pinnedApiVersion) {
        delivery.warning = u"rendered at API version %1, not the pinned %2"_s.arg(event.apiVersion,
                                                                                  m_options.pinnedApiVersion);
    }

    const bool isolated = isolation == Isolation::OwnSavepoint;
    if (isolated) {
        if (Result<void> saved = savepoint(db, u"SAVEPOINT billing_event"_s); !saved) {
            report.message = saved.error().message;
            return report;
        }
    }
    // On failure only this event's work is undone; the failure itself is then
    // recorded, so Stripe's retry or `events replay` can apply it later.
    // Without a savepoint, the caller undoes the whole batch instead.
    auto fail = [&](const QString &message) {
        report.outcome = Outcome::Failed;
        report.message = message;
        if (!isolated)
            return report;
        Result<void> undone = savepoint(db, u"ROLLBACK TO SAVEPOINT billing_event"_s);
        if (undone)
            undone = savepoint(db, u"RELEASE SAVEPOINT billing_event"_s);
        // In a savepoint of its own: if recording fails too, the other events
        // of the batch are unaffected (PostgreSQL would abort the transaction).
        Result<void> recorded = undone ? savepoint(db, u"SAVEPOINT billing_failure"_s) : undone;
        if (recorded) {
            recorded = EventStore(db).recordFailure(event, delivery, message, now);
            const QString end = recorded ? u"RELEASE SAVEPOINT billing_failure"_s
                                         : u"ROLLBACK TO SAVEPOINT billing_failure"_s;
            if (Result<void> ended = savepoint(db, end); !ended)
                recorded = ended;
        }
        if (!recorded) {
            qCWarning(lcDatabase).noquote()
                << "could not record the failure of" << event.id << ":" << recorded.error().message;
        }
        return report;
    };

    auto release = [&]() -> Result<void> {
        return isolated ? savepoint(db, u"RELEASE SAVEPOINT billing_event"_s) : Result<void>();
    };

    EventStore events(db);
    const bool supported = EventHandlers::isSupported(event.type);
    Result<EventStore::Received> received =
        events.insertIfNew(event, delivery, supported ? u"processed"_s : u"ignored"_s, now);
    if (!received)
        return fail(received.error().message);
    if (!received->isNew && (received->status == u"processed" || received->status == u"ignored")) {
        if (Result<void> released = release(); !released)
            return fail(released.error().message);
        report.outcome = Outcome::Duplicate;
        return report;
    }

    bool handled = false;
    if (supported) {
        // Admitted, so it parses; read again here rather than kept from
        // admission, which would hold every queued event's parsed JSON.
        Result<JsonView> object = StripeEvent::dataObject(item.payload, document);
        if (!object)
            return fail(object.error().message);
        EventHandlers handlers(db, m_signer, m_plans, m_options.pastDueGrace.count(), now);
        Result<bool> applied = handlers.handle(event, object.value());
        if (!applied)
            return fail(applied.error().message);
        handled = applied.value();
    }
    // A new row already says processed (or ignored for types we do not handle);
    // a handler that passed, or an event applied again after a failure, is written now.
    const QString status = handled ? u"processed"_s : u"ignored"_s;
    if (!received->isNew || status != received->status) {
        const int attempts = received->isNew ? received->attempts : received->attempts + 1;
        if (Result<void> finished = events.finish(event.id, status, attempts, now); !finished)
            return fail(finished.error().message);
    }
    if (Result<void> released = release(); !released)
        return fail(released.error().message);
    report.outcome = handled ? Outcome::Processed : Outcome::Ignored;
    return report;
}

} // namespace billing
