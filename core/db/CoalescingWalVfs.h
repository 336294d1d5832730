#pragma once

#include <QtGlobal>

namespace billing::CoalescingWalVfs {

// SQLite writes each frame of its write-ahead log with two pwrite calls (the
// 24-byte frame header, then the page), so a webhook batch of ~50 pages cost
// ~100 system calls before its fsync. This VFS wraps SQLite's default one and
// gathers a transaction's consecutive log writes in memory, written with one
// call when the transaction's commit frame has been written (a write error is
// then reported as SQLite expects, by that write), and earlier if anything
// else needs them: before the log is synced, read, sized, truncated or closed,
// before a log write that does not follow the gathered ones, and before the
// connection touches the shared-memory index through which other connections
// learn of new frames. So a reader, in this process or another, never finds a
// frame that is not in the file, whatever the synchronous setting, and a
// commit is exactly as durable as before: with synchronous=FULL it returns only
// after its frames are written and fsync'd.
//
// Registers the VFS as this process's default for connections opened from
// now on. Idempotent and thread-safe; false if SQLite refused it (connections
// then use SQLite's own, which is correct, only slower).
bool install();

// Log writes SQLite asked for, and the writes that reached the file: for tests.
struct Counters
{
    qint64 requested = 0;
    qint64 issued = 0;
};
Counters counters();

} // namespace billing::CoalescingWalVfs
