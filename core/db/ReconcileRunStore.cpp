#include "ReconcileRunStore.h"

#include "SqlValues.h"

using namespace Qt::StringLiterals;

namespace billing {

namespace {

const QString kDivergenceColumns =
    u"id, run_id, kind, object_id, tenant_id, local_value, stripe_value, fixed_at"_s;

ReconcileRunStore::StoredDivergence divergenceFrom(const SqlRows &rows)
{
    ReconcileRunStore::StoredDivergence stored;
    stored.id = rows.value(0).toLongLong();
    stored.runId = rows.value(1).toLongLong();
    stored.divergence = {rows.value(2).toString(), rows.value(3).toString(), rows.value(4).toString(),
                         rows.value(5).toString(), rows.value(6).toString()};
    stored.fixed = !rows.value(7).isNull();
    return stored;
}

} // namespace

Result<qint64> ReconcileRunStore::begin(bool livemode, const QString &startedBy, qint64 now)
{
    Result<SqlRows> rows = runQuery(m_db, u"cannot record the reconciliation run"_s,
                                    u"INSERT INTO reconcile_runs (livemode, started_by, started_at, status) "
                                    "VALUES (?, ?, ?, 'running') RETURNING id"_s,
                                    {livemode, startedBy, now});
    if (!rows)
        return rows.error();
    if (!rows->next())
        return Error{ErrorCode::Database, u"recording the reconciliation run gave no id"_s};
    return rows->value(0).toLongLong();
}

Result<void> ReconcileRunStore::finish(qint64 runId, qint64 objectsRead, const QList<Divergence> &found,
                                       qint64 now)
{
    for (const Divergence &divergence : found) {
        Result<SqlRows> inserted =
            runQuery(m_db, u"cannot record a divergence"_s,
                     u"INSERT INTO reconcile_divergences (run_id, kind, object_type, object_id, tenant_id, "
                     u"local_value, "
                     "stripe_value) VALUES (?, ?, ?, ?, ?, ?, ?)"_s,
                     {runId, divergence.kind, divergence.stripeObjectType(), divergence.objectId,
                      nullString(divergence.tenantId), divergence.local, divergence.stripe});
        if (!inserted)
            return inserted.error();
    }
    Result<SqlRows> updated =
        runQuery(m_db, u"cannot record the end of the reconciliation run"_s,
                 u"UPDATE reconcile_runs SET status = 'succeeded', finished_at = ?, objects_read = ?, "
                 "divergences = ? WHERE id = ?"_s,
                 {now, objectsRead, qint64(found.size()), runId});
    if (!updated)
        return updated.error();
    return {};
}

Result<void> ReconcileRunStore::fail(qint64 runId, const QString &error, qint64 now)
{
    Result<SqlRows> updated =
        runQuery(m_db, u"cannot record the failure of the reconciliation run"_s,
                 u"UPDATE reconcile_runs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?"_s,
                 {now, error.left(2000), runId});
    if (!updated)
        return updated.error();
    return {};
}

Result<int> ReconcileRunStore::failAbandoned(qint64 now)
{
    Result<SqlRows> updated =
        runQuery(m_db, u"cannot close abandoned reconciliation runs"_s,
                 u"UPDATE reconcile_runs SET status = 'failed', finished_at = ?, "
                 "error = 'the service stopped during the run' WHERE status = 'running'"_s,
                 {now});
    if (!updated)
        return updated.error();
    return updated->numRowsAffected();
}

Result<std::optional<ReconcileRunStore::Run>> ReconcileRunStore::newest(bool livemode, bool finishedOnly)
{
    Result<SqlRows> rows = runQuery(
        m_db, u"cannot read the last reconciliation run"_s,
        u"SELECT r.id, r.started_at, r.status, "
        "(SELECT COUNT(*) FROM reconcile_divergences d WHERE d.run_id = r.id AND d.fixed_at IS NULL) "
        "FROM reconcile_runs r WHERE r.livemode = ? AND (? = 0 OR r.status <> 'running') "
        "ORDER BY r.started_at DESC, r.id DESC LIMIT 1"_s,
        {livemode, finishedOnly ? 1 : 0});
    if (!rows)
        return rows.error();
    if (!rows->next())
        return std::optional<Run>();
    return std::optional<Run>(Run{rows->value(0).toLongLong(), rows->value(1).toLongLong(),
                                  rows->value(2).toString(), rows->value(3).toLongLong()});
}

Result<std::optional<ReconcileRunStore::Run>> ReconcileRunStore::latestFinished(bool livemode)
{
    return newest(livemode, true);
}

Result<std::optional<ReconcileRunStore::Run>> ReconcileRunStore::latest(bool livemode)
{
    return newest(livemode, false);
}

Result<QList<ReconcileRunStore::StoredDivergence>> ReconcileRunStore::open(qint64 runId)
{
    Result<SqlRows> rows = runQuery(m_db, u"cannot read the run's divergences"_s,
                                    u"SELECT "_s + kDivergenceColumns +
                                        u" FROM reconcile_divergences WHERE run_id = ? AND fixed_at IS NULL "
                                        "ORDER BY id"_s,
                                    {runId});
    if (!rows)
        return rows.error();
    QList<StoredDivergence> found;
    while (rows->next())
        found.append(divergenceFrom(rows.value()));
    return found;
}

Result<std::optional<ReconcileRunStore::StoredDivergence>> ReconcileRunStore::find(qint64 divergenceId)
{
    Result<SqlRows> rows = runQuery(
        m_db, u"cannot read the divergence"_s,
        u"SELECT "_s + kDivergenceColumns + u" FROM reconcile_divergences WHERE id = ?"_s, {divergenceId});
    if (!rows)
        return rows.error();
    if (!rows->next())
        return std::optional<StoredDivergence>();
    return std::optional<StoredDivergence>(divergenceFrom(rows.value()));
}

Result<void> ReconcileRunStore::markFixed(const QList<qint64> &ids, const QString &actor, qint64 now)
{
    for (qint64 id : ids) {
        Result<SqlRows> updated = runQuery(
            m_db, u"cannot mark the divergence fixed"_s,
            u"UPDATE reconcile_divergences SET fixed_at = ?, fixed_by = ? WHERE id = ? AND fixed_at IS NULL"_s,
            {now, actor, id});
        if (!updated)
            return updated.error();
    }
    return {};
}

} // namespace billing
