#pragma once

#include <QtGlobal>

namespace billing {

// Writes back a database file's new pages as a checkpoint copies them, a
// little at a time, instead of all at the checkpoint's closing fsync.
//
// A commit's fsync of the log waits behind whatever the disk is writing. A
// checkpoint copies a second's worth of pages into the database file, and its
// fsync sent them all at once: about once a second a commit waited 45–90 ms
// behind them (bench_webhooks' p99.9). Paced, the checkpoint's thread waits
// for each 256 KiB of its copies to reach the disk before it copies more, so
// a commit waits behind little of them (README, "Tail latency"). Durability
// is unchanged: the checkpoint still fsyncs the file before SQLite counts the
// log as copied.
//
// One per open database file, told of every write to it and of its syncs by
// CoalescingWalVfs; only the threads that asked (WalCheckpointer's) are paced.
class WritebackPacer final
{
public:
    // `path` must outlive the pacer (SQLite's file name does).
    explicit WritebackPacer(const char *path);

    // After each write to the file that succeeded.
    void wrote(qint64 offset, int amount);
    // After the file was synced: what was written is on the disk.
    void synced();

    // From now on, this thread's writes are written back and waited for every
    // `bytes` (0: never).
    static void paceThisThread(qint64 bytes);
    // Writebacks waited for, in this process: for tests.
    static qint64 writebacks();

private:
    const char *m_path;
    int m_fd = -1;     // the process's descriptor for m_path, opened at the first paced write
    qint64 m_from = 0; // the range written since the last writeback or sync
    qint64 m_to = 0;
    qint64 m_bytes = 0;
};

} // namespace billing
