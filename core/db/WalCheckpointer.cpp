#include "WalCheckpointer.h"

#include "Database.h"
#include "WritebackPacer.h"
#include "common/Logging.h"

#include <QFileInfo>

#include <pthread.h>

using namespace Qt::StringLiterals;

namespace billing {

WalCheckpointer::WalCheckpointer(Database &database, Options options)
    : m_database(database)
    , m_options(options)
{
    m_thread = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void WalCheckpointer::run()
{
    // Named for top -H and the journal's thread view.
    pthread_setname_np(pthread_self(), "wal-checkpoint");
    WritebackPacer::paceThisThread(m_options.writebackPacingBytes);
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, m_options.interval, [this] { return m_stopping; })) {
        lock.unlock();
        checkpoint();
        lock.lock();
    }
    lock.unlock();
    m_database.releaseThisThreadsConnection();
}

void WalCheckpointer::checkpoint()
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db) {
        qCWarning(lcDatabase).noquote() << "checkpoint skipped:" << db.error().message;
        return;
    }
    // Passes until one copies little: each copies what was written during
    // the one before, so the writer is left only what comes after the last.
    int logPages = 0;
    int copiedPages = 0;
    for (int pass = 0; pass < m_options.maxPasses; ++pass) {
        // One row: busy, pages in the log, pages copied into the database file.
        Result<SqlRows> passive =
            runQuery(db.value(), u"cannot checkpoint the log"_s, u"PRAGMA wal_checkpoint(PASSIVE)"_s);
        if (!passive || !passive->next()) {
            qCWarning(lcDatabase).noquote()
                << (passive ? u"cannot checkpoint the log"_s : passive.error().message);
            return;
        }
        const int copiedBefore = copiedPages;
        logPages = passive->value(1).toInt();
        copiedPages = passive->value(2).toInt();
        if (pass > 0 && copiedPages >= copiedBefore &&
            copiedPages - copiedBefore <= m_options.leftForWriterPages)
            break;
    }
    const bool idle = logPages == m_lastLogPages;
    m_lastLogPages = logPages;
    // The log file keeps the largest size it reached (a burst of webhooks
    // grew it to ~700 MB). Once all is copied and nothing was written since
    // the last pass, it is emptied: disk given back when the burst is over,
    // never at the cost of a commit under load.
    if (idle && copiedPages == logPages &&
        QFileInfo(m_database.url().sqlitePath() + u"-wal"_s).size() > m_options.truncateAboveBytes) {
        Result<SqlRows> truncate =
            runQuery(db.value(), u"cannot empty the log"_s, u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        if (!truncate)
            qCWarning(lcDatabase).noquote() << truncate.error().message;
        return;
    }
    // Long enough to start over, and little left: the next writer copies it
    // after its commit and then starts the log over (Database's comment).
    if (logPages >= m_options.restartAbovePages && logPages - copiedPages <= m_options.leftForWriterPages)
        m_database.askWriterToFinishCheckpoint();
}

} // namespace billing
