#include "ReaderPool.h"

#include <QJsonObject>

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
    // Round robin: reads are short, and a slow one holds back only its share.
    Reader &reader = *m_threads[m_next++ % m_threads.size()];
    QMetaObject::invokeMethod(&reader.worker, [this, read = std::move(read), done = std::move(done)]() mutable {
        Result<QSqlDatabase> db = m_database.connection();
        Result<QJsonObject> answer = db ? read(db.value()) : Result<QJsonObject>(db.error());
        QMetaObject::invokeMethod(m_replyTo, [done = std::move(done), answer = std::move(answer)]() mutable {
            done(std::move(answer));
        });
    });
}

} // namespace billing
