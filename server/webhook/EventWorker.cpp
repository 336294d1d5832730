#include "EventWorker.h"

#include "db/Database.h"

#include <iterator>

namespace billing::server {

EventWorker::EventWorker(EventProcessor &processor, Database &database, QObject *parent)
    : QObject(parent)
    , m_processor(processor)
{
    m_thread.setObjectName(QStringLiteral("event-worker"));
    m_threadContext = new QObject;
    m_threadContext->moveToThread(&m_thread);
    // finished is emitted on the ending thread: its database connection is
    // closed where it was opened.
    connect(
        &m_thread, &QThread::finished, m_threadContext,
        [&database] { database.releaseThisThreadsConnection(); }, Qt::DirectConnection);
    connect(&m_thread, &QThread::finished, m_threadContext, &QObject::deleteLater);
    m_thread.start();
}

EventWorker::~EventWorker()
{
    // Everything queued is committed before the thread ends (a retried
    // delivery of one then finds it stored).
    QMetaObject::invokeMethod(
        m_threadContext,
        [this] {
            for (;;) {
                QMutexLocker lock(&m_queueMutex);
                if (m_queue.isEmpty())
                    break;
                lock.unlock();
                applyQueued();
            }
            m_thread.quit();
        },
        Qt::QueuedConnection);
    m_thread.wait();
}

void EventWorker::enqueue(EventProcessor::Admitted event, Done done)
{
    QMutexLocker lock(&m_queueMutex);
    m_queue.append({std::move(event), std::move(done)});
    if (m_turnPosted)
        return;
    m_turnPosted = true;
    lock.unlock();
    QMetaObject::invokeMethod(
        m_threadContext, [this] { applyQueued(); }, Qt::QueuedConnection);
}

void EventWorker::applyQueued()
{
    QList<Queued> batch;
    {
        QMutexLocker lock(&m_queueMutex);
        if (m_queue.size() <= kMaxBatch) {
            batch.swap(m_queue);
        } else {
            batch.reserve(kMaxBatch);
            std::move(m_queue.begin(), m_queue.begin() + kMaxBatch, std::back_inserter(batch));
            m_queue.remove(0, kMaxBatch);
        }
    }
    if (!batch.isEmpty()) {
        QList<EventProcessor::Admitted> events;
        events.reserve(batch.size());
        for (const Queued &queued : std::as_const(batch))
            events.append(queued.event);
        QList<EventProcessor::Report> reports = m_processor.apply(events);
        QMetaObject::invokeMethod(
            this,
            [batch = std::move(batch), reports = std::move(reports)] {
                for (qsizetype i = 0; i < batch.size(); ++i)
                    batch[i].done(reports[i]);
            },
            Qt::QueuedConnection);
    }

    QMutexLocker lock(&m_queueMutex);
    if (m_queue.isEmpty()) {
        m_turnPosted = false;
        return;
    }
    lock.unlock();
    QMetaObject::invokeMethod(
        m_threadContext, [this] { applyQueued(); }, Qt::QueuedConnection);
}

void EventWorker::replay(const QString &eventId, std::function<void(const EventProcessor::Report &)> done)
{
    QMetaObject::invokeMethod(
        m_threadContext,
        [this, eventId, done = std::move(done)]() mutable {
            EventProcessor::Report report = m_processor.replay(eventId);
            QMetaObject::invokeMethod(
                this, [done = std::move(done), report = std::move(report)] { done(report); },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void EventWorker::runBetweenBatches(std::function<void()> write)
{
    QMetaObject::invokeMethod(m_threadContext, std::move(write), Qt::QueuedConnection);
}

} // namespace billing::server
