#include "CoalescingWalVfs.h"

#include "WritebackPacer.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

namespace billing::CoalescingWalVfs {

namespace {

// At most this many bytes per write: SQLite's Unix VFS masks a write's length
// to 17 bits (os_unix.c, seekAndWriteFd), so a longer write would be cut
// short and reported as a full disk. 30 frames of 4 KiB pages; a batch's
// log is written in a few calls instead of two per frame.
constexpr int kMaxGatheredBytes = 0x1ffff & ~0xfff;

std::atomic<qint64> g_requested{0};
std::atomic<qint64> g_issued{0};
std::atomic<int> g_failingFlushes{0};

sqlite3_vfs *g_underlying = nullptr;
sqlite3_vfs g_vfs;

struct File
{
    sqlite3_file base;            // first: SQLite sees this struct as a sqlite3_file
    sqlite3_file *real = nullptr; // the underlying VFS's file, allocated right after this struct
    bool isLog = false;
    File *log = nullptr;      // database file: its connection's log, while open
    File *database = nullptr; // log file: the database file it belongs to
    // Gathered log writes: bytes for [gatheredOffset, gatheredOffset + gatheredSize).
    char *gathered = nullptr; // kMaxGatheredBytes, allocated at the first gathered write
    int gatheredSize = 0;
    sqlite3_int64 gatheredOffset = 0;
    sqlite3_int64 appendAt = -1;     // where the log ends as written (or gathered); -1: not known yet
    bool commitFrameStarted = false; // the last gathered write was the header of a commit frame
    WritebackPacer *pacer = nullptr; // database file: paces a checkpoint's copies
};
// The underlying VFS's file struct follows ours, in memory SQLite's allocator
// aligns to 8 bytes (not to max_align_t): ours keeps it 8-byte aligned.
static_assert(sizeof(File) % alignof(sqlite3_int64) == 0, "the underlying file struct follows ours");

// A log frame's 24-byte header; bytes 4-7 hold the database size in pages
// after the commit on a commit frame, zero on the others (SQLite's WAL format).
constexpr int kFrameHeaderBytes = 24;

bool isCommitFrameHeader(const void *data, int amount)
{
    if (amount != kFrameHeaderBytes)
        return false;
    const auto *bytes = static_cast<const unsigned char *>(data);
    return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

File *asFile(sqlite3_file *file)
{
    return reinterpret_cast<File *>(file);
}

const sqlite3_io_methods *realMethods(File *file)
{
    return file->real->pMethods;
}

// On failure the gathered writes are kept and the next flush tries them
// again: SQLite was told they were written, and it does not always abandon
// the transaction when a later call fails (a failed read, for one).
int flush(File *file)
{
    if (file->gatheredSize == 0)
        return SQLITE_OK;
    if (g_failingFlushes.load(std::memory_order_relaxed) > 0 &&
        g_failingFlushes.fetch_sub(1, std::memory_order_relaxed) > 0) {
        return SQLITE_FULL;
    }
    const int rc =
        realMethods(file)->xWrite(file->real, file->gathered, file->gatheredSize, file->gatheredOffset);
    if (rc != SQLITE_OK)
        return rc;
    g_issued.fetch_add(1, std::memory_order_relaxed);
    file->gatheredSize = 0;
    return SQLITE_OK;
}

// Forgets gathered writes without writing them. Where the log ends is read
// again from the next transaction's first write.
void dropGathered(File *file)
{
    file->gatheredSize = 0;
    file->commitFrameStarted = false;
    file->appendAt = -1;
}

int writeNow(File *file, const void *data, int amount, sqlite3_int64 offset)
{
    file->commitFrameStarted = false;
    const int rc = realMethods(file)->xWrite(file->real, data, amount, offset);
    if (rc == SQLITE_OK)
        g_issued.fetch_add(1, std::memory_order_relaxed);
    return rc;
}

int fileClose(sqlite3_file *f)
{
    File *file = asFile(f);
    int rc = flush(file);
    if (file->log)
        file->log->database = nullptr;
    if (file->database)
        file->database->log = nullptr;
    sqlite3_free(file->gathered);
    file->gathered = nullptr;
    delete file->pacer;
    file->pacer = nullptr;
    const int closed = realMethods(file)->xClose(file->real);
    return rc != SQLITE_OK ? rc : closed;
}

int fileRead(sqlite3_file *f, void *data, int amount, sqlite3_int64 offset)
{
    File *file = asFile(f);
    if (int rc = flush(file); rc != SQLITE_OK)
        return rc;
    return realMethods(file)->xRead(file->real, data, amount, offset);
}

int fileWrite(sqlite3_file *f, const void *data, int amount, sqlite3_int64 offset)
{
    File *file = asFile(f);
    if (!file->isLog) {
        const int rc = realMethods(file)->xWrite(file->real, data, amount, offset);
        if (rc == SQLITE_OK && file->pacer)
            file->pacer->wrote(offset, amount);
        return rc;
    }
    g_requested.fetch_add(1, std::memory_order_relaxed);

    const bool continuesGathered =
        file->gatheredSize > 0 && offset == file->gatheredOffset + file->gatheredSize;
    if (file->gatheredSize > 0 && !continuesGathered) {
        if (int rc = flush(file); rc != SQLITE_OK)
            return rc;
    }
    // The log's header (offset 0) starts the log over.
    const sqlite3_int64 appendAt = offset == 0 ? 0 : file->appendAt;
    file->appendAt = std::max(appendAt, offset + amount);
    // Gathering starts at a frame header appended to the log that is not a
    // commit's, and ends with the page after the commit frame's header: that
    // write returns the error of writing them all. Everything else (the log
    // header, a transaction of one frame, checksums rewritten and padding
    // after a commit, a frame rewritten in place) is written at once, so its
    // error is reported by its own write and nothing is left gathered when
    // the commit is announced to other connections.
    const bool commitHeader = isCommitFrameHeader(data, amount);
    const bool startsFrames =
        amount == kFrameHeaderBytes && !commitHeader && (appendAt < 0 || offset >= appendAt);
    if (!continuesGathered && !startsFrames)
        return writeNow(file, data, amount, offset);

    const bool endsTransaction = file->commitFrameStarted;
    file->commitFrameStarted = commitHeader;
    if (file->gatheredSize + amount > kMaxGatheredBytes) {
        if (int rc = flush(file); rc != SQLITE_OK)
            return rc;
        if (amount > kMaxGatheredBytes)
            return writeNow(file, data, amount, offset);
    }
    if (!file->gathered) {
        file->gathered = static_cast<char *>(sqlite3_malloc(kMaxGatheredBytes));
        if (!file->gathered)
            return SQLITE_IOERR_NOMEM;
    }
    if (file->gatheredSize == 0)
        file->gatheredOffset = offset;
    std::memcpy(file->gathered + file->gatheredSize, data, size_t(amount));
    file->gatheredSize += amount;
    return endsTransaction ? flush(file) : SQLITE_OK;
}

int fileTruncate(sqlite3_file *f, sqlite3_int64 size)
{
    File *file = asFile(f);
    if (int rc = flush(file); rc != SQLITE_OK)
        return rc;
    return realMethods(file)->xTruncate(file->real, size);
}

int fileSync(sqlite3_file *f, int flags)
{
    File *file = asFile(f);
    if (int rc = flush(file); rc != SQLITE_OK)
        return rc;
    const int rc = realMethods(file)->xSync(file->real, flags);
    if (rc == SQLITE_OK && file->pacer)
        file->pacer->synced();
    return rc;
}

int fileSize(sqlite3_file *f, sqlite3_int64 *size)
{
    File *file = asFile(f);
    if (int rc = flush(file); rc != SQLITE_OK)
        return rc;
    return realMethods(file)->xFileSize(file->real, size);
}

int fileLock(sqlite3_file *f, int level)
{
    File *file = asFile(f);
    return realMethods(file)->xLock(file->real, level);
}

int fileUnlock(sqlite3_file *f, int level)
{
    File *file = asFile(f);
    return realMethods(file)->xUnlock(file->real, level);
}

int fileCheckReservedLock(sqlite3_file *f, int *reserved)
{
    File *file = asFile(f);
    return realMethods(file)->xCheckReservedLock(file->real, reserved);
}

int fileControl(sqlite3_file *f, int op, void *argument)
{
    File *file = asFile(f);
    if (int rc = flush(file); rc != SQLITE_OK)
        return rc;
    return realMethods(file)->xFileControl(file->real, op, argument);
}

int fileSectorSize(sqlite3_file *f)
{
    File *file = asFile(f);
    return realMethods(file)->xSectorSize(file->real);
}

int fileDeviceCharacteristics(sqlite3_file *f)
{
    File *file = asFile(f);
    return realMethods(file)->xDeviceCharacteristics(file->real);
}

int fileShmMap(sqlite3_file *f, int region, int size, int extend, void volatile **memory)
{
    File *file = asFile(f);
    return realMethods(file)->xShmMap(file->real, region, size, extend, memory);
}

int fileShmLock(sqlite3_file *f, int offset, int count, int flags)
{
    File *file = asFile(f);
    // Releasing the log's write lock (slot 0) ends a write transaction. One
    // that committed left nothing gathered: its commit frame's write wrote it
    // all. What is left belongs to one that rolled back after spilling pages
    // to the log; SQLite has dropped those frames, and written later (at the
    // next read's barrier, say) they would land on frames that another
    // connection has committed since.
    if (offset == 0 && (flags & SQLITE_SHM_UNLOCK) && (flags & SQLITE_SHM_EXCLUSIVE) && file->log)
        dropGathered(file->log);
    return realMethods(file)->xShmLock(file->real, offset, count, flags);
}

void fileShmBarrier(sqlite3_file *f)
{
    File *file = asFile(f);
    // SQLite writes the log index header on both sides of this barrier; the
    // frames it announces must be in the file first. They already are (the
    // commit frame's write wrote them): this only guards that rule, and a
    // failure keeps them for the log's next write, sync or read to report.
    if (file->log)
        static_cast<void>(flush(file->log));
    realMethods(file)->xShmBarrier(file->real);
}

int fileShmUnmap(sqlite3_file *f, int deleteFlag)
{
    File *file = asFile(f);
    return realMethods(file)->xShmUnmap(file->real, deleteFlag);
}

int fileFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **page)
{
    File *file = asFile(f);
    if (int rc = flush(file); rc != SQLITE_OK)
        return rc;
    return realMethods(file)->xFetch(file->real, offset, amount, page);
}

int fileUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *page)
{
    File *file = asFile(f);
    return realMethods(file)->xUnfetch(file->real, offset, page);
}

// Over a file with shared memory (Unix's default locking), version 3: WAL
// and memory-mapped reads. Over one without (nolock, dot-file or flock
// locking), version 1, as SQLite's own: it then uses no WAL.
constexpr sqlite3_io_methods methodTable(bool sharedMemory)
{
    sqlite3_io_methods methods{};
    methods.iVersion = sharedMemory ? 3 : 1;
    methods.xClose = fileClose;
    methods.xRead = fileRead;
    methods.xWrite = fileWrite;
    methods.xTruncate = fileTruncate;
    methods.xSync = fileSync;
    methods.xFileSize = fileSize;
    methods.xLock = fileLock;
    methods.xUnlock = fileUnlock;
    methods.xCheckReservedLock = fileCheckReservedLock;
    methods.xFileControl = fileControl;
    methods.xSectorSize = fileSectorSize;
    methods.xDeviceCharacteristics = fileDeviceCharacteristics;
    if (sharedMemory) {
        methods.xShmMap = fileShmMap;
        methods.xShmLock = fileShmLock;
        methods.xShmBarrier = fileShmBarrier;
        methods.xShmUnmap = fileShmUnmap;
        methods.xFetch = fileFetch;
        methods.xUnfetch = fileUnfetch;
    }
    return methods;
}

const sqlite3_io_methods g_methods = methodTable(true);
const sqlite3_io_methods g_methodsWithoutSharedMemory = methodTable(false);

bool isOurs(const sqlite3_file *file)
{
    return file->pMethods == &g_methods || file->pMethods == &g_methodsWithoutSharedMemory;
}

int vfsOpen(sqlite3_vfs *, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags)
{
    File *file = new (f) File;
    file->base.pMethods = nullptr;
    file->real = reinterpret_cast<sqlite3_file *>(file + 1);
    file->real->pMethods = nullptr;
    const int rc = g_underlying->xOpen(g_underlying, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (file->real->pMethods)
            file->real->pMethods->xClose(file->real);
        return rc;
    }
    file->isLog = (flags & SQLITE_OPEN_WAL) != 0;
    if (flags & SQLITE_OPEN_MAIN_DB)
        file->pacer = new (std::nothrow) WritebackPacer(name);
    if (file->isLog && name) {
        sqlite3_file *database = sqlite3_database_file_object(name);
        if (database && isOurs(database)) {
            file->database = asFile(database);
            file->database->log = file;
        }
    }
    const sqlite3_io_methods *real = file->real->pMethods;
    const bool hasSharedMemory = real->iVersion >= 3 && real->xShmMap && real->xShmLock &&
                                 real->xShmBarrier && real->xShmUnmap && real->xFetch && real->xUnfetch;
    file->base.pMethods = hasSharedMemory ? &g_methods : &g_methodsWithoutSharedMemory;
    return SQLITE_OK;
}

int vfsDelete(sqlite3_vfs *, const char *name, int syncDirectory)
{
    return g_underlying->xDelete(g_underlying, name, syncDirectory);
}

int vfsAccess(sqlite3_vfs *, const char *name, int flags, int *result)
{
    return g_underlying->xAccess(g_underlying, name, flags, result);
}

int vfsFullPathname(sqlite3_vfs *, const char *name, int size, char *out)
{
    return g_underlying->xFullPathname(g_underlying, name, size, out);
}

void *vfsDlOpen(sqlite3_vfs *, const char *name)
{
    return g_underlying->xDlOpen(g_underlying, name);
}

void vfsDlError(sqlite3_vfs *, int size, char *message)
{
    g_underlying->xDlError(g_underlying, size, message);
}

void (*vfsDlSym(sqlite3_vfs *, void *handle, const char *symbol))(void)
{
    return g_underlying->xDlSym(g_underlying, handle, symbol);
}

void vfsDlClose(sqlite3_vfs *, void *handle)
{
    g_underlying->xDlClose(g_underlying, handle);
}

int vfsRandomness(sqlite3_vfs *, int size, char *out)
{
    return g_underlying->xRandomness(g_underlying, size, out);
}

int vfsSleep(sqlite3_vfs *, int microseconds)
{
    return g_underlying->xSleep(g_underlying, microseconds);
}

int vfsCurrentTime(sqlite3_vfs *, double *now)
{
    return g_underlying->xCurrentTime(g_underlying, now);
}

int vfsGetLastError(sqlite3_vfs *, int size, char *out)
{
    return g_underlying->xGetLastError(g_underlying, size, out);
}

int vfsCurrentTimeInt64(sqlite3_vfs *, sqlite3_int64 *now)
{
    return g_underlying->xCurrentTimeInt64(g_underlying, now);
}

bool registerVfs()
{
    if (sqlite3_initialize() != SQLITE_OK)
        return false;
    g_underlying = sqlite3_vfs_find(nullptr);
    // Only over a VFS with everything WAL needs (Unix's has).
    if (!g_underlying || g_underlying->iVersion < 2 || !g_underlying->xCurrentTimeInt64)
        return false;
    std::memset(&g_vfs, 0, sizeof g_vfs);
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = int(sizeof(File)) + g_underlying->szOsFile;
    g_vfs.mxPathname = g_underlying->mxPathname;
    g_vfs.zName = "billing-coalescing-wal";
    g_vfs.xOpen = vfsOpen;
    g_vfs.xDelete = vfsDelete;
    g_vfs.xAccess = vfsAccess;
    g_vfs.xFullPathname = vfsFullPathname;
    g_vfs.xDlOpen = vfsDlOpen;
    g_vfs.xDlError = vfsDlError;
    g_vfs.xDlSym = vfsDlSym;
    g_vfs.xDlClose = vfsDlClose;
    g_vfs.xRandomness = vfsRandomness;
    g_vfs.xSleep = vfsSleep;
    g_vfs.xCurrentTime = vfsCurrentTime;
    g_vfs.xGetLastError = vfsGetLastError;
    g_vfs.xCurrentTimeInt64 = vfsCurrentTimeInt64;
    return sqlite3_vfs_register(&g_vfs, 1) == SQLITE_OK;
}

} // namespace

bool install()
{
    static const bool installed = registerVfs();
    return installed;
}

void failNextFlushesForTesting(int count)
{
    g_failingFlushes.store(count, std::memory_order_relaxed);
}

Counters counters()
{
    return {g_requested.load(std::memory_order_relaxed), g_issued.load(std::memory_order_relaxed)};
}

} // namespace billing::CoalescingWalVfs
