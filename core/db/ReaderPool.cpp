#include "ReaderPool.h"

#include <QJsonObject>

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
        reader->thread.start();
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

void ReaderPool::run(Read read, Done done)
{
    // The reader with the fewest reads waiting: a slow one (the summary over
    // whole tables) does not hold back the pages queued behind it.
    Reader &reader = **std::min_element(m_threads.begin(), m_threads.end(), [](const auto &a, const auto &b) {
        return a->queued.load() < b->queued.load();
    });
    ++reader.queued;
    QMetaObject::invokeMethod(&reader.worker, [this, &reader, read = std::move(read),
                                               done = std::move(done)]() mutable {
        Result<QSqlDatabase> db = m_database.connection();
        Result<QJsonObject> answer = db ? read(db.value()) : Result<QJsonObject>(db.error());
        // A PostgreSQL server that restarted leaves a dead connection behind:
        // a read that failed on one tries once more on a fresh connection.
        if (db && !answer && answer.error().code != ErrorCode::InvalidInput &&
            answer.error().code != ErrorCode::NotFound && !checkReachable(db.value())) {
            db = m_database.reconnect();
            answer = db ? read(db.value()) : Result<QJsonObject>(db.error());
        }
        --reader.queued;
        QMetaObject::invokeMethod(m_replyTo, [done = std::move(done), answer = std::move(answer)]() mutable {
            done(std::move(answer));
        });
    });
}

} // namespace billing
