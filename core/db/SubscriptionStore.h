#pragma once

#include "Database.h"
#include "common/JsonView.h"

namespace billing {

// subscriptions: the local mirror of Stripe's, kept equal to Stripe's latest
// state whatever order the events arrive in.
//
// Each row remembers the event its state came from (state_event_created) and
// that state's rank (incomplete < trialing < active < past_due < unpaid <
// canceled). A snapshot applies when its event is newer, or as new with a rank
// and period end not lower (events in the same second). Terminal states
// (canceled, incomplete_expired) always apply and never revert. The rule is in
// the UPSERT itself, so concurrent deliveries cannot interleave around it.
class SubscriptionStore final
{
public:
    struct State
    {
        bool known = false;
        QString tenantId;
        QString customerId;
        QString status;
        QString plan;
        qint64 currentPeriodEnd = 0;
    };

    explicit SubscriptionStore(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    static int statusRank(const QString &status);
    static bool isTerminal(const QString &status);

    // Returns whether the snapshot was applied (false: an older or same state).
    // An older snapshot with a later period still moves the period forward.
    Result<bool> applySnapshot(const JsonView &subscription, const QString &tenantId, const QString &plan,
                               qint64 eventCreated, const QString &eventId, qint64 now);
    // A row for a subscription known only by id (checkout completed first);
    // any real snapshot replaces it.
    Result<void> ensurePlaceholder(const QString &subscriptionId, const QString &customerId,
                                   const QString &tenantId, const QString &plan, bool livemode, qint64 now);
    // An invoice moved the subscription (paid: past_due/unpaid → active; failed:
    // active/trialing → past_due) unless a newer state is already there.
    Result<bool> moveStatus(const QString &subscriptionId, const QStringList &from, const QString &to,
                            qint64 eventCreated, const QString &eventId, qint64 now);
    // forUpdate: on PostgreSQL, lock the row until the transaction ends, so a
    // concurrent delivery cannot change the subscription between this read and
    // what the caller writes from it (SQLite serialises writers anyway).
    Result<State> find(const QString &subscriptionId, bool forUpdate = false);

private:
    QSqlDatabase m_db;
};

} // namespace billing
