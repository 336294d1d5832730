#pragma once

#include "billing/EventProcessor.h"
#include "common/WorkerThread.h"

#include <QMutex>
#include <QObject>

#include <functional>

namespace billing {
class Database;
}

namespace billing::server {

// Runs the EventProcessor on a thread of its own, so that the HTTP thread
// keeps reading, verifying and answering deliveries while a batch is being
// written and fsync'd: the two overlap instead of taking turns on one core.
//
// Group commit: admitted events wait in a queue; whenever the worker is free
// it takes all of them (up to kMaxBatch) as one transaction, one fsync. The
// worker takes the next batch itself, without waiting for the HTTP thread to
// answer the last one and hand it more. Batches run one at a time, in queue
// order.
class EventWorker final : public QObject
{
    Q_OBJECT

public:
    using Done = std::function<void(const EventProcessor::Report &)>;

    static constexpr qsizetype kMaxBatch = 256;

    EventWorker(EventProcessor &processor, Database &database, QObject *parent = nullptr);
    // Applies what is queued (it commits or rolls back), then stops; reports
    // not yet delivered are dropped, and their deliveries go unanswered.
    ~EventWorker() override;

    // Parses and checks a delivery on the caller's thread (see EventProcessor::admit).
    std::optional<EventProcessor::Report> admit(const EventProcessor::Delivery &delivery,
                                                EventProcessor::Admitted *admitted) const
    {
        return m_processor.admit(delivery, admitted);
    }
    // Queues an admitted event; done(report) runs later on this object's
    // thread, once the event's batch has committed or failed. The reports of
    // one batch arrive together, in queue order.
    void enqueue(EventProcessor::Admitted event, Done done);

    // Applies a stored event again on the worker's thread, after the batch in
    // progress; done(report) runs on this object's thread.
    void replay(const QString &eventId, std::function<void(const EventProcessor::Report &)> done);

    // Runs a small write of the service's own (a staff member's visit) on the
    // worker's thread, between batches. SQLite has one writer: the same write
    // from another thread would hold the batches behind its lock and fsync.
    void runBetweenBatches(std::function<void()> write);

private:
    struct Queued
    {
        EventProcessor::Admitted event;
        Done done;
    };
    // On the worker's thread: applies one batch, then asks for another turn
    // if more is queued (so a replay queued meanwhile is not starved).
    void applyQueued();

    EventProcessor &m_processor;
    WorkerThread m_thread;
    QObject *m_threadContext = nullptr;

    QMutex m_queueMutex;
    QList<Queued> m_queue;     // guarded by m_queueMutex
    bool m_turnPosted = false; // guarded by m_queueMutex: applyQueued is queued on the worker
};

} // namespace billing::server
