#pragma once

#include "Database.h"
#include "Divergence.h"

#include <optional>

namespace billing {

// serve's reconciliation runs and what each found (reconcile_runs,
// reconcile_divergences): written by the run, read by the schedule, the
// metric and the fixes; the admin API lists them through AdminLists.
class ReconcileRunStore final
{
public:
    explicit ReconcileRunStore(QSqlDatabase db)
        : m_db(std::move(db))
    {}

    struct StoredDivergence
    {
        qint64 id = 0;
        qint64 runId = 0;
        Divergence divergence;
        bool fixed = false;
    };
    struct Run
    {
        qint64 id = 0;
        qint64 startedAt = 0;
        QString status;
        qint64 openDivergences = 0; // not fixed since
    };

    // A run that has started (status running); its id.
    Result<qint64> begin(bool livemode, const QString &startedBy, qint64 now);
    // Its divergences and end, in one transaction with the caller's.
    Result<void> finish(qint64 runId, qint64 objectsRead, const QList<Divergence> &found, qint64 now);
    Result<void> fail(qint64 runId, const QString &error, qint64 now);
    // Runs a stopped service left as running: failed, saying so.
    Result<int> failAbandoned(qint64 now);

    // The newest run of this mode that is not running, if any.
    Result<std::optional<Run>> latestFinished(bool livemode);
    // The newest run of this mode, running or not.
    Result<std::optional<Run>> latest(bool livemode);

    // The run's divergences not fixed yet.
    Result<QList<StoredDivergence>> open(qint64 runId);
    Result<std::optional<StoredDivergence>> find(qint64 divergenceId);
    Result<void> markFixed(const QList<qint64> &ids, const QString &actor, qint64 now);

private:
    Result<std::optional<Run>> newest(bool livemode, bool finishedOnly);

    QSqlDatabase m_db;
};

} // namespace billing
