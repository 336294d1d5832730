#pragma once

#include "Database.h"
#include "common/WorkerThread.h"

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

namespace billing {

// A few threads at idle priority, each with its own database connection,
// that run reads for a thread that must not wait on them (the HTTP thread,
// which also admits webhooks). SQLite readers in WAL mode read beside the
// writer; PostgreSQL gets a connection per reader. A read's answer comes back on the thread of
// `replyTo`, through its event loop. replyTo owns the pool (or outlives it):
// the pool's destructor waits for its readers, so no answer is ever posted to
// an object that is gone.
class ReaderPool final
{
public:
    ReaderPool(Database &database, QObject *replyTo, int readers);
    // Finishes the reads already handed over, then closes the connections.
    ~ReaderPool();
    ReaderPool(const ReaderPool &) = delete;
    ReaderPool &operator=(const ReaderPool &) = delete;

    // read runs on a reader's connection; done gets its answer on replyTo's
    // thread. A read that failed on a dead connection runs once more on a
    // fresh one.
    //   read: Result<T>(QSqlDatabase &db)     done: void(Result<T>)
    template <typename Read, typename Done> void run(Read read, Done done)
    {
        using Answer = std::invoke_result_t<Read &, QSqlDatabase &>;
        auto answer = std::make_shared<std::optional<Answer>>();
        dispatch(
            [read = std::move(read), answer](Result<QSqlDatabase> &db) mutable -> std::optional<Error> {
                answer->emplace(db ? read(db.value()) : Answer(db.error()));
                if (**answer)
                    return std::nullopt;
                return (**answer).error();
            },
            [done = std::move(done), answer]() mutable { done(std::move(**answer)); });
    }

private:
    // Runs the read; says how it failed, if it did.
    using Attempt = std::function<std::optional<Error>(Result<QSqlDatabase> &db)>;
    void dispatch(Attempt attempt, std::function<void()> deliver);

    struct Reader
    {
        WorkerThread thread;
        QObject worker; // lives on thread
        std::atomic<int> queued{0};
    };

    Database &m_database;
    QObject *m_replyTo;
    std::vector<std::unique_ptr<Reader>> m_threads;
};

} // namespace billing
