#pragma once

#include <QtGlobal>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace billing {

class Database;

// Copies SQLite's write-ahead log into the database file on a thread and
// connection of its own. SQLite otherwise checkpoints inside the commit that
// crosses 1,000 log pages, so every ~300th webhook batch waited for a copy and
// two fsyncs: most of the p99 latency. The service's connections are told to
// leave checkpoints alone (Database::setAutomaticCheckpoints(false)).
//
// A passive checkpoint never blocks the writer, but with deliveries arriving
// all the time it may never catch up, and SQLite only starts the log over once
// a checkpoint has caught up: past a size, one RESTART checkpoint waits for
// the writer (busy timeout) and lets the log start over. The file keeps its
// size when the log starts over; when writes stop, it is emptied.
class WalCheckpointer final
{
public:
    struct Options
    {
        std::chrono::milliseconds interval{1000};
        int restartAbovePages = 16384; // 64 MiB of 4 KiB pages
        // Emptied when idle past this size.
        qint64 truncateAboveBytes = 64 * 1024 * 1024;
    };

    WalCheckpointer(Database &database, Options options);
    // Stops after the checkpoint in progress, if any.
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

private:
    void run();
    void checkpoint();

    Database &m_database;
    Options m_options;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    int m_lastLogPages = -1; // in the log at the last pass; only the checkpointer's thread uses it
    std::thread m_thread;
};

} // namespace billing
