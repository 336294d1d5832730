#include "Reconciler.h"

#include <QJsonValue>

using namespace Qt::StringLiterals;

namespace billing {

namespace {

QString shown(const QVariant &value)
{
    if (value.isNull())
        return Divergence::none();
    // SQLite gives booleans as 0/1 and PostgreSQL as true/false: both shown as words.
    if (value.typeId() == QMetaType::Bool)
        return value.toBool() ? u"true"_s : u"false"_s;
    return value.toString();
}

QString idOf(const QJsonValue &value)
{
    return value.isObject() ? value.toObject().value(u"id"_s).toString() : value.toString();
}

} // namespace

Reconciler::Reconciler(QSqlDatabase db, const LicenseSigner &signer, const PlanCatalog &plans,
                       qint64 graceSeconds, qint64 now)
    : m_rows(db)
    , m_importer(db, signer, plans, graceSeconds, now, sourceId())
{}

QString Reconciler::sourceId()
{
    return u"reconcile"_s;
}

Result<QList<Divergence>> Reconciler::subscription(const QJsonObject &subscription, qint64 snapshotTime)
{
    const QString id = subscription.value(u"id"_s).toString();
    return compare({{Kind::Subscription, id}, {Kind::License, id}},
                   [&] { return m_importer.importSubscription(subscription, snapshotTime); });
}

Result<QList<Divergence>> Reconciler::invoice(const QJsonObject &invoice)
{
    const QString id = invoice.value(u"id"_s).toString();
    return compare({{Kind::Invoice, id}, {Kind::Payment, id}},
                   [&] { return m_importer.importInvoice(invoice); });
}

Result<QList<Divergence>> Reconciler::customer(const QJsonObject &customer, qint64 snapshotTime)
{
    return compare({{Kind::Customer, idOf(customer.value(u"id"_s))}},
                   [&] { return m_importer.importCustomer(customer, snapshotTime); });
}

Result<QList<Divergence>> Reconciler::compare(const QList<Watched> &watched,
                                              const std::function<Result<ApplyOutcome>()> &apply)
{
    QList<ReconcileRows::Row> before;
    for (const Watched &row : watched) {
        Result<ReconcileRows::Row> read = m_rows.read(row.kind, row.stripeId);
        if (!read)
            return read.error();
        before.append(read.value());
    }
    Result<ApplyOutcome> applied = apply();
    if (!applied)
        return applied.error();
    QList<Divergence> found;
    // Skipped: not this service's (a stranger on the same account); Unchanged: as stored.
    if (applied.value() != ApplyOutcome::Applied)
        return found;
    for (qsizetype i = 0; i < watched.size(); ++i) {
        Result<ReconcileRows::Row> after = m_rows.read(watched[i].kind, watched[i].stripeId);
        if (!after)
            return after.error();
        const QString kind = ReconcileRows::kindName(watched[i].kind);
        const QString tenant = after->tenantId.isEmpty() ? before[i].tenantId : after->tenantId;
        if (!after->exists)
            continue;
        if (!before[i].exists) {
            found.append({kind + u".missing"_s, watched[i].stripeId, tenant, Divergence::none(),
                          shown(after->values.value(u"status"_s, after->values.first()))});
            continue;
        }
        for (auto it = after->values.cbegin(); it != after->values.cend(); ++it) {
            const QString local = shown(before[i].values.value(it.key()));
            const QString stripe = shown(it.value());
            if (local != stripe)
                found.append({kind + u'.' + it.key(), watched[i].stripeId, tenant, local, stripe});
        }
    }
    return found;
}

} // namespace billing
