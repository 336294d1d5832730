#pragma once

#include <QtGlobal>

namespace billing {

// Writes back a database file's new pages as a checkpoint copies them, a
// little at a time, instead of all at the checkpoint's closing fsync.
//
// A commit's fsync of the log waits behind whatever the disk is writing. A
// checkpoint copies a second's worth of pages into the database file, and its
// fsync sent them all at once: every second a commit waited 25–90 ms behind
// them (bench_webhooks' p99.9). Paced, the checkpoint's thread waits for each
// 256 KiB of its copies to reach the disk before it copies more, so a commit
// waits behind at most that much (README, "Tail latency"). Durability is
// unchanged: the checkpoint still fsyncs the file before SQLite counts the
// log as copied.
//
// One per open database file, used by CoalescingWalVfs on every write to it;
// only the threads that asked (WalCheckpointer's) are paced.
class WritebackPacer final
{
public:
    // Opens a descriptor of its own on the file (sync_file_range acts on the
    // file, whichever descriptor names it); without one it paces nothing.
    explicit WritebackPacer(const char *path);
    ~WritebackPacer();
    WritebackPacer(const WritebackPacer &) = delete;
    WritebackPacer &operator=(const WritebackPacer &) = delete;

    // After each write to the file that succeeded.
    void wrote(qint64 offset, int amount);

    // From now on, this thread's writes are written back and waited for every
    // `bytes` (0: never).
    static void paceThisThread(qint64 bytes);
    // Writebacks waited for, in this process: for tests.
    static qint64 writebacks();

private:
    int m_fd = -1;
    qint64 m_from = 0; // the range written since the last writeback
    qint64 m_to = 0;
    qint64 m_bytes = 0;
};

} // namespace billing
