#pragma once

#include "billing/PlanCatalog.h"
#include "common/Clock.h"
#include "common/WorkerThread.h"
#include "db/Divergence.h"
#include "stripe/StripeClient.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

namespace billing {
class Database;
class LicenseSigner;
} // namespace billing

namespace billing::server {

// serve's reconciliation (#18): runs ReconcilePass on a thread of its own
// (it blocks on Stripe's pages, at a limited rate), every interval and when
// staff start one, and keeps each run and what it found (ReconcileRunStore).
// Staff fix a divergence by applying Stripe's object as it is now; that fixes
// every divergence of that object. One job at a time: a run, or a fix.
class ReconcileService final : public QObject
{
    Q_OBJECT

public:
    struct Dependencies
    {
        Database *database = nullptr;
        StripeClient::Options stripe;
        const LicenseSigner *signer = nullptr;
        PlanCatalog plans;
        qint64 graceSeconds = 0;
        bool livemode = false;
        std::chrono::seconds interval{86400}; // 0: only when started by staff
        int rate = 20;                        // Stripe requests per second
        const Clock *clock = &Clock::system();
    };
    struct FixReport
    {
        QString refusal;             // why nothing was tried (a conflict), else empty
        QList<qint64> fixed;         // divergence ids now fixed
        QList<Divergence> remaining; // what still differs for the objects fixed
    };
    using Started = std::function<void(Result<qint64> runId, const QString &refusal)>;
    using Fixed = std::function<void(Result<FixReport>)>;

    explicit ReconcileService(Dependencies dependencies, QObject *parent = nullptr);
    // Stops a run in progress at its next page, then the thread.
    ~ReconcileService() override;

    // Closes runs a stopped service left open, publishes the last run's
    // figure, and schedules the next run one interval after the last; the
    // reads and writes happen on the worker thread.
    void start();

    // Starts a run now unless a job is in progress (refusal says so).
    // started runs on this thread once the run is recorded.
    void startRun(const QString &startedBy, Started started);
    // Fixes these divergences (empty: every open one of the last run).
    void fix(const QList<qint64> &divergenceIds, const QString &staff, Fixed done);

    bool isBusy() const { return m_busy; }

Q_SIGNALS:
    // A run ended: its id, whether it succeeded, and the divergences left open.
    void runFinished(qint64 runId, bool succeeded, qint64 openDivergences);
    // After a run or a fix: the divergences of the last run not fixed since.
    void openDivergencesChanged(qint64 count);

private:
    // Runs on the worker thread; the result is handed back to this one.
    template <typename Job> void onWorker(Job job);
    void schedule(qint64 lastStartedAt);
    void runScheduled();
    StripeClient &workerStripe(); // made on the worker thread, on first use
    void publishOpenDivergences();

    Dependencies m_deps;
    WorkerThread m_thread;
    QObject *m_workerContext = nullptr;
    std::unique_ptr<QNetworkAccessManager> m_workerNetwork; // worker thread only
    std::unique_ptr<StripeClient> m_workerStripe;           // worker thread only
    std::atomic<bool> m_stopRequested{false};
    QTimer m_timer;
    qint64 m_nextDue = 0; // when the scheduled run is due (Unix seconds); the timer waits in steps
    bool m_busy = false;  // this thread only
};

} // namespace billing::server
