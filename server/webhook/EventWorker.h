#pragma once

#include "billing/EventProcessor.h"

#include <QObject>
#include <QThread>

#include <functional>

namespace billing {
class Database;
}

namespace billing::server {

// Runs the EventProcessor on a thread of its own, so that the HTTP thread
// keeps reading, verifying and answering deliveries while a batch is being
// written and fsync'd: the two overlap instead of taking turns on one core.
// Batches run one at a time, in the order submitted.
class EventWorker final : public QObject
{
    Q_OBJECT

public:
    using Done = std::function<void(const QList<EventProcessor::Report> &)>;

    EventWorker(EventProcessor &processor, Database &database, QObject *parent = nullptr);
    // Waits for the batch in progress (it commits or rolls back); completions
    // not yet delivered are dropped, and their deliveries go unanswered.
    ~EventWorker() override;

    // Parses and checks a delivery on the caller's thread (see EventProcessor::admit).
    std::optional<EventProcessor::Report> admit(const EventProcessor::Delivery &delivery,
                                                EventProcessor::Admitted *admitted) const
    {
        return m_processor.admit(delivery, admitted);
    }
    // done(reports) runs later on this object's thread, one report per event.
    void submit(QList<EventProcessor::Admitted> events, Done done);

    // Applies a stored event again on the worker's thread, after the batches
    // already submitted; done(report) runs on this object's thread.
    void replay(const QString &eventId, std::function<void(const EventProcessor::Report &)> done);

private:
    EventProcessor &m_processor;
    QThread m_thread;
    QObject *m_threadContext = nullptr;
};

} // namespace billing::server
