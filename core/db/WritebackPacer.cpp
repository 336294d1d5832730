#include "WritebackPacer.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

namespace billing {

namespace {

thread_local qint64 t_pacingBytes = 0;
std::atomic<qint64> g_writebacks{0};

// A descriptor per database file, opened once and never closed: closing any
// descriptor of a file drops every POSIX lock the process holds on it, which
// SQLite's shared lock on the database file relies on (another process
// finding the file unlocked would copy the log and delete it under us).
// sync_file_range acts on the file, whichever descriptor names it.
int processDescriptor(const char *path)
{
    static QMutex mutex;
    static QHash<QByteArray, int> descriptors;
    const QMutexLocker lock(&mutex);
    const QByteArray key(path);
    if (const auto found = descriptors.constFind(key); found != descriptors.cend())
        return found.value();
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        descriptors.insert(key, fd);
    return fd;
}

} // namespace

WritebackPacer::WritebackPacer(const char *path)
    : m_path(path)
{}

void WritebackPacer::wrote(qint64 offset, int amount)
{
    if (t_pacingBytes <= 0 || !m_path)
        return;
    m_from = m_bytes == 0 ? offset : std::min(m_from, offset);
    m_to = m_bytes == 0 ? offset + amount : std::max(m_to, offset + amount);
    m_bytes += amount;
    if (m_bytes < t_pacingBytes)
        return;
    if (m_fd < 0)
        m_fd = processDescriptor(m_path);
    // A failure is left to the checkpoint's fsync, which reports it.
    if (m_fd >= 0 && ::sync_file_range(m_fd, m_from, m_to - m_from,
                                       SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                           SYNC_FILE_RANGE_WAIT_AFTER) == 0)
        g_writebacks.fetch_add(1, std::memory_order_relaxed);
    m_bytes = 0;
}

void WritebackPacer::synced()
{
    m_bytes = 0;
}

void WritebackPacer::paceThisThread(qint64 bytes)
{
    t_pacingBytes = bytes;
}

qint64 WritebackPacer::writebacks()
{
    return g_writebacks.load(std::memory_order_relaxed);
}

} // namespace billing
