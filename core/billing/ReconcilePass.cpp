#include "ReconcilePass.h"

#include "db/AuditLog.h"
#include "db/WriteTransaction.h"
#include "stripe/StripeListReader.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

constexpr int kPageSize = 100; // Stripe's largest

struct StripeList
{
    QString type; // as ObjectRef::type
    QString path;
    FormParams filters;
};

// Subscriptions first (they make tenants' customers known), then customers and invoices.
QList<StripeList> stripeLists()
{
    return {
        // Canceled ones too (Stripe's default leaves them out); the customer
        // expanded: its e-mail is the tenant's.
        {u"subscription"_s,
         u"/v1/subscriptions"_s,
         {{u"status"_s, u"all"_s}, {u"expand[]"_s, u"data.customer"_s}}},
        {u"customer"_s, u"/v1/customers"_s, {}},
        {u"invoice"_s, u"/v1/invoices"_s, {}},
    };
}

// The same object alone: GET /v1/subscriptions/sub_… (customer expanded), …
QPair<QString, FormParams> objectPath(const ReconcilePass::ObjectRef &object)
{
    if (object.type == u"subscription")
        return {u"/v1/subscriptions/"_s + object.id, {{u"expand[]"_s, u"customer"_s}}};
    return {u"/v1/%1s/%2"_s.arg(object.type, object.id), {}};
}

} // namespace

ReconcilePass::ReconcilePass(Database &database, StripeClient &stripe, Reconciler::Factory reconcilerFor,
                             Options options)
    : m_database(database)
    , m_stripe(stripe)
    , m_reconcilerFor(std::move(reconcilerFor))
    , m_options(std::move(options))
{}

Result<void> ReconcilePass::check(const QString &type, const QJsonObject &object, qint64 snapshotTime,
                                  bool fix, QList<Divergence> &found, qint64 *fixed)
{
    Result<WriteTransaction> transaction = WriteTransaction::begin(m_database);
    if (!transaction)
        return transaction.error();
    Reconciler reconciler = m_reconcilerFor(transaction->db());
    Result<QList<Divergence>> differs = type == u"subscription"
                                            ? reconciler.subscription(object, snapshotTime)
                                        : type == u"customer" ? reconciler.customer(object, snapshotTime)
                                                              : reconciler.invoice(object);
    if (!differs)
        return transaction->fail(Error{differs.error().code, u"%1: %2"_s.arg(object.value(u"id"_s).toString(),
                                                                             differs.error().message)});
    bool ours = true;
    for (const Divergence &divergence : std::as_const(differs.value())) {
        if (!m_options.tenant.isEmpty() && divergence.tenantId != m_options.tenant) {
            ours = false;
            continue;
        }
        found.append(divergence);
    }
    if (!fix || !ours || differs->isEmpty()) {
        transaction->rollback();
        return {};
    }
    // Audited in the fix's own transaction: no repair without its record.
    QJsonArray kinds;
    for (const Divergence &divergence : std::as_const(differs.value()))
        kinds.append(divergence.kind);
    AuditLog::Entry entry;
    entry.actor = m_options.actor;
    entry.action = u"reconcile.fix"_s;
    entry.targetType = type;
    entry.targetId = object.value(u"id"_s).toString();
    entry.details = {{u"divergences"_s, kinds}};
    if (Result<void> recorded = AuditLog(m_database).record(entry); !recorded)
        return transaction->fail(recorded.error());
    if (Result<void> committed = transaction->commit(); !committed)
        return committed;
    if (fixed)
        *fixed += differs->size();
    return {};
}

Result<void> ReconcilePass::addNotInStripe(const QSet<QString> &stripeSubscriptions, QList<Divergence> &found)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    Result<QList<QPair<QString, QString>>> local =
        ReconcileRows(db.value()).subscriptions(m_options.livemode, m_options.tenant);
    if (!local)
        return local.error();
    for (const auto &[id, owner] : std::as_const(local.value())) {
        if (!stripeSubscriptions.contains(id))
            found.append({u"subscription.not_in_stripe"_s, id, owner, u"stored"_s, Divergence::none()});
    }
    return {};
}

Result<ReconcilePass::Outcome> ReconcilePass::run(const Progress &progress)
{
    // Each page is checked (and fixed) as it is read: an account's invoices
    // need not fit in memory. Only the objects that differed are kept, to be
    // checked again after a fix.
    Outcome outcome;
    struct Differed
    {
        QString type;
        QJsonObject object;
        qint64 snapshotTime;
    };
    QList<Differed> differed;
    QSet<QString> stripeSubscriptions;
    for (const StripeList &list : stripeLists()) {
        StripeListReader reader(m_stripe, list.path, list.filters, kPageSize, m_options.rate);
        qint64 read = 0;
        for (int page = 1;; ++page) {
            if (m_options.stopRequested && m_options.stopRequested->load())
                return Error{ErrorCode::Io, u"the run was stopped (the service is shutting down)"_s};
            Result<StripeListReader::Page> answer = reader.next();
            if (!answer) {
                if (progress)
                    progress(u"reading %1s: %2"_s.arg(list.type).arg(read), true);
                return answer.error();
            }
            for (const QJsonValue &value : std::as_const(answer->data)) {
                const QJsonObject object = value.toObject();
                if (list.type == u"subscription")
                    stripeSubscriptions.insert(object.value(u"id"_s).toString());
                const qsizetype before = outcome.found.size();
                if (Result<void> done = check(list.type, object, answer->snapshotTime(), m_options.fix,
                                              outcome.found, &outcome.fixed);
                    !done) {
                    if (progress)
                        progress(u"reading %1s: %2"_s.arg(list.type).arg(read), true);
                    return done.error();
                }
                if (outcome.found.size() > before)
                    differed.append({list.type, object, answer->snapshotTime()});
                ++read;
            }
            if (progress)
                progress(u"reading %1s: page %2, %3"_s.arg(list.type).arg(page).arg(read), !answer->hasMore);
            if (!answer->hasMore)
                break;
        }
        outcome.objectsRead += read;
        outcome.counts << u"%1 %2s"_s.arg(read).arg(list.type);
    }
    if (Result<void> added = addNotInStripe(stripeSubscriptions, outcome.found); !added)
        return added.error();
    if (!m_options.fix) {
        outcome.remaining = outcome.found;
        return outcome;
    }
    for (const Differed &object : std::as_const(differed)) {
        if (Result<void> done =
                check(object.type, object.object, object.snapshotTime, false, outcome.remaining, nullptr);
            !done)
            return done.error();
    }
    if (Result<void> added = addNotInStripe(stripeSubscriptions, outcome.remaining); !added)
        return added.error();
    return outcome;
}

Result<QList<Divergence>> ReconcilePass::fixObjects(const QList<ObjectRef> &objects)
{
    QList<Divergence> remaining;
    for (const ObjectRef &ref : objects) {
        const auto [path, query] = objectPath(ref);
        Result<StripeObjectRead> read = readStripeObject(m_stripe, path, query);
        if (!read)
            return read.error();
        if (read->objectMissing) {
            remaining.append({ref.type + u".not_in_stripe"_s, ref.id, {}, u"stored"_s, Divergence::none()});
            continue;
        }
        QList<Divergence> repaired;
        if (Result<void> done = check(ref.type, read->object, read->snapshotTime, true, repaired, nullptr);
            !done)
            return done.error();
        if (Result<void> done = check(ref.type, read->object, read->snapshotTime, false, remaining, nullptr);
            !done)
            return done.error();
    }
    return remaining;
}

} // namespace billing
