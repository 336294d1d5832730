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
// all the time it never sees the whole log copied, and SQLite only starts the
// log over once it has been. So past a size, once a pass leaves little to
// copy, the checkpointer asks the writer to copy that little after its next
// commit (Database::askWriterToFinishCheckpoint); the log starts over at the
// writer's next transaction. Nothing ever waits for a checkpoint. The file
// keeps its size when the log starts over; when writes stop, it is emptied.
class WalCheckpointer final
{
public:
    struct Options
    {
        // Passes every 250 ms halved the slowest answers but doubled p99
        // (their fsyncs delay the commits' own): README, Database.
        std::chrono::milliseconds interval{1000};
        int restartAbovePages = 16384; // 64 MiB of 4 KiB pages
        // Emptied when idle past this size.
        qint64 truncateAboveBytes = 64 * 1024 * 1024;
        // Passes in a row, each copying what was written during the one
        // before, until one copies at most this: about what the writer will
        // be left (1 MiB, a millisecond's copy).
        int leftForWriterPages = 256;
        int maxPasses = 5;
        // Copies written back and waited for every this many bytes
        // (WritebackPacer). bench_webhooks' p99.9: 256 KiB 9–11 ms; 1 MiB
        // 13–19 ms (once 105); 64 KiB 13–14 ms, at a fifth less throughput.
        qint64 writebackPacingBytes = 256 * 1024;
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
