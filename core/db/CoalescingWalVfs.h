#pragma once

#include <QtGlobal>

namespace billing::CoalescingWalVfs {

// SQLite writes each frame of its write-ahead log with two pwrite calls (the
// 24-byte frame header, then the page), so a webhook batch of ~50 pages cost
// ~100 system calls before its fsync. This VFS wraps SQLite's default one and
// gathers the frames a transaction appends to the log in memory, written
// with one call (per 124 KiB) by the write of the commit frame's page: that
// write returns their error, and the commit fails, as SQLite expects of a
// failed write. Anything else written to the log (its header, a transaction
// of one frame, what SQLite rewrites or pads after the commit frame) is
// written at once. Gathered frames are also written before the log is
// synced, read, sized, truncated or closed, and before a log write that does
// not follow them; a failed attempt keeps them for the next one. So a reader,
// in this process or another, never finds a frame announced that is not in
// the file, whatever the synchronous setting, and a commit is exactly as
// durable as before: with synchronous=FULL it returns only after its frames
// are written and fsync'd. Frames still gathered when a transaction ends
// without committing (it spilled pages to the log, then rolled back) are
// dropped, never written over what other connections commit after it.
//
// The database file's writes also go through a WritebackPacer, which paces
// the checkpointer's copies (WritebackPacer.h).
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

// The next `count` writes of gathered frames fail as on a full disk
// (SQLITE_FULL) without touching the file: for tests of what SQLite does with
// such a failure.
void failNextFlushesForTesting(int count);

} // namespace billing::CoalescingWalVfs
