#pragma once

#include "Database.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace billing {

// A few threads, each with its own database connection, that run reads for a
// thread that must not wait on them (the HTTP thread, which also admits
// webhooks). SQLite readers in WAL mode read beside the writer; PostgreSQL
// gets a connection per reader. A read's answer comes back on the thread of
// `replyTo`, through its event loop. replyTo owns the pool (or outlives it):
// the pool's destructor waits for its readers, so no answer is ever posted to
// an object that is gone.
class ReaderPool final
{
public:
    using Read = std::function<Result<QJsonObject>(QSqlDatabase &db)>;
    using Done = std::function<void(Result<QJsonObject>)>;

    ReaderPool(Database &database, QObject *replyTo, int readers);
    // Finishes the reads already handed over, then closes the connections.
    ~ReaderPool();
    ReaderPool(const ReaderPool &) = delete;
    ReaderPool &operator=(const ReaderPool &) = delete;

    void run(Read read, Done done);

    int readers() const { return int(m_threads.size()); }

private:
    struct Reader
    {
        QThread thread;
        QObject worker; // lives on thread
        std::atomic<int> queued{0};
    };

    Database &m_database;
    QObject *m_replyTo;
    std::vector<std::unique_ptr<Reader>> m_threads;
};

} // namespace billing
