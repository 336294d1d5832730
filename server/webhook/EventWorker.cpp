#include "EventWorker.h"

#include "db/Database.h"

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
    // Queued behind the batches already submitted, so they are all committed
    // (a retried delivery of one then finds it stored).
    QMetaObject::invokeMethod(
        m_threadContext, [this] { m_thread.quit(); }, Qt::QueuedConnection);
    m_thread.wait();
}

void EventWorker::submit(QList<EventProcessor::Admitted> events, Done done)
{
    QMetaObject::invokeMethod(
        m_threadContext,
        [this, events = std::move(events), done = std::move(done)]() mutable {
            QList<EventProcessor::Report> reports = m_processor.apply(events);
            QMetaObject::invokeMethod(
                this, [done = std::move(done), reports = std::move(reports)] { done(reports); },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
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

} // namespace billing::server
