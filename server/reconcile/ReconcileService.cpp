#include "ReconcileService.h"

#include "billing/ReconcilePass.h"
#include "common/Logging.h"
#include "db/Database.h"
#include "db/ReconcileRunStore.h"
#include "db/WriteTransaction.h"

#include <QNetworkAccessManager>
#include <QSet>

using namespace Qt::StringLiterals;

namespace billing::server {

namespace {

// QTimer counts in int milliseconds: a longer wait is taken in steps.
constexpr qint64 kLongestTimerSeconds = 24 * 3600;
constexpr qint64 kBusyRetrySeconds = 60;

using StoredDivergence = ReconcileRunStore::StoredDivergence;

QString objectKey(const QString &type, const QString &id)
{
    return type + u'/' + id;
}

} // namespace

ReconcileService::ReconcileService(Dependencies dependencies, QObject *parent)
    : QObject(parent)
    , m_deps(std::move(dependencies))
{
    m_thread.setObjectName(u"reconcile"_s);
    m_workerContext = new QObject;
    m_workerContext->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_workerContext, &QObject::deleteLater);
    m_thread.start();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ReconcileService::runScheduled);
}

ReconcileService::~ReconcileService()
{
    m_stopRequested.store(true);
    // After the job in progress (a run stops at its next page): the worker's
    // Stripe client and connection go on the thread that made them.
    QMetaObject::invokeMethod(
        m_workerContext,
        [this] {
            m_workerStripe.reset();
            m_workerNetwork.reset();
            m_deps.database->releaseThisThreadsConnection();
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

StripeClient &ReconcileService::workerStripe()
{
    if (!m_workerStripe) {
        m_workerNetwork = std::make_unique<QNetworkAccessManager>();
        m_workerStripe = std::make_unique<StripeClient>(m_workerNetwork.get(), m_deps.stripe);
    }
    return *m_workerStripe;
}

template <typename Job> void ReconcileService::onWorker(Job job)
{
    QMetaObject::invokeMethod(m_workerContext, std::move(job));
}

void ReconcileService::start()
{
    // On the worker: closing abandoned runs is a write, and the HTTP thread
    // must not wait behind another process's write lock (a `sync` running).
    onWorker([this] {
        const qint64 now = m_deps.clock->nowSecondsSinceEpoch();
        qint64 lastStarted = now;
        qint64 open = 0;
        Result<QSqlDatabase> db = m_deps.database->connection();
        if (!db) {
            qCWarning(lcReconcile, "cannot read the reconciliation runs: %s", qPrintable(db.error().message));
        } else {
            ReconcileRunStore store(db.value());
            if (Result<int> closed = store.failAbandoned(now); closed && closed.value() > 0)
                qCInfo(lcReconcile, "%d reconciliation run(s) left open by a stopped service marked failed",
                       closed.value());
            if (Result<std::optional<ReconcileRunStore::Run>> last = store.latest(m_deps.livemode);
                last && last->has_value())
                lastStarted = last->value().startedAt;
            if (Result<std::optional<ReconcileRunStore::Run>> finished =
                    store.latestFinished(m_deps.livemode);
                finished && finished->has_value())
                open = finished->value().openDivergences;
        }
        // The first run comes one interval after the last one, or after this start.
        QMetaObject::invokeMethod(this, [this, lastStarted, open] {
            Q_EMIT openDivergencesChanged(open);
            schedule(lastStarted);
        });
    });
}

void ReconcileService::schedule(qint64 lastStartedAt)
{
    m_timer.stop();
    if (m_deps.interval.count() <= 0)
        return;
    const qint64 due = lastStartedAt + m_deps.interval.count();
    const qint64 wait =
        std::clamp<qint64>(due - m_deps.clock->nowSecondsSinceEpoch(), 0, kLongestTimerSeconds);
    m_nextDue = due;
    m_timer.start(std::chrono::seconds(wait));
}

void ReconcileService::runScheduled()
{
    const qint64 due = m_nextDue;
    if (m_deps.clock->nowSecondsSinceEpoch() < due) {
        schedule(due - m_deps.interval.count()); // a long wait, taken in steps
        return;
    }
    if (m_busy) {
        m_timer.start(std::chrono::seconds(kBusyRetrySeconds));
        return;
    }
    startRun(u"schedule"_s, [](Result<qint64>, const QString &) {});
}

void ReconcileService::startRun(const QString &startedBy, Started started)
{
    if (m_busy) {
        started(qint64(0), u"a reconciliation job is in progress; start a run once it has ended"_s);
        return;
    }
    m_busy = true;
    onWorker([this, startedBy, started = std::move(started)] {
        const qint64 startedAt = m_deps.clock->nowSecondsSinceEpoch();
        Result<QSqlDatabase> db = m_deps.database->connection();
        Result<qint64> runId = db ? ReconcileRunStore(db.value()).begin(m_deps.livemode, startedBy, startedAt)
                                  : Result<qint64>(db.error());
        QMetaObject::invokeMethod(this, [started, runId] { started(runId, {}); });
        if (!runId) {
            QMetaObject::invokeMethod(this, [this, startedAt] {
                m_busy = false;
                schedule(startedAt);
            });
            return;
        }
        const Reconciler::Factory reconcilerFor = [this](QSqlDatabase connection) {
            return Reconciler(connection, *m_deps.signer, m_deps.plans, m_deps.graceSeconds,
                              m_deps.clock->nowSecondsSinceEpoch());
        };
        ReconcilePass pass(*m_deps.database, workerStripe(), reconcilerFor,
                           {m_deps.livemode, {}, false, {}, m_deps.rate, &m_stopRequested});
        Result<ReconcilePass::Outcome> outcome = pass.run();
        Result<void> stored = outcome ? Result<void>() : Result<void>(outcome.error());
        if (outcome) {
            Result<WriteTransaction> transaction = WriteTransaction::begin(*m_deps.database);
            stored = transaction ? ReconcileRunStore(transaction->db())
                                       .finish(runId.value(), outcome->objectsRead, outcome->found,
                                               m_deps.clock->nowSecondsSinceEpoch())
                                 : Result<void>(transaction.error());
            if (stored)
                stored = transaction->commit();
        }
        qint64 open = outcome && stored ? outcome->found.size() : 0;
        if (!stored) {
            qCWarning(lcReconcile, "reconciliation run %lld failed: %s", runId.value(),
                      qPrintable(stored.error().message));
            if (Result<QSqlDatabase> connection = m_deps.database->connection(); connection) {
                ReconcileRunStore store(connection.value());
                if (Result<void> failed = store.fail(runId.value(), stored.error().message,
                                                     m_deps.clock->nowSecondsSinceEpoch());
                    !failed)
                    qCWarning(lcReconcile, "%s", qPrintable(failed.error().message));
                Result<std::optional<ReconcileRunStore::Run>> last = store.latestFinished(m_deps.livemode);
                open = last && last->has_value() ? last->value().openDivergences : 0;
            }
        } else {
            qCInfo(lcReconcile, "reconciliation run %lld: %lld divergences (%s read from Stripe)",
                   runId.value(), qint64(outcome->found.size()), qPrintable(outcome->counts.join(u", "_s)));
        }
        const bool succeeded = bool(stored);
        QMetaObject::invokeMethod(this, [this, id = runId.value(), succeeded, open, startedAt] {
            m_busy = false;
            Q_EMIT runFinished(id, succeeded, open);
            Q_EMIT openDivergencesChanged(open);
            schedule(startedAt);
        });
    });
}

void ReconcileService::fix(const QList<qint64> &divergenceIds, const QString &staff, Fixed done)
{
    if (m_busy) {
        done(FixReport{u"a reconciliation job is in progress; fix once it has ended"_s, {}, {}});
        return;
    }
    m_busy = true;
    onWorker([this, divergenceIds, staff, done = std::move(done)] {
        auto answer = [this, &done](Result<FixReport> report, std::optional<qint64> open = {}) {
            QMetaObject::invokeMethod(this, [this, done, report, open] {
                m_busy = false;
                if (open)
                    Q_EMIT openDivergencesChanged(*open);
                done(report);
            });
        };
        Result<QSqlDatabase> db = m_deps.database->connection();
        if (!db)
            return answer(db.error());
        ReconcileRunStore store(db.value());

        // What to fix: the ids given, or every open divergence of the last run.
        QList<StoredDivergence> chosen;
        if (divergenceIds.isEmpty()) {
            Result<std::optional<ReconcileRunStore::Run>> last = store.latestFinished(m_deps.livemode);
            if (!last)
                return answer(last.error());
            if (!last->has_value())
                return answer(
                    FixReport{u"no reconciliation run has finished yet: start one first"_s, {}, {}});
            Result<QList<StoredDivergence>> open = store.open(last->value().id);
            if (!open)
                return answer(open.error());
            chosen = open.value();
        } else {
            for (qint64 id : divergenceIds) {
                Result<std::optional<StoredDivergence>> found = store.find(id);
                if (!found)
                    return answer(found.error());
                if (!found->has_value())
                    return answer(Error{ErrorCode::NotFound, u"no divergence %1"_s.arg(id), u"id"_s});
                const StoredDivergence &divergence = found->value();
                if (divergence.fixed)
                    return answer(FixReport{u"divergence %1 is fixed already"_s.arg(id), {}, {}});
                if (divergence.divergence.isNotInStripe())
                    return answer(FixReport{
                        u"divergence %1 cannot be fixed: Stripe no longer has %2, and a fix never deletes "
                        "local records"_s.arg(id)
                            .arg(divergence.divergence.objectId),
                        {},
                        {}});
                chosen.append(divergence);
            }
        }

        QList<ReconcilePass::ObjectRef> objects;
        QSet<QString> seen;
        QSet<qint64> runs;
        for (const StoredDivergence &divergence : std::as_const(chosen)) {
            if (divergence.divergence.isNotInStripe())
                continue;
            const QString type = divergence.divergence.stripeObjectType();
            if (!seen.contains(objectKey(type, divergence.divergence.objectId))) {
                seen.insert(objectKey(type, divergence.divergence.objectId));
                objects.append({type, divergence.divergence.objectId});
            }
            runs.insert(divergence.runId);
        }
        const Reconciler::Factory reconcilerFor = [this](QSqlDatabase connection) {
            return Reconciler(connection, *m_deps.signer, m_deps.plans, m_deps.graceSeconds,
                              m_deps.clock->nowSecondsSinceEpoch());
        };
        ReconcilePass pass(*m_deps.database, workerStripe(), reconcilerFor,
                           {m_deps.livemode, {}, true, staff, m_deps.rate, &m_stopRequested});
        Result<QList<Divergence>> remaining = pass.fixObjects(objects);
        if (!remaining)
            return answer(remaining.error());

        // Every open divergence of a fixed object is fixed, unless it remains.
        QSet<QString> left;
        for (const Divergence &divergence : std::as_const(remaining.value()))
            left.insert(objectKey(divergence.stripeObjectType(), divergence.objectId) + u'/' +
                        divergence.kind);
        FixReport report;
        report.remaining = remaining.value();
        for (qint64 runId : std::as_const(runs)) {
            Result<QList<StoredDivergence>> open = store.open(runId);
            if (!open)
                return answer(open.error());
            for (const StoredDivergence &divergence : std::as_const(open.value())) {
                const QString key =
                    objectKey(divergence.divergence.stripeObjectType(), divergence.divergence.objectId);
                if (seen.contains(key) && !left.contains(key + u'/' + divergence.divergence.kind))
                    report.fixed.append(divergence.id);
            }
        }
        if (Result<void> marked = store.markFixed(report.fixed, staff, m_deps.clock->nowSecondsSinceEpoch());
            !marked)
            return answer(marked.error());
        Result<std::optional<ReconcileRunStore::Run>> last = store.latestFinished(m_deps.livemode);
        answer(report, last && last->has_value() ? last->value().openDivergences : 0);
    });
}

} // namespace billing::server
