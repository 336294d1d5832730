#include "WritebackPacer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

namespace billing {

namespace {

thread_local qint64 t_pacingBytes = 0;
std::atomic<qint64> g_writebacks{0};

} // namespace

WritebackPacer::WritebackPacer(const char *path)
    : m_fd(path ? ::open(path, O_RDONLY | O_CLOEXEC) : -1)
{}

WritebackPacer::~WritebackPacer()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void WritebackPacer::wrote(qint64 offset, int amount)
{
    if (t_pacingBytes <= 0 || m_fd < 0)
        return;
    m_from = m_bytes == 0 ? offset : std::min(m_from, offset);
    m_to = m_bytes == 0 ? offset + amount : std::max(m_to, offset + amount);
    m_bytes += amount;
    if (m_bytes < t_pacingBytes)
        return;
    // A failure is left to the checkpoint's fsync, which reports it.
    if (::sync_file_range(m_fd, m_from, m_to - m_from,
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) ==
        0)
        g_writebacks.fetch_add(1, std::memory_order_relaxed);
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
