#include "ReaderPool.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace billing {

ReaderPool::ReaderPool(Database &database, QObject *replyTo, int readers)
    : m_database(database)
    , m_replyTo(replyTo)
{
    for (int i = 0; i < std::max(1, readers); ++i) {
        auto reader = std::make_unique<Reader>();
        reader->thread.setObjectName(u"db-reader-%1"_s.arg(i + 1));
        reader->worker.moveToThread(&reader->thread);
        // Reads are the dashboards' work, and must not delay the threads that
        // admit and commit Stripe's deliveries on a machine with few cores.
        // On Linux this is SCHED_IDLE: a webhook thread that wakes takes the
        // core from a reader at once (nice 10 only weights shares, and did
        // not help, #17). A reader still gets the CPU the service leaves idle.
        reader->thread.start(QThread::IdlePriority);
        m_threads.push_back(std::move(reader));
    }
}

ReaderPool::~ReaderPool()
{
    for (const std::unique_ptr<Reader> &reader : m_threads) {
        // Queued behind the reads already handed to this reader.
        QMetaObject::invokeMethod(&reader->worker, [this, thread = &reader->thread] {
            m_database.releaseThisThreadsConnection();
            thread->quit();
        });
    }
    for (const std::unique_ptr<Reader> &reader : m_threads)
        reader->thread.wait();
}

void ReaderPool::dispatch(Attempt attempt, std::function<void()> deliver)
{
    // The reader with the fewest reads waiting: a slow one (the summary over
    // whole tables) does not hold back the pages queued behind it.
    Reader &reader = **std::min_element(m_threads.begin(), m_threads.end(), [](const auto &a, const auto &b) {
        return a->queued.load() < b->queued.load();
    });
    ++reader.queued;
    QMetaObject::invokeMethod(&reader.worker, [this, &reader, attempt = std::move(attempt),
                                               deliver = std::move(deliver)]() mutable {
        Result<QSqlDatabase> db = m_database.connection();
        const std::optional<Error> failed = attempt(db);
        // A PostgreSQL server that restarted leaves a dead connection behind:
        // a read that failed on one tries once more on a fresh connection.
        if (db && failed && failed->code != ErrorCode::InvalidInput && failed->code != ErrorCode::NotFound &&
            !checkReachable(db.value())) {
            db = m_database.reconnect();
            attempt(db);
        }
        --reader.queued;
        QMetaObject::invokeMethod(m_replyTo, std::move(deliver));
    });
}

} // namespace billing
